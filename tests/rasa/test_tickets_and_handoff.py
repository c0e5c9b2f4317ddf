"""Ticket status, rating and handoff actions."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from action_fixtures import KNOWN_TICKET, LIMITED_TICKET, FakeApp, user_event
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.handoff import ActionHandoff
from actions.rating import ActionRateTicket
from actions.ticket_status import ActionTicketStatus, normalise_number, phone_last4

pytestmark = [pytest.mark.rasa]


def _meta(dispatcher: CollectingDispatcher) -> dict[str, Any]:
    (meta,) = [m["custom"]["meta"] for m in dispatcher.messages if m.get("custom")]
    return meta


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("查一下BBC-20261122-0007-KXQRT的进度", KNOWN_TICKET),
        ("bbc20261122-0007-kxqrt", KNOWN_TICKET),
        ("工单 BBC 20261122 0007 KXQRT", KNOWN_TICKET),
        ("BBC2026112200007KXQRT", KNOWN_TICKET),
        ("ＢＢＣ－２０２６１１２２－０００７－ＫＸＱＲＴ", KNOWN_TICKET),
        ("BBC_20261122_0007_kxqrt 查进度", KNOWN_TICKET),
        ("工单 BBC-20261122-0001", "BBC-20261122-0001"),  # issued before the check code
        ("帮我查查 bbc20261122-7", "BBC-20261122-0007"),  # a short serial, as people type it
        ("BBC—20261201—0009 这个办到哪一步了", "BBC-20261201-0009"),  # em dashes, as an IME types them
        ("bbc–20261201–9", "BBC-20261201-0009"),
        ("BBC2026112-0007", None),
        ("查进度", None),
    ],
)
def test_normalise_number(text: str, number: str | None) -> None:
    assert normalise_number(text) == number


@pytest.mark.parametrize(
    ("text", "last4"),
    [
        ("BBC-20261122-0007-KXQRT 尾号8000", "8000"),
        ("手机后四位是 8000", "8000"),
        ("电话138****8000", "8000"),
        ("1234", None),
    ],
)
def test_phone_last4(text: str, last4: str | None) -> None:
    assert phone_last4(text) == last4


def test_status_of_own_ticket_posts_the_session_and_shows_the_reply(fake_app: FakeApp, make_tracker: Any) -> None:
    entities = [{"entity": "ticket_number", "value": "bbc 20261122 0007 kxqrt"}]
    tracker = make_tracker([user_event("查询工单bbc 20261122 0007 kxqrt", "ask_ticket_status", entities)])
    dispatcher = CollectingDispatcher()

    asyncio.run(ActionTicketStatus().run(dispatcher, tracker, {}))

    (call,) = fake_app.calls("POST", "/api/internal/tickets/status")
    assert call.body == {"number": KNOWN_TICKET, "session_id": "sess-1", "phone_last4": None}
    assert call.query == {}
    assert call.token == "test-internal-token"
    text = dispatcher.messages[0]["text"]
    assert "处理中" in text and "已联系窗口核实" in text and "2026-11-29" in text
    meta = _meta(dispatcher)
    assert meta["kind"] == "ticket_status"
    assert meta["ticket"] == {"id": KNOWN_TICKET, "status": "处理中"}


def test_status_from_another_conversation_with_last4_has_no_reply(fake_app: FakeApp, make_tracker: Any) -> None:
    tracker = make_tracker([user_event(f"{KNOWN_TICKET} 尾号8000", "ask_ticket_status")], sender_id="other")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTicketStatus().run(dispatcher, tracker, {}))
    (call,) = fake_app.calls("POST", "/api/internal/tickets/status")
    assert call.body["phone_last4"] == "8000"
    text = dispatcher.messages[0]["text"]
    assert "处理中" in text and "已联系窗口核实" not in text


@pytest.mark.parametrize("sender", ["other", "sess-1"])
def test_someone_elses_or_unknown_ticket_get_the_same_not_found(
    fake_app: FakeApp, make_tracker: Any, sender: str
) -> None:
    number = KNOWN_TICKET if sender == "other" else "BBC-20990101-0001-ABCDE"
    tracker = make_tracker([user_event(number, "ask_ticket_status")], sender_id=sender)
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTicketStatus().run(dispatcher, tracker, {}))
    text = dispatcher.messages[0]["text"]
    assert text == texts.TICKET_NOT_FOUND
    assert text.startswith("未找到该工单")
    assert _meta(dispatcher) == {
        "kind": "ticket_status",
        "item": None,
        "aspect": None,
        "confidence": None,
        "sources": [],
        "ticket": None,
        "knowledge_version": None,
        "guide": None,
        "policy": None,
    }


def test_rate_limited_lookup_says_so(fake_app: FakeApp, make_tracker: Any) -> None:
    tracker = make_tracker([user_event(LIMITED_TICKET, "ask_ticket_status")])
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTicketStatus().run(dispatcher, tracker, {}))
    assert dispatcher.messages[0]["text"].startswith("查询次数过多")


@pytest.mark.parametrize(
    "text",
    [
        "我上周反映的那个工单 GD20261101-0001 处理到哪一步了",
        "status of my ticket WT-20260930-0412?",
        "单号ab20250815-93",
        "工单编号 #7730021b 帮我看下",  # a code after a ticket word, in no form of ours (`code_after_ticket_word`)
        "受理号№ 20240511003 进度如何",
        "单号：A2024-55731",
    ],
)
def test_a_number_of_another_form_is_not_found_without_a_lookup(
    fake_app: FakeApp, make_tracker: Any, text: str
) -> None:
    tracker = make_tracker([user_event(text, "ask_ticket_status")])
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTicketStatus().run(dispatcher, tracker, {}))
    assert fake_app.requests == []
    assert dispatcher.messages[0]["text"] == texts.TICKET_NOT_FOUND
    assert _meta(dispatcher)["kind"] == "ticket_status"


@pytest.mark.parametrize("text", ["查一下工单进度", "工单号忘了，电话13800138000", "编号 1234 是什么意思"])
def test_missing_number_is_asked_for(fake_app: FakeApp, make_tracker: Any, text: str) -> None:
    tracker = make_tracker([user_event(text, "ask_ticket_status")])
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionTicketStatus().run(dispatcher, tracker, {}))
    assert fake_app.requests == []
    assert dispatcher.messages[0]["text"] == texts.ASK_TICKET_NUMBER
    assert _meta(dispatcher)["kind"] == "ticket_status"


@pytest.mark.parametrize(("rating", "rectify"), [("不满意", True), ("满意", False)])
def test_rating_is_posted_with_the_session(fake_app: FakeApp, make_tracker: Any, rating: str, rectify: bool) -> None:
    payload = f'/rate_ticket{{"ticket_number":"{KNOWN_TICKET}","rating":"{rating}"}}'
    entities = [
        {"entity": "ticket_number", "value": KNOWN_TICKET},
        {"entity": "rating", "value": rating},
    ]
    tracker = make_tracker([user_event(payload, "rate_ticket", entities)], sender_id="sess-9")
    dispatcher = CollectingDispatcher()

    asyncio.run(ActionRateTicket().run(dispatcher, tracker, {}))

    (call,) = fake_app.calls("POST", "/api/internal/tickets/")
    assert call.path == f"/api/internal/tickets/{KNOWN_TICKET}/rating"
    assert call.body == {"session_id": "sess-9", "rating": rating, "comment": None}
    text = dispatcher.messages[0]["text"]
    assert rating in text
    assert (texts.RATING_RECTIFY in text) is rectify
    assert _meta(dispatcher)["kind"] == "smalltalk"


def test_handoff_gives_the_deployment_phone_and_12345(fake_app: FakeApp, make_tracker: Any, set_helpline: Any) -> None:
    set_helpline("0731-12320")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandoff().run(dispatcher, make_tracker([user_event("转人工", "ask_human")]), {}))
    text = dispatcher.messages[0]["text"]
    assert "0731-12320" in text and "12345" in text
    assert _meta(dispatcher)["kind"] == "handoff"


def test_handoff_default_phone_is_12345_once(fake_app: FakeApp, make_tracker: Any) -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandoff().run(dispatcher, make_tracker([user_event("人工", "ask_human")]), {}))
    assert dispatcher.messages[0]["text"].count("12345") == 1


def test_nothing_is_read_at_import() -> None:
    """Importing the action modules reads no settings and opens nothing (the SDK imports them all)."""
    import importlib
    import pkgutil

    import actions
    from actions.app_client import get_settings

    get_settings.cache_clear()
    names = [m.name for m in pkgutil.iter_modules(actions.__path__) if m.name != "app_client"]
    assert {"answer", "complaint_form", "ticket_status", "rating", "handoff", "meta", "texts"} <= set(names)
    for name in names:
        importlib.reload(importlib.import_module(f"actions.{name}"))
    assert get_settings.cache_info().currsize == 0


def test_rating_from_another_conversation_is_refused_clearly(fake_app: FakeApp, make_tracker: Any) -> None:
    entities = [
        {"entity": "ticket_number", "value": KNOWN_TICKET},
        {"entity": "rating", "value": "满意"},
    ]
    tracker = make_tracker([user_event("/rate_ticket", "rate_ticket", entities)], sender_id="someone-else")
    dispatcher = CollectingDispatcher()

    asyncio.run(ActionRateTicket().run(dispatcher, tracker, {}))

    assert dispatcher.messages[0]["text"] == texts.RATING_FORBIDDEN


def test_handoff_during_the_intake_ends_it(fake_app: FakeApp, make_tracker: Any) -> None:
    tracker = make_tracker(
        [user_event("转人工", "ask_human")],
        slots={"complaint_item": "医疗广告审查", "requested_slot": "complaint_description"},
        active_loop="complaint_form",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandoff().run(dispatcher, tracker, {}))
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert {"event": "slot", "timestamp": None, "name": "complaint_item", "value": None} in events
    assert _meta(dispatcher)["kind"] == "handoff"


def test_the_full_number_in_the_text_wins_over_a_cut_entity(fake_app: FakeApp, make_tracker: Any) -> None:
    entities = [{"entity": "ticket_number", "value": "BBC-20261122-0007"}]  # the old regex stops before the code
    tracker = make_tracker([user_event(f"查一下{KNOWN_TICKET}", "ask_ticket_status", entities)])
    asyncio.run(ActionTicketStatus().run(CollectingDispatcher(), tracker, {}))
    (call,) = fake_app.calls("POST", "/api/internal/tickets/status")
    assert call.body["number"] == KNOWN_TICKET
