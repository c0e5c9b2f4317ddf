"""The question gate in the chat path: metadata the gateway sends, and when Rasa's intent is overridden."""

from __future__ import annotations

import pytest

from bot.chat.gate import SessionKinds, gate_metadata
from knowledge.learned.gate import GateVerdict
from nlu_components.gate_rules import overriding_intent
from nlu_components.gate_verdict import gate_of

LONG_COMPLAINT = (
    "孩子昨天在社区卫生服务中心打百白破疫苗，打完回家胳膊肿得很大还发高烧，打电话给接种点他们说让我们自己去医院看，"
    "态度非常差。我想问接种出了问题找谁负责。"
)


def _gate(kind: str, p: float, confident: bool) -> dict[str, object]:
    return {"kind": kind, "confidence": p, "confident": confident}


def test_metadata_carries_the_verdict_except_for_payloads_and_inside_the_intake() -> None:
    def gate(text: str) -> GateVerdict:
        return GateVerdict("other_department", 0.93, True)

    meta = gate_metadata(gate, "公积金怎么提取", in_intake=False)
    assert meta == {"gate": {"kind": "other_department", "confidence": 0.93, "confident": True, "complaint": 0.0}}
    assert gate_metadata(gate, "/affirm", in_intake=False) is None
    assert gate_metadata(gate, LONG_COMPLAINT, in_intake=True) is None
    assert gate_metadata(None, "公积金怎么提取", in_intake=False) is None
    assert gate_metadata(lambda _: None, "公积金怎么提取", in_intake=False) is None


def test_a_failing_gate_leaves_the_decision_to_rasa() -> None:
    def broken(text: str) -> GateVerdict:
        raise RuntimeError("model missing")

    assert gate_metadata(broken, "你好", in_intake=False) is None


def test_session_kinds_know_when_the_intake_waits_for_an_answer() -> None:
    kinds = SessionKinds(size=2)
    kinds.remember("a", "escalate")
    assert kinds.in_intake("a") and not kinds.in_intake("b")
    kinds.remember("a", "ticket_created")
    assert not kinds.in_intake("a")
    kinds.remember("b", "escalate")
    kinds.remember("c", "answer")
    kinds.remember("d", "answer")
    assert not kinds.in_intake("b")  # evicted: bounded memory


def test_gate_of_validates_metadata() -> None:
    assert gate_of({"gate": _gate("complaint", 0.9, True)}) == _gate("complaint", 0.9, True)
    assert gate_of({"gate": {"kind": "weather", "confidence": 0.9}}) is None
    assert gate_of({"gate": {"kind": "complaint", "confidence": "high"}}) is None
    assert gate_of(None) is None and gate_of({"other": 1}) is None


@pytest.mark.parametrize(
    ("text", "intent", "ticket", "gate", "expected"),
    [
        # other departments: to the engine's no-answer, whatever DIET guessed
        ("驾驶证到期了怎么换", "goodbye", False, _gate("other_department", 0.95, True), "ask_item"),
        ("公积金提取要多久", "report_problem", False, _gate("other_department", 0.9, True), "ask_item"),
        ("社保卡丢了补办要多久", "ask_ticket_status", False, _gate("other_department", 0.9, True), "ask_item"),
        # narrative complaints: to the intake
        (LONG_COMPLAINT, "ask_item", False, _gate("complaint", 0.97, True), "report_problem"),
        (LONG_COMPLAINT, "thank", False, _gate("complaint", 0.5, False), "report_problem"),
        # in-domain questions DIET took for small talk
        ("Can I apply for nurse registration online?", "greet", False, _gate("in_domain", 0.9, True), "ask_item"),
        ("帮我订一张去北京的火车票", "out_of_scope", False, _gate("other_department", 0.9, True), None),
        # an errand DIET declines stays declined unless the head is sure it asks about our services
        ("帮我订一张去北京的火车票", "out_of_scope", False, _gate("in_domain", 0.54, True), None),
        ("护士注册在哪个窗口交", "out_of_scope", False, {**_gate("in_domain", 0.9, True), "asks": True}, "ask_item"),
        # kept: the citizen's own choices, tickets with a number, short yes/no, unconfident short text
        ("算了不办了", "cancel", False, _gate("other_department", 0.99, True), None),
        ("转人工", "ask_human", False, _gate("complaint", 0.99, True), None),
        ("查一下工单HZ20250101", "ask_ticket_status", True, _gate("other_department", 0.9, True), None),
        ("好的", "affirm", False, _gate("in_domain", 0.99, True), None),
        ("谢谢", "thank", False, _gate("smalltalk", 0.99, True), None),
        ("你好", "greet", False, _gate("in_domain", 0.6, False), None),
        ("护士注册要什么材料", "ask_item", False, _gate("in_domain", 0.99, True), None),
        ("/affirm", "affirm", False, _gate("complaint", 0.99, True), None),
        ("护士注册要什么材料", "ask_item", False, None, None),
    ],
)
def test_overriding_intent(
    text: str, intent: str, ticket: bool, gate: dict[str, object] | None, expected: str | None
) -> None:
    assert overriding_intent(text, intent, ticket, gate) == expected


