"""The desk page in headless Chromium: login, queue, detail, reply, close, 整改 with call-back note."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import httpx
import pytest

from bot.channels import web_inbox
from bot.tickets import contact_vault
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.live_server import serve_in_thread

from .conftest import INTERNAL_HEADERS, create_user, make_app, ticket_body

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium not installed at {CHROMIUM}"),
]


@pytest.fixture
def live_server(tickets_env: str) -> Iterator[str]:
    with serve_in_thread(make_app()) as base:
        yield base


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_desk_page_handles_a_ticket(live_server: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    contact_vault.remember("sess-web-1", "138****8000", "13812348000")
    created = httpx.post(
        live_server + "/api/internal/tickets",
        json=ticket_body(session_id="sess-web-1", idempotency_key="sess-web-1:1"),
        headers=INTERNAL_HEADERS,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    create_user("desk-user", "desk-password-1", role="admin")  # the filters span offices

    profile = tempfile.mkdtemp(prefix="desk-chromium-")
    errors: list[str] = []
    try:
        with sync_api.sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            page = ctx.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.set_default_timeout(15_000)
            page.goto(live_server + "/desk")

            # Wrong password first, then the right one.
            page.fill("#login-user", "desk-user")
            page.fill("#login-pass", "nope")
            page.click("#login-btn")
            page.wait_for_selector("#login-error:has-text('用户名或密码错误')")
            page.fill("#login-pass", "desk-password-1")
            page.click("#login-btn")
            page.wait_for_selector(f"#queue tbody tr[data-number='{number}']")
            assert page.inner_text("#queue-total") == "1"

            # Filters: another office shows nothing, overdue shows nothing.
            page.select_option("#f-office", "妇幼健康科")
            page.wait_for_selector("#queue-total:text-is('0')")
            page.select_option("#f-office", "行政审批科")
            page.wait_for_selector("#queue-total:text-is('1')")
            assert "office=" in (page.get_attribute("#export", "href") or "")

            page.click(f"#queue tbody tr[data-number='{number}']")
            page.wait_for_selector("#detail:not([hidden])")
            assert page.inner_text("#d-number") == number
            assert page.inner_text("#d-contact") == "13812348000"
            assert "护士执业注册网上一直提交不了" in page.inner_text("#d-excerpt")

            page.select_option("#a-assignee", "desk-user")
            page.click("#a-assign")
            page.wait_for_selector("#d-assignee:has-text('desk-user')")
            page.fill("#a-note", "已联系信息中心")
            page.click("#a-note-btn")
            page.wait_for_selector("#d-events:has-text('已联系信息中心')")

            page.fill("#a-reply", "系统故障已修复，请重新提交。")
            page.click("#a-reply-btn")
            page.wait_for_selector("#d-status:has-text('已答复')")
            page.click("#a-close")
            page.wait_for_selector("#d-status:has-text('已办结')")
            assert page.is_disabled("#a-reply-btn")

            # The citizen rates 不满意 through the internal API; the desk shows the 整改 record.
            rating = httpx.post(
                f"{live_server}/api/internal/tickets/{number}/rating",
                json={"session_id": "sess-web-1", "rating": "不满意"},
                headers=INTERNAL_HEADERS,
                timeout=10,
            )
            assert rating.status_code == 200, rating.text
            page.click(f"#queue tbody tr[data-number='{number}']")
            page.wait_for_selector("#rect:not([hidden])")
            assert page.inner_text("#r-due") == rating.json()["rectification_due"]
            page.click("#r-close")  # without a call-back note: refused
            page.wait_for_selector("#action-error:has-text('call-back note')")
            page.fill("#r-callback-input", "电话回访，群众认可整改")
            page.click("#r-close")
            page.wait_for_selector("#r-status:has-text('已办结')")
            events = page.inner_text("#d-events")
            for label in ("提交", "分派", "答复群众", "群众评价", "启动整改", "整改办结"):
                assert label in events

            csv_resp = page.request.get(live_server + "/api/desk/tickets/export.csv")
            assert csv_resp.status == 200 and number in csv_resp.text()

            page.click("#logout")
            page.wait_for_selector("#login-view:not([hidden])")
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)

    # HTTP errors are expected (401 before login, 422 for the refused 整改 close, no favicon);
    # script errors and CSP violations are not.
    assert not [e for e in errors if not e.startswith("Failed to load resource")], errors
    texts = [m.text for m in web_inbox.fetch_undelivered("sess-web-1")]
    assert any("系统故障已修复" in t for t in texts)
