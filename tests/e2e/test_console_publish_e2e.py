"""Publish without restart, end to end: in real Chromium an editor changes a guide's material list in the
console, a reviewer approves and publishes, and within 10 s the chat (`POST /api/chat`, through Rasa and
the action server) answers with the new text and the new knowledge version; rolling back in the console
restores the old text the same way. Then an alias published through the console (no Rasa retrain) is
understood by the chat. The real stack (`stack` fixture, E2E_PORT_OFFSET), the real e5 model."""

from __future__ import annotations

import os
import tempfile
import uuid
from typing import Any

import httpx
import pytest

from scripts.stack import StackConfig
from tests.e2e.console_helpers import (
    EDITOR,
    REVIEWER,
    ensure_staff,
    publish_item,
    published_version,
    rollback_to,
    wait_for,
)
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.stack_fixtures import ADMIN_PASSWORD

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium not installed at {CHROMIUM}"),
]
NURSE = "nurse-practice-registration"
QUESTION = "护士首次执业注册需要什么材料"
NEW_MATERIAL = "护士执业注册申请审核表（控制台测试版）"
PUBLISH_WITHIN_S = 10.0


def chat(client: httpx.Client, text: str) -> tuple[str, dict[str, Any]]:
    resp = client.post("/api/chat", json={"session_id": "console-e2e-" + uuid.uuid4().hex[:10], "text": text})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    return "\n".join(r["text"] for r in body["replies"]), body["meta"]


def login(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/console")
    page.fill("#login-user", username)
    page.fill("#login-pass", password)
    page.click("#login-btn")
    page.wait_for_selector("#who-name")


def test_a_published_edit_reaches_the_chat_within_10_s_and_rollback_restores_it(
    stack: StackConfig, client: httpx.Client
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    base = stack.app_url
    ensure_staff(base, "admin", ADMIN_PASSWORD)
    start_version = published_version(base)
    answer = client.post("/api/search", json={"text": QUESTION}).json()
    assert answer["kind"] == "answer" and answer["item"]["code"] == NURSE, answer
    assert answer["knowledge_version"] == start_version
    with httpx.Client(base_url=base, timeout=30) as c:
        c.post("/api/desk/login", json={"username": REVIEWER[0], "password": REVIEWER[1]}).raise_for_status()
        doc = c.get(f"/api/console/items/{NURSE}").json()["document"]
    n = next(i for i, g in enumerate(doc["guides"]) if g["id"] == answer["guide_id"])
    old_material = doc["guides"][n]["materials"][0]["name"]
    text, meta = chat(client, QUESTION)
    assert old_material in text and meta["knowledge_version"] == start_version, (text, meta)

    errors: list[str] = []
    profile = tempfile.mkdtemp(prefix="console-e2e-chromium-")
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(20_000)

        login(page, base, EDITOR[0], EDITOR[1])  # the editor changes the material list
        page.goto(base + f"/console#item/{NURSE}")
        page.locator(f"[data-path='guides.{n}.materials.0.name']").fill(NEW_MATERIAL)
        page.click("#save-draft")
        page.wait_for_selector("#draft-state:has-text('修订')")
        page.click("#submit-draft")
        page.wait_for_selector("#draft-state:has-text('待审核')")
        page.click("#logout")

        login(page, base, REVIEWER[0], REVIEWER[1])  # the reviewer approves and publishes
        page.goto(base + "/console#drafts")
        page.click(f"#drafts-table tbody tr:has-text('{NURSE}') a")
        page.wait_for_selector(f"table.diff td:has-text('{NEW_MATERIAL}')")
        page.click("#approve")
        page.wait_for_selector("#publish:not([disabled])")
        page.click("#publish")
        page.wait_for_selector(".ok:has-text('已发布版本')")
        published = published_version(base)
        assert published == start_version + 1

        def new_text_served() -> tuple[str, dict[str, Any]] | None:
            text, meta = chat(client, QUESTION)
            return (text, meta) if NEW_MATERIAL in text else None

        (text, meta), waited = wait_for(new_text_served, PUBLISH_WITHIN_S, "the published material in the chat")
        assert meta["knowledge_version"] == published and old_material not in text
        print(f"publish → chat answer: {waited:.1f} s")

        page.goto(base + "/console#versions")  # roll back to the version before
        page.locator(f"tr[data-version='{start_version}'] .rollback").click()
        page.locator(f"tr[data-version='{start_version}'] .confirm-rollback").click()
        page.wait_for_selector(f".ok:has-text('恢复了版本 {start_version}')")

        def old_text_served() -> tuple[str, dict[str, Any]] | None:
            text, meta = chat(client, QUESTION)
            return (text, meta) if old_material in text and NEW_MATERIAL not in text else None

        (text, meta), waited = wait_for(old_text_served, PUBLISH_WITHIN_S, "the old material after the rollback")
        assert meta["knowledge_version"] == published + 1
        print(f"rollback → chat answer: {waited:.1f} s")
        ctx.close()
    assert not errors, errors


NEW_ALIAS = "白衣天使上岗证"  # not in any item, the lexicon, Rasa's training data or its jieba dictionary


def test_an_alias_published_in_the_console_is_understood_without_retrain(
    stack: StackConfig, client: httpx.Client
) -> None:
    base = stack.app_url
    ensure_staff(base, "admin", ADMIN_PASSWORD)
    question = f"{NEW_ALIAS}怎么办理，要什么材料"
    text, meta = chat(client, question)
    assert not (meta["item"] and meta["item"]["code"] == NURSE and meta["kind"] == "answer"), (text, meta)
    before = published_version(base)
    version = publish_item(base, NURSE, lambda d: d["aliases"].append(NEW_ALIAS))

    def understood() -> dict[str, Any] | None:
        _, meta = chat(client, question)
        return meta if meta["item"] and meta["item"]["code"] == NURSE else None

    meta, _ = wait_for(understood, PUBLISH_WITHIN_S, "the new alias understood by the chat")
    assert meta["knowledge_version"] == version
    rollback_to(base, before)  # leave the shared stack's knowledge as it was
