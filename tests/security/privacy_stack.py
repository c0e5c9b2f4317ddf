"""Helpers of the privacy attack tests against the real stack (tests/security/test_privacy_*.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from scripts.stack import StackConfig

PHONE = "13800138000"
COMPLAINT = [
    "我在窗口办医疗广告审查被推来推去办不成",
    "医疗广告审查",
    "窗口说这个不归他们管让我去别的部门，别的部门又让我回来",
    PHONE,
]


def session(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@contextmanager
def client_from(stack: StackConfig, source_ip: str = "127.0.0.1") -> Iterator[httpx.Client]:
    """A client whose connections come from ``source_ip`` (any 127.x address reaches the loopback app),
    so per-address limits can be tested without spending the quota of the other tests."""
    transport = httpx.HTTPTransport(local_address=source_ip)
    with httpx.Client(base_url=stack.app_url, timeout=60, transport=transport) as c:
        yield c


def say(client: httpx.Client, session_id: str, text: str, *, payload: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"session_id": session_id, "text": text}
    if payload is not None:
        body["payload"] = payload
    resp = client.post("/api/chat", json=body)
    assert resp.status_code < 500, resp.text
    data: dict[str, Any] = resp.json()
    return data


def press(client: httpx.Client, session_id: str, payload: str) -> dict[str, Any]:
    """A button press as the widget and the evaluation harness send it."""
    return say(client, session_id, payload, payload=payload)


def text_of(body: dict[str, Any]) -> str:
    return "\n".join(r["text"] for r in body.get("replies") or [])


def buttons_of(body: dict[str, Any]) -> list[str]:
    return [b["payload"] for r in body.get("replies") or [] for b in r.get("buttons") or []]


def file_complaint(client: httpx.Client, session_id: str) -> str:
    """File a 办不成事 ticket through the chat; returns its number."""
    last: dict[str, Any] = {}
    for text in COMPLAINT:
        last = say(client, session_id, text)
        assert last["meta"]["kind"] == "escalate", (text, last)
    assert "/affirm" in buttons_of(last), last
    done = press(client, session_id, "/affirm")
    assert done["meta"]["kind"] == "ticket_created", done
    return str(done["meta"]["ticket"]["id"])


def desk_login(client: httpx.Client, stack: StackConfig, username: str, password: str) -> dict[str, str]:
    """Log in to the desk; returns the headers to send (Bearer when the body carries a token, else the
    cookie the client keeps, plus the Origin header state-changing desk calls may require)."""
    headers = {"Origin": stack.app_url}
    resp = client.post("/api/desk/login", json={"username": username, "password": password}, headers=headers)
    assert resp.status_code == 200, resp.text
    token = resp.json().get("token")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers
