"""action_answer relays what the knowledge engine decides and keeps the context slots."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from action_fixtures import FakeApp, user_event
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer

pytestmark = [pytest.mark.rasa]


def _meta(dispatcher: CollectingDispatcher) -> dict[str, Any]:
    metas = [m["custom"]["meta"] for m in dispatcher.messages if m.get("custom")]
    assert len(metas) == 1
    return metas[0]


def _region_set(value: str) -> dict[str, Any]:
    return {"event": "slot", "name": "region", "value": value}


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_answer_sends_text_sources_meta_and_sets_context(fake_app: FakeApp, make_tracker: Any) -> None:
    earlier = [_region_set("山东")]  # the conversation named 山东 before
    tracker = make_tracker([*earlier, user_event("护士执业注册要什么材料", "ask_item")], slots={"region": "山东"})
    dispatcher = CollectingDispatcher()

    events = asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))

    (call,) = fake_app.calls("POST", "/api/search")
    assert call.body == {
        "text": "护士执业注册要什么材料",
        "context": {"item_code": None, "sub_item": None, "aspect": None},
        "region": "山东",
    }
    assert call.token == "test-internal-token"
    text = dispatcher.messages[0]["text"]
    assert "护士执业资格考试成绩合格证明" in text
    assert "来源：护士执业注册管理办法（全国）；山东省护士执业注册指南（山东省）" in text
    assert "third" not in text  # at most two sources shown
    meta = _meta(dispatcher)
    assert meta["kind"] == "answer"
    assert meta["item"] == {"code": "nurse-practice-registration", "name": "护士执业注册"}
    assert meta["aspect"] == "materials"
    assert meta["confidence"] == pytest.approx(0.91)
    assert len(meta["sources"]) == 3 and meta["ticket"] is None
    assert meta["knowledge_version"] == 7  # the published version the answer came from
    slots = _slots(events)
    assert slots == {
        "last_question": "护士执业注册要什么材料",
        "item_code": "nurse-practice-registration",
        "item_name": "护士执业注册",
        "sub_item": "首次注册",
        "aspect": "materials",
    }


def test_follow_up_sends_previous_context(fake_app: FakeApp, make_tracker: Any) -> None:
    context = {"item_code": "nurse-practice-registration", "sub_item": "首次注册", "aspect": "materials"}
    tracker = make_tracker([user_event("那要多久？", "ask_item")], slots=context)
    dispatcher = CollectingDispatcher()

    events = asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))

    (call,) = fake_app.calls("POST", "/api/search")
    assert call.body["context"] == context
    assert "20个工作日" in dispatcher.messages[0]["text"]
    assert SlotSet("aspect", "time_limit") in events
    assert _meta(dispatcher)["aspect"] == "time_limit"


def test_the_place_a_question_names_is_kept_for_later_questions(fake_app: FakeApp, make_tracker: Any) -> None:
    tracker = make_tracker([user_event("我在广州开护理站，护士注册要多久", "ask_item")])
    events = asyncio.run(ActionAnswer().run(CollectingDispatcher(), tracker, {}))
    assert SlotSet("region", "广州") in events
    # the next question carries it; the slot is not set again
    later = make_tracker([_region_set("广州"), user_event("那要多久？", "ask_item")], slots={"region": "广州"})
    events = asyncio.run(ActionAnswer().run(CollectingDispatcher(), later, {}))
    assert fake_app.calls("POST", "/api/search")[-1].body["region"] == "广州"
    assert not [e for e in events if e.get("name") == "region"]


def test_a_place_tagged_in_the_current_message_is_left_to_the_engine(fake_app: FakeApp, make_tracker: Any) -> None:
    """Rasa fills the region slot from DIET's entity of this very message ("贵州" in "贵州遵义"); the engine reads the
    place from the text itself, so only the place named before this message is sent as the conversation's."""
    events = [_region_set("广州"), user_event("我们店在贵州遵义，去哪里办", "ask_item"), _region_set("贵州")]
    tracker = make_tracker(events, slots={"region": "贵州"})
    asyncio.run(ActionAnswer().run(CollectingDispatcher(), tracker, {}))
    assert fake_app.calls("POST", "/api/search")[-1].body["region"] == "广州"
    first = make_tracker(
        [user_event("我们店在贵州遵义，去哪里办", "ask_item"), _region_set("贵州")], slots={"region": "贵州"}
    )
    asyncio.run(ActionAnswer().run(CollectingDispatcher(), first, {}))
    assert fake_app.calls("POST", "/api/search")[-1].body["region"] is None


def test_clarify_offers_choices_as_buttons_and_keeps_item_context(fake_app: FakeApp, make_tracker: Any) -> None:
    tracker = make_tracker([user_event("我要办许可证", "ask_item")], slots={"item_code": None})
    dispatcher = CollectingDispatcher()

    events = asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))

    msg = dispatcher.messages[0]
    assert msg["text"] == "您想办的是哪一种许可证？"
    assert [b["title"] for b in msg["buttons"]] == ["公共场所卫生许可", "放射诊疗许可"]
    assert msg["buttons"][0]["payload"] == '/ask_item{"item_code": "public-place-hygiene-permit"}'
    assert msg["buttons"][1]["payload"] == '/ask_item{"item_code": "radiation-diagnosis-permit"}'
    assert _meta(dispatcher)["kind"] == "clarify"
    assert _slots(events) == {"last_question": "我要办许可证"}