@pytest.mark.parametrize(
    ("text", "intent", "kind", "beyond", "expected"),
    [
        ("你好，中考志愿填报归谁管", "greet", "smalltalk", 9, "ask_item"),  # says more than hello, and asks
        ("你好，中考志愿填报归谁管", "greet", "other_department", 9, "ask_item"),
        ("谢谢，那护士注册要多久", "thank", "in_domain", 8, "ask_item"),
        ("你好呀，在吗", "greet", "smalltalk", 0, None),  # only a greeting
        ("谢谢你们了", "thank", "in_domain", 2, None),
        ("你是机器人还是真人啊", "chitchat", "smalltalk", 9, None),  # chitchat is not a greeting
        # a closing made of acknowledgements says nothing more, however long
        ("好的没有问题了再见", "goodbye", "smalltalk", 0, None),
        ("好的好的，没有别的问题了，谢谢你，辛苦了，再见啦，" + "哈" * 20, "goodbye", "smalltalk", 0, None),
        # without the app's count, every character but punctuation counts
        ("好的没有问题了再见", "goodbye", "smalltalk", None, "ask_item"),
        ("你好呀，在吗", "greet", "smalltalk", None, None),
    ],
)
def test_a_greeting_that_says_more_is_not_small_talk(
    text: str, intent: str, kind: str, beyond: int | None, expected: str | None
) -> None:
    gate: dict[str, object] = {"kind": kind, "confidence": 0.5, "confident": False}
    if beyond is not None:
        gate["beyond_smalltalk"] = beyond
    if any(w in text for w in ("谁", "多久", "吗")):  # the app's `question`: a question word
        gate["question"] = True
    assert overriding_intent(text, intent, False, gate) == expected


def test_the_small_talk_count_travels_in_the_metadata() -> None:
    def gate(text: str) -> GateVerdict:
        return GateVerdict("smalltalk", 0.9, True, 0)

    meta = gate_metadata(gate, "好的没有问题了再见", in_intake=False)
    assert meta == {
        "gate": {"kind": "smalltalk", "confidence": 0.9, "confident": True, "complaint": 0.0, "beyond_smalltalk": 0}
    }
    assert gate_of(meta) == meta["gate"]
    assert "beyond_smalltalk" not in (gate_of({"gate": {**meta["gate"], "beyond_smalltalk": -1}}) or {})


def test_a_short_place_follow_up_is_not_taken_for_yes() -> None:
    follow_up = {"kind": "in_domain", "confidence": 0.4, "confident": True}
    assert overriding_intent("换成湖北的", "affirm", False, follow_up) == "ask_item"
    unsure = {"kind": "smalltalk", "confidence": 0.9, "confident": True}
    assert overriding_intent("好的", "affirm", False, unsure) is None


def test_a_ticket_number_is_looked_up_whatever_diet_said() -> None:
    gate = {"kind": "in_domain", "confidence": 0.9, "confident": True}
    assert overriding_intent("帮我查查 bbc20261122-7", "ask_item", True, gate) == "ask_ticket_status"
    assert overriding_intent("BBC 20261122 0007 有结果了吗", "nlu_fallback", True, gate) == "ask_ticket_status"
    assert overriding_intent("评价工单BBC-20261122-0007满意", "rate_ticket", True, gate) is None


