"""What a message typed into the 办不成事 intake may fill: never a button payload, and a long answer to "which item?"
is the description too (actions/complaint_text.py, through the form's validation)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from action_fixtures import FakeApp, bot_event, user_event
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.complaint_form import ValidateComplaintForm
from actions.complaint_text import NARRATIVE_ITEM_ANSWER_CHARS, echoes_payload, intent_names, narrative_item_answer

pytestmark = [pytest.mark.rasa]

DOMAIN: dict[str, Any] = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text("utf-8"))
REPORT = user_event("我想反映个问题就是办事办不成", "report_problem", ts=1.0)
STORY = (
    "就是在卫健局窗口办放射工作人员证说我们单位的申请表盖章不对让重新盖盖完再去"
    "又说负责的人不在让下周再来已经拖了二十多天了"
)


def _validate(make_tracker: Any, events: list[dict[str, Any]], slots: dict[str, Any]) -> dict[str, Any]:
    tracker = make_tracker(events, slots={"complaint_key": "s:complaint:k", **slots}, active_loop="complaint_form")
    result = asyncio.run(ValidateComplaintForm().run(CollectingDispatcher(), tracker, DOMAIN))
    return {e["name"]: e["value"] for e in result if e.get("event") == "slot"}


def test_the_domains_intent_names_are_read_in_both_forms() -> None:
    assert {"affirm", "deny", "report_problem"} <= intent_names(DOMAIN)
    assert intent_names({"intents": ["greet", {"affirm": {"use_entities": []}}]}) == {"greet", "affirm"}


@pytest.mark.parametrize("text", ["affirm", "/affirm", "／deny", "deny", ' /rate_ticket{"rating": "满意"}'])
def test_a_payload_or_a_bare_intent_name_is_no_text(text: str) -> None:
    assert echoes_payload(text, DOMAIN)


@pytest.mark.parametrize("text", ["窗口", "他们不给办", "affirmative answer", "护士执业注册"])
def test_words_are_text(text: str) -> None:
    assert not echoes_payload(text, DOMAIN)


def test_only_a_long_item_answer_tells_what_happened() -> None:
    assert narrative_item_answer(STORY, kept=False)
    assert not narrative_item_answer(STORY, kept=True)  # a description already kept is not replaced
    assert not narrative_item_answer("放射工作人员证", kept=False)
    assert not narrative_item_answer("办" * (NARRATIVE_ITEM_ANSWER_CHARS - 1), kept=False)


def test_a_stale_confirm_button_sent_as_words_fills_no_description(fake_app: FakeApp, make_tracker: Any) -> None:
    events = [REPORT, bot_event(texts.ASK_DESCRIPTION, 2.0), user_event("affirm", "affirm", ts=3.0)]
    slots = _validate(make_tracker, events, {"requested_slot": "complaint_description"})
    assert slots.get("complaint_description") is None


def test_a_stale_button_fills_no_item_and_no_place(fake_app: FakeApp, make_tracker: Any) -> None:
    events = [REPORT, user_event("deny", "deny", ts=3.0)]
    assert _validate(make_tracker, events, {"requested_slot": "complaint_item"}).get("complaint_item") is None
    assert _validate(make_tracker, events, {"requested_slot": "complaint_place"}).get("complaint_place") is None


def test_a_story_told_for_which_item_fills_the_item_and_the_description(fake_app: FakeApp, make_tracker: Any) -> None:
    events = [REPORT, bot_event(texts.ASK_ITEM, 2.0), user_event(STORY, "report_problem", ts=3.0)]
    slots = _validate(make_tracker, events, {"requested_slot": "complaint_item"})
    assert slots["complaint_item"]
    assert slots["complaint_description"] == STORY


def test_a_bare_item_name_leaves_the_description_to_be_asked(fake_app: FakeApp, make_tracker: Any) -> None:
    events = [REPORT, bot_event(texts.ASK_ITEM, 2.0), user_event("医疗广告审查", "ask_item", ts=3.0)]
    slots = _validate(make_tracker, events, {"requested_slot": "complaint_item"})
    assert slots["complaint_item"] == "医疗广告审查"
    assert "complaint_description" not in slots or slots["complaint_description"] is None


def test_an_echoed_intent_for_the_asked_slot_is_refused_as_an_event(fake_app: FakeApp, make_tracker: Any) -> None:
    """The asked slot is set to None (the form asks again), not left out: an extraction with no event for the asked
    slot makes Rasa reject the form, and its fallback and the form then alternate until the circuit breaker trips
    (a typed "/affirm" at the intake's first questions left the session answering 503)."""
    item = _validate(
        make_tracker, [REPORT, user_event("affirm", "affirm", ts=3.0)], {"requested_slot": "complaint_item"}
    )
    assert "complaint_item" in item and item["complaint_item"] is None
    events = [REPORT, bot_event(texts.ASK_DESCRIPTION, 2.0), user_event("affirm", "affirm", ts=3.0)]
    told = _validate(make_tracker, events, {"requested_slot": "complaint_description"})
    assert "complaint_description" in told and told["complaint_description"] is None
