"""Staff accounts, the audit trail viewer, desk roles and 挂起 through the desk API (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.db import session_scope
from bot.tickets.staff_models import AuditEntry

from .conftest import INTERNAL_HEADERS, FrozenClock, create_user, login, make_app, ticket_body

STRONG = "Tq7#vLm2!pRx9@wZ"
STRONG_2 = "Quartz-lantern-harbor-58"


@pytest.fixture
def desk(tickets_env: str, clock: FrozenClock) -> Iterator[TestClient]:
    """The desk as the app wires it: the desk router (with accounts and audit) and the 挂起 router."""
    from bot.tickets import router_pause

    app = make_app(clock)
    app.include_router(router_pause.router)
    with TestClient(app, headers=INTERNAL_HEADERS) as c:
        yield c


def _as(desk: TestClient, username: str, password: str) -> TestClient:
    other = TestClient(desk.app, headers=INTERNAL_HEADERS)
    login(other, username, password)
    return other


def test_admin_creates_lists_resets_and_ends_accounts(desk: TestClient) -> None:
    create_user("root", STRONG, role="admin")
    login(desk, "root", STRONG)
    for name, role, office in (
        ("ed", "editor", "医政医管科"),
        ("rv", "reviewer", None),
        ("hd", "handler", "行政审批科"),
    ):
        body = {"username": name, "password": STRONG, "role": role, "office": office, "display_name": name.upper()}
        assert desk.post("/api/desk/users", json=body).status_code == 201
    weak = desk.post("/api/desk/users", json={"username": "weak", "password": "12345678", "role": "handler"})
    assert weak.status_code == 422 and "12" in weak.json()["detail"]  # the policy's own message (length)
    common = desk.post("/api/desk/users", json={"username": "weak", "password": "password1234", "role": "handler"})
    assert common.status_code == 422  # zxcvbn: a common password
    unknown = desk.post("/api/desk/users", json={"username": "x", "password": STRONG, "office": "不存在的科"})
    assert unknown.status_code == 422

    handler = _as(desk, "hd", STRONG)
    users = {u["username"]: u for u in desk.get("/api/desk/users").json()}
    assert {n: (u["role"], u["office"], u["active"]) for n, u in users.items()} == {
        "root": ("admin", None, True),
        "ed": ("editor", "医政医管科", True),
        "rv": ("reviewer", None, True),
        "hd": ("handler", "行政审批科", True),
    }
    assert users["hd"]["last_login"] is not None and users["ed"]["last_login"] is None

    # Reset another user's password: the old one stops working, their sessions end.
    weak_reset = desk.post("/api/desk/users/hd/password", json={"password": "hd-password"})
    assert weak_reset.status_code == 422
    assert desk.post("/api/desk/users/hd/password", json={"password": STRONG_2}).status_code == 200
    assert handler.get("/api/desk/me").status_code == 401
    assert handler.post("/api/desk/login", json={"username": "hd", "password": STRONG}).status_code == 401
    login(handler, "hd", STRONG_2)
    # The admin's own reset keeps them logged in (a fresh session), the old password is gone.
    assert desk.post("/api/desk/users/root/password", json={"password": STRONG_2}).status_code == 200
    assert desk.get("/api/desk/me").status_code == 200
    assert (
        TestClient(desk.app).post("/api/desk/login", json={"username": "root", "password": STRONG}).status_code == 401
    )

    # Deactivate, activate; a non-admin cannot list or reset.
    assert desk.post("/api/desk/users/ed/deactivate").json()["active"] is False
    assert desk.post("/api/desk/users/ed/activate").json()["active"] is True
    assert handler.get("/api/desk/users").status_code == 403
    assert handler.post("/api/desk/users/root/password", json={"password": STRONG}).status_code == 403
    # The reset password is never echoed nor stored in the audit trail.
    with session_scope() as db:
        assert not any(STRONG_2 in str(e.detail) + str(e.target) for e in db.query(AuditEntry))


def test_editors_and_reviewers_log_in_but_get_403_on_ticket_routes(desk: TestClient) -> None:
    number = desk.post("/api/internal/tickets", json=ticket_body()).json()["number"]
    create_user("ed", STRONG, role="editor", office="行政审批科")
    create_user("rv", STRONG, role="reviewer")
    create_user("hd", STRONG, role="handler", office="行政审批科")
    for name in ("ed", "rv"):
        c = _as(desk, name, STRONG)
        assert c.get("/api/desk/me").json()["role"] in ("editor", "reviewer")
        for path in (
            "/api/desk/tickets",
            "/api/desk/meta",
            f"/api/desk/tickets/{number}",
            "/api/desk/tickets/export.csv",
        ):
            resp = c.get(path)
            assert resp.status_code == 403, path
            assert "/console" in resp.json()["detail"]
        assert c.post(f"/api/desk/tickets/{number}/notes", json={"note": "x"}).status_code == 403
        assert c.post(f"/api/desk/tickets/{number}/pause", json={}).status_code == 403
        assert c.get("/api/desk/users").status_code == 403
    hd = _as(desk, "hd", STRONG)
    assert hd.get("/api/desk/tickets").status_code == 200 and hd.get(f"/api/desk/tickets/{number}").status_code == 200


def test_pause_and_resume_keep_the_working_days_left(desk: TestClient, clock: FrozenClock) -> None:
    # Friday 13 Feb 2026: resolve due 27 Feb (5 working days: 14 Feb 调休, then 24–27 Feb after 春节).
    ticket = desk.post("/api/internal/tickets", json=ticket_body()).json()
    number = ticket["number"]
    assert ticket["resolve_due"] == "2026-02-27"
    create_user("hd", STRONG, role="handler", office="行政审批科")
    create_user("other", STRONG, role="handler", office="妇幼健康科")
    login(desk, "hd", STRONG)

    paused = desk.post(f"/api/desk/tickets/{number}/pause", json={"note": "等待群众补充材料"})
    assert paused.status_code == 200, paused.text
    body = paused.json()
    assert body["paused"] is True and body["paused_days_left"] == 5 and body["overdue"] is False
    assert "挂起" in body["events"][-1]["note"] and "剩余 5 个工作日" in body["events"][-1]["note"]
    assert "*" in (body["contact"] or "*")  # an action's answer never carries the raw contact
    assert desk.post(f"/api/desk/tickets/{number}/pause", json={}).status_code == 409  # already paused
    queue = desk.get("/api/desk/tickets").json()["items"]
    assert queue[0]["paused"] is True and queue[0]["paused_days_left"] == 5
    assert _as(desk, "other", STRONG).post(f"/api/desk/tickets/{number}/pause", json={}).status_code == 404

    clock.at = dt.datetime(2026, 2, 24, 2, 0, tzinfo=dt.UTC)  # Tuesday after the Spring Festival
    resumed = desk.post(f"/api/desk/tickets/{number}/resume")
    assert resumed.status_code == 200, resumed.text
    # 5 working days after 24 Feb: 25, 26, 27, Saturday 28 Feb (调休), Monday 2 Mar.
    assert resumed.json()["resolve_due"] == "2026-03-02" and resumed.json()["paused"] is False
    assert desk.post(f"/api/desk/tickets/{number}/resume").status_code == 409  # not paused
    with session_scope() as db:
        actions = [e.action for e in db.query(AuditEntry).filter(AuditEntry.actor == "hd")]
    assert "POST /api/desk/tickets/{number}/pause" in actions and "POST /api/desk/tickets/{number}/resume" in actions


def test_audit_trail_viewer_filters_pages_and_exports(desk: TestClient) -> None:
    create_user("root", STRONG, role="admin")
    create_user("hd", STRONG, role="handler", office="行政审批科")
    base = dt.datetime(2026, 2, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 Beijing
    with session_scope() as db:
        for i in range(12):
            db.add(
                AuditEntry(
                    at=base + dt.timedelta(days=i % 3, minutes=i),
                    actor="hd" if i % 2 else "zhang",
                    action="login_failed" if i % 4 == 0 else "POST /api/desk/tickets/{number}/reply",
                    target=f"/api/desk/tickets/T-{i}/reply",
                    status=200,
                    client="10.0.0.1",
                )
            )
        db.commit()
    assert _as(desk, "hd", STRONG).get("/api/desk/audit").status_code == 403
    login(desk, "root", STRONG)

    page = desk.get("/api/desk/audit", params={"actor": "hd", "from": "2026-02-10", "to": "2026-02-12"}).json()
    assert page["total"] == 6 and all(e["actor"] == "hd" for e in page["items"])
    ats = [e["at"] for e in page["items"]]
    assert ats == sorted(ats, reverse=True)  # newest first
    one_day = desk.get("/api/desk/audit", params={"from": "2026-02-11", "to": "2026-02-11"}).json()
    assert one_day["total"] == 4  # i = 1, 4, 7, 10
    failed = desk.get("/api/desk/audit", params={"action": "login", "to": "2026-02-12"}).json()
    assert failed["total"] == 3 and {e["action"] for e in failed["items"]} == {"login_failed"}

    first = desk.get("/api/desk/audit", params={"to": "2026-02-12", "limit": 5, "offset": 0}).json()
    second = desk.get("/api/desk/audit", params={"to": "2026-02-12", "limit": 5, "offset": 5}).json()
    third = desk.get("/api/desk/audit", params={"to": "2026-02-12", "limit": 5, "offset": 10}).json()
    ids = [e["id"] for p in (first, second, third) for e in p["items"]]
    assert first["total"] == 12 and len(ids) == 12 and len(set(ids)) == 12
    assert "hd" in desk.get("/api/desk/audit/actors").json()

    export = desk.get("/api/desk/audit.csv", params={"actor": "zhang", "to": "2026-02-12"})
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "操作人", "操作", "对象", "结果状态", "来源地址"]
    assert len(rows) == 7 and {r[1] for r in rows[1:]} == {"zhang"}
    assert rows[1][0].startswith("2026-02-1")  # local time
    # The export is itself in the trail.
    exports = desk.get("/api/desk/audit", params={"actor": "root", "action": "audit.csv"}).json()
    assert exports["total"] == 1
