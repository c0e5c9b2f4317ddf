"""The curated knowledge base: it loads, validates, and every figure in it traces back to its source record."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge.config import get_settings
from knowledge.loader import (
    KnowledgeDataError,
    content_hash,
    knowledge_root,
    load_items,
    load_policies,
)
from knowledge.schema import Guide, ServiceItem, Status
from knowledge.validate import Level, validate
from knowledge.validate import main as validate_main

SOURCES_DIR = Path(os.environ.get("KNOWLEDGE_SOURCES_DIR", "/work/shared/knowledge-sources"))
NUMBER = re.compile(r"\d+(?:\.\d+)?")
RECORD_ID = re.compile(r"\.(g\d{3})-")
# Guide field -> the source record's field it is copied from.
FIELD_MAP = {
    "statutory_time_limit": "法定办结时限",
    "promised_time_limit": "承诺办结时限",
    "fee": "收费标准",
    "validity": "有效期",
    "phone": "咨询电话",
    "complaint_phone": "监督投诉电话",
    "location": "办理地点",
    "hours": "办理时间",
}


@pytest.fixture(scope="module")
def items() -> list[ServiceItem]:
    return load_items()


@pytest.fixture(scope="module")
def by_code(items: list[ServiceItem]) -> dict[str, ServiceItem]:
    return {item.code: item for item in items}


@pytest.fixture(scope="module")
def source_records() -> dict[str, dict[str, Any]]:
    path = SOURCES_DIR / "guides.jsonl"
    if not path.exists():
        pytest.skip(f"source records not found at {path} (set KNOWLEDGE_SOURCES_DIR)")
    with path.open(encoding="utf-8") as fh:
        return {rec["id"]: rec for rec in map(json.loads, fh)}


@pytest.fixture(scope="module")
def source_faqs() -> dict[str, dict[str, Any]]:
    path = SOURCES_DIR / "faq.jsonl"
    if not path.exists():
        pytest.skip(f"source FAQ not found at {path} (set KNOWLEDGE_SOURCES_DIR)")
    with path.open(encoding="utf-8") as fh:
        return {rec["id"]: rec for rec in map(json.loads, fh)}


def _guide(by_code: dict[str, ServiceItem], code: str, record_id: str) -> Guide:
    matches = [g for g in by_code[code].guides if f".{record_id}-" in g.id]
    assert len(matches) == 1, f"{code} should have one guide from {record_id}"
    return matches[0]


def _numbers(text: str | None) -> set[str]:
    return set(NUMBER.findall(text or ""))


def _copy_data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(knowledge_root(), root)
    return root


def _edit_item(root: Path, code: str, edit: Any) -> None:
    path = root / "items" / f"{code}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- the data as shipped --------------------------------------------------------------------------


def test_data_loads_with_enough_items_and_points(items: list[ServiceItem]) -> None:
    policies = load_policies()
    assert len(items) >= 30
    assert sum(len(doc.points) for doc in policies) >= 30
    assert all(item.guides for item in items)


def test_shipped_data_validates_without_errors() -> None:
    report = validate()
    assert report.errors == [], "\n".join(issue.line() for issue in report.errors)
    # The curator's review list is not empty: flags, the draft and the superseded guides show up.
    assert any("draft" in issue.message for issue in report.warnings)
    assert any("superseded" in issue.message for issue in report.warnings)


def test_every_guide_traces_to_a_source_record(items: list[ServiceItem]) -> None:
    for item in items:
        for guide in item.guides:
            assert guide.sources, guide.id
            assert RECORD_ID.search(guide.id) or ".f0" in guide.id, f"{guide.id} names no source record"


def test_no_invented_figures_in_time_and_fee_fields(
    items: list[ServiceItem], source_records: dict[str, dict[str, Any]]
) -> None:
    """Every number in a guide's time-limit/fee/… fields appears in the same field of its source record."""
    checked = 0
    for item in items:
        for guide in item.guides:
            match = RECORD_ID.search(guide.id)
            if match is None:
                assert guide.statutory_time_limit is None and guide.promised_time_limit is None
                assert guide.fee is None
                continue
            record = source_records[match.group(1)]
            for field, source_field in FIELD_MAP.items():
                value = getattr(guide, field)
                missing = _numbers(value) - _numbers(record[source_field])
                assert not missing, f"{guide.id}.{field}: {sorted(missing)} not in {record['id']}.{source_field}"
                assert value == record[source_field], f"{guide.id}.{field} is not copied verbatim"
                checked += 1
    assert checked >= 50 * len(FIELD_MAP)


