"""The whole handler flow through the HTTP APIs, on SQLite and (when present) PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.channels import web_inbox
from bot.db import session_scope
from bot.tickets import contact_vault
from bot.tickets.models import ContactVaultEntry, TicketEvent

from .conftest import FrozenClock, create_user, login, ticket_body

RAW_PHONE = "13812348000"


def test_full_handler_flow(client: TestClient, clock: FrozenClock) -> None:
    # The gateway vaulted the phone when it masked it; the action server files the ticket.
    contact_vault.remember("sess-citizen-1", "138****8000", RAW_PHONE)
    resp = client.post("/api/internal/tickets", json=ticket_body())
    assert resp.status_code == 201, resp.text
    created = resp.json()
    number = created["number"]
    assert re.fullmatch(r"BBC-20260213-0001-[A-HJ-NP-Z]{5}", number)  # readable, plus a random check code
    assert created["status"] == "已提交"
    assert created["office"] == "行政审批科"
    # Friday 13 Feb 2026: 1 working day → Saturday 14 Feb (调休 workday); 5 → 27 Feb (after 春节).
    assert created["ack_due"] == "2026-02-14"
    assert created["resolve_due"] == "2026-02-27"
    assert RAW_PHONE not in resp.text

    # The vault entry was used once and removed.
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(ContactVaultEntry)) == 0

    # Every desk API needs a login.
    assert client.get("/api/desk/tickets").status_code == 401
    assert client.get(f"/api/desk/tickets/{number}").status_code == 401
    assert client.post(f"/api/desk/tickets/{number}/reply", json={"text": "x"}).status_code == 401

    create_user("wang", "correct horse 1", office="行政审批科")
    assert client.post("/api/desk/login", json={"username": "wang", "password": "wrong"}).status_code == 401
    login(client, "wang", "correct horse 1")

    queue = client.get("/api/desk/tickets", params={"office": "行政审批科"}).json()
    assert queue["total"] == 1
    assert queue["items"][0]["number"] == number
    assert queue["items"][0]["contact_masked"] == "138****8000"
    assert RAW_PHONE not in json.dumps(queue)

    detail = client.get(f"/api/desk/tickets/{number}").json()
    assert detail["contact"] == RAW_PHONE  # only the handler detail carries the raw contact
    assert next(t["text"] for t in detail["excerpt"]) == "护士执业注册网上一直提交不了"

    client.post(f"/api/desk/tickets/{number}/assign", json={"assignee": "wang"}).raise_for_status()
    client.post(f"/api/desk/tickets/{number}/status", json={"to": "已受理"}).raise_for_status()
    client.post(f"/api/desk/tickets/{number}/notes", json={"note": "已联系信息中心核查系统日志"}).raise_for_status()
    # Closing before any answer is refused.
    assert client.post(f"/api/desk/tickets/{number}/close", json={}).status_code == 409

    reply_text = "经核查系为系统接口故障，已修复，请重新提交，如有问题可致电窗口。"
    r = client.post(f"/api/desk/tickets/{number}/reply", json={"text": reply_text})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "已答复"
    client.post(f"/api/desk/tickets/{number}/close", json={"note": "群众已收到答复"}).raise_for_status()

    # The citizen's chat session gets the reply, the closure notice and a rating request.
    inbox = web_inbox.fetch_undelivered("sess-citizen-1")
    assert reply_text in inbox[0].text and number in inbox[0].text
    rating = inbox[-1]
    assert [b.title for b in rating.buttons] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert rating.buttons[3].payload == '/rate_ticket{"ticket_number": "%s", "rating": "不满意"}' % number
    assert web_inbox.fetch_undelivered("sess-citizen-1") == []  # marked delivered
    assert web_inbox.fetch_undelivered("another-session") == []

    # Status by number for the filing session: status and reply, nothing personal.
    st = client.post("/api/internal/tickets/status", json={"number": number, "session_id": "sess-citizen-1"})
    assert st.status_code == 200
    body = st.json()["ticket"]
    assert body["status"] == "已办结" and body["reply"] == reply_text
    assert set(body) == {"number", "status", "item_name", "office", "resolve_due", "updated_at", "reply"}
    for secret in (RAW_PHONE, "138****8000", "sess-citizen-1", "市政务服务中心", "三次都被退回"):
        assert secret not in st.text
    # Another session learns nothing; with the phone's last four digits it sees the status but not the reply.
    other = client.post("/api/internal/tickets/status", json={"number": number, "session_id": "someone-else"})
    assert other.json() == {"visible": False, "ticket": None}
    with_last4 = {"number": number, "session_id": "someone-else", "phone_last4": RAW_PHONE[-4:]}
    seen = client.post("/api/internal/tickets/status", json=with_last4).json()
    assert seen["visible"] is True and seen["ticket"]["reply"] is None

    # Only the filing session may rate; 不满意 opens a 整改 record with a deadline.
    bad = {"session_id": "someone-else", "rating": "不满意"}
    assert client.post(f"/api/internal/tickets/{number}/rating", json=bad).status_code == 404  # as if unknown
    clock.at = dt.datetime(2026, 2, 24, 2, 0, tzinfo=dt.UTC)  # Tuesday 24 Feb 2026
    rr = client.post(
        f"/api/internal/tickets/{number}/rating",
        json={"session_id": "sess-citizen-1", "rating": "不满意", "comment": "拖了太久"},
    )
    assert rr.status_code == 200, rr.text
    # 10 working days after Tue 24 Feb, with Saturday 28 Feb a 调休 workday → Mon 9 Mar.
    assert rr.json()["rectification_due"] == "2026-03-09"
    # A retry of the same rating is harmless; a different one is refused.
    again = {"session_id": "sess-citizen-1", "rating": "不满意", "comment": "拖了太久"}
    assert client.post(f"/api/internal/tickets/{number}/rating", json=again).status_code == 200
    other = {"session_id": "sess-citizen-1", "rating": "满意"}
    assert client.post(f"/api/internal/tickets/{number}/rating", json=other).status_code == 409

    detail = client.get(f"/api/desk/tickets/{number}").json()
    assert detail["rating"] == "不满意"
    assert detail["rectification"]["status"] == "open"
    assert detail["rectification"]["due"] == "2026-03-09"
    assert client.get("/api/desk/tickets", params={"rectification": True}).json()["total"] == 1

    # The 整改 record cannot close without a call-back note.
    assert client.post(f"/api/desk/tickets/{number}/rectification/close", json={}).status_code == 422
    client.post(
        f"/api/desk/tickets/{number}/rectification/note", json={"measures": "优化接口监控，故障10分钟内告警"}
    ).raise_for_status()
    assert client.post(f"/api/desk/tickets/{number}/rectification/close", json={}).status_code == 422
    done = client.post(
        f"/api/desk/tickets/{number}/rectification/close",
        json={"callback_note": "3月2日电话回访，群众表示问题已解决，认可整改措施"},
    )
    assert done.status_code == 200, done.text
    final = done.json()
    assert final["rectification"]["status"] == "closed"
    assert final["rectification"]["closed_by"] == "wang"

    # The history is complete and in order.
    kinds = [e["kind"] for e in final["events"]]
    assert kinds[0] == "created"
    for k in ("assign", "status", "note", "reply", "rating", "rectification_opened", "rectification_closed"):
        assert k in kinds
    transitions = [(e["from_status"], e["to_status"]) for e in final["events"] if e["kind"] == "status"]
    assert transitions == [("已提交", "已受理"), ("已受理", "已答复"), ("已答复", "已办结")]
    assert all(e["actor"] for e in final["events"])


def test_creation_is_idempotent(client: TestClient) -> None:
    first = client.post("/api/internal/tickets", json=ticket_body())
    second = client.post("/api/internal/tickets", json=ticket_body(description="重试时文本略有不同"))
    assert first.status_code == 201 and second.status_code == 200
    assert first.json() == second.json()
    third = client.post("/api/internal/tickets", json=ticket_body(idempotency_key="sess-citizen-1:turn-9"))
    assert third.json()["number"].startswith("BBC-20260213-0002-")
    # The same key from another conversation is another ticket.
    fourth = client.post("/api/internal/tickets", json=ticket_body(session_id="sess-2"))
    assert fourth.status_code == 201 and fourth.json()["number"].startswith("BBC-20260213-0003-")


def test_status_lookup_accepts_loose_number_forms(client: TestClient) -> None:
    number = client.post("/api/internal/tickets", json=ticket_body()).json()["number"]
    for loose in (number.replace("-", "", 1).lower(), number.replace("-", " "), number.replace("-", ""), f" {number} "):
        r = client.post("/api/internal/tickets/status", json={"number": loose, "session_id": "sess-citizen-1"})
        assert r.status_code == 200 and r.json()["ticket"]["number"] == number, loose
        assert r.json()["ticket"]["reply"] is None
    unknown = {"number": "BBC-20260213-0999-ABCDE", "session_id": "sess-citizen-1"}
    assert client.post("/api/internal/tickets/status", json=unknown).json() == {"visible": False, "ticket": None}


def test_internal_token_always_required(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.tickets.config import get_ticket_settings

    monkeypatch.setenv("INTERNAL_API_TOKEN", "s3cret-token")
    get_ticket_settings.cache_clear()
    client.headers.pop("X-Internal-Token")
    assert client.post("/api/internal/tickets", json=ticket_body()).status_code == 401
    bad = {"X-Internal-Token": "nope"}
    lookup = {"number": "BBC-20260213-0001", "session_id": "sess-citizen-1"}
    assert client.post("/api/internal/tickets/status", json=lookup, headers=bad).status_code == 401
    ok = client.post("/api/internal/tickets", json=ticket_body(), headers={"X-Internal-Token": "s3cret-token"})
    assert ok.status_code == 201
    # No token configured: the internal API is closed, not open.
    monkeypatch.delenv("INTERNAL_API_TOKEN")
    get_ticket_settings.cache_clear()
    assert client.post("/api/internal/tickets", json=ticket_body(), headers=bad).status_code == 503


def test_routing_triage_and_reroute(client: TestClient) -> None:
    create_user("li", "password-li-1", role="admin")  # works across offices
    login(client, "li", "password-li-1")
    unknown = client.post(
        "/api/internal/tickets",
        json=ticket_body(idempotency_key="k-tri", item_code=None, item_name="不知道哪个事项"),
    ).json()
    assert unknown["office"] == "分拣队列"
    by_category = client.post(
        "/api/internal/tickets",
        json=ticket_body(idempotency_key="k-cat", item_code="demo-radiation-thing", item_name="演示放射事项"),
    ).json()
    assert by_category["office"] == "职业健康科"
    # 放射卫生 tickets have 15 working days: from Fri 13 Feb 2026 → Thu 12 Mar.
    assert by_category["resolve_due"] == "2026-03-12"

    triage = client.get("/api/desk/tickets", params={"office": "分拣队列"}).json()
    assert [t["number"] for t in triage["items"]] == [unknown["number"]]
    moved = client.post(
        f"/api/desk/tickets/{unknown['number']}/reroute", json={"office": "医政医管科", "note": "属医政管理"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["office"] == "医政医管科" and moved.json()["status"] == "已退回/改派"
    assert client.get("/api/desk/tickets", params={"office": "分拣队列"}).json()["total"] == 0
    assert (
        client.post(f"/api/desk/tickets/{unknown['number']}/reroute", json={"office": "不存在的科"}).status_code == 422
    )


def test_overdue_and_due_soon_flags(client: TestClient, clock: FrozenClock) -> None:
    create_user("zhao", "password-zhao", office="行政审批科")
    login(client, "zhao", "password-zhao")
    number = client.post("/api/internal/tickets", json=ticket_body()).json()["number"]
    # Sat 14 Feb is the ack day (调休 workday): not overdue yet.
    clock.at = dt.datetime(2026, 2, 14, 3, 0, tzinfo=dt.UTC)
    item = client.get("/api/desk/tickets").json()["items"][0]
    assert item["overdue"] is False
    # Tue 24 Feb: not acknowledged in time → overdue.
    clock.at = dt.datetime(2026, 2, 24, 3, 0, tzinfo=dt.UTC)
    assert client.get("/api/desk/tickets", params={"overdue": True}).json()["total"] == 1
    client.post(f"/api/desk/tickets/{number}/status", json={"to": "已受理"}).raise_for_status()
    # Acknowledged; resolve due Fri 27 Feb. Thu 26 Feb → due soon (within 1 working day).
    clock.at = dt.datetime(2026, 2, 26, 3, 0, tzinfo=dt.UTC)
    item = client.get("/api/desk/tickets").json()["items"][0]
    assert (item["overdue"], item["due_soon"]) == (False, True)
    assert client.get("/api/desk/tickets", params={"due_soon": True}).json()["total"] == 1
    # Sat 28 Feb (调休 workday) is past the deadline.
    clock.at = dt.datetime(2026, 2, 28, 3, 0, tzinfo=dt.UTC)
    assert client.get("/api/desk/tickets", params={"overdue": True}).json()["total"] == 1
    assert client.get("/api/desk/tickets", params={"overdue": False}).json()["total"] == 0


def test_invalid_transitions_and_reopen(client: TestClient) -> None:
    create_user("qian", "password-qian", office="行政审批科")
    login(client, "qian", "password-qian")
    number = client.post("/api/internal/tickets", json=ticket_body()).json()["number"]
    # reply/forward/close have their own endpoints.
    assert client.post(f"/api/desk/tickets/{number}/status", json={"to": "已办结"}).status_code == 422
    client.post(f"/api/desk/tickets/{number}/reply", json={"text": "已处理"}).raise_for_status()
    client.post(f"/api/desk/tickets/{number}/close", json={}).raise_for_status()
    assert client.post(f"/api/desk/tickets/{number}/reply", json={"text": "再答"}).status_code == 409
    r = client.post(f"/api/desk/tickets/{number}/reopen", json={"note": "群众补充材料"})
    assert r.status_code == 200 and r.json()["status"] == "办理中"
    assert "已办结" not in r.json()["allowed_statuses"]


def test_events_are_append_only(tickets_env: str) -> None:
    import pytest

    from bot.tickets import intake
    from bot.tickets.schemas import TicketCreate

    with session_scope() as db:
        intake.create_ticket(db, TicketCreate.model_validate(ticket_body()))
    with pytest.raises(RuntimeError, match="append-only"), session_scope() as db:
        ev = db.scalars(select(TicketEvent)).first()
        assert ev is not None
        ev.note = "tampered"
    with pytest.raises(RuntimeError, match="append-only"), session_scope() as db:
        ev = db.scalars(select(TicketEvent)).first()
        db.delete(ev)


def test_csv_export(client: TestClient) -> None:
    contact_vault.remember("sess-citizen-1", "138****8000", RAW_PHONE)
    client.post("/api/internal/tickets", json=ticket_body(description='=HYPERLINK("http://x")'))
    assert client.get("/api/desk/tickets/export.csv").status_code == 401
    create_user("sun", "password-sun", office="行政审批科")
    login(client, "sun", "password-sun")
    r = client.get("/api/desk/tickets/export.csv", params={"created_from": "2026-02-13", "created_to": "2026-02-13"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("编号,事项,事项编码,承办科室,状态")
    assert "BBC-20260213-0001-" in lines[1]
    assert RAW_PHONE not in text and "138****8000" in text
    assert "'=HYPERLINK" in text  # formula neutralised
    empty = client.get("/api/desk/tickets/export.csv", params={"created_from": "2026-02-14"})
    assert len(empty.content.decode("utf-8-sig").strip().splitlines()) == 1


def test_admin_creates_users_handlers_cannot(client: TestClient) -> None:
    create_user("boss", "password-boss", role="admin")
    create_user("hand", "password-hand")
    login(client, "hand", "password-hand")
    new = {"username": "newbie", "password": "password-new", "role": "handler"}
    assert client.post("/api/desk/users", json=new).status_code == 403
    login(client, "boss", "password-boss")
    assert client.post("/api/desk/users", json=new).status_code == 201
    assert client.post("/api/desk/users", json=new).status_code == 409
    client.post("/api/desk/logout")
    assert client.get("/api/desk/me").status_code == 401
    body = login(client, "newbie", "password-new")
    assert "token" not in body  # the session is only in the HttpOnly cookie
    assert client.get("/api/desk/me").json()["username"] == "newbie"