def test_the_service_sends_the_verdict_to_rasa_and_not_inside_the_intake(fake_rasa) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from bot.chat.rasa_client import RasaClient
    from bot.chat.schemas import ChatRequest
    from bot.chat.service import ChatService
    from tests.chat.conftest import make_settings

    replies = {"first": "escalate"}

    def respond(sender: str, message: str) -> list[dict[str, object]]:
        kind = replies.get("first", "answer")
        return [{"text": "请描述一下具体情况。", "custom": {"meta": {"kind": kind}}}]

    fake_rasa.respond = respond
    calls: list[str] = []

    def gate(text: str) -> GateVerdict:
        calls.append(text)
        return GateVerdict("complaint", 0.97, True)

    settings = make_settings(fake_rasa.url)
    service = ChatService(settings=settings, backend=RasaClient(settings), gate=gate)
    asyncio.run(service.handle_turn(ChatRequest(session_id="g-1", text="我要反映办不成的事")))
    expected = {"kind": "complaint", "confidence": 0.97, "confident": True, "complaint": 0.0}
    assert fake_rasa.received[-1]["metadata"] == {"gate": expected}
    replies["first"] = "answer"
    asyncio.run(service.handle_turn(ChatRequest(session_id="g-1", text=LONG_COMPLAINT)))
    assert "metadata" not in fake_rasa.received[-1]  # the intake asked: this text is the description
    assert fake_rasa.received[-1]["message"] == LONG_COMPLAINT  # kept whole
    # consulted once more at the start of the intake (does the message leave it? tests/chat/test_leave_intake.py)
    assert calls == ["我要反映办不成的事", LONG_COMPLAINT]


def test_a_message_asking_for_a_person_is_handed_over_and_a_bare_number_is_no_ticket() -> None:
    from nlu_components.gate_signals import looks_like_ticket_number

    human = {"kind": "in_domain", "confidence": 0.6, "confident": True, "asks_human": True}
    assert gate_of({"gate": human}) == human
    assert overriding_intent("算了 你直接帮我转个真人吧", "cancel", False, human) is None  # cancel is kept
    assert overriding_intent("can I talk to a real person please", "ask_item", False, human) == "ask_human"
    assert "asks_human" not in (gate_of({"gate": {**human, "asks_human": "yes"}}) or {})
    assert looks_like_ticket_number("BBC-20261122-0007") and looks_like_ticket_number("bbc 20261122 7")
    assert not looks_like_ticket_number("60") and not looks_like_ticket_number(None)


def test_a_request_for_medical_advice_is_declined_whatever_diet_guessed() -> None:
    advice = {"kind": "complaint", "confidence": 0.7, "confident": True, "medical_advice": True}
    assert gate_of({"gate": advice}) == advice
    assert "medical_advice" not in (gate_of({"gate": {**advice, "medical_advice": 1}}) or {})
    text = "宝宝打完疫苗发烧38度5，要不要吃退烧药"
    assert overriding_intent(text, "report_problem", False, advice) == "out_of_scope"  # not the 办不成事 intake
    assert overriding_intent(text, "ask_item", False, {**advice, "kind": "in_domain"}) == "out_of_scope"
    assert overriding_intent(text, "out_of_scope", False, advice) is None  # DIET already declines
    assert overriding_intent("算了不问了", "cancel", False, advice) is None  # chosen on purpose: kept
    assert overriding_intent(text, "report_problem", False, {**advice, "medical_advice": False}) is None


@pytest.mark.parametrize(
    ("text", "intent", "gate", "expected"),
    [
        # a short question the gate is sure of is a question, even when DIET saw a complaint
        ("要跑现场几次", "report_problem", _gate("in_domain", 0.48, True), "ask_item"),
        ("护士注册交上去两个月了还没批下来，急死了", "report_problem", _gate("in_domain", 0.9, True), None),
        ("窗口态度太差了", "report_problem", _gate("complaint", 0.4, False), None),
        # a short yes/no is kept, unless the gate's follow-up says more than small talk
        ("收钱不", "deny", {**_gate("in_domain", 0.4, True), "beyond_smalltalk": 3}, "ask_item"),
        ("好的", "affirm", {**_gate("in_domain", 0.9, True), "beyond_smalltalk": 0}, None),
        ("不用了", "deny", {**_gate("smalltalk", 0.9, True), "beyond_smalltalk": 0}, None),
    ],
)
def test_short_questions_against_diets_complaint_and_yes_no(
    text: str, intent: str, gate: dict[str, object], expected: str | None
) -> None:
    assert overriding_intent(text, intent, False, gate) == expected


