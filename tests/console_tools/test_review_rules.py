"""The review list's rules over hand-built documents, with an injected "today" (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.console.tools.review_rules import PendingDraft, ReviewContext, review_list
from knowledge.validate import DEFAULT_MAX_AGE_DAYS

TODAY = dt.date(2026, 6, 1)
OFFICES: dict[str, str | None] = {"a-item": "医政医管科", "b-item": "妇幼健康科"}


def guide(gid: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": gid,
        "region": "浙江省杭州市",
        "national": False,
        "status": "active",
        "implementing_body": "杭州市卫生健康委员会",
        "conditions": ["条件"],
        "materials": [{"name": "申请表"}],
        "statutory_time_limit": "20个工作日",
        "promised_time_limit": "5个工作日",
        "fee": "不收费",
        "location": "市民中心",
        "phone": "0571-12345678",
        "sources": [{"title": "浙江政务服务网", "url": "https://zwfw.zj.gov.cn/x", "trust": "official"}],
        "last_verified": "2026-05-01",
        "curator_flags": [],
    }
    base.update(fields)
    return base


def item(code: str, *guides: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"code": code, "name": f"事项{code[0]}", "category": "医政", "guides": list(guides), **fields}


def reasons(rows: list[Any]) -> list[tuple[str, str | None, str]]:
    return [(r.item_code, r.guide_id, r.reason) for r in rows]


CTX = ReviewContext(today=TODAY, region="杭州市")


def test_a_clean_item_has_no_rows() -> None:
    assert review_list({"a-item": item("a-item", guide("a.1"))}, [], OFFICES, CTX) == []


def test_stale_uses_the_validators_threshold_against_the_injected_today() -> None:
    limit = TODAY - dt.timedelta(days=DEFAULT_MAX_AGE_DAYS)
    items = {
        "a-item": item(
            "a-item",
            guide("a.fresh", last_verified=limit.isoformat()),  # exactly at the limit: not stale
            guide("a.old", last_verified=(limit - dt.timedelta(days=1)).isoformat()),
        )
    }
    rows = review_list(items, [], OFFICES, CTX)
    assert reasons(rows) == [("a-item", "a.old", "stale")]
    assert rows[0].office == "医政医管科"
    assert f"{DEFAULT_MAX_AGE_DAYS + 1} 天" in rows[0].message
    later = ReviewContext(today=TODAY + dt.timedelta(days=1), region="杭州市")
    assert [r.guide_id for r in review_list(items, [], OFFICES, later)] == ["a.fresh", "a.old"]


def test_review_due_and_expiry_dates() -> None:
    items = {
        "a-item": item("a-item", guide("a.1"), review_due="2026-06-01", expiry_date="2026-05-31"),
        "b-item": item("b-item", guide("b.1"), review_due="2026-06-02", expiry_date="2027-01-01"),
    }
    found = reasons(review_list(items, [], OFFICES, CTX))
    assert found == [("a-item", None, "expired"), ("a-item", None, "review_due")]


def test_weak_and_superseded_sources() -> None:
    weak = [{"title": "某代办网站", "url": "https://agent.example.com", "trust": "weak"}]
    mixed = [*weak, {"title": "政务服务网", "url": "https://zwfw.zj.gov.cn", "trust": "official"}]
    items = {
        "a-item": item(
            "a-item",
            guide("a.weak", sources=weak),
            guide("a.mixed", sources=mixed),
            guide("a.basis", legal_basis="《护士管理办法》（已被《护士条例》取代）"),
            guide("a.old", status="superseded"),
        )
    }
    found = reasons(review_list(items, [], OFFICES, CTX))
    assert ("a-item", "a.weak", "weak_source") in found
    assert ("a-item", "a.mixed", "weak_source") not in found
    assert ("a-item", "a.basis", "superseded") in found
    assert ("a-item", "a.old", "superseded") in found


def test_empty_fields_are_listed_for_active_guides_only() -> None:
    items = {"a-item": item("a-item", guide("a.1", fee=None, phone=""), guide("a.2", fee=None, status="superseded"))}
    rows = [r for r in review_list(items, [], OFFICES, CTX) if r.reason == "empty_fields"]
    assert [(r.guide_id, r.message) for r in rows] == [("a.1", "空字段：收费、电话")]


def test_pending_drafts_come_first_with_their_author() -> None:
    items = {"a-item": item("a-item", guide("a.1", fee=None))}
    drafts = [PendingDraft(7, "a-item", "editor1", "submitted", "2026-05-30T09:15:00")]
    rows = review_list(items, drafts, OFFICES, CTX)
    assert reasons(rows)[0] == ("a-item", None, "pending_draft")
    assert rows[0].draft_id == 7 and "editor1" in rows[0].message and "2026-05-30 09:15" in rows[0].message


def test_other_region_only_without_a_local_or_national_guide() -> None:
    items = {
        "a-item": item("a-item", guide("a.1", region="广东省深圳市")),
        "b-item": item("b-item", guide("b.1", region="广东省深圳市"), guide("b.n", region="全国", national=True)),
    }
    rows = review_list(items, [], OFFICES, CTX)
    assert reasons(rows) == [("a-item", None, "other_region")]
    assert "广东省深圳市" in rows[0].message and "杭州市" in rows[0].message
    national_only = ReviewContext(today=TODAY, region=None)
    assert review_list(items, [], OFFICES, national_only) == []


def test_curator_flags_are_shown() -> None:
    items = {"b-item": item("b-item", guide("b.1", curator_flags=["摘录截断"]))}
    rows = review_list(items, [], OFFICES, CTX)
    assert [(r.reason, r.office, r.message) for r in rows] == [("flag", "妇幼健康科", "标记：摘录截断")]


def test_stale_policy_documents_are_listed_without_an_office() -> None:
    policies = {
        "old-plan": {"id": "old-plan", "title": "某区营商环境方案", "last_verified": "2025-05-01"},
        "new-plan": {"id": "new-plan", "title": "新方案", "last_verified": "2026-05-01"},
    }
    rows = review_list({}, [], {}, CTX, policies=policies)
    assert [(r.kind, r.item_code, r.item_name, r.office, r.reason) for r in rows] == [
        ("policy", "old-plan", "某区营商环境方案", None, "stale")
    ]
