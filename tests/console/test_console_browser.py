"""The console pages in headless Chromium (console app on a live server, SQLite): an editor edits a
guide's materials in the structured form (a bad time limit is refused beside its field), submits;
a reviewer approves and publishes; the version's diff shows the field; rollback restores it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.console.conftest import EDITOR, PASSWORD, REVIEWER, StaffUser, make_console_app
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.live_server import serve_in_thread

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium not installed at {CHROMIUM}"),
]
NURSE = "nurse-practice-registration"
NEW_MATERIAL = "护士执业注册申请审核表（2027版）"


@pytest.fixture
def live_console(api: TestClient) -> Iterator[str]:
    with serve_in_thread(make_console_app()) as base:
        yield base


def login(page: Any, base: str, user: StaffUser) -> None:
    page.goto(base + "/console")
    page.fill("#login-user", user.username)
    page.fill("#login-pass", PASSWORD)
    page.click("#login-btn")
    page.wait_for_selector("#who-name")


def published_item(base: str, user: StaffUser) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=10) as c:
        c.post("/api/desk/login", json={"username": user.username, "password": PASSWORD}).raise_for_status()
        body: dict[str, Any] = c.get(f"/api/console/items/{NURSE}").json()
        return body


def test_edit_review_publish_and_roll_back_in_the_browser(live_console: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    doc = published_item(live_console, REVIEWER)["document"]
    n = next(i for i, g in enumerate(doc["guides"]) if g.get("materials"))
    old_material = doc["guides"][n]["materials"][0]["name"]
    errors: list[str] = []
    profile = tempfile.mkdtemp(prefix="console-chromium-")
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(15_000)

        login(page, live_console, EDITOR)
        page.fill("#items-q", "护士")
        page.click("form.filters button[type=submit]")
        page.click(f"tr[data-code='{NURSE}'] a")
        material = page.locator(f"[data-path='guides.{n}.materials.0.name']")
        material.fill(NEW_MATERIAL)
        limit = page.locator(f"[data-path='guides.{n}.promised_time_limit']")
        limit.fill("尽快")  # a time limit written as text is refused beside its field
        page.click("#save-draft")
        page.wait_for_selector(".field-error")
        assert "天数" in page.locator(".field-error").first.inner_text()
        assert published_item(live_console, REVIEWER)["draft"] is None  # nothing saved
        limit.fill(doc["guides"][n].get("promised_time_limit") or "")
        # add a material row, then remove it again (per-guide rows)
        rows = page.locator(f"[data-path='guides.{n}.materials'] > .row")
        count = rows.count()
        page.locator(f"[data-path='guides.{n}.materials'] > .add-row").click()
        assert rows.count() == count + 1
        rows.nth(count).locator(".remove-row").click()
        assert rows.count() == count
        page.click("#save-draft")
        page.wait_for_selector("#draft-state:has-text('修订 1')")
        page.click("#submit-draft")
        page.wait_for_selector("#draft-state:has-text('待审核')")
        page.click("#logout")

        login(page, live_console, REVIEWER)
        page.goto(live_console + "/console#drafts")
        page.click("#drafts-table tbody tr a")
        page.wait_for_selector(f"table.diff td:has-text('{NEW_MATERIAL}')")
        page.click("#approve")
        page.wait_for_selector("#publish:not([disabled])")
        page.click("#publish")
        page.wait_for_selector(".ok:has-text('已发布版本 2')")
        assert published_item(live_console, REVIEWER)["document"]["guides"][n]["materials"][0]["name"] == NEW_MATERIAL

        page.goto(live_console + "/console#versions")
        row = page.locator("tr[data-version='2']")
        row.locator(".show-diff").click()
        page.wait_for_selector(f"tr[data-version='2'] td.diff-new:has-text('{NEW_MATERIAL}')")
        page.locator("tr[data-version='1'] .rollback").click()
        page.locator("tr[data-version='1'] .confirm-rollback").click()
        page.wait_for_selector(".ok:has-text('恢复了版本 1')")
        assert published_item(live_console, REVIEWER)["document"]["guides"][n]["materials"][0]["name"] == old_material

        page.goto(live_console + "/console#audit")
        page.wait_for_selector("#audit-table td:has-text('knowledge.rollback')")
        ctx.close()
    assert not errors, errors
