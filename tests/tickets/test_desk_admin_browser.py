"""The desk's admin pages and 挂起 in headless Chromium: pause and resume a ticket, create / reset / deactivate
accounts, browse and filter the audit trail and export it; an editor who logs in is sent to the console."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator

import httpx
import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.live_server import serve_in_thread

from .conftest import INTERNAL_HEADERS, FrozenClock, create_user, make_app, ticket_body

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium not installed at {CHROMIUM}"),
]
ADMIN_PW = "Tq7#vLm2!pRx9@wZ"
NEW_PW = "Quartz-lantern-harbor-58"


@pytest.fixture
def live_desk(tickets_env: str) -> Iterator[str]:
    from bot.tickets import router_pause

    app = make_app(FrozenClock(dt.datetime(2026, 2, 13, 2, 0, tzinfo=dt.UTC)))  # Friday 13 Feb 2026, 10:00
    app.include_router(router_pause.router)
    with serve_in_thread(app) as base:
        yield base


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_admin_pages_and_pause_in_the_desk(live_desk: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    created = httpx.post(live_desk + "/api/internal/tickets", json=ticket_body(), headers=INTERNAL_HEADERS, timeout=10)
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    create_user("root", ADMIN_PW, role="admin")
    create_user("rv", ADMIN_PW, role="reviewer")

    profile = tempfile.mkdtemp(prefix="desk-admin-chromium-")
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
            page.goto(live_desk + "/desk")
            page.fill("#login-user", "root")
            page.fill("#login-pass", ADMIN_PW)
            page.click("#login-btn")
            page.wait_for_selector(f"#queue tbody tr[data-number='{number}']")
            assert page.is_visible("#admin-nav")

            # 挂起: the clock stops with the working days left shown; 恢复计时 restarts it.
            page.click(f"#queue tbody tr[data-number='{number}']")
            page.wait_for_selector("#detail:not([hidden])")
            assert page.inner_text("#d-clock") == "计时中" and page.is_disabled("#a-resume")
            page.fill("#a-pause-note", "等待群众补充材料")
            page.click("#a-pause")
            page.wait_for_selector("#d-clock:has-text('剩余 5 个工作日')")  # due 27 Feb: 14 Feb 调休 + 24–27 Feb
            page.wait_for_selector(f"#queue tbody tr[data-number='{number}'] .flag-paused")
            assert page.is_disabled("#a-pause") and not page.is_disabled("#a-resume")
            assert "等待群众补充材料" in page.inner_text("#d-events")
            page.click("#a-resume")
            page.wait_for_selector("#d-clock:text-is('计时中')")
            assert "恢复计时" in page.inner_text("#d-events")

            # Accounts: a weak password is refused with the policy's message; a strong one creates the editor.
            page.click("#admin-nav button[data-view='accounts-view']")
            page.wait_for_selector("#accounts tbody tr[data-username='root']")
            assert page.is_hidden("#app-view")
            page.fill("#nu-name", "ed")
            page.fill("#nu-display", "编辑小王")
            page.select_option("#nu-role", "editor")
            page.select_option("#nu-office", "行政审批科")
            page.fill("#nu-pass", "12345678")
            page.click("#nu-create")
            page.wait_for_selector("#acc-error:has-text('12')")
            page.fill("#nu-pass", ADMIN_PW)
            page.click("#nu-create")
            row = "#accounts tbody tr[data-username='ed']"
            page.wait_for_selector(row)
            cells = page.inner_text(row)
            assert "编辑" in cells and "行政审批科" in cells and "从未登录" in cells and "启用" in cells
            page.click(f"{row} .acc-reset")
            page.fill("#pw-new", NEW_PW)
            page.click("#pw-save")
            page.wait_for_selector("#acc-info:has-text('已为 ed 设置新密码')")
            page.click(f"{row} .acc-deactivate")
            page.wait_for_selector(f"{row}.inactive")
            assert "已停用" in page.inner_text(row)
            page.click(f"{row} .acc-activate")
            page.wait_for_selector(f"{row}:not(.inactive)")
            assert page.is_disabled("#accounts tbody tr[data-username='root'] .acc-deactivate")  # not yourself

            # Audit trail: filtered by actor and action, paginated, exported with the same filters.
            page.click("#admin-nav button[data-view='audit-view']")
            page.wait_for_selector("#audit tbody tr")
            page.fill("#au-actor", "root")
            page.fill("#au-action", "users")
            page.click("#au-apply")
            # create ×2 (one refused), reset, deactivate, activate
            page.wait_for_selector("#au-page:has-text('共 5 条')")
            rows = page.locator("#audit tbody tr")
            assert rows.count() == 5
            assert all("root" in rows.nth(i).inner_text() for i in range(5))
            href = page.get_attribute("#au-export", "href") or ""
            assert "actor=root" in href and "action=users" in href
            export = page.request.get(live_desk + href)
            lines = export.text().strip().splitlines()[1:]
            assert export.status == 200 and len(lines) == 5
            assert all(",root,POST /api/desk/users" in line for line in lines)
            assert page.is_disabled("#au-prev") and page.is_disabled("#au-next")

            page.click("#logout")
            page.wait_for_selector("#login-view:not([hidden])")
            assert page.is_hidden("#audit-view") and page.is_hidden("#admin-nav")

            # A reviewer logs in with the same login and is sent to the console.
            page.fill("#login-user", "rv")
            page.fill("#login-pass", ADMIN_PW)
            page.click("#login-btn")
            page.wait_for_selector("#role-view:not([hidden])")
            assert page.is_hidden("#app-view") and page.is_hidden("#admin-nav")
            assert page.inner_text("#role-name") == "审核"
            assert page.get_attribute("#role-view a[href='/console']", "href") == "/console"
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    # HTTP errors are expected (401 before login, the refused weak password); script errors are not.
    assert not [e for e in errors if not e.startswith("Failed to load resource")], errors
