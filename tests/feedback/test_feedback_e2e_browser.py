"""The feedback loop end to end, in real Chromium against the real stack (Rasa, action server, app with the
e5 engine and the knowledge store):

1. a citizen asks a question the assistant cannot answer (in-domain, but with a word the knowledge base lacks);
   it appears in the console's unanswered list; an editor links it to the item as an alias; a reviewer
   approves and publishes; the same question is then answered from that item's guide, and the group's re-test
   says it is now answered;
2. 👍/👎 with a reason in the widget are stored (masked question, item, guide, knowledge version) and the
   dashboard's 👍/👎 rate shows them.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.stack import StackConfig
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, CHROMIUM_MISSING
from tests.support.stack_fixtures import ADMIN_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("REQUIRE_E2E"), reason=CHROMIUM_MISSING),
]

# "光荣牌" is what people call the 独生子女父母光荣证; the knowledge base does not know the word.
# Its fee: a materials question is now asked back (the sub-items' materials differ between regions' guides).
QUESTION = "光荣牌要多少钱"
ALIAS = "光荣牌"
ITEM = "only-child-parents-honor-certificate"
ITEM_NAME = "独生子女父母光荣证"
EDITOR = ("e2e-editor-family", "人口家庭科")
REVIEWER = "e2e-reviewer"
STAFF_PASSWORD = "Feedback-loop-pass-83"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def staff(stack: StackConfig) -> StackConfig:
    """An editor of the item's office and a reviewer, created by the first admin through the desk API."""
    with httpx.Client(base_url=stack.app_url, timeout=60) as http:
        assert http.post("/api/desk/login", json={"username": "admin", "password": ADMIN_PASSWORD}).status_code == 200
        for username, role, office in ((EDITOR[0], "editor", EDITOR[1]), (REVIEWER, "reviewer", None)):
            r = http.post(
                "/api/desk/users",
                json={"username": username, "password": STAFF_PASSWORD, "role": role, "office": office},
            )
            assert r.status_code in (201, 409), r.text
    return stack


def _console_error(message: Any, errors: list[str]) -> None:
    """Script errors and failed loads, except the expected 401 before a login and the browser's favicon probe."""
    url = str((message.location or {}).get("url", ""))
    if message.type == "error" and "401" not in message.text and not url.endswith("favicon.ico"):
        errors.append(f"{message.text} ({url})")


def _page(browser: Any, errors: list[str]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: _console_error(m, errors))
    return page


def _ask(page: Any, text: str) -> Any:
    """Type a question in the widget; the assistant's last message once it has answered."""
    before = page.locator(".hz-msg-bot").count()
    page.fill(".hz-input", text)
    page.press(".hz-input", "Enter")
    page.wait_for_function(
        "n => document.querySelector('#hzchat-page').shadowRoot.querySelectorAll('.hz-msg-bot').length > n", arg=before
    )
    page.wait_for_selector(".hz-typing", state="hidden")
    return page.locator(".hz-msg-bot").last


def _console_login(page: Any, base: str, path: str, username: str) -> None:
    page.goto(base + path)
    page.fill("#login-user", username)
    page.fill("#login-pass", STAFF_PASSWORD)
    page.click("#login-btn")
    page.wait_for_selector("#who-name")