def test_sub_item_clarify_builds_sub_item_buttons_and_keeps_the_item(fake_app: FakeApp, make_tracker: Any) -> None:
    tracker = make_tracker([user_event("出生医学证明要什么材料", "ask_item")], slots={"item_code": None})
    dispatcher = CollectingDispatcher()

    events = asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))

    msg = dispatcher.messages[0]
    assert [b["payload"] for b in msg["buttons"]] == [
        '/ask_item{"item_code": "birth-medical-certificate", "sub_item": "首次"}',
        '/ask_item{"item_code": "birth-medical-certificate", "sub_item": "补发"}',
    ]
    assert _meta(dispatcher)["kind"] == "clarify"
    slots = _slots(events)
    assert slots["item_code"] == "birth-medical-certificate" and slots["item_name"] == "出生医学证明"
    assert slots["aspect"] == "materials" and slots["sub_item"] is None


def test_clarify_choice_reasks_last_question_with_chosen_item(fake_app: FakeApp, make_tracker: Any) -> None:
    payload = '/ask_item{"item_code": "public-place-hygiene-permit"}'
    entities = [{"entity": "item_code", "value": "public-place-hygiene-permit"}]
    tracker = make_tracker(
        [user_event(payload, "ask_item", entities)],
        slots={"last_question": "我要办许可证", "aspect": "materials", "item_code": "old-item"},
    )
    dispatcher = CollectingDispatcher()

    events = asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))

    (call,) = fake_app.calls("POST", "/api/search")
    assert call.body["text"] == "我要办许可证"
    assert call.body["context"] == {
        "item_code": "public-place-hygiene-permit",
        "sub_item": None,
        "aspect": "materials",
        "chosen": True,  # a pressed button: the engine answers the choice (knowledge/decide/clarify_reply.py)
    }
    assert "last_question" not in _slots(events)  # the payload is not a question
    assert _slots(events)["item_name"] == "公共场所卫生许可"
    assert _meta(dispatcher)["kind"] == "answer"


def test_no_answer_appends_human_channel_and_drops_item_context(
    fake_app: FakeApp, make_tracker: Any, set_helpline: Any
) -> None:
    set_helpline("0755-12320")
    tracker = make_tracker([user_event("养犬登记怎么办", "ask_item")], slots={"item_code": "x"})
    dispatcher = CollectingDispatcher()

    events = asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))

    text = dispatcher.messages[0]["text"]
    assert "养犬登记" in text
    assert "0755-12320" in text and "12345" in text
    assert "来源" not in text
    assert _meta(dispatcher)["kind"] == "no_answer"
    assert _slots(events)["item_code"] is None


def test_app_down_gives_clear_message(app_down: None, make_tracker: Any) -> None:
    tracker = make_tracker([user_event("护士执业注册要什么材料", "ask_item")])
    dispatcher = CollectingDispatcher()

    asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))

    assert "暂时无法查询" in dispatcher.messages[0]["text"]
    assert "12345" in dispatcher.messages[0]["text"]
    assert _meta(dispatcher)["kind"] == "no_answer"


def test_choice_without_earlier_question_asks_for_an_overview(fake_app: FakeApp, make_tracker: Any) -> None:
    entities = [{"entity": "item_code", "value": "public-place-hygiene-permit"}]
    tracker = make_tracker([user_event('/ask_item{"item_code": "public-place-hygiene-permit"}', "ask_item", entities)])
    dispatcher = CollectingDispatcher()

    asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))

    (call,) = fake_app.calls("POST", "/api/search")
    assert call.body["text"] == "办事指南"
    assert call.body["context"]["item_code"] == "public-place-hygiene-permit"


def test_sources_line_is_not_repeated_when_the_engine_text_has_one(fake_app: FakeApp, make_tracker: Any) -> None:
    tracker = make_tracker([user_event("护士执业注册的依据是什么", "ask_item")])
    dispatcher = CollectingDispatcher()

    asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))

    assert dispatcher.messages[0]["text"] == "设定依据：《护士条例》。\n来源：护士条例"


def _meta_event(kind: str, policy: str | None, ts: float) -> dict[str, Any]:
    meta = {"kind": kind, "item": None, "aspect": None, "policy": policy}
    return {"event": "bot", "timestamp": ts, "text": None, "data": {"custom": {"meta": meta}}}