def test_no_invented_figures_anywhere_in_guide_text(
    items: list[ServiceItem], source_records: dict[str, dict[str, Any]]
) -> None:
    """Numbers in conditions, materials, process and notes all occur somewhere in the source record."""
    for item in items:
        for guide in item.guides:
            match = RECORD_ID.search(guide.id)
            if match is None:
                continue
            record_text = json.dumps(source_records[match.group(1)], ensure_ascii=False)
            texts = [*(guide.conditions or []), *(guide.process or []), guide.notes or "", guide.result or ""]
            for material in guide.materials or []:
                texts += [material.name, material.copies or "", material.note or ""]
            for text in texts:
                missing = [n for n in _numbers(text) if n not in record_text]
                assert not missing, f"{guide.id}: {missing} in {text!r} not in source record"


def test_faq_answers_are_verbatim(items: list[ServiceItem], source_faqs: dict[str, dict[str, Any]]) -> None:
    answers = {(f["question"], f["answer"]) for f in source_faqs.values()}
    seen = 0
    for item in items:
        for guide in item.guides:
            for faq in guide.faq:
                assert (faq.question, faq.answer) in answers, faq.question
                seen += 1
    assert seen == len(source_faqs)


def test_facts_the_evaluation_asks_for(by_code: dict[str, ServiceItem]) -> None:
    nurse_first = _guide(by_code, "nurse-practice-registration", "g001")
    assert nurse_first.statutory_time_limit is not None and "20个工作日" in nurse_first.statutory_time_limit
    assert nurse_first.materials and any(m.name == "护士执业资格考试成绩合格证明" for m in nurse_first.materials)
    renewal = _guide(by_code, "nurse-practice-registration", "g002")
    assert renewal.conditions and "30日" in renewal.conditions[0]
    setup = _guide(by_code, "medical-institution-setup-approval", "g013")
    assert setup.statutory_time_limit and setup.statutory_time_limit.startswith("30日")
    assert _guide(by_code, "radiation-worker-certificate", "g027").promised_time_limit == "3日（页面“审批时限”）"
    assert _guide(by_code, "water-supply-unit-permit", "g043").fee == "不收费"
    assert _guide(by_code, "only-child-parents-honor-certificate", "g036").promised_time_limit == (
        "10个工作日（自收齐材料之日起）"
    )
    disinfect = _guide(by_code, "disinfection-product-manufacturer-permit", "g042")
    assert disinfect.statutory_time_limit == "20个工作日" and disinfect.location and "窗口" in disinfect.location
    places = " ".join(_guide(by_code, "public-place-health-permit", "g019").conditions or [])
    assert all(word in places for word in ("宾馆", "理发店", "公共浴室"))


def test_curation_decisions(by_code: dict[str, ServiceItem]) -> None:
    assert _guide(by_code, "clinic-filing", "g054").status is Status.draft
    assert _guide(by_code, "nurse-practice-registration", "g010").status is Status.superseded
    suxian = _guide(by_code, "nurse-practice-registration", "g005")
    assert suxian.statutory_time_limit == "30个工作日"
    assert any("20个工作日" in flag for flag in suxian.curator_flags)
    assert _guide(by_code, "nurse-practice-registration", "g009").materials_complete is False
    assert all(g.national for g in by_code["nurse-practice-registration"].guides if g.region.startswith("全国"))
    assert "准生证" not in by_code["birth-medical-certificate"].aliases
    assert "光荣证" in by_code["only-child-parents-honor-certificate"].aliases


# --- the validator catches what a curator can break -----------------------------------------------


def test_validator_reports_an_injected_duplicate_alias(tmp_path: Path) -> None:
    root = _copy_data(tmp_path)
    _edit_item(root, "physician-practice-registration", lambda d: d["aliases"].append("护士证"))
    report = validate(root)
    assert any("护士证" in i.message and "duplicate alias" in i.message for i in report.errors)
    assert validate_main(["--root", str(root), "--errors-only"]) == 1


def test_validator_reports_an_alias_equal_to_another_items_name(tmp_path: Path) -> None:
    root = _copy_data(tmp_path)
    _edit_item(root, "clinic-filing", lambda d: d["aliases"].append("医疗机构执业登记"))
    report = validate(root)
    assert any("name of item medical-institution-practice-registration" in i.message for i in report.errors)