def _chat(http: httpx.Client, text: str) -> dict[str, Any]:
    r = http.post("/api/chat", json={"session_id": f"web-probe-{uuid.uuid4().hex[:12]}", "text": text})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_an_unanswered_question_is_linked_published_and_then_answered(staff: StackConfig, browser: Any) -> None:
    base = staff.app_url
    errors: list[str] = []
    citizen = _page(browser, errors)
    citizen.goto(base + "/")
    reply = _ask(citizen, QUESTION)
    assert reply.get_attribute("data-kind") == "no_answer", reply.inner_text()

    editor = _page(browser, errors)
    _console_login(editor, base, "/console/unanswered", EDITOR[0])
    card = editor.locator("article.ua-group", has_text=QUESTION).first
    card.wait_for()
    assert "分拣队列" in card.inner_text() or EDITOR[1] in card.inner_text()
    card.locator("button.ua-link").click()
    card.locator("select.ua-item").select_option(ITEM)
    card.locator("input.ua-text").fill(ALIAS)
    card.locator("button.ua-submit").click()
    card.locator("button.ua-submit-draft").click()
    card.locator(".ok", has_text="已提交审核").wait_for()
    draft_id = int(card.locator(".ok").inner_text().split("#", 1)[1].split(" ", 1)[0])

    reviewer = _page(browser, errors)
    _console_login(reviewer, base, "/console/unanswered", REVIEWER)
    approved = reviewer.request.post(f"{base}/api/console/drafts/{draft_id}/approve", data={})
    assert approved.ok, approved.text()
    published = reviewer.request.post(
        f"{base}/api/console/publish", data={"note": "未答问题：光荣牌", "draft_ids": [draft_id]}
    )
    assert published.ok, published.text()
    version = published.json()["number"]

    # Every process serves the new version within its poll plus the rebuild (only changed chunks re-embedded).
    deadline = time.monotonic() + 300
    with httpx.Client(base_url=base, timeout=60) as http:
        while (meta := _chat(http, QUESTION)["meta"])["kind"] != "answer":
            assert time.monotonic() < deadline, meta
            time.sleep(3)
        assert meta["item"]["code"] == ITEM and meta["knowledge_version"] == version

    reply = _ask(citizen, QUESTION)
    assert reply.get_attribute("data-kind") == "answer"
    text = reply.inner_text()
    assert ITEM_NAME in text and "收费" in text

    deadline = time.monotonic() + 120
    reviewer.goto(base + "/console/unanswered")
    reviewer.select_option("#ua-status", "linked")
    while reviewer.locator(f"article.ua-group:has-text('{QUESTION}') .ua-retest.answered").count() == 0:
        assert time.monotonic() < deadline, reviewer.locator("#ua-list").inner_text()
        time.sleep(3)
        reviewer.click("#ua-refresh")
    retest = reviewer.locator(f"article.ua-group:has-text('{QUESTION}') .ua-retest.answered").inner_text()
    assert ITEM in retest and f"版本 {version}" in retest
    assert not errors, errors


def test_votes_with_a_reason_are_stored_and_shown_in_the_dashboard(staff: StackConfig, browser: Any) -> None:
    base = staff.app_url
    errors: list[str] = []
    citizen = _page(browser, errors)
    citizen.goto(base + "/")
    first = _ask(citizen, "护士执业注册需要什么材料")
    assert first.get_attribute("data-kind") in ("answer", "clarify"), first.inner_text()
    first.locator("button.hz-vote-down").click()
    first.locator("button.hz-reason[data-reason='other']").click()
    first.locator("textarea.hz-feedback-other").fill("材料和窗口说的不一样，请回电13912348888")
    first.locator("button.hz-feedback-submit").click()
    first.locator(".hz-feedback-why").wait_for(state="hidden")  # closes once the reason is stored
    assert "感谢反馈" in first.locator(".hz-feedback-status").inner_text()
    second = _ask(citizen, "婚前医学检查要带什么")
    assert second.get_attribute("data-kind") in ("answer", "clarify", "no_answer"), second.inner_text()
    second.locator("button.hz-vote-up").click()
    second.locator(".hz-feedback-status", has_text="感谢您的评价").wait_for()
    assert second.locator("button.hz-vote-up").get_attribute("aria-pressed") == "true"

    db = sqlite3.connect(Path(staff.var_dir) / "tickets.db")
    try:
        rows = db.execute(
            "SELECT vote, reason, comment_masked, question_masked, kind, item_code, guide_id, knowledge_version"
            " FROM answer_feedback ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    mine = [r for r in rows if r[3] in ("护士执业注册需要什么材料", "婚前医学检查要带什么")]
    assert [(r[0], r[1]) for r in mine] == [("down", "other"), ("up", None)]
    down = mine[0]
    assert down[2] == "材料和窗口说的不一样，请回电139****8888"  # masked before it was stored
    assert down[5] == "nurse-practice-registration" and down[7] is not None  # the item and the knowledge version
    assert down[6] or down[4] == "clarify"  # an answer names the guide it quotes

    with httpx.Client(base_url=base, timeout=60) as http:
        http.post("/api/desk/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        q = http.get("/api/dashboard/figures").json()["questions"]
    up, down_n = q["feedback_up"], q["feedback_down"]
    assert up >= 1 and down_n >= 1
    dash = _page(browser, errors)
    dash.goto(base + "/dashboard")
    dash.fill("#login-user", "admin")
    dash.fill("#login-pass", ADMIN_PASSWORD)
    dash.click("#login-btn")
    dash.wait_for_selector(".card[data-figure='feedback'] .value")
    assert dash.inner_text(".card[data-figure='feedback'] .value") == f"{up / (up + down_n) * 100:.1f}%"
    assert dash.inner_text(".card[data-figure='feedback_down'] .value") == str(down_n)
    assert dash.get_attribute(".card[data-figure='feedback']", "title")  # the definition beside it
    other = dash.locator("#feedback-reasons tr[data-reason='other'] td").nth(1).inner_text()
    assert int(other) >= 1
    assert not errors, errors
