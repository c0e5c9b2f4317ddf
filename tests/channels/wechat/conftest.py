"""Fixtures of the WeChat channel tests: a migrated SQLite database per test, the fake WeChat API, a
scripted assistant behind the real ``ChatService``, and the app with ``/wechat`` mounted in-process."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.wechat.config import WeChatSettings
from bot.channels.wechat.fake_api import FakeWeChatApi
from bot.channels.wechat.setup import install_wechat
from bot.channels.wechat.simulator import WeChatSimulator
from bot.chat.config import ChatSettings
from bot.chat.rasa_client import RasaTurn
from bot.chat.schemas import Button, Reply
from bot.chat.service import ChatService
from bot.db import init_db, make_engine
from bot.tickets.config import TicketSettings

TOKEN = "wx-test-token"
APP_ID = "wxtestappid0001"
SECRET = "wx-test-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OLD_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

CHOICES = [
    Button(title="公共场所卫生许可", payload='/ask_item{"item_code": "public-place-hygiene-license"}'),
    Button(title="供水单位卫生许可", payload='/ask_item{"item_code": "water-supply-hygiene-license"}'),
]


@dataclass
class ScriptedAssistant:
    """Stands in for Rasa behind the real ChatService: records what it got, answers by rule."""

    delay_s: float = 0.0
    received: list[tuple[str, str]] = field(default_factory=list)
    long_text: str = ""

    async def send(self, session_id: str, masked_text: str, metadata: dict[str, Any] | None = None) -> RasaTurn:
        self.received.append((session_id, masked_text))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if "许可证" in masked_text:
            return RasaTurn(replies=[Reply(text="您想办理哪一项许可？", buttons=CHOICES)], meta={"kind": "clarify"})
        if masked_text.startswith("/ask_item"):
            return RasaTurn(replies=[Reply(text="公共场所卫生许可需要：营业执照。")], meta={"kind": "answer"})
        if "很长" in masked_text:
            return RasaTurn(replies=[Reply(text=self.long_text)], meta={"kind": "answer"})
        return RasaTurn(replies=[Reply(text="您说的是：" + masked_text)], meta={"kind": "smalltalk"})


@pytest.fixture(scope="session")
def wx_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wxtpl") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    engine.dispose()
    return path


@pytest.fixture
def wx_engine(wx_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "wechat.db"
    shutil.copyfile(wx_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


class MemoryOfferedStore:
    """The offered-buttons store of one test (the database-backed one is tested in tests/chat)."""

    def __init__(self) -> None:
        self._offered: dict[str, set[str]] = {}

    def remember(self, session_id: str, payloads: Iterable[str]) -> None:
        self._offered.setdefault(session_id, set()).update(payloads)

    def was_offered(self, session_id: str, payload: str) -> bool:
        return payload in self._offered.get(session_id, set())


@pytest.fixture
def wx_sessions(wx_engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=wx_engine, expire_on_commit=False)


@pytest.fixture
def fake_api() -> Iterator[FakeWeChatApi]:
    fake = FakeWeChatApi(app_id=APP_ID, secret=SECRET).start()
    yield fake
    fake.stop()


def wechat_settings(api_base: str, *, aes: bool = True, previous: str | None = None, **kw: Any) -> WeChatSettings:
    return WeChatSettings(
        WECHAT_TOKEN=TOKEN,
        WECHAT_APP_ID=APP_ID,
        WECHAT_APP_SECRET=SECRET,
        WECHAT_ENCODING_AES_KEY=AES_KEY if aes else None,
        WECHAT_PREVIOUS_ENCODING_AES_KEY=previous,
        WECHAT_API_BASE=api_base,
        **{f"WECHAT_{name.upper()}": value for name, value in kw.items()},
    )


def outbox_settings() -> TicketSettings:
    return TicketSettings(OUTBOX_BACKOFF_BASE_S=0.01, OUTBOX_BACKOFF_MAX_S=0.02, OUTBOX_MAX_ATTEMPTS=5)


@dataclass
class WeChatHarness:
    app: FastAPI
    client: TestClient
    assistant: ScriptedAssistant
    settings: WeChatSettings
    sessions: sessionmaker[Session]

    def simulator(self, *, aes: bool = True, openid: str | None = None, **kw: Any) -> WeChatSimulator:
        return WeChatSimulator(
            "/wechat",
            token=TOKEN,
            app_id=APP_ID,
            aes_key=AES_KEY if aes else None,
            openid=openid,
            client=self.client,
            **kw,
        )


@pytest.fixture
def build_harness(
    fake_api: FakeWeChatApi, wx_sessions: sessionmaker[Session]
) -> Iterator[Callable[..., WeChatHarness]]:
    made: list[tuple[TestClient, httpx.Client]] = []

    def build(*, assistant: ScriptedAssistant | None = None, **settings_kw: Any) -> WeChatHarness:
        assistant = assistant or ScriptedAssistant()
        settings = wechat_settings(fake_api.url, **settings_kw)
        app = FastAPI()
        app.state.chat_service = ChatService(settings=ChatSettings(), backend=assistant, offered=MemoryOfferedStore())
        http = httpx.Client(timeout=5)
        install_wechat(app, settings=settings, session_factory=lambda: wx_sessions, http_client=http)
        client = TestClient(app)
        client.__enter__()  # keep the event loop running between requests (deferred answers finish on it)
        made.append((client, http))
        return WeChatHarness(app, client, assistant, settings, wx_sessions)

    yield build
    for client, http in made:
        client.__exit__(None, None, None)
        http.close()