# ---- round 5: follow-up questions in a conversation about an item ------------------------------------------------


def test_the_conversations_item_is_remembered_until_a_no_answer_names_none() -> None:
    kinds = SessionKinds()
    assert kinds.item("a") is None
    kinds.remember("a", "answer", "nurse-practice-registration")
    kinds.remember("a", "smalltalk")  # a thank-you keeps it
    kinds.remember("a", "escalate")  # so does the complaint intake (its item is pre-filled from it)
    assert kinds.item("a") == "nurse-practice-registration"
    kinds.remember("a", "no_answer")  # nothing matched: the answer action drops its item slot too
    assert kinds.item("a") is None


def test_a_followup_is_flagged_only_in_a_conversation_about_an_item() -> None:
    def gate(text: str) -> GateVerdict:
        return GateVerdict("complaint", 0.55, False, 12, False, True, 0.31)

    plain = gate_metadata(gate, "他们多少天内给审核结果", in_intake=False)
    assert plain is not None and "followup" not in plain["gate"]
    flagged = gate_metadata(gate, "他们多少天内给审核结果", in_intake=False, about_item=True)
    assert flagged is not None and flagged["gate"]["followup"] is True and flagged["gate"]["complaint"] == 0.31
    assert gate_of(flagged) == {
        **_gate("complaint", 0.55, False),
        "beyond_smalltalk": 12,
        "followup": True,
        "complaint": 0.31,
    }


@pytest.mark.parametrize(
    ("intent", "gate", "expected"),
    [
        ("report_problem", {**_gate("complaint", 0.55, False), "followup": True, "complaint": 0.31}, "ask_item"),
        ("chitchat", {**_gate("in_domain", 0.6, False), "followup": True, "complaint": 0.1}, "ask_item"),
        ("nlu_fallback", {**_gate("other_department", 0.6, False), "followup": True, "complaint": 0.05}, "ask_item"),
        # DIET's out-of-scope (medical advice mid-conversation) is left to the gate's confident kind
        ("out_of_scope", {**_gate("in_domain", 0.6, False), "followup": True, "complaint": 0.05}, None),
        # the head leans to a complaint, or is sure of one: DIET's complaint stands
        ("report_problem", {**_gate("complaint", 0.6, False), "followup": True, "complaint": 0.6}, None),
        ("report_problem", {**_gate("complaint", 0.9, True), "followup": True, "complaint": 0.4}, None),
        # a ticket question stays one; without the flag nothing changes
        ("ask_ticket_status", {**_gate("in_domain", 0.6, False), "followup": True, "complaint": 0.1}, None),
        ("report_problem", {**_gate("complaint", 0.55, False), "complaint": 0.1}, None),
        # a flag without a probability never overrides a complaint
        ("report_problem", {**_gate("in_domain", 0.55, False), "followup": True}, None),
    ],
)
def test_a_followup_question_is_not_taken_for_a_complaint(
    intent: str, gate: dict[str, object], expected: str | None
) -> None:
    text = "我上次交了材料说缺东西，那到底还要交啥，他们多少天内给审核结果"  # long: the length no longer decides
    verdict = gate_of({"gate": gate})
    assert verdict is not None
    assert overriding_intent(text, intent, False, verdict) == expected


NARRATIVE_QUESTION = (
    "我在县医院当了八年护士，今年打算去社区卫生服务中心上班，听同事说换了单位护士证要重新注册，"
    "也有人说只要变更一下就行，到底要办哪个手续，要带什么材料？"
)


@pytest.mark.parametrize(
    ("text", "intent", "gate", "expected"),
    [
        # the app is sure the narrative asks: DIET's complaint loses, however long the message
        (NARRATIVE_QUESTION, "report_problem", {**_gate("in_domain", 0.8, True), "asks": True}, "ask_item"),
        (NARRATIVE_QUESTION, "report_problem", {**_gate("policy", 0.6, False), "asks": True}, "ask_item"),
        # not sure it asks: a long message may be both about an item and a 办不成事 report, DIET decides
        (NARRATIVE_QUESTION, "report_problem", _gate("in_domain", 0.8, True), None),
        # `asks` only ever speaks for a question kind
        (NARRATIVE_QUESTION, "report_problem", {**_gate("complaint", 0.5, False), "asks": True}, None),
        # DIET already took it for a question: nothing to override
        (NARRATIVE_QUESTION, "ask_item", {**_gate("in_domain", 0.8, True), "asks": True}, None),
        # a confident complaint still beats DIET's question
        (LONG_COMPLAINT, "ask_item", _gate("complaint", 0.9, True), "report_problem"),
    ],
)
def test_a_sure_question_beats_diets_complaint_and_a_sure_complaint_beats_its_question(
    text: str, intent: str, gate: dict[str, object], expected: str | None
) -> None:
    assert overriding_intent(text, intent, False, gate) == expected


