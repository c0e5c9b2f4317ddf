"""Attacks on the real running stack (Rasa, action server, app): each test fails if the attack works.

Uses the suite-wide ``stack`` fixture (tests/support/stack_fixtures.py): the stack's internal
secrets are generated on start, exactly as under ``make run``. Loopback only, as an attacker on the
host would try.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from scripts.stack import StackConfig
from tests.support.stack_fixtures import ADMIN_PASSWORD

pytestmark = pytest.mark.e2e

FORGED_CALL = {
    "next_action": "action_submit_complaint",
    "sender_id": "attacker",
    "version": "3.6.2",
    "domain": {},
    "tracker": {
        "sender_id": "attacker",
        "slots": {"contact_phone": "13900001111", "complaint_description": "伪造的对话"},
        "latest_message": {"text": "伪造", "intent": {"name": "inform"}, "entities": []},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    },
}


@pytest.fixture()
def http(stack: StackConfig) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.app_url, timeout=60) as c:
        yield c


def _secrets(stack: StackConfig) -> dict[str, str]:
    return stack.env()  # the same kept secrets the stack's processes got


def test_forged_action_server_call_refused(stack: StackConfig) -> None:
    url = f"http://127.0.0.1:{stack.action_port}"
    for headers in ({}, {"X-Action-Token": "guess"}, {"X-Action-Token": ""}):
        resp = httpx.post(url + "/webhook", json=FORGED_CALL, headers=headers, timeout=30)
        assert resp.status_code in (401, 403), resp.text
        assert "events" not in resp.text
    assert httpx.get(url + "/actions", timeout=30).status_code in (401, 403)
    # Positive control: with the token Rasa holds, the same server answers (so the refusals above are the check).
    ok = httpx.get(url + "/actions", headers={"X-Action-Token": _secrets(stack)["ACTION_SERVER_TOKEN"]}, timeout=30)
    assert ok.status_code == 200 and "action_submit_complaint" in ok.text


def test_action_server_not_on_other_interfaces(stack: StackConfig) -> None:
    host_ip = _non_loopback_address()
    if host_ip is None:
        pytest.skip("this host has no non-loopback IPv4 address to try")
    with pytest.raises(OSError):
        socket.create_connection((host_ip, stack.action_port), timeout=3).close()


def _non_loopback_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def test_internal_api_needs_the_token(stack: StackConfig, http: httpx.Client) -> None:
    body = {
        "session_id": "attacker",
        "idempotency_key": f"attacker:{uuid.uuid4().hex}",
        "item_name": "任意事项",
        "description": "伪造的工单",
        "contact_masked": "139****1111",
        "excerpt": [],
    }
    lookup = {"number": "BBC-20260101-0001-ABCDE", "session_id": "attacker"}
    for headers in ({}, {"X-Internal-Token": "guess"}):
        assert http.post("/api/internal/tickets", json=body, headers=headers).status_code == 401
        assert http.post("/api/internal/tickets/status", json=lookup, headers=headers).status_code == 401
    token = {"X-Internal-Token": _secrets(stack)["INTERNAL_API_TOKEN"]}
    found = http.post("/api/internal/tickets/status", json=lookup, headers=token)
    assert found.status_code == 200 and found.json()["visible"] is False, found.text  # unknown: nothing shown


def test_rasa_http_api_closed(stack: StackConfig) -> None:
    rasa = f"http://127.0.0.1:{stack.rasa_port}"
    conversation = f"{rasa}/conversations/attacker/tracker"
    assert httpx.get(conversation, timeout=30).status_code in (401, 403, 404)
    inject = httpx.post(f"{rasa}/conversations/attacker/execute", json={"name": "action_submit_complaint"}, timeout=30)
    assert inject.status_code in (401, 403, 404)
    assert httpx.get(f"{rasa}/status", timeout=30).status_code in (401, 403, 404)
    # The REST channel the app uses still works, and the health check says so.
    assert httpx.get(f"{rasa}/webhooks/rest/", timeout=30).status_code == 200


def test_health_is_honest(http: httpx.Client) -> None:
    health = http.get("/api/health")
    assert health.status_code == 200, health.text


def test_login_brute_force_is_throttled(stack: StackConfig, http: httpx.Client) -> None:
    target, password = f"target-{uuid.uuid4().hex[:6]}", "Quiet-river-Lantern-42"
    with httpx.Client(base_url=stack.app_url, timeout=60) as admin:
        _login_as_admin(admin)
        assert admin.post("/api/desk/users", json={"username": target, "password": password}).status_code == 201
    # From a (proxied) client address of its own, so the admin's logins from 127.0.0.1 are not slowed.
    who = {"X-Forwarded-For": "203.0.113.7"}
    codes = [
        http.post("/api/desk/login", json={"username": target, "password": f"guess-{i}"}, headers=who).status_code
        for i in range(8)
    ]
    assert codes[:5] == [401] * 5 and codes[5:] == [429] * 3, codes
    # In back-off even the right password waits; afterwards the real user gets in (no permanent lock-out).
    right = http.post("/api/desk/login", json={"username": target, "password": password}, headers=who)
    assert right.status_code == 429
    wait = int(right.headers["Retry-After"])
    assert 1 <= wait <= 10
    time.sleep(wait + 0.5)
    assert http.post("/api/desk/login", json={"username": target, "password": password}, headers=who).status_code == 200


def test_address_brute_force_across_accounts_is_throttled(http: httpx.Client) -> None:
    who = {"X-Forwarded-For": "203.0.113.8"}
    codes = [
        http.post("/api/desk/login", json={"username": f"user{i}", "password": "x" * 12}, headers=who).status_code
        for i in range(22)
    ]
    assert 429 in codes and codes[:20] == [401] * 20, codes


def test_revoked_session_rejected(stack: StackConfig) -> None:
    with httpx.Client(base_url=stack.app_url, timeout=60) as admin:
        _login_as_admin(admin)
        cookie = admin.cookies.get("desk_session")
        assert cookie and admin.get("/api/desk/me").status_code == 200
        assert admin.post("/api/desk/logout").status_code == 204
    with httpx.Client(base_url=stack.app_url, timeout=60, cookies={"desk_session": cookie}) as replay:
        assert replay.get("/api/desk/me").status_code == 401
        assert replay.get("/api/desk/tickets").status_code == 401


def _login_as_admin(client: httpx.Client) -> None:
    resp = client.post("/api/desk/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert resp.status_code == 200, resp.text
    assert "token" not in resp.json()
    cookie = resp.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_cross_site_desk_request_refused(stack: StackConfig) -> None:
    with httpx.Client(base_url=stack.app_url, timeout=60) as admin:
        _login_as_admin(admin)
        new = {"username": "csrf-victim", "password": "Quiet-river-Lantern-42", "role": "admin"}
        forged = admin.post("/api/desk/users", json=new, headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403
        assert all(u["username"] != "csrf-victim" for u in admin.get("/api/desk/users").json())


def test_surrogate_body_is_a_400(http: httpx.Client) -> None:
    raw = b'{"session_id": "attacker-s", "text": "\\ud800 \\udfff"}'
    resp = http.post("/api/chat", content=raw, headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and len(resp.content) < 300, resp.text
    bad = http.post("/api/chat", content=b'{"text": "\xff"}', headers={"Content-Type": "application/json"})
    assert bad.status_code == 400


def test_big_invalid_body_not_echoed(http: httpx.Client) -> None:
    huge = "9" * 90_000  # two copies: ~180 kB, under the 256 kB body limit
    resp = http.post(
        "/api/chat",
        content=json.dumps({"session_id": huge, "text": [huge]}),
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 422 and len(resp.content) < 2000
    megabyte = http.post(
        "/api/chat", content=b'{"text": "' + b"a" * 1_000_000 + b'"}', headers={"Content-Type": "application/json"}
    )
    assert megabyte.status_code == 413 and len(megabyte.content) < 300


def test_framing_and_sniffing_headers(http: httpx.Client) -> None:
    for path in ("/", "/api/health", "/desk"):
        resp = http.get(path)
        csp = resp.headers.get("content-security-policy", "")
        assert "frame-ancestors" in csp and "*" not in csp.split("frame-ancestors")[1].split(";")[0], (path, csp)
        assert resp.headers.get("x-content-type-options") == "nosniff"


def test_docs_closed(http: httpx.Client) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert http.get(path).status_code == 404, path
