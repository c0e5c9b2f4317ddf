"""Fixtures of the answer-feedback and unanswered-questions tests: the tickets fixtures (throwaway database,
clock, staff users), the chat fixtures (a loopback fake of Rasa's REST channel) and an app wired as
``bot.app.create_app`` wires these parts, with the fake embedder and fake engine look-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI

from bot.chat.rasa_client import RasaClient
from bot.console.unanswered.loop import UnansweredLoop
from bot.console.unanswered.offices import OfficeLocator
from bot.console.unanswered.retest import Outcome
from tests.chat.conftest import fake_rasa  # noqa: F401
from tests.console.conftest import console_env, console_template  # noqa: F401
from tests.tickets.conftest import (  # noqa: F401
    FrozenClock,
    clock,
    create_user,
    db_url,
    login,
    pg_template,
    sqlite_template,
    tickets_env,
)

GUIDE = {"title": "护士执业注册办事指南", "url": "https://example.gov.cn/g", "region": "全国"}
NURSE = {"code": "nurse-practice-registration", "name": "护士执业注册"}
TRIAGE = "分拣队列"


def scripted_reply(sender: str, message: str) -> list[dict[str, Any]]:
    """The fake Rasa: the message's first two characters choose the reply kind."""

    def with_meta(text: str, **meta: Any) -> list[dict[str, Any]]:
        return [{"recipient_id": sender, "text": text}, {"recipient_id": sender, "custom": {"meta": meta}}]

    if message.startswith("问答"):
        return with_meta(
            "材料如下…", kind="answer", item=NURSE, aspect="materials", confidence=0.9, sources=[GUIDE], guide="g-1"
        )
    if message.startswith("问低"):
        return with_meta("可能是…", kind="answer", item=NURSE, aspect="materials", confidence=0.3, sources=[GUIDE])
    if message.startswith("问澄"):
        return with_meta("您问的是哪一项？", kind="clarify", item=None)
    if message.startswith("问无"):
        return with_meta("抱歉，知识库中没有找到…", kind="no_answer", item=None)
    if message.startswith("问外"):
        return with_meta(
            "“公积金”相关业务一般由住房公积金管理中心办理，不属于卫生健康部门的办事指南范围。", kind="no_answer"
        )
    if message.startswith("问人"):
        return with_meta("正在为您转人工…", kind="handoff")
    return [{"recipient_id": sender, "text": "您好，我在。"}]


class FakeEngine:
    """What the loop asks the engine: an item match and answers, from tables the test sets."""

    def __init__(self) -> None:
        self.matches: dict[str, str] = {}  # a word in the question → item code
        self.offices: dict[str, str] = {"nurse-practice-registration": "医政医管处"}
        self.answers: dict[str, Outcome] = {}  # question → outcome (default: no answer)
        self.version = 1
        self.asked: list[str] = []

    def match(self, question: str) -> str | None:
        return next((code for word, code in self.matches.items() if word in question), None)

    def ask(self, question: str) -> Outcome:
        self.asked.append(question)
        return self.answers.get(question, Outcome("no_answer", None))


def make_loop(engine: FakeEngine, *, similarity: float = 0.8) -> UnansweredLoop:
    from bot.console.unanswered.config import UnansweredSettings
    from knowledge.embedding.embedders import HashingEmbedder

    embedder = HashingEmbedder()
    return UnansweredLoop(
        embedder=lambda: embedder,
        locator=OfficeLocator(engine.match, engine.offices.get, TRIAGE),
        ask=engine.ask,
        version=lambda: engine.version,
        settings=UnansweredSettings(unanswered_similarity=similarity),
    )


def make_feedback_app(rasa_url: str, now: FrozenClock, loop: UnansweredLoop | None = None) -> FastAPI:
    """Chat gateway with the recorder and the unanswered capture, answer feedback, the console's unanswered
    API, the desk (login) and the dashboard, as ``bot.app.create_app`` wires them."""
    from bot.analytics.recorder import TurnRecorder
    from bot.chat.router import router as chat_router
    from bot.chat.service import ChatService
    from bot.console.router_unanswered import router as unanswered_router
    from bot.console.unanswered.capture import capture_thumbs_down, capture_turn
    from bot.feedback.router import router as feedback_router
    from bot.operations import install_operations
    from bot.tickets import dependencies, router_desk
    from tests.chat.conftest import make_settings

    app = FastAPI()
    settings = make_settings(rasa_url)
    app.state.chat_service = ChatService(
        settings=settings, backend=RasaClient(settings), record_turn=TurnRecorder(now=now, listeners=[capture_turn])
    )
    app.state.on_thumbs_down = [capture_thumbs_down]
    app.state.unanswered = loop
    app.state.health_checks = {"knowledge": lambda: True}
    for router in (chat_router, feedback_router, unanswered_router, router_desk.router):
        app.include_router(router)
    install_operations(app)
    app.dependency_overrides[dependencies.get_now] = now
    return app


def cst(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.UTC)
