"""Helpers of the console's end-to-end tests: staff accounts through the desk API, and the review flow."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

EDITOR = ("kb-editor-e2e", "Qx7-kb-editor-Vt92", "editor", "行政审批科")
REVIEWER = ("kb-reviewer-e2e", "Wm4-kb-review-Hs81", "reviewer", None)


@contextmanager
def staff_client(base_url: str, username: str, password: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        resp = client.post("/api/desk/login", json={"username": username, "password": password})
        resp.raise_for_status()
        yield client


def ensure_staff(base_url: str, admin_user: str, admin_password: str) -> None:
    """Create the editor and the reviewer (once; a second call finds them)."""
    with staff_client(base_url, admin_user, admin_password) as admin:
        for username, password, role, office in (EDITOR, REVIEWER):
            resp = admin.post(
                "/api/desk/users", json={"username": username, "password": password, "role": role, "office": office}
            )
            assert resp.status_code in (201, 409, 400), resp.text


def publish_item(base_url: str, code: str, change: Callable[[dict[str, Any]], None]) -> int:
    """Editor saves and submits a change of one item; the reviewer approves and publishes it."""
    with staff_client(base_url, EDITOR[0], EDITOR[1]) as editor:
        item = editor.get(f"/api/console/items/{code}").json()
        doc = item["document"]
        change(doc)
        resp = editor.put(
            f"/api/console/items/{code}/draft",
            json={"document": doc, "base_revision": item["revision"], "base_version": item["version"]},
        )
        assert resp.status_code == 200, resp.text
        draft = resp.json()
        assert editor.post(f"/api/console/drafts/{draft['id']}/submit").status_code == 200
    with staff_client(base_url, REVIEWER[0], REVIEWER[1]) as reviewer:
        resp = reviewer.post(f"/api/console/drafts/{draft['id']}/approve", json={"revision": draft["revision"]})
        assert resp.status_code == 200, resp.text
        resp = reviewer.post("/api/console/publish", json={"note": "e2e"})
        assert resp.status_code == 201, resp.text
        number: int = resp.json()["number"]
        return number


def rollback_to(base_url: str, number: int) -> int:
    with staff_client(base_url, REVIEWER[0], REVIEWER[1]) as reviewer:
        resp = reviewer.post(f"/api/console/versions/{number}/rollback", json={"note": "e2e cleanup"})
        assert resp.status_code == 201, resp.text
        new: int = resp.json()["number"]
        return new


def published_version(base_url: str) -> int:
    with staff_client(base_url, REVIEWER[0], REVIEWER[1]) as reviewer:
        value: int = reviewer.get("/api/console/versions").json()["published"]
        return value


def wait_for(check: Callable[[], Any], timeout_s: float, what: str) -> tuple[Any, float]:
    """Call `check` until it returns something truthy; returns (that value, seconds waited)."""
    started = time.monotonic()
    last: Any = None
    while time.monotonic() - started < timeout_s:
        last = check()
        if last:
            return last, time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"{what} not seen within {timeout_s:.0f} s (last: {last!r})")
