"""The chat widget in a real headless Chromium, against the real app served by uvicorn on
loopback and a loopback stand-in for Rasa's REST channel."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.live_server import serve_in_thread

pytestmark = pytest.mark.browser


if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)
playwright_sync = pytest.importorskip("playwright.sync_api", reason="python package playwright not installed")

from bot.chat.router import install_chat_cors  # noqa: E402

XSS = "<img src=x onerror=alert(1)>"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def host_site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Another origin (a plain static server on another port) whose page embeds the widget."""
    port = _free_port()
    root = tmp_path / "site"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(SimpleHTTPRequestHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{port}", "root": root}
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served(
    fake_rasa: Any, build_service: Any, build_app: Any, memory_inbox: Any, memory_vault: Any, host_site: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    app = build_app(build_service(fake_rasa.url, vault=memory_vault, inbox=memory_inbox))
    install_chat_cors(app, [host_site["url"]])
    with serve_in_thread(app) as url:
        yield {"url": url, "fake": fake_rasa, "inbox": memory_inbox, "vault": memory_vault, "site": host_site}


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    d = Path(os.environ.get("CHAT_SCREENSHOT_DIR") or tmp_path / "shots")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _new_page(browser: Any, **kw: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(locale="zh-CN", **kw)
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return context, page, dialogs


def _send(page: Any, text: str) -> None:
    box = page.locator(".hz-input")
    box.fill(text)
    box.press("Enter")


def test_page_conversation_sources_buttons_reload_and_large_text(
    browser: Any, served: dict[str, Any], screenshot_dir: Path
) -> None:
    context, page, dialogs = _new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.goto(served["url"] + "/")
        page.locator(".hz-input").wait_for()
        assert page.locator(".hz-title").inner_text() == "卫生健康政务服务助手"
        assert page.locator(".hz-choice").count() == 3  # welcome suggestions

        # a question, its answer and the answer's source
        _send(page, "护士执业注册要什么材料")
        answer = page.locator(".hz-msg-bot", has_text="健康体检证明")
        answer.wait_for()
        link = answer.locator(".hz-source-link")
        assert link.inner_text() == "护士执业注册办事指南"
        assert link.get_attribute("href") == "https://zwfw.example.gov.cn/guide/nurse-practice-registration"
        assert link.get_attribute("rel") == "noopener noreferrer"
        assert "（市本级）" in answer.locator(".hz-sources").inner_text()
        assert page.locator(".hz-msg-user").last.inner_text().endswith("护士执业注册要什么材料")
        assert page.locator(".hz-log").get_attribute("aria-live") == "polite"
        # focus stays in the input for the next question
        assert page.evaluate("document.activeElement.shadowRoot.activeElement.id") == "hz-input"
        page.screenshot(path=str(screenshot_dir / "chat-mobile-answer.png"))

        # buttons: clicking sends the payload, shows the title
        _send(page, "我要办许可证")
        choice = page.locator(".hz-choice", has_text="公共场所卫生许可")
        choice.wait_for()
        page.screenshot(path=str(screenshot_dir / "chat-mobile-buttons.png"))
        choice.click()
        page.locator(".hz-msg-bot", has_text="卫生许可申请表").wait_for()
        assert served["fake"].received[-1]["message"] == '/ask_item{"item_code": "public-place-hygiene-license"}'
        assert page.locator(".hz-msg-user").last.inner_text().endswith("公共场所卫生许可")
        assert page.locator(".hz-choice", has_text="供水单位卫生许可").is_disabled()  # stale choices
        region = page.locator(".hz-msg-bot", has_text="卫生许可申请表").locator(".hz-sources")
        assert "公共场所卫生许可办事指南" in region.inner_text() and "（某某区）" in region.inner_text()
        assert region.locator("a").count() == 0  # no url → no link

        senders = {m["sender"] for m in served["fake"].received}
        assert len(senders) == 1
        session = senders.pop()

        # large text, remembered
        size_before = page.evaluate(
            "getComputedStyle(document.querySelector('#hzchat-page').shadowRoot.querySelector('.hz-app')).fontSize"
        )
        page.locator(".hz-larger").click()
        size_after = page.evaluate(
            "getComputedStyle(document.querySelector('#hzchat-page').shadowRoot.querySelector('.hz-app')).fontSize"
        )
        assert (size_before, size_after) == ("18px", "22px")
        assert page.locator(".hz-larger").get_attribute("aria-pressed") == "true"

        # reload: same session, same visible history, same text size
        page.reload()
        page.locator(".hz-msg-bot", has_text="卫生许可申请表").wait_for()
        assert page.locator(".hz-msg-bot", has_text="健康体检证明").count() == 1
        assert page.locator(".hz-msg-bot .hz-bubble").first.inner_text().startswith("您好")  # greeting kept
        assert page.locator(".hz-msg-bot").first.locator(".hz-choice").count() == 0
        assert (
            page.evaluate(
                "getComputedStyle(document.querySelector('#hzchat-page').shadowRoot.querySelector('.hz-app')).fontSize"
            )
            == "22px"
        )
        _send(page, "在吗")
        page.locator(".hz-msg-bot", has_text="您好，我在。").wait_for()
        assert served["fake"].received[-1]["sender"] == session
        page.screenshot(path=str(screenshot_dir / "chat-mobile-large.png"))

        # a handler's reply arrives by polling (triggered by focus)
        served["inbox"].add(session, "工作人员：您反映的问题已转区卫生健康局办理。")
        page.evaluate("window.dispatchEvent(new Event('focus'))")
        handler = page.locator(".hz-msg-handler", has_text="已转区卫生健康局办理")
        handler.wait_for()
        assert "工作人员消息" in handler.inner_text()
        assert dialogs == []
    finally:
        context.close()


def test_xss_is_shown_as_text_and_not_run(browser: Any, served: dict[str, Any], screenshot_dir: Path) -> None:
    context, page, dialogs = _new_page(browser)
    try:
        page.goto(served["url"] + "/")
        page.locator(".hz-input").wait_for()
        _send(page, "回声 " + XSS)
        echo = page.locator(".hz-msg-bot", has_text="您说的是：")
        echo.wait_for()
        assert echo.locator(".hz-bubble").inner_text() == "您说的是：回声 " + XSS
        assert page.locator(".hz-msg-user .hz-bubble").last.inner_text() == "回声 " + XSS
        # a handler message with markup and a javascript: source stay inert too
        served["inbox"].add(served["fake"].received[-1]["sender"], "<b onmouseover=alert(2)>粗体</b>")
        page.evaluate("window.dispatchEvent(new Event('focus'))")
        page.locator(".hz-msg-handler", has_text="<b onmouseover=alert(2)>粗体</b>").wait_for()
        assert page.locator(".hz-log img").count() == 0
        assert page.locator(".hz-log b").count() == 0
        page.wait_for_timeout(300)
        assert dialogs == []
        page.screenshot(path=str(screenshot_dir / "page-desktop-xss.png"))
    finally:
        context.close()


def test_personal_numbers_masked_on_screen_and_in_local_storage(browser: Any, served: dict[str, Any]) -> None:
    context, page, _ = _new_page(browser)
    try:
        page.goto(served["url"] + "/")
        page.locator(".hz-input").wait_for()
        mark = "document.querySelector('#hzchat-page').shadowRoot.querySelector('.hz-msg')"
        page.evaluate(f"{mark}.dataset.mark = 'first'")
        _send(page, "回声 电话１３８００１３８０００，身份证11010519491231002x")
        page.locator(".hz-msg-bot", has_text="您说的是").wait_for()
        # new messages are appended, earlier nodes stay (screen readers announce only the new ones)
        assert page.evaluate(f"{mark}.dataset.mark") == "first"
        mine = page.locator(".hz-msg-user .hz-bubble").last.inner_text()
        assert mine == "回声 电话138****8000，身份证110105********002X"
        stored = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
        assert "13800138000" not in stored and "１３８００１３８０００" not in stored
        assert "19491231" not in stored
        assert served["vault"].entries == [(served["fake"].received[-1]["sender"], "138****8000", "13800138000")]

        # 新对话: a new session and an empty history
        old_session = page.evaluate("window.HzChat.session()")
        page.locator(".hz-restart").click()
        assert page.locator(".hz-msg-user").count() == 0
        assert page.evaluate("window.HzChat.session()") != old_session
        assert page.locator(".hz-choice").count() == 3
    finally:
        context.close()


def test_rasa_down_shows_apology_and_helpline(browser: Any, served: dict[str, Any]) -> None:
    served["fake"].webhook_status = 500
    context, page, _ = _new_page(browser)
    try:
        page.goto(served["url"] + "/")
        page.locator(".hz-input").wait_for()
        _send(page, "护士执业注册要什么材料")
        page.locator(".hz-msg-bot", has_text="12345").wait_for()
        assert page.locator(".hz-msg-bot").last.get_attribute("data-kind") == "handoff"
    finally:
        context.close()


def test_embed_demo_with_one_script_tag(browser: Any, served: dict[str, Any], screenshot_dir: Path) -> None:
    context, page, _ = _new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page.goto(served["url"] + "/embed-demo.html")
        launcher = page.locator(".hz-launcher")
        launcher.wait_for()
        assert launcher.get_attribute("aria-expanded") == "false"
        assert page.locator(".hz-panel").is_hidden()
        page.screenshot(path=str(screenshot_dir / "embed-closed.png"))
        launcher.click()
        page.locator(".hz-panel").wait_for()
        assert page.locator(".hz-title").inner_text() == "政务服务助手"  # from data-title
        _send(page, "护士执业注册要什么材料")
        page.locator(".hz-msg-bot", has_text="健康体检证明").wait_for()
        page.screenshot(path=str(screenshot_dir / "embed-open.png"))
        page.locator(".hz-close").click()
        assert page.locator(".hz-panel").is_hidden()
        assert page.locator(".hz-launcher").is_visible()
        # keyboard: open again, Escape closes and gives focus back to the launcher
        page.locator(".hz-launcher").click()
        page.locator(".hz-input").press("Escape")
        assert page.locator(".hz-panel").is_hidden()
        assert page.evaluate("document.activeElement.shadowRoot.activeElement.className") == "hz-launcher"
    finally:
        context.close()


def test_embed_on_another_origin(browser: Any, served: dict[str, Any], screenshot_dir: Path) -> None:
    site = served["site"]
    (site["root"] / "index.html").write_text(
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>区政府网站</title>"
        "<style>body{font:12px serif;color:red} button{background:lime}</style></head>"
        "<body><h1>某某区人民政府</h1>"
        f"<script src='{served['url']}/widget.js' data-open='true'></script></body></html>",
        encoding="utf-8",
    )
    context, page, _ = _new_page(browser, viewport={"width": 1280, "height": 800})
    try:
        page.goto(site["url"] + "/index.html")
        page.locator(".hz-panel").wait_for()  # data-open
        _send(page, "护士执业注册要什么材料")
        page.locator(".hz-msg-bot", has_text="健康体检证明").wait_for()
        # the host page's CSS does not leak into the widget
        color = page.locator(".hz-send").evaluate("b => getComputedStyle(b).backgroundColor")
        assert color == "rgb(10, 88, 168)"
        page.screenshot(path=str(screenshot_dir / "embed-cross-origin-desktop.png"))
    finally:
        context.close()
