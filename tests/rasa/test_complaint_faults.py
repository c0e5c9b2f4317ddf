"""The 办不成事 intake under faults: answers kept through a failed submit, one key per complaint,
numbers that cannot reach the ticket refused, and the conversation's item carried into the complaint."""

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
from actions.complaint_submit import ActionSubmitComplaint

pytestmark = [pytest.mark.rasa]

DOMAIN: dict[str, Any] = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))
REPORT = user_event("我要反映办不成事", "report_problem", ts=1.0)
FILLED = {
    "complaint_item": "医疗广告审查",
    "complaint_item_code": "medical-advertising-review",
    "complaint_description": "窗口说不归他们管，让我去别的部门，别的部门又让我回来，来回跑了三趟都没有办成",
    "complaint_place": "窗口",
    "complaint_contact": "138****8000",
    "complaint_key": "sess-1:complaint:abc",
}


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def _validate(make_tracker: Any, events: list[dict[str, Any]], slots: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    tracker = make_tracker(events, slots=slots, active_loop="complaint_form")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateComplaintForm().run(dispatcher, tracker, DOMAIN))
    return _slots(result), dispatcher


def _submit(make_tracker: Any, history: list[dict[str, Any]], slots: dict[str, Any]) -> tuple[list[Any], Any]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSubmitComplaint().run(dispatcher, make_tracker(history, slots=slots), DOMAIN))
    return events, dispatcher


def test_failed_submit_keeps_the_answers_and_a_later_confirmation_submits_them(
    app_down: None, make_tracker: Any, fake_app_server: FakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reported fault: the form asked every question, then discarded everything on submit."""
    history = [REPORT, bot_event("请核对", 2.0), user_event("/affirm", "affirm", ts=3.0)]
    events, dispatcher = _submit(make_tracker, history, {**FILLED, "complaint_confirmed": True})
    text = dispatcher.messages[0]["text"]
    assert "系统繁忙" in text and "12345" in text and "保留" in text
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]
    slots = _slots(events)
    # Nothing the citizen gave is reset; the form waits at the confirmation again, listening first.
    assert slots == {"complaint_confirmed": None, "requested_slot": "complaint_confirmed"}
    assert {"event": "active_loop", "name": "complaint_form", "timestamp": None} in events
    assert events[-1]["event"] == "followup" and events[-1]["name"] == "action_listen"

    # The app is back; the citizen confirms again: the form takes it, the submit sends the same complaint.
    from actions.app_client import get_settings

    monkeypatch.setenv("APP_URL", fake_app_server.url)
    get_settings.cache_clear()
    fake_app_server.requests.clear()
    history += [bot_event(text, 4.0), user_event("/affirm", "affirm", ts=5.0)]
    kept = {**FILLED, "requested_slot": "complaint_confirmed"}
    validated, _ = _validate(make_tracker, history, kept)
    assert validated == {"complaint_confirmed": True}
    events, dispatcher = _submit(make_tracker, history, {**kept, "complaint_confirmed": True})
    (call,) = fake_app_server.calls("POST", "/api/internal/tickets")
    assert call.body["idempotency_key"] == "sess-1:complaint:abc"
    assert call.body["description"] == FILLED["complaint_description"]
    assert call.body["contact_masked"] == "138****8000"
    assert _slots(events)["last_ticket_number"] == CREATED_TICKET


def test_the_key_identifies_the_complaint_not_the_message(fake_app: FakeApp, make_tracker: Any) -> None:
    """The reported fault: a confirmation retried after a crash (new message id) would file a second ticket."""
    slots, _ = _validate(make_tracker, [REPORT], {"requested_slot": None})
    key = slots["complaint_key"]
    assert key.startswith("sess-1:complaint:")
    # A later turn of the same complaint keeps the key; two submits from different messages send it both times.
    later, _ = _validate(
        make_tracker, [REPORT, user_event("网上提交被退回三次", "inform", ts=3.0)], {"complaint_key": key}
    )
    assert "complaint_key" not in later
    for ts in (10.0, 11.0):
        _submit(
            make_tracker,
            [REPORT, user_event("/affirm", "affirm", ts=ts)],
            {**FILLED, "complaint_key": key, "complaint_confirmed": True},
        )
    keys = [c.body["idempotency_key"] for c in fake_app.calls("POST", "/api/internal/tickets")]
    assert keys == [key, key]


def test_a_masked_looking_number_is_refused_with_a_reask(fake_app: FakeApp, make_tracker: Any) -> None:
    """138****0000 typed as such: no full number exists behind it, so the ticket could not be called back."""
    slots, dispatcher = _validate(
        make_tracker,
        [REPORT, user_event("138****0000", "inform", ts=3.0)],
        {"requested_slot": "complaint_contact", "complaint_place": "窗口", "complaint_key": "k"},
    )
    assert slots == {"complaint_contact": None}
    assert dispatcher.messages[0]["text"] == texts.CONTACT_NOT_RECEIVED
    (call,) = fake_app.calls("POST", "/api/internal/contacts/known")
    assert call.body == {"session_id": "sess-1", "masked": "138****0000"}


def test_a_number_the_gateway_kept_is_accepted(fake_app: FakeApp, make_tracker: Any) -> None:
    slots, dispatcher = _validate(
        make_tracker,
        [REPORT, user_event("138****8000", "inform", ts=3.0)],
        {"requested_slot": "complaint_contact", "complaint_place": "窗口", "complaint_key": "k"},
    )
    assert slots == {"complaint_contact": "138****8000"}
    assert dispatcher.messages == []


def test_the_item_discussed_prefills_the_complaint(fake_app: FakeApp, make_tracker: Any) -> None:
    report = user_event("这个事项一直办不成，我要反映", "report_problem", ts=3.0)
    events = [user_event("护士执业注册要什么材料", "ask_item", ts=1.0), bot_event("……", 2.0), report]
    slots, _ = _validate(
        make_tracker,
        events,
        {"requested_slot": None, "item_name": "护士执业注册", "item_code": "nurse-practice-registration"},
    )
    assert slots["complaint_item"] == "护士执业注册"
    assert slots["complaint_item_code"] == "nurse-practice-registration"


def test_a_report_naming_another_item_is_not_prefilled_with_the_old_one(fake_app: FakeApp, make_tracker: Any) -> None:
    report = user_event("我在窗口办医疗广告审查被推来推去办不成", "report_problem", ts=3.0)
    slots, _ = _validate(
        make_tracker,
        [report],
        {"requested_slot": None, "item_name": "护士执业注册", "item_code": "nurse-practice-registration"},
    )
    assert "complaint_item" not in slots


def test_the_description_keeps_the_full_text(fake_app: FakeApp, make_tracker: Any) -> None:
    long_text = "窗口工作人员说材料不全，" * 120  # 1,440 characters: longer than the old 1,000 cut
    slots, _ = _validate(
        make_tracker,
        [REPORT, user_event(long_text, "inform", ts=3.0)],
        {"requested_slot": "complaint_description", "complaint_key": "k"},
    )
    assert slots["complaint_description"] == long_text
