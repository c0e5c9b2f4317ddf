"""The console's store API over HTTP: login and roles, 403/409/422 with clear messages, the review flow,
versions with their diff and rollback, the audit view, and the pages of the shell."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.console.conftest import (
    EDITOR,
    EDITOR_B,
    HANDLER,
    OTHER_EDITOR,
    PASSWORD,
    REVIEWER,
    login_as,
    make_console_app,
)
from tests.tickets.conftest import _reset_caches

NURSE = "nurse-practice-registration"


def _item(api: TestClient, code: str = NURSE) -> dict[str, Any]:
    resp = api.get(f"/api/console/items/{code}")
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _save(api: TestClient, document: dict[str, Any], base_revision: int | None, code: str = NURSE) -> Any:
    return api.put(f"/api/console/items/{code}/draft", json={"document": document, "base_revision": base_revision})


def test_login_is_required_and_handlers_are_refused(api: TestClient) -> None:
    assert api.get("/api/console/items").status_code == 401
    login_as(api, HANDLER)
    assert api.get("/api/console/items").status_code == 403
    login_as(api, EDITOR)
    items = api.get("/api/console/items", params={"q": "护士"}).json()
    nurse = next(i for i in items if i["code"] == NURSE)
    assert nurse["office"] == "行政审批科" and nurse["can_edit"] is True and nurse["draft"] is None
    # a page at a time, in code order, with the number of matches in X-Total-Count
    everything = api.get("/api/console/items")
    codes = [i["code"] for i in everything.json()]
    assert int(everything.headers["x-total-count"]) == len(codes) >= 3 and codes == sorted(codes)
    pages = [api.get("/api/console/items", params={"offset": o, "limit": 2}).json() for o in range(0, len(codes), 2)]
    assert [i["code"] for page in pages for i in page] == codes


def test_editor_of_another_office_gets_403_and_nothing_changes(api: TestClient) -> None:
    login_as(api, OTHER_EDITOR)
    doc = _item(api)["document"]
    doc["aliases"].append("护士新证")
    resp = _save(api, doc, None)
    assert resp.status_code == 403
    assert _item(api)["draft"] is None
    moved = dict(doc, office=OTHER_EDITOR.office)  # nor may they claim the item for their office
    assert _save(api, moved, None).status_code == 403


def test_validation_errors_are_422_with_fields(api: TestClient) -> None:
    login_as(api, EDITOR)
    doc = _item(api)["document"]
    doc["guides"][0]["statutory_time_limit"] = "很快"
    resp = _save(api, doc, None)
    assert resp.status_code == 422
    detail = resp.json()["detail"]
    assert detail["message"] == "校验未通过，未保存任何修改"
    assert [e["path"] for e in detail["errors"]] == ["guides.0.statutory_time_limit"]
    assert "天数" in detail["errors"][0]["message"]
    assert _item(api)["draft"] is None


def test_second_editor_with_a_stale_revision_gets_409(api: TestClient) -> None:
    login_as(api, EDITOR)
    doc = _item(api)["document"]
    first = copy.deepcopy(doc)
    first["aliases"].append("护士注册本")
    assert _save(api, first, None).status_code == 200
    login_as(api, EDITOR_B)
    second = copy.deepcopy(doc)
    second["aliases"].append("护士注册册")
    resp = _save(api, second, None)
    assert resp.status_code == 409
    assert "editor-a" in resp.json()["detail"] and "请重新打开" in resp.json()["detail"]
    assert _item(api)["document"]["aliases"][-1] == "护士注册本"


def test_review_publish_diff_rollback_and_audit(api: TestClient) -> None:
    login_as(api, EDITOR)
    doc = _item(api)["document"]
    doc["aliases"].append("护士执照注册")
    draft = _save(api, doc, None).json()
    assert api.post(f"/api/console/drafts/{draft['id']}/submit").json()["status"] == "submitted"
    assert api.post(f"/api/console/drafts/{draft['id']}/approve", json={}).status_code == 403
    login_as(api, REVIEWER)
    detail = api.get(f"/api/console/drafts/{draft['id']}").json()
    assert [c["new"] for c in detail["changes"]] == ["护士执照注册"]
    resp = api.post(f"/api/console/drafts/{draft['id']}/approve", json={"revision": 1})
    assert resp.json()["status"] == "approved"
    version = api.post("/api/console/publish", json={"note": "新增别名"}).json()
    assert version["number"] == 2 and version["created_by"] == REVIEWER.username
    listing = api.get("/api/console/versions").json()
    assert listing["published"] == 2 and [v["number"] for v in listing["versions"]] == [2, 1]
    (diff,) = api.get("/api/console/versions/2/diff").json()
    assert diff["key"] == NURSE and diff["fields"][0]["new"] == "护士执照注册"
    rolled = api.post("/api/console/versions/1/rollback", json={"note": "撤销"}).json()
    assert rolled["number"] == 3 and rolled["restores"] == 1
    assert "护士执照注册" not in _item(api)["document"]["aliases"]
    trail = api.get("/api/console/audit").json()
    actions = [(e["action"], e["actor"]) for e in trail]
    assert ("knowledge.publish", REVIEWER.username) in actions
    assert ("knowledge.rollback", REVIEWER.username) in actions
    assert ("knowledge.draft.save", EDITOR.username) in actions
    # a page at a time: the next page starts below the last id of the previous one, newest first, no overlap
    first = api.get("/api/console/audit", params={"limit": 2}).json()
    rest = api.get("/api/console/audit", params={"before": first[-1]["id"]}).json()
    ids = [e["id"] for e in first + rest]
    assert len(first) == 2 and ids == sorted(ids, reverse=True) == [e["id"] for e in trail]


def test_state_changes_from_another_origin_are_refused(api: TestClient) -> None:
    login_as(api, REVIEWER)
    resp = api.post("/api/console/publish", json={}, headers={"Origin": "https://evil.example"})
    assert resp.status_code == 403


def test_the_shell_serves_its_pages_and_only_existing_ones(api: TestClient) -> None:
    page = api.get("/console")
    assert page.status_code == 200 and "console.js" in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert api.get("/console/console.js").status_code == 200
    assert api.get("/console/desk.css").status_code == 200
    assert api.get("/console/no-such-page").status_code == 404
    assert api.get("/console/..%2Fsecrets").status_code == 404


def test_policies_and_referrals_are_edited_by_reviewers(api: TestClient) -> None:
    login_as(api, REVIEWER)
    policies = api.get("/api/console/policies").json()
    doc_id = policies[0]["id"]
    policy = api.get(f"/api/console/policies/{doc_id}").json()
    body = policy["document"]
    body["points"][0]["keywords"] = [*body["points"][0]["keywords"], "控制台关键词"]
    resp = api.put(f"/api/console/policies/{doc_id}/draft", json={"document": body, "base_revision": None})
    assert resp.status_code == 200 and resp.json()["kind"] == "policy"
    referrals = api.get("/api/console/referrals").json()
    assert referrals["document"] and referrals["can_edit"] is True
    login_as(api, EDITOR)
    assert api.get(f"/api/console/policies/{doc_id}").json()["can_edit"] is False
    resp = api.put("/api/console/referrals/draft", json={"document": referrals["document"], "base_revision": None})
    assert resp.status_code == 403


def test_an_empty_store_answers_404_not_500(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the first import (no lifespan ran) the API says so instead of failing."""
    from bot.db import init_db, session_scope
    from bot.tickets import auth
    from bot.tickets.enums import Role

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/empty.db")
    monkeypatch.setenv("DESK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("DESK_PASSWORD_MIN_SCORE", "2")
    monkeypatch.setenv("DESK_SECRET_KEY", "test-secret-empty")
    _reset_caches()
    init_db()
    with session_scope() as db:
        auth.create_user(db, REVIEWER.username, PASSWORD, role=Role.reviewer)
    with TestClient(make_console_app()) as client:
        login_as(client, REVIEWER)
        assert client.get("/api/console/items").status_code == 404
        assert client.get("/api/console/policies").status_code == 404
        resp = client.put(
            f"/api/console/items/{NURSE}/draft", json={"document": {"code": NURSE}, "base_revision": None}
        )
        assert resp.status_code == 404
    _reset_caches()
