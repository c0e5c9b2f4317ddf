"""Staff login: back-off, password policy, server-side sessions, origin check, deactivation, audit trail."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.tickets.login_throttle import LoginThrottle
from tests.tickets.conftest import create_user, login

STRONG = "Quiet-river-Lantern-42"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_grows_is_capped_and_forgets() -> None:
    clock = FakeClock()
    t = LoginThrottle(base_s=2, max_s=60, clock=clock)
    for _ in range(3):
        assert t.retry_after("k", free=3) == 0
        t.failure("k")
    assert t.retry_after("k", free=3) == 2  # 3 failures, 3 free: 2 s
    t.failure("k")
    assert t.retry_after("k", free=3) == 4
    for _ in range(20):
        t.failure("k")
    assert t.retry_after("k", free=3) == 60  # capped: never locked out for good
    clock.now += 60
    assert t.retry_after("k", free=3) == 0
    clock.now += 61  # 2 × max after the last failure: the history is forgotten
    t.failure("k")
    assert t.retry_after("k", free=3) == 0
    t.success("k")
    assert t.retry_after("k", free=1) == 0


def test_weak_passwords_refused(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.tickets.config import get_ticket_settings
    from bot.tickets.passwords import WeakPasswordError, check_password

    monkeypatch.delenv("DESK_PASSWORD_MIN_SCORE")  # the production default
    get_ticket_settings.cache_clear()
    for weak in ("12345678", "password123456", "qwertyuiop12", "zhangwei2024!"[:8]):
        with pytest.raises(WeakPasswordError):
            check_password(weak)
    check_password("liuyang123456")  # fine for a stranger…
    with pytest.raises(WeakPasswordError):  # …but built from the user's own name
        check_password("liuyang123456", user_inputs=("liuyang",))
    check_password(STRONG)


def test_login_brute_force_throttled_then_real_user_gets_in(desk_client: TestClient) -> None:
    from bot.tickets.auth import get_login_throttle

    create_user("wu", STRONG)
    codes = [
        desk_client.post("/api/desk/login", json={"username": "wu", "password": f"guess-{i}"}).status_code
        for i in range(8)
    ]
    assert codes[:5] == [401] * 5 and codes[5] == 429, codes  # 5 free failures, then back-off
    refused = desk_client.post("/api/desk/login", json={"username": "wu", "password": STRONG})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # Time passes (the back-off is capped, never permanent): the real password works again.
    throttle = get_login_throttle()
    real_clock = throttle.clock
    throttle.clock = lambda: real_clock() + throttle.max_s
    assert desk_client.post("/api/desk/login", json={"username": "wu", "password": STRONG}).status_code == 200


def test_logout_revokes_the_session_server_side(desk_client: TestClient) -> None:
    create_user("zhou", STRONG)
    body = login(desk_client, "zhou", STRONG)
    assert "token" not in body
    cookie = desk_client.cookies.get("desk_session")
    assert cookie
    again = desk_client.post("/api/desk/login", json={"username": "zhou", "password": STRONG})
    set_cookie = again.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie
    cookie = desk_client.cookies.get("desk_session")
    assert desk_client.post("/api/desk/logout").status_code == 204
    # The stolen or kept cookie no longer works.
    desk_client.cookies.set("desk_session", cookie)
    assert desk_client.get("/api/desk/me").status_code == 401
    desk_client.cookies.set("desk_session", "forged." + "A" * 40)
    assert desk_client.get("/api/desk/me").status_code == 401


def test_bearer_token_not_accepted(desk_client: TestClient) -> None:
    create_user("feng", STRONG)
    login(desk_client, "feng", STRONG)
    token = desk_client.cookies.get("desk_session")
    desk_client.cookies.clear()
    assert desk_client.get("/api/desk/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_cookie_secure_outside_local_development(desk_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.tickets.config import get_ticket_settings

    create_user("chen", STRONG)
    monkeypatch.setenv("APP_ENV", "production")
    get_ticket_settings.cache_clear()
    resp = desk_client.post("/api/desk/login", json={"username": "chen", "password": STRONG})
    assert resp.status_code == 200 and "Secure" in resp.headers["set-cookie"]


def test_cross_origin_state_change_refused(desk_client: TestClient) -> None:
    create_user("han", STRONG, role="admin")
    login(desk_client, "han", STRONG)
    new = {"username": "yang", "password": STRONG, "role": "handler"}
    evil = desk_client.post("/api/desk/users", json=new, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    evil = desk_client.post("/api/desk/users", json=new, headers={"Referer": "https://evil.example/page"})
    assert evil.status_code == 403
    ok = desk_client.post("/api/desk/users", json=new, headers={"Origin": "http://testserver"})
    assert ok.status_code == 201


def test_admin_deactivates_user_and_ends_sessions(desk_client: TestClient) -> None:
    create_user("admin2", STRONG, role="admin")
    create_user("he", STRONG)
    handler = TestClient(desk_client.app, headers=dict(desk_client.headers))
    login(handler, "he", STRONG)
    assert handler.get("/api/desk/me").status_code == 200
    login(desk_client, "admin2", STRONG)
    ended = desk_client.post("/api/desk/users/he/end-sessions")
    assert ended.status_code == 200 and ended.json()["ended"] == 1
    assert handler.get("/api/desk/me").status_code == 401
    login(handler, "he", STRONG)
    off = desk_client.post("/api/desk/users/he/deactivate")
    assert off.status_code == 200 and off.json()["active"] is False
    assert handler.get("/api/desk/me").status_code == 401
    assert handler.post("/api/desk/login", json={"username": "he", "password": STRONG}).status_code == 401
    assert desk_client.post("/api/desk/users/admin2/deactivate").status_code == 409  # not yourself
    # A handler cannot do it.
    assert desk_client.post("/api/desk/users/he/activate").json()["active"] is True
    login(handler, "he", STRONG)
    assert handler.post("/api/desk/users/admin2/deactivate").status_code == 403


def test_weak_password_refused_by_the_api(desk_client: TestClient) -> None:
    create_user("boss", STRONG, role="admin")
    login(desk_client, "boss", STRONG)
    weak = desk_client.post("/api/desk/users", json={"username": "lazy", "password": "12345678", "role": "handler"})
    assert weak.status_code == 422 and "密码" in weak.text


def test_every_staff_action_in_the_audit_trail(app_client: TestClient) -> None:
    from bot.db import session_scope
    from bot.tickets.staff_models import AuditEntry

    create_user("audit-admin", STRONG, role="admin")
    app_client.post("/api/desk/login", json={"username": "audit-admin", "password": "wrong-one"})
    login(app_client, "audit-admin", STRONG)
    app_client.post("/api/desk/users", json={"username": "lu", "password": STRONG, "role": "handler"})
    app_client.post("/api/desk/users/lu/deactivate")
    app_client.get("/api/desk/tickets/export.csv")
    app_client.post("/api/desk/logout")
    with session_scope() as db:
        rows = [(e.actor, e.action, e.status) for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert rows == [
        ("audit-admin", "login_failed", 401),
        ("audit-admin", "login", 200),
        ("audit-admin", "POST /api/desk/users", 201),
        ("audit-admin", "POST /api/desk/users/{username}/deactivate", 200),
        ("audit-admin", "GET /api/desk/tickets/export.csv", 200),
        ("audit-admin", "logout", 204),
    ]