def test_the_last_answers_policy_is_sent_as_context(fake_app: FakeApp, make_tracker: Any) -> None:
    point = "shanghai-2024-business-env-points.p09"
    events = [
        user_event("出生一件事是什么", "ask_item", ts=1.0),
        _meta_event("answer", point, 2.0),
        user_event("长三角的可以跨省办吗", "ask_item", ts=3.0),
    ]
    asyncio.run(ActionAnswer().run(CollectingDispatcher(), make_tracker(events), {}))
    (call,) = fake_app.calls("POST", "/api/search")
    assert call.body["context"]["policy_id"] == point
    # a later answer citing no policy ends the policy topic (small talk in between does not)
    later = [*events[:2], _meta_event("smalltalk", None, 2.5), _meta_event("answer", None, 2.6), events[2]]
    fake_app.requests.clear()
    asyncio.run(ActionAnswer().run(CollectingDispatcher(), make_tracker(later), {}))
    (call,) = fake_app.calls("POST", "/api/search")
    assert "policy_id" not in call.body["context"]


def test_the_answers_policy_goes_in_its_meta() -> None:
    from actions.meta import build_meta, last_answer_policy

    meta = build_meta("answer", policy="yuhang-2020-rule-of-law-summary.p02")
    assert meta["meta"]["policy"] == "yuhang-2020-rule-of-law-summary.p02"
    event = {"event": "bot", "data": {"custom": meta}}
    assert last_answer_policy([event, {"event": "user", "text": "x"}]) == "yuhang-2020-rule-of-law-summary.p02"
    assert last_answer_policy([{"event": "bot", "text": "hi"}]) is None
    assert last_answer_policy([event, {"event": "bot", "data": {"custom": build_meta("no_answer")}}]) is None


def _clarify_events(kind: str) -> list[dict[str, Any]]:
    buttons = [
        {
            "title": "护士执业注册（首次注册）",
            "payload": '/ask_item{"item_code": "nurse-practice-registration", "sub_item": "首次"}',
        },
        {
            "title": "护士执业注册（延续注册）",
            "payload": '/ask_item{"item_code": "nurse-practice-registration", "sub_item": "延续"}',
        },
        {"title": "转人工", "payload": "/ask_human"},  # not a choice of the engine's
    ]
    return [
        user_event("护士执业注册需要什么材料", "ask_item", ts=1.0),
        {"event": "bot", "timestamp": 2.0, "text": "请问您办理的是哪一项？", "data": {"buttons": buttons}},
        _meta_event(kind, None, 2.1),
        user_event("续期的", "affirm", ts=3.0),
    ]


def test_a_typed_reply_to_a_clarifying_question_sends_its_choices(fake_app: FakeApp, make_tracker: Any) -> None:
    slots = {"item_code": "nurse-practice-registration", "aspect": "materials"}
    asyncio.run(ActionAnswer().run(CollectingDispatcher(), make_tracker(_clarify_events("clarify"), slots=slots), {}))
    (call,) = fake_app.calls("POST", "/api/search")
    assert call.body["text"] == "续期的"
    assert call.body["context"]["choices"] == [
        {"title": "护士执业注册（首次注册）", "item_code": "nurse-practice-registration", "sub_item": "首次"},
        {"title": "护士执业注册（延续注册）", "item_code": "nurse-practice-registration", "sub_item": "延续"},
    ]
    # after an answer (its buttons are suggestions, not a question) no choices are sent
    fake_app.requests.clear()
    asyncio.run(ActionAnswer().run(CollectingDispatcher(), make_tracker(_clarify_events("answer"), slots=slots), {}))
    (call,) = fake_app.calls("POST", "/api/search")
    assert "choices" not in call.body["context"]


def test_only_the_reply_just_before_the_message_counts() -> None:
    from actions.meta import last_clarify_choices

    events = _clarify_events("clarify")
    assert len(last_clarify_choices(events)) == 2
    later = [*events, {"event": "bot", "timestamp": 3.1, "text": "…"}, _meta_event("answer", None, 3.2)]
    assert last_clarify_choices([*later, user_event("要多久", "ask_item", ts=4.0)]) == []
    assert last_clarify_choices(events[:1]) == []  # no reply yet


def test_a_clarify_button_reads_back_as_the_choice_it_was_built_from() -> None:
    """One payload format: what `button_payload` writes, `last_clarify_choices` reads back (actions/meta.py)."""
    from actions.answer import button_payload
    from actions.contracts import Choice
    from actions.meta import _choice_of

    for choice in (
        Choice(title="护士执业注册（延续注册）", item_code="nurse-practice-registration", sub_item="延续"),
        Choice(title="出生医学证明", item_code="birth-medical-certificate", sub_item=None),
    ):
        button = {"title": choice.title, "payload": button_payload(choice)}
        assert _choice_of(button) == {"title": choice.title, "item_code": choice.item_code, "sub_item": choice.sub_item}


def test_the_answers_guide_is_read_back_for_a_followup() -> None:
    """Round 11: the guide the last answer quoted is sent with a typed follow-up; a clarifying question quotes none."""
    from actions.meta import build_meta, last_answer_guide

    answer = {"event": "bot", "data": {"custom": build_meta("answer", guide="some-item.g001-somewhere")}}
    assert last_answer_guide([answer, {"event": "user", "text": "x"}]) == "some-item.g001-somewhere"
    clarify = {"event": "bot", "data": {"custom": build_meta("clarify", guide="some-item.g001-somewhere")}}
    assert last_answer_guide([answer, clarify]) is None
    assert last_answer_guide([{"event": "bot", "text": "hi"}]) is None