def test_validator_reports_a_missing_source(tmp_path: Path) -> None:
    root = _copy_data(tmp_path)

    def drop_sources(data: dict[str, Any]) -> None:
        data["guides"][0]["sources"] = []

    _edit_item(root, "water-supply-unit-permit", drop_sources)
    report = validate(root)
    assert any("no source" in i.message and "water-supply-unit-permit" in i.where for i in report.errors)


def test_validator_reports_unknown_codes_and_stale_dates(tmp_path: Path) -> None:
    root = _copy_data(tmp_path)
    _edit_item(root, "birth-medical-certificate", lambda d: d["related"].append("no-such-item"))
    report = validate(root, max_age_days=30, today=dt.date(2027, 6, 1), stale_level=Level.error)
    assert any("no-such-item" in i.message for i in report.errors)
    assert any(i.message.startswith("核验过期 stale") for i in report.errors)
    assert validate(root, today=dt.date(2026, 12, 1)).errors  # the unknown code alone is an error


def test_stale_guides_are_warnings_by_default_and_stay_on_the_review_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = validate(today=dt.date(2028, 6, 1))
    stale = [i for i in report.warnings if i.message.startswith("核验过期 stale")]
    assert stale and report.ok  # every guide is stale in 2028, yet CI does not fail
    assert not [i for i in report.errors if "stale" in i.message]
    assert validate_main(["--stale-as", "error"], today=dt.date(2028, 6, 1)) == 1
    assert "ERROR" in capsys.readouterr().out


def test_ci_validation_passes_on_2028_06_01() -> None:
    """The exact call scripts/test.sh makes (no arguments), with today injected as 2028-06-01."""
    assert validate_main([], today=dt.date(2028, 6, 1)) == 0


@pytest.mark.skipif(
    shutil.which("faketime") is None and not os.environ.get("REQUIRE_E2E"),
    reason="faketime not installed (apt-get install faketime; `make setup` does it as root)",
)
def test_ci_validation_command_passes_under_faketime_2028() -> None:
    """The same command line as scripts/test.sh, in a process whose clock says 2028-06-01."""
    assert shutil.which("faketime"), "faketime is required under make test"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.run(
        ["faketime", "2028-06-01 12:00:00", sys.executable, "-m", "knowledge.validate"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "核验过期 stale" in proc.stdout  # still on the review list, as warnings


def test_validator_reports_schema_errors_per_file(tmp_path: Path) -> None:
    root = _copy_data(tmp_path)
    _edit_item(root, "medical-advertisement-review", lambda d: d.update(category=None, colour="red"))
    report = validate(root)
    bad = [i for i in report.errors if i.where == "items/medical-advertisement-review.yaml"]
    assert bad and "category" in bad[0].message and "colour" in bad[0].message
    assert len(report.items) == len(load_items()) - 1  # the other files still load


def test_validator_exit_code_is_zero_with_warnings_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_main([]) == 0
    out = capsys.readouterr().out
    assert "WARN" in out and out.strip().splitlines()[-1].startswith("知识库校验 OK")


# --- loader behaviour ---------------------------------------------------------------------------


def test_loader_error_names_the_file(tmp_path: Path) -> None:
    root = _copy_data(tmp_path)
    bad = root / "items" / "premarital-medical-exam.yaml"
    bad.write_text("code: premarital-medical-exam\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeDataError, match=r"premarital-medical-exam\.yaml"):
        load_items(root)


def test_content_hash_tracks_data_changes(tmp_path: Path) -> None:
    root = _copy_data(tmp_path)
    before = content_hash(root)
    assert before == content_hash(root) == content_hash()
    _edit_item(root, "internet-hospital", lambda d: d["aliases"].append("互联网医院备案"))
    assert content_hash(root) != before


def test_data_dir_can_be_overridden_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy_data(tmp_path)
    (root / "items" / "free-contraceptives.yaml").unlink()
    monkeypatch.setenv("KNOWLEDGE_DATA_DIR", str(root))
    get_settings.cache_clear()
    try:
        assert knowledge_root() == root
        assert "free-contraceptives" not in {item.code for item in load_items()}
    finally:
        monkeypatch.delenv("KNOWLEDGE_DATA_DIR")
        get_settings.cache_clear()
