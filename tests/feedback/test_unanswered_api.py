"""``/api/console/unanswered`` on the knowledge store: who sees which groups, linking (an alias or FAQ draft
through the store), another department's (a referral-keyword draft), dismissing, the origin check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.console.unanswered.models import UnansweredGroup, UnansweredQuestion
from bot.db import session_scope
from tests.console.conftest import ALL_USERS, EDITOR, HANDLER, OTHER_EDITOR, PASSWORD, REVIEWER, login_as

from .conftest import TRIAGE, FakeEngine, FrozenClock, cst, make_loop

NURSE = "nurse-practice-registration"
PREMARITAL = "premarital-medical-exam"
QUESTIONS = {
    "护士执照怎么续": NURSE,  # → 行政审批科
    "婚前检查去哪里做": PREMARITAL,  # → 妇幼健康科
    "犬只登记去哪里办": None,  # → the triage queue
}


@pytest.fixture
def app(console_env: str) -> Iterator[TestClient]:
    from bot.console import router_store
    from bot.console.router_unanswered import router as unanswered_router
    from bot.tickets import auth, dependencies, router_desk
    from bot.tickets.enums import Role

    engine = FakeEngine()
    engine.matches = {"护士": NURSE, "婚前": PREMARITAL}
    engine.offices = {NURSE: "行政审批科", PREMARITAL: "妇幼健康科"}
    fast = FastAPI()
    for router in (router_desk.router, router_store.router, unanswered_router):
        fast.include_router(router)
    fast.state.unanswered = make_loop(engine, similarity=0.9)
    fast.dependency_overrides[dependencies.get_now] = FrozenClock(cst(dt.date(2026, 10, 12)))
    with session_scope() as db:
        for user in ALL_USERS:
            auth.create_user(db, user.username, PASSWORD, role=Role(user.role), office=user.office)
        for text in QUESTIONS:
            at = cst(dt.date(2026, 10, 11))
            db.add(
                UnansweredQuestion(
                    at=at, day=at.date(), session_hash="s" * 32, source="no_answer", question_masked=text, state="open"
                )
            )
    with TestClient(fast) as client:
        yield client


def groups(client: TestClient, **params: Any) -> dict[str, dict[str, Any]]:
    r = client.get("/api/console/unanswered", params=params)
    assert r.status_code == 200, r.text
    return {g["representative"]: g for g in r.json()["groups"]}


def test_login_and_console_roles_are_required(app: TestClient) -> None:
    assert app.get("/api/console/unanswered").status_code == 401
    login_as(app, HANDLER)
    assert app.get("/api/console/unanswered").status_code == 403


def test_an_editor_sees_its_office_and_the_triage_queue(app: TestClient) -> None:
    login_as(app, REVIEWER)
    seen = groups(app)
    assert {q: (g["office"], g["item_code"], g["questions"]) for q, g in seen.items()} == {
        "护士执照怎么续": ("行政审批科", NURSE, 1),
        "婚前检查去哪里做": ("妇幼健康科", PREMARITAL, 1),
        "犬只登记去哪里办": (TRIAGE, None, 1),
    }
    login_as(app, EDITOR)
    assert set(groups(app)) == {"护士执照怎么续", "犬只登记去哪里办"}
    mch = seen["婚前检查去哪里做"]["id"]
    assert app.post(f"/api/console/unanswered/{mch}/dismiss", json={}).status_code == 404  # not its office


def test_link_as_alias_drafts_the_item_through_the_store(app: TestClient) -> None:
    login_as(app, EDITOR)
    gid = groups(app)["护士执照怎么续"]["id"]
    r = app.post(f"/api/console/unanswered/{gid}/link", json={"item_code": NURSE, "as": "alias", "text": "护士执照"})
    assert r.status_code == 200, r.text
    draft_id = r.json()["draft_id"]
    item = app.get(f"/api/console/items/{NURSE}").json()
    assert item["draft"]["id"] == draft_id and "护士执照" in item["document"]["aliases"]
    assert "护士执照" not in item["published"]["aliases"]  # nothing is live before review and publish
    linked = groups(app, status="linked")["护士执照怎么续"]
    assert linked["resolution"]["item_code"] == NURSE and linked["resolution"]["draft_id"] == draft_id
    again = app.post(f"/api/console/unanswered/{gid}/link", json={"item_code": NURSE, "as": "alias", "text": "护士照"})
    assert again.status_code == 409
    with session_scope() as db:
        from bot.tickets.staff_models import AuditEntry

        actions = set(db.scalars(select(AuditEntry.action)))
        assert "POST /api/console/unanswered/{group_id}/link" in actions


def test_link_refusals_change_nothing(app: TestClient) -> None:
    login_as(app, OTHER_EDITOR)  # 妇幼健康科: sees the triage group, may not edit the nurse item
    gid = groups(app)["犬只登记去哪里办"]["id"]
    r = app.post(f"/api/console/unanswered/{gid}/link", json={"item_code": NURSE, "as": "alias", "text": "犬只"})
    assert r.status_code == 403
    r = app.post(f"/api/console/unanswered/{gid}/link", json={"item_code": "no-such-item", "as": "alias", "text": "x"})
    assert r.status_code == 404
    login_as(app, EDITOR)
    r = app.post(f"/api/console/unanswered/{gid}/link", json={"item_code": NURSE, "as": "faq", "text": "犬只登记？"})
    assert r.status_code == 422  # a FAQ question needs its answer
    r = app.post(f"/api/console/unanswered/{gid}/link", json={"item_code": NURSE, "as": "alias", "text": "护士证"})
    assert r.status_code == 409  # already an alias
    assert app.get(f"/api/console/items/{NURSE}").json()["draft"] is None
    assert groups(app)["犬只登记去哪里办"]["status"] == "open"
    r = app.post(
        f"/api/console/unanswered/{gid}/dismiss", json={}, headers={"Origin": "https://evil.example"}
    )  # the desk's origin check
    assert r.status_code == 403


def test_link_as_faq_question(app: TestClient) -> None:
    login_as(app, EDITOR)
    gid = groups(app)["护士执照怎么续"]["id"]
    guide = app.get(f"/api/console/items/{NURSE}").json()["document"]["guides"][0]
    answer = guide["faq"][0]["answer"] if guide.get("faq") else "请见办事指南。"
    body = {"item_code": NURSE, "as": "faq", "text": "护士执照怎么续？", "guide_id": guide["id"], "answer": answer}
    r = app.post(f"/api/console/unanswered/{gid}/link", json=body)
    assert r.status_code == 200, r.text
    drafted = app.get(f"/api/console/items/{NURSE}").json()["document"]["guides"][0]["faq"]
    assert drafted[-1]["question"] == "护士执照怎么续？" and drafted[-1]["source"] == guide["sources"][0]
    assert drafted[-1]["region"] == guide["region"]  # the entry states where it applies


def test_other_department_and_dismiss(app: TestClient) -> None:
    login_as(app, EDITOR)
    gid = groups(app)["犬只登记去哪里办"]["id"]
    body = {"department": "农业农村部门", "keyword": "犬只登记"}
    assert app.post(f"/api/console/unanswered/{gid}/other-department", json=body).status_code == 403  # referrals
    login_as(app, REVIEWER)
    r = app.post(f"/api/console/unanswered/{gid}/other-department", json=body)
    assert r.status_code == 200, r.text
    referrals = app.get("/api/console/referrals").json()["document"]
    assert any(e["department"] == "农业农村部门" and "犬只登记" in e["keywords"] for e in referrals)
    nurse = groups(app)["护士执照怎么续"]["id"]
    assert app.post(f"/api/console/unanswered/{nurse}/dismiss", json={"note": "重复"}).status_code == 200
    done = groups(app, status="all")
    assert (done["犬只登记去哪里办"]["status"], done["护士执照怎么续"]["status"]) == ("other_department", "dismissed")
    with session_scope() as db:
        assert db.scalar(select(UnansweredGroup.resolved_by).where(UnansweredGroup.id == nurse)) == REVIEWER.username


def test_a_resolved_group_can_be_reopened(app: TestClient) -> None:
    login_as(app, EDITOR)
    gid = groups(app)["犬只登记去哪里办"]["id"]
    assert app.post(f"/api/console/unanswered/{gid}/reopen").status_code == 409  # already open
    assert app.post(f"/api/console/unanswered/{gid}/dismiss", json={"note": "误判"}).status_code == 200
    assert "犬只登记去哪里办" not in groups(app)
    assert app.post(f"/api/console/unanswered/{gid}/reopen").status_code == 200
    again = groups(app)["犬只登记去哪里办"]
    assert again["status"] == "open" and again["resolution"] is None and again["retest"] is None
