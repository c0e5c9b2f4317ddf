"""The FAQ curation checks: verbatim against the cited source record, a region that names a place."""

from __future__ import annotations

from typing import Any

from knowledge.faq_check import faq_findings
from knowledge.schema import ServiceItem

RECORD = {
    "id": "f008",
    "question": "如何办理婚检预约？",
    "answer": "第一步：打开北京市婚姻登记在线预约网站",
    "item": "婚前医学检查",
    "source_url": "https://example.gov.cn/faq",
    "region": "北京市",
}


def item(**faq_changes: Any) -> ServiceItem:
    faq = {
        "question": RECORD["question"],
        "answer": RECORD["answer"],
        "region": RECORD["region"],
        "source": {"title": "首都之窗", "url": RECORD["source_url"], "trust": "official", "note": "faq.jsonl f008"},
    } | faq_changes
    guide = {
        "id": "premarital-medical-exam.g1",
        "region": "北京市",
        "national": False,
        "sources": [{"title": "t", "url": "https://example.gov.cn/g", "trust": "official"}],
        "last_verified": "2026-01-01",
        "faq": [faq],
    }
    return ServiceItem.model_validate(
        {"code": "premarital-medical-exam", "name": "婚前医学检查", "category": "妇幼", "guides": [guide]}
    )


def findings(it: ServiceItem) -> list[tuple[str, str, str]]:
    return faq_findings([it], {it.code: "items/x.yaml"}, sources={"f008": RECORD})


def test_a_verbatim_entry_of_a_known_place_passes() -> None:
    assert findings(item()) == []


def test_an_entry_that_is_not_the_source_verbatim_is_an_error() -> None:
    found = findings(item(answer=RECORD["answer"] + "，可以随时更改。"))
    assert [(level, "answer" in message) for level, _, message in found] == [("error", True)]
    found = findings(item(region="北京市朝阳区"))
    assert any(level == "error" and "region" in message for level, _, message in found)


def test_a_missing_record_is_an_error_and_another_items_record_a_warning() -> None:
    missing = faq_findings([item()], {}, sources={"f001": RECORD})
    assert [level for level, _, _ in missing] == ["error"]
    other = faq_findings([item()], {}, sources={"f008": RECORD | {"item": "出生医学证明"}})
    assert [level for level, _, _ in other] == ["warning"]


def test_the_region_must_be_stated_and_name_a_place() -> None:
    unstated = faq_findings([item(region=None)], {}, sources={})
    assert [level for level, _, _ in unstated] == ["warning"]
    unknown = faq_findings([item(region="某某地方")], {}, sources={})
    assert [level for level, _, _ in unknown] == ["warning"]
    assert faq_findings([item(region="不详")], {}, sources={}) == []  # said to be unknown: nothing to check


def test_the_curated_knowledge_base_passes(catalog) -> None:  # type: ignore[no-untyped-def]
    errors = [f for f in faq_findings(catalog.items, {}) if f[0] == "error"]
    assert errors == []
