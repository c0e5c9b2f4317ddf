"""The 办不成事 intake: extraction/validation of the form slots, its questions, submit and cancel."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from action_fixtures import CREATED_TICKET, FakeApp, bot_event, user_event
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.complaint_form import ValidateComplaintForm
from actions.complaint_questions import ActionAskComplaintConfirmed, ActionAskComplaintItem
from actions.complaint_submit import ActionCancelComplaint, ActionSubmitComplaint
from actions.complaint_text import detect_place, find_contact

pytestmark = [pytest.mark.rasa]

DOMAIN: dict[str, Any] = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))
REPORT = user_event("我在窗口办医疗广告审查被推来推去办不成", "report_problem", ts=1.0)


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def _kinds(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["custom"]["meta"]["kind"] for m in dispatcher.messages if m.get("custom")]


def _validate(make_tracker: Any, events: list[dict[str, Any]], slots: dict[str, Any]) -> tuple[Any, Any]:
    tracker = make_tracker(
        events, slots={"complaint_key": "sess-1:complaint:k1", **slots}, active_loop="complaint_form"
    )
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateComplaintForm().run(dispatcher, tracker, DOMAIN))
    return _slots(result), dispatcher


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("在大厅窗口排了半天", "窗口"),
        ("网上提交一直失败", "网上"),
        ("政务服务网上传不了", "网上"),
        ("用APP申请的", "网上"),
        ("小程序里一直审核中", "网上"),
        ("他们不给办", None),
    ],
)
def test_detect_place(text: str, place: str | None) -> None:
    assert detect_place(text) == place


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("138****8000", "138****8000"),
        ("我的电话是139****1234，谢谢", "139****1234"),
        ("13800138000", "138****8000"),  # the gateway was bypassed: masked here
        ("1380013", None),
        ("128****8000", None),  # second digit must be 3-9
        ("138****80001", None),
    ],
)
def test_find_contact(text: str, contact: str | None) -> None:
    assert find_contact(text) == contact


def test_activation_detects_place_but_does_not_take_the_report_as_item(fake_app: FakeApp, make_tracker: Any) -> None:
    slots, _ = _validate(make_tracker, [REPORT], {"requested_slot": None})
    assert slots == {"complaint_place": "窗口"}


def test_item_answer_is_normalised_to_the_kb_name(fake_app: FakeApp, make_tracker: Any) -> None:
    events = [REPORT, bot_event(texts.ASK_ITEM, 2.0), user_event("医疗广告审查", "ask_item", ts=3.0)]
    slots, _ = _validate(make_tracker, events, {"requested_slot": "complaint_item"})
    assert slots["complaint_item"] == "医疗广告审查"
    assert slots["complaint_item_code"] == "medical-advertising-review"
    (call,) = fake_app.calls("POST", "/api/items/match")
    assert call.body == {"text": "医疗广告审查"}
    assert call.query == {}  # the citizen's words never go into a URL


def test_unmatched_item_keeps_the_citizens_words(fake_app: FakeApp, make_tracker: Any) -> None:
    events = [REPORT, user_event("就是那个开店要的证", "ask_item", ts=3.0)]
    slots, _ = _validate(make_tracker, events, {"requested_slot": "complaint_item"})
    assert slots["complaint_item"] == "就是那个开店要的证"
    assert slots["complaint_item_code"] is None


def test_description_too_short_is_reasked(fake_app: FakeApp, make_tracker: Any) -> None:
    events = [REPORT, user_event("不行", "deny", ts=3.0)]
    slots, dispatcher = _validate(make_tracker, events, {"requested_slot": "complaint_description"})
    assert slots["complaint_description"] is None
    assert dispatcher.messages[0]["text"] == texts.DESCRIPTION_TOO_SHORT


def test_phone_and_place_given_early_are_kept(fake_app: FakeApp, make_tracker: Any) -> None:
    first = user_event("我要投诉", "report_problem", ts=1.0)
    text = "网上提交一直失败，电话139****1234"
    events = [first, user_event(text, "report_problem", ts=3.0)]
    slots, _ = _validate(make_tracker, events, {"requested_slot": "complaint_description"})
    assert slots == {
        "complaint_description": text,
        "complaint_place": "网上",
        "complaint_contact": "139****1234",
    }


@pytest.mark.parametrize("text", ["138****8000"])
def test_masked_mobile_is_accepted(fake_app: FakeApp, make_tracker: Any, text: str) -> None:
    slots, dispatcher = _validate(
        make_tracker,
        [REPORT, user_event(text, "affirm", ts=3.0)],
        {"requested_slot": "complaint_contact", "complaint_place": "窗口"},
    )
    assert slots == {"complaint_contact": "138****8000"}
    assert dispatcher.messages == []


@pytest.mark.parametrize("text", ["1380013", "128****8000", "我不想留"])
def test_invalid_mobile_is_reasked_with_a_reason(fake_app: FakeApp, make_tracker: Any, text: str) -> None:
    slots, dispatcher = _validate(
        make_tracker,
        [REPORT, user_event(text, "deny", ts=3.0)],
        {"requested_slot": "complaint_contact", "complaint_place": "窗口"},
    )
    assert slots == {"complaint_contact": None}
    assert dispatcher.messages[0]["text"] == texts.CONTACT_INVALID


def test_cancel_extracts_nothing_so_the_form_rejects(fake_app: FakeApp, make_tracker: Any) -> None:
    slots, _ = _validate(
        make_tracker,
        [REPORT, user_event("算了不办了", "cancel", ts=3.0)],
        {"requested_slot": "complaint_contact", "complaint_place": "窗口"},
    )
    assert slots == {}


@pytest.mark.parametrize(("intent", "value"), [("affirm", True), ("deny", False)])
def test_summary_answer(fake_app: FakeApp, make_tracker: Any, intent: str, value: bool) -> None:
    slots, _ = _validate(
        make_tracker,
        [REPORT, user_event(f"/{intent}", intent, ts=3.0)],
        {"requested_slot": "complaint_confirmed", "complaint_place": "窗口"},
    )
    assert slots == {"complaint_confirmed": value}


def test_unclear_summary_answer_is_reasked(fake_app: FakeApp, make_tracker: Any) -> None:
    slots, dispatcher = _validate(
        make_tracker,
        [REPORT, user_event("嗯……我再想想", "chitchat", ts=3.0)],
        {"requested_slot": "complaint_confirmed", "complaint_place": "窗口"},
    )
    assert slots == {"complaint_confirmed": None}
    assert dispatcher.messages[0]["text"] == texts.CONFIRM_REPROMPT


def test_place_is_asked_with_buttons_only_when_not_detected(fake_app: FakeApp, make_tracker: Any) -> None:
    report = user_event("我要投诉", "report_problem", ts=1.0)
    events = [report, user_event("跳过", "deny", ts=3.0)]
    slots, _ = _validate(make_tracker, events, {"requested_slot": "complaint_place"})
    assert slots == {"complaint_place": texts.PLACE_UNKNOWN}


def test_ask_item_offers_the_named_item(fake_app: FakeApp, make_tracker: Any) -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskComplaintItem().run(dispatcher, make_tracker([REPORT]), DOMAIN))
    msg = dispatcher.messages[0]
    assert msg["buttons"] == [{"title": "医疗广告审查", "payload": "医疗广告审查"}]
    assert _kinds(dispatcher) == ["escalate"]


def test_ask_item_without_app_still_asks(app_down: None, make_tracker: Any) -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskComplaintItem().run(dispatcher, make_tracker([REPORT]), DOMAIN))
    assert dispatcher.messages[0]["text"] == texts.ASK_ITEM
    assert _kinds(dispatcher) == ["escalate"]


FILLED = {
    "complaint_item": "医疗广告审查",
    "complaint_item_code": "medical-advertising-review",
    "complaint_description": "窗口说不归他们管，让我去别的部门，别的部门又让我回来",
    "complaint_place": "窗口",
    "complaint_contact": "138****8000",
}


def test_summary_lists_the_fields_with_confirm_buttons(fake_app: FakeApp, make_tracker: Any) -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskComplaintConfirmed().run(dispatcher, make_tracker([REPORT], slots=FILLED), DOMAIN))
    msg = dispatcher.messages[0]
    for value in FILLED.values():
        if value != "medical-advertising-review":
            assert value in msg["text"]
    assert msg["buttons"] == [
        {"title": "确认提交", "payload": "/affirm"},
        {"title": "取消", "payload": "/deny"},
    ]
    assert _kinds(dispatcher) == ["escalate"]


def test_submit_creates_the_ticket_and_reports_number_and_deadline(fake_app: FakeApp, make_tracker: Any) -> None:
    history = [REPORT]
    for i in range(6):
        history += [bot_event(f"问{i}", 2.0 + i), user_event(f"答{i}", "ask_item", ts=2.5 + i)]
    history.append(user_event("/affirm", "affirm", ts=20.0))
    tracker = make_tracker(history, slots={**FILLED, "complaint_confirmed": True})
    dispatcher = CollectingDispatcher()

    events = asyncio.run(ActionSubmitComplaint().run(dispatcher, tracker, DOMAIN))

    (call,) = fake_app.calls("POST", "/api/internal/tickets")
    body = call.body
    assert body["session_id"] == "sess-1"
    assert body["idempotency_key"] == "sess-1:m20.0"
    assert body["item_code"] == "medical-advertising-review"
    assert body["item_name"] == "医疗广告审查"
    assert body["place"] == "窗口"
    assert body["contact_masked"] == "138****8000"
    assert len(body["excerpt"]) == 10
    assert body["excerpt"][-1] == {"role": "citizen", "text": "/affirm"}
    assert {e["role"] for e in body["excerpt"]} == {"citizen", "assistant"}
    assert call.token == "test-internal-token"
    text = dispatcher.messages[0]["text"]
    assert CREATED_TICKET in text and "2026-11-29" in text and "市卫生健康委医政科" in text
    meta = next(m["custom"]["meta"] for m in dispatcher.messages if m.get("custom"))
    assert meta["kind"] == "ticket_created"
    assert meta["ticket"] == {"id": CREATED_TICKET, "status": "已提交"}
    slots = _slots(events)
    assert slots["complaint_item"] is None and slots["complaint_contact"] is None
    assert slots["last_ticket_number"] == CREATED_TICKET


def test_submit_refused_creates_nothing(fake_app: FakeApp, make_tracker: Any) -> None:
    tracker = make_tracker(
        [REPORT, user_event("/deny", "deny", ts=5.0)], slots={**FILLED, "complaint_confirmed": False}
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSubmitComplaint().run(dispatcher, tracker, DOMAIN))
    assert fake_app.calls("POST", "/api/internal/tickets") == []
    assert dispatcher.messages[0]["text"] == texts.COMPLAINT_CANCELLED


def test_submit_with_app_down_says_so(app_down: None, make_tracker: Any) -> None:
    tracker = make_tracker(
        [REPORT, user_event("/affirm", "affirm", ts=5.0)], slots={**FILLED, "complaint_confirmed": True}
    )
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSubmitComplaint().run(dispatcher, tracker, DOMAIN))
    assert "没有提交成功" in dispatcher.messages[0]["text"]
    assert _kinds(dispatcher) == ["escalate"]


def test_cancel_deactivates_the_form(fake_app: FakeApp, make_tracker: Any) -> None:
    tracker = make_tracker([REPORT, user_event("算了", "cancel", ts=5.0)], slots=FILLED, active_loop="complaint_form")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionCancelComplaint().run(dispatcher, tracker, DOMAIN))
    assert {"event": "active_loop", "timestamp": None, "name": None} in events
    assert _slots(events)["complaint_item"] is None
    assert dispatcher.messages[0]["text"] == texts.COMPLAINT_CANCELLED


def test_cancel_outside_the_intake_is_a_plain_acknowledgement(fake_app: FakeApp, make_tracker: Any) -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCancelComplaint().run(dispatcher, make_tracker([user_event("算了", "cancel")]), DOMAIN))
    assert dispatcher.messages[0]["text"] == texts.NOTHING_TO_CANCEL
    assert _kinds(dispatcher) == ["smalltalk"]


def test_asking_for_a_human_is_not_taken_as_an_answer(fake_app: FakeApp, make_tracker: Any) -> None:
    slots, _ = _validate(
        make_tracker,
        [REPORT, user_event("转人工", "ask_human", ts=3.0)],
        {"requested_slot": "complaint_item", "complaint_place": "窗口"},
    )
    assert slots == {}


def test_place_is_found_in_the_first_report_even_after_other_report_like_messages(
    fake_app: FakeApp, make_tracker: Any
) -> None:
    from actions.complaint_form import complaint_user_texts

    events = [
        user_event("护士注册要什么材料", "ask_item", ts=0.5),
        user_event("我在大厅办护士注册被推来推去", "report_problem", ts=1.0),
        {"event": "action", "name": "complaint_form"},
        {"event": "active_loop", "name": "complaint_form"},
        user_event("护士执业注册", "ask_item", ts=3.0),
        user_event("说我材料不对又不说哪里不对，我要投诉", "report_problem", ts=4.0),
    ]
    tracker = make_tracker(events, active_loop="complaint_form")
    assert complaint_user_texts(tracker) == [
        "我在大厅办护士注册被推来推去",
        "护士执业注册",
        "说我材料不对又不说哪里不对，我要投诉",
    ]
    slots, _ = _validate(make_tracker, events, {"requested_slot": "complaint_contact"})
    assert slots["complaint_place"] == "窗口"


def test_ask_item_offers_no_guess_when_the_report_names_no_item(fake_app: FakeApp, make_tracker: Any) -> None:
    dispatcher = CollectingDispatcher()
    report = user_event("我要投诉", "report_problem")
    asyncio.run(ActionAskComplaintItem().run(dispatcher, make_tracker([report]), DOMAIN))
    assert dispatcher.messages[0]["text"] == texts.ASK_ITEM
    assert not dispatcher.messages[0]["buttons"]


@pytest.mark.parametrize("text", ["138****8000", "我的手机号 138****8000", "联系电话：13800138000"])
def test_a_phone_given_for_the_place_fills_the_contact_not_the_place(
    fake_app: FakeApp, make_tracker: Any, text: str
) -> None:
    report = user_event("我要投诉", "report_problem", ts=1.0)
    events = [report, user_event(text, "inform", ts=3.0)]
    slots, _ = _validate(make_tracker, events, {"requested_slot": "complaint_place"})
    assert slots["complaint_place"] == texts.PLACE_UNKNOWN
    assert slots["complaint_contact"] == "138****8000"


def test_a_place_told_beside_the_phone_is_still_the_place(fake_app: FakeApp, make_tracker: Any) -> None:
    report = user_event("我要投诉", "report_problem", ts=1.0)
    events = [report, user_event("在区政务服务中心，电话138****8000", "inform", ts=3.0)]
    slots, _ = _validate(make_tracker, events, {"requested_slot": "complaint_place"})
    assert slots["complaint_place"] == "窗口"
