"""The console tools' pages in headless Chromium: a reviewer's hit test (both columns) and an editor's
spreadsheet import (per-row report, the drafts it saved)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.live_server import serve_in_thread

from .conftest import PASSWORD, make_console_app
from .sheets import row, xlsx

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium not installed at {CHROMIUM}"),
]


@pytest.fixture
def live_server(console_env: str) -> Iterator[str]:
    with serve_in_thread(make_console_app()) as base:
        yield base


@pytest.fixture
def browser_page() -> Iterator[tuple[Any, list[str]]]:
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tempfile.mkdtemp(prefix="console-tools-chromium-")
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))  # script errors (refused requests are expected)
        page.set_default_timeout(30_000)
        yield page, errors
        ctx.close()


def log_in(page: Any, username: str) -> None:
    page.fill("#login-user", username)
    page.fill("#login-pass", PASSWORD)
    page.click("#login-btn")


def test_a_reviewer_runs_a_hit_test_and_sees_both_columns(
    live_server: str, browser_page: tuple[Any, list[str]]
) -> None:
    page, errors = browser_page
    page.goto(live_server + "/console/hit-test")
    log_in(page, "reviewer1")
    page.fill("#ht-question", "出生医学证明首次签发要带什么材料")
    page.click("#ht-run")
    page.wait_for_selector("#ht-draft .ht-answer")
    for column in ("#ht-published", "#ht-draft"):
        text = page.inner_text(column)
        assert "命中规则" in text and "named_item" in text
        assert "申请材料" in text  # the analysed aspect, in Chinese
        answer = page.inner_text(column + " .ht-answer")
        guide = page.inner_text(column + " .ht-guide")  # "id · region · sub-item · 核验 date"
        assert "申请材料" in answer and f"适用地区：{guide.split(' · ')[1]}" in answer  # the chosen guide's words
        assert page.locator(column + " .ht-scores tbody tr").count() >= 3
        assert page.locator(column + " .ht-sources a").count() >= 1
    assert "已发布版本" in page.inner_text("#ht-published h2")
    assert "没有未发布的草稿" in page.inner_text("#ht-note")

    # The review list, through the console's nav: rows with the owning office and a link to the item.
    page.click("#console-nav a[data-tab='review-list']")
    page.wait_for_selector("#rl-table tbody tr")
    first = page.locator("#rl-table tbody tr").first
    assert (first.locator("a").get_attribute("href") or "").startswith("/console#")
    assert "共 " in page.inner_text("#rl-summary") and "2026-06-01" in page.inner_text("#rl-summary")
    page.select_option("#rl-office", "妇幼健康科")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#rl-table tbody tr td:nth-child(3)')]"
        ".every((td) => td.textContent === '妇幼健康科')"
    )
    assert page.locator("#rl-table tbody tr").count() > 0
    assert errors == []


def test_an_editor_uploads_a_spreadsheet_and_sees_rows_and_drafts(
    live_server: str, browser_page: tuple[Any, list[str]], tmp_path: Path
) -> None:
    page, errors = browser_page
    sheet = tmp_path / "杭州指南.xlsx"
    rows = [row(), row(sub_item="延续注册", statutory="30日"), row("出生医学证明", sub_item="首次签发")]
    sheet.write_bytes(xlsx(rows))
    page.goto(live_server + "/console/import")
    log_in(page, "editor-approval")
    page.set_input_files("#imp-file", str(sheet))
    page.fill("#imp-region", "浙江省杭州市")
    page.uncheck("#imp-dry")
    page.click("#imp-run")
    page.wait_for_selector("#imp-rows tbody tr")
    assert "共 3 行，有效 1 行" in page.inner_text("#imp-summary")
    assert page.get_attribute("#imp-rows tr[data-row='2']", "class") == "row-good"
    assert "不是工作日" in page.inner_text("#imp-rows tr[data-row='3']")
    assert "妇幼健康科" in page.inner_text("#imp-rows tr[data-row='4']")  # another office's item
    assert "nurse-practice-registration" in page.inner_text("#imp-drafts")

    from bot.console import versions
    from bot.db import session_scope

    with session_scope() as session:
        drafts = [(d.key, d.author, d.status) for d in versions.open_drafts(session)]
    assert drafts == [("nurse-practice-registration", "editor-approval", "editing")]

    # A file that is not a spreadsheet: a clear error, nothing saved.
    bad = tmp_path / "notes.csv"
    bad.write_bytes(b"")
    page.set_input_files("#imp-file", str(bad))
    page.click("#imp-run")
    page.wait_for_selector("#imp-error:has-text('文件为空')")
    assert page.is_hidden("#imp-result")
    assert errors == []