def test_the_sure_question_flag_travels_in_the_metadata_and_is_validated() -> None:
    def gate(text: str) -> GateVerdict:
        return GateVerdict("in_domain", 0.8, True, 40, False, asks=True)

    meta = gate_metadata(gate, NARRATIVE_QUESTION, in_intake=False)
    assert meta is not None and meta["gate"]["asks"] is True
    assert gate_of(meta) == {**meta["gate"], "confidence": 0.8}
    assert "asks" not in (gate_of({"gate": {**meta["gate"], "asks": "yes"}}) or {})


# ---- round 7: a typed answer to a clarifying question ------------------------------------------------------------


def test_a_typed_answer_to_a_clarifying_question_is_flagged_only_right_after_one() -> None:
    kinds = SessionKinds()
    kinds.remember("a", "clarify", "nurse-practice-registration")
    assert kinds.after_clarify("a")
    kinds.remember("a", "answer", "nurse-practice-registration")
    assert not kinds.after_clarify("a")

    def says(beyond: int, kind: str = "in_domain", confident: bool = False, human: bool = False):  # type: ignore[no-untyped-def]
        return lambda text: GateVerdict(kind, 0.6, confident, beyond, human, False, 0.2)

    flagged = gate_metadata(says(2), "续期的", in_intake=False, after_clarify=True)
    assert flagged is not None and flagged["gate"]["clarify_reply"] is True and flagged["gate"]["complaint"] == 0.2
    assert gate_of(flagged) == {
        **_gate("in_domain", 0.6, False),
        "beyond_smalltalk": 2,
        "clarify_reply": True,
        "complaint": 0.2,
    }
    for gate, text in [
        (says(2), "续期的"),  # not right after a clarifying question (below)
        (says(0), "好的"),  # says nothing beyond small talk: a yes/no stays one
        (says(6, human=True), "转人工客服"),
        (says(8, "other_department", True), "那公积金怎么提取"),
    ]:
        after = text != "续期的"
        meta = gate_metadata(gate, text, in_intake=False, after_clarify=after)
        assert meta is not None and "clarify_reply" not in meta["gate"], text


@pytest.mark.parametrize(
    ("text", "intent", "gate", "expected"),
    [
        # whatever DIET guessed for a typed sub-item, it is asked of the engine
        ("续期的", "affirm", {**_gate("in_domain", 0.5, False), "clarify_reply": True, "complaint": 0.1}, "ask_item"),
        (
            "新开的一家足浴店",
            "out_of_scope",
            {**_gate("in_domain", 0.5, False), "clarify_reply": True, "complaint": 0.1},
            "ask_item",
        ),
        (
            "证丢了要补",
            "report_problem",
            {**_gate("complaint", 0.5, False), "clarify_reply": True, "complaint": 0.3},
            "ask_item",
        ),
        # the head leans to a complaint, the intents chosen on purpose, a ticket number: DIET's intent stands
        (
            "证丢了要补",
            "report_problem",
            {**_gate("complaint", 0.6, False), "clarify_reply": True, "complaint": 0.6},
            None,
        ),
        ("算了不办了", "cancel", {**_gate("in_domain", 0.5, False), "clarify_reply": True, "complaint": 0.1}, None),
        (
            "BBC-20261122-0007-KXQRT",
            "chitchat",
            {**_gate("in_domain", 0.5, False), "clarify_reply": True, "complaint": 0.1},
            "ask_ticket_status",
        ),
        # without the flag nothing changes
        ("续期的", "affirm", _gate("in_domain", 0.5, False), None),
    ],
)
def test_a_typed_answer_to_a_clarifying_question_goes_to_the_engine(
    text: str, intent: str, gate: dict[str, object], expected: str | None
) -> None:
    verdict = gate_of({"gate": gate})
    assert verdict is not None
    assert overriding_intent(text, intent, False, verdict) == expected


