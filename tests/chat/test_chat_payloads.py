"""Button presses as ``payload``, typed slash commands, the offered-payload store and the per-address
ticket-lookup limit of the gateway."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.chat.schemas import ChatRequest, ChatResponse
from bot.chat.service import ChatService
from bot.chat.typed_commands import neutralise_command

PRESS = '/ask_item{"item_code": "public-place-hygiene-license"}'  # offered by the fake Rasa for 许可证


def turn(
    service: ChatService, text: str = "", *, payload: str | None = None, session: str = "s-1", addr: str | None = None
) -> ChatResponse:
    request = ChatRequest(session_id=session, text=text, payload=payload)
    return asyncio.run(service.handle_turn(request, client_address=addr)).response


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("/restart", "取消"),
        ("/RESTART", "取消"),
        ('/cancel{"x": 1}', "取消"),
        ("/greet", "greet"),
        ("//report_problem", "report_problem"),
        ("／ask_human", "ask_human"),
        ("/", "／"),
        ('/ask_item{"item_code": "x"}', 'ask_item{"item_code": "x"}'),
        ("护士执业注册/变更", "护士执业注册/变更"),
    ],
)
def test_neutralise_command(typed: str, sent: str) -> None:
    assert neutralise_command(typed) == sent


def test_typed_slash_never_reaches_rasa_as_an_intent(fake_rasa: Any, build_service: Any) -> None:
    service = build_service(fake_rasa.url)
    for typed in ("/restart", PRESS, "/report_problem 13800138000"):
        turn(service, typed)
        sent = fake_rasa.received[-1]["message"]
        assert not sent.startswith("/")
    assert "13800138000" not in fake_rasa.received[-1]["message"]  # masked as any typed text


def test_payload_not_offered_is_typed_text(fake_rasa: Any, build_service: Any) -> None:
    service = build_service(fake_rasa.url)
    turn(service, payload=PRESS)  # never offered to s-1
    assert fake_rasa.received[-1]["message"] == PRESS.lstrip("/")


NAMES = {"public-place-hygiene-license": "公共场所卫生许可", "nurse-practice-registration": "护士执业注册"}


@pytest.mark.parametrize(
    ("payload", "sent"),
    [
        ('/ask_item{"item_code": "nurse-practice-registration", "sub_item": "注销"}', "护士执业注册 注销"),
        (PRESS, "公共场所卫生许可"),
        (
            '/ask_item{"item_code": "no-such-item", "sub_item": "注销"}',
            'ask_item{"item_code": "no-such-item", "sub_item": "注销"}',
        ),
        ('/ask_item{"item_code": "nurse-practice-registration", "sub_item": "注销注销注销注销注销"}', "护士执业注册"),
        ("/ask_item[1]", "ask_item[1]"),
        (
            '/report_problem{"item_code": "nurse-practice-registration"}',
            'report_problem{"item_code": "nurse-practice-registration"}',
        ),
    ],
)
def test_an_item_button_not_offered_is_read_as_the_question_it_asks(
    fake_rasa: Any, build_service: Any, payload: str, sent: str
) -> None:
    """A press of an item's button this session was not offered never reaches Rasa as an intent, but is not
    garbage either: it is the item's name and sub-item, typed (pressed_words.py). Only item buttons naming an item
    the knowledge base holds are read so; any other payload stays typed text as it is."""
    service = build_service(fake_rasa.url, item_name=NAMES.get)
    turn(service, payload, payload=payload)  # the harness sends the press as text too
    assert fake_rasa.received[-1]["message"] == sent


def test_offered_payload_is_pressed_only_by_its_session(fake_rasa: Any, build_service: Any) -> None:
    service = build_service(fake_rasa.url)
    resp = turn(service, "我要办许可证")
    assert resp.replies[0].buttons[0].payload == PRESS
    turn(service, "公共场所卫生许可", payload=PRESS, session="intruder")
    assert fake_rasa.received[-1]["message"] == "公共场所卫生许可"
    pressed = turn(service, "公共场所卫生许可", payload=PRESS)
    assert fake_rasa.received[-1]["message"] == PRESS
    assert pressed.meta.kind == "answer"


def test_buttons_in_handler_messages_are_offered_too(fake_rasa: Any, build_service: Any, memory_inbox: Any) -> None:
    inbox = memory_inbox
    rate = '/rate_ticket{"ticket_number": "BBC-20261122-0001-KXQRT", "rating": "满意"}'
    inbox.add("s-1", "请评价", [{"title": "满意", "payload": rate}])
    service = build_service(fake_rasa.url, inbox=inbox)
    asyncio.run(service.poll_inbox("s-1"))
    turn(service, "满意", payload=rate)
    assert fake_rasa.received[-1]["message"] == rate


def test_lookup_limit_per_client_address(fake_rasa: Any, build_service: Any) -> None:
    counts: dict[str, int] = {}

    def allow(addr: str) -> bool:
        counts[addr] = counts.get(addr, 0) + 1
        return counts[addr] <= 2

    from bot.tickets.privacy import mentions_ticket_number

    service = build_service(fake_rasa.url)
    service._allow_lookup = allow  # the real limiter is tested against the database below
    service._mentions_ticket = mentions_ticket_number
    for n in range(2):
        turn(service, f"回声 查 BBC-20261122-000{n}-ABCDE", addr="203.0.113.9")
    before = len(fake_rasa.received)
    limited = turn(service, "回声 查 bbc 20261122 0003 abcde", addr="203.0.113.9")
    assert len(fake_rasa.received) == before  # not forwarded
    assert limited.meta.kind == "ticket_status" and "次数过多" in limited.replies[0].text
    turn(service, "回声 护士执业注册要什么材料", addr="203.0.113.9")  # ordinary questions are not limited
    assert len(fake_rasa.received) == before + 1


# ---- the database-backed stores ----


@pytest.fixture
def chat_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from bot import db
    from bot.tickets import config

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'chat.db'}")
    monkeypatch.setenv("TICKET_LOOKUP_LIMIT_PER_ADDRESS", "3")
    monkeypatch.setenv("TICKET_LOOKUP_WINDOW_S", "60")
    db.reset_engine()
    config.get_ticket_settings.cache_clear()
    db.init_db()
    yield
    db.reset_engine()
    config.get_ticket_settings.cache_clear()


T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def test_offered_store_expires_and_is_bounded(chat_db: None) -> None:
    from bot.chat.offered_payloads import OfferedPayloadStore

    store = OfferedPayloadStore(ttl_minutes=30, max_per_session=3)
    store.remember("a", ["/one", "/two", "not-a-payload"], now=T0)
    assert store.was_offered("a", "/one", now=T0 + dt.timedelta(minutes=29))
    assert not store.was_offered("a", "not-a-payload", now=T0)
    assert not store.was_offered("b", "/one", now=T0)
    assert not store.was_offered("a", "/one", now=T0 + dt.timedelta(minutes=31))
    store.remember("a", ["/three", "/four"], now=T0 + dt.timedelta(minutes=1))
    store.remember("a", ["/five"], now=T0 + dt.timedelta(minutes=2))
    later = T0 + dt.timedelta(minutes=3)
    kept = [p for p in ("/one", "/two", "/three", "/four", "/five") if store.was_offered("a", p, now=later)]
    assert kept == ["/three", "/four", "/five"]


def test_address_limiter_in_the_database(chat_db: None) -> None:
    from bot.db import session_scope
    from bot.tickets.privacy import address_allowed

    with session_scope() as db:
        results = [address_allowed(db, "198.51.100.7", now=T0 + dt.timedelta(seconds=i)) for i in range(5)]
        assert results == [True, True, True, False, False]
        assert address_allowed(db, "198.51.100.8", now=T0)  # another address has its own count
        assert address_allowed(db, "198.51.100.7", now=T0 + dt.timedelta(seconds=70))  # the window moved on