def test_a_followup_asking_for_part_of_the_guide_beats_a_leaning_head_and_diets_person() -> None:
    def gate(text: str) -> GateVerdict:
        return GateVerdict("complaint", 0.6, True, 30, False, True, 0.62, asks_aspect=True)

    meta = gate_metadata(
        gate, "我上周已经把材料交到卫健局窗口了，这个一般几个工作日能办好啊", in_intake=False, about_item=True
    )
    assert meta is not None and meta["gate"]["followup_aspect"] is True
    verdict = gate_of(meta)
    assert verdict is not None and verdict["followup_aspect"] is True
    assert overriding_intent("这个一般几个工作日能办好啊", "report_problem", False, verdict) == "ask_item"
    # the same without an aspect cue: the head's lean to a complaint keeps DIET's complaint
    plain = {**verdict}
    plain.pop("followup_aspect")
    assert overriding_intent("这个一般几个工作日能办好啊", "report_problem", False, plain) is None
    # a head nearly sure of a complaint keeps it
    sure = {**verdict, "complaint": 0.85}
    assert overriding_intent("这个一般几个工作日能办好啊", "report_problem", False, sure) is None
    # DIET's request for a person, with no words asking for one: the office's phone
    phone = {**_gate("in_domain", 0.6, False), "followup": True, "followup_aspect": True, "complaint": 0.1}
    assert overriding_intent("他们电话多少", "ask_human", False, phone) == "ask_item"
    assert overriding_intent("他们电话多少", "ask_human", False, {**phone, "followup_aspect": False}) is None
    assert overriding_intent("转人工", "ask_human", False, {**phone, "asks_human": True}) is None  # DIET's stands


@pytest.mark.parametrize(
    ("text", "intent", "gate", "ranking", "expected"),
    [
        # only small talk, the app is sure: DIET's question, complaint or fallback becomes its best-ranked closing
        (
            "谢谢你啊 拜拜",
            "ask_item",
            _gate("smalltalk", 0.99, True) | {"beyond_smalltalk": 0},
            ["ask_item", "goodbye"],
            "goodbye",
        ),
        ("唔该晒", "nlu_fallback", _gate("smalltalk", 0.95, True) | {"beyond_smalltalk": 0}, [], "thank"),
        ("你好 在不在", "report_problem", _gate("smalltalk", 0.9, True) | {"beyond_smalltalk": 0}, ["greet"], "greet"),
        # kept: DIET's own small talk, a count above 0, an unsure verdict, a ticket number
        ("好的", "affirm", _gate("smalltalk", 0.99, True) | {"beyond_smalltalk": 0}, [], None),
        (
            "谢谢，护士注册要多久",
            "ask_item",
            _gate("smalltalk", 0.9, True) | {"beyond_smalltalk": 7, "question": True},
            [],
            None,
        ),
        ("谢谢，护士注册要多久", "ask_item", _gate("smalltalk", 0.8, True) | {"beyond_smalltalk": 7}, [], None),
        ("谢谢拜拜", "ask_item", _gate("smalltalk", 0.5, False) | {"beyond_smalltalk": 0}, [], None),
        ("谢谢拜拜", "ask_item", _gate("smalltalk", 0.9, True), [], None),  # no count from the app
    ],
)
def test_a_message_the_app_is_sure_is_only_small_talk_is_small_talk(
    text: str, intent: str, gate: dict[str, object], ranking: list[str], expected: str | None
) -> None:
    assert overriding_intent(text, intent, False, gate, ranking) == expected


def test_a_ticket_number_with_little_else_is_looked_up_even_when_diet_saw_a_complaint() -> None:
    complaint = {"kind": "complaint", "confidence": 0.45, "confident": True}
    unsure = {"kind": "policy", "confidence": 0.5, "confident": False}
    assert (
        overriding_intent("ＨＺＪ－２０２６１０１５－００２２", "report_problem", False, unsure) == "ask_ticket_status"
    )
    english = "status of my complaint BBC-20260718-0311 please"
    assert overriding_intent(english, "report_problem", False, complaint) == "ask_ticket_status"
    story = (
        "我的工单BBC-20261122-0007办了两个月，窗口一直说在审核，打电话没人接，"
        "材料补了三次还是不受理，今天又让我重新交，我要投诉"
    )
    assert overriding_intent(story, "report_problem", False, complaint) is None  # a new complaint citing a number
