"""A question at the start of the complaint intake leaves it (rule `question_leaves_intake`): the gateway cancels the
intake in Rasa and the question is answered, instead of being filed as the intake's answer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.chat.gate import LEAVE_INTAKE_COMPLAINT_MAX, SessionKinds, leaves_intake
from bot.chat.rasa_client import RasaClient
from bot.chat.schemas import ChatRequest, ChatResponse
from bot.chat.service import ChatService
from bot.chat.typed_commands import CANCEL_PAYLOAD
from knowledge.learned.gate import GateVerdict
from tests.chat.conftest import MemoryOffered, make_settings

ROOT = Path(__file__).resolve().parents[2]
CANCELLED = "好的，已取消本次反映，没有提交任何信息。"
QUESTION = "那要揣哪些证件去"
GRIEVANCE = "网上提交的补发申请被驳回两次了，一次都没说清楚缺什么"

ASKS_ASPECT = GateVerdict("in_domain", 0.4, True, 8, asks_about_item=True, complaint=0.04, asks_aspect=True)
NAMES_ITEM = GateVerdict("in_domain", 0.99, True, 17, complaint=0.002, asks=True, asks_aspect=True, question=True)
TELLS_GRIEVANCE = GateVerdict("complaint", 0.72, True, 20, asks_about_item=True, complaint=0.72, asks_aspect=True)


def _meta(kind: str) -> dict[str, Any]:
    return {"custom": {"meta": {"kind": kind}}}


def intake_rasa(sender: str, message: str) -> list[dict[str, Any]]:
    """Rasa's intake as the gateway sees it: a report opens it, every other message while it runs is its answer,
    `/cancel` ends it; outside it, a question is answered."""
    state = INTAKE.setdefault(sender, {"open": False})
    if message == CANCEL_PAYLOAD:
        state["open"] = False
        return [{"recipient_id": sender, "text": CANCELLED}, _meta("escalate")]
    if message == "我要反映":
        state["open"] = True
        return [{"recipient_id": sender, "text": "请问您办理的是哪个事项？"}, _meta("escalate")]
    if state["open"]:
        return [{"recipient_id": sender, "text": "请简单说说遇到了什么情况。"}, _meta("escalate")]
    return [{"recipient_id": sender, "text": "【婚前医学检查】申请材料"}, _meta("answer")]


INTAKE: dict[str, dict[str, bool]] = {}


def _service(url: str, verdict: GateVerdict, others: GateVerdict = TELLS_GRIEVANCE) -> ChatService:
    """The gate gives `verdict` for the question and `others` for every other message."""
    settings = make_settings(url)
    return ChatService(
        settings=settings,
        backend=RasaClient(settings),
        offered=MemoryOffered(),
        gate=lambda text: verdict if "哪" in text else others,
    )


def _turn(service: ChatService, text: str, session_id: str) -> ChatResponse:
    return asyncio.run(service.handle_turn(ChatRequest(session_id=session_id, text=text))).response


@pytest.mark.parametrize(
    ("verdict", "leaves"),
    [
        (ASKS_ASPECT, True),
        # the head is sure a bare place or "我就想知道到底该谁给我补" asks: both answer the intake
        (GateVerdict("in_domain", 0.63, True, 10, asks=True), False),
        (ASKS_ASPECT._replace(asks_aspect=False, asks=True), False),
        (GateVerdict("smalltalk", 1.0, True, 0), True),  # "ok 了解了 谢啦~": no answer to "which item?"
        (TELLS_GRIEVANCE, False),
        (ASKS_ASPECT._replace(complaint=LEAVE_INTAKE_COMPLAINT_MAX), False),
        (ASKS_ASPECT._replace(asks_aspect=False), False),  # "我就想知道到底该谁给我补": asks, but is the grievance
        (ASKS_ASPECT._replace(asks_human=True), False),  # asking for a person is the handoff's, not ours
        (GateVerdict("smalltalk", 0.9, True, 5), False),
        (None, False),
        # "那算了。医疗机构执业许可证多久校验一次": names an item, so no follow-up, but the head is sure it asks
        (NAMES_ITEM, True),
        (NAMES_ITEM._replace(question=False), False),  # "护士执业注册的期限" names what failed: the intake's answer
        (NAMES_ITEM._replace(asks=False), False),
        (NAMES_ITEM._replace(asks_aspect=False), False),
        (NAMES_ITEM._replace(complaint=LEAVE_INTAKE_COMPLAINT_MAX), False),
    ],
)
def test_which_messages_leave_the_intake(verdict: GateVerdict | None, leaves: bool) -> None:
    assert leaves_intake(verdict) is leaves


def test_only_the_intakes_first_answers_may_leave_it() -> None:
    kinds = SessionKinds()
    kinds.remember("s", "answer", "premarital-medical-exam")
    assert not kinds.intake_early("s")
    kinds.remember("s", "escalate")
    assert kinds.intake_early("s")
    kinds.remember("s", "escalate")  # its second question (what happened, or where): the grievance is being told
    assert not kinds.intake_early("s")
    kinds.remember("s", "ticket_created")
    assert not kinds.in_intake("s") and not kinds.intake_early("s")


def test_a_question_at_the_start_of_the_intake_cancels_it_and_is_answered(fake_rasa: Any) -> None:
    fake_rasa.respond = intake_rasa
    service = _service(fake_rasa.url, ASKS_ASPECT)
    assert _turn(service, "我要反映", "s-leave").meta.kind == "escalate"
    response = _turn(service, QUESTION, "s-leave")
    assert [m["message"] for m in fake_rasa.received] == ["我要反映", CANCEL_PAYLOAD, QUESTION]
    assert [r.text for r in response.replies] == [CANCELLED, "【婚前医学检查】申请材料"]
    assert response.meta.kind == "answer"


def test_a_grievance_told_in_the_intake_stays_its_answer(fake_rasa: Any) -> None:
    fake_rasa.respond = intake_rasa
    service = _service(fake_rasa.url, TELLS_GRIEVANCE)
    _turn(service, "我要反映", "s-stay")
    response = _turn(service, GRIEVANCE, "s-stay")
    assert CANCEL_PAYLOAD not in [m["message"] for m in fake_rasa.received]
    assert response.meta.kind == "escalate"


def test_late_in_the_intake_a_question_is_its_answer(fake_rasa: Any) -> None:
    fake_rasa.respond = intake_rasa
    service = _service(fake_rasa.url, ASKS_ASPECT, others=GateVerdict("in_domain", 0.5, False, 6))
    for text in ("我要反映", "婚前医学检查"):  # which item: now it asks what happened
        _turn(service, text, "s-late")
    _turn(service, "在哪个窗口能问到进度", "s-late")
    assert CANCEL_PAYLOAD not in [m["message"] for m in fake_rasa.received]


def test_the_cancel_payload_is_rasas_cancel_intent_which_ends_the_intake() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert CANCEL_PAYLOAD.removeprefix("/") in domain["intents"]
    rules = yaml.safe_load((ROOT / "data" / "rules" / "complaint.yml").read_text(encoding="utf-8"))["rules"]
    ends = [
        r
        for r in rules
        if {"active_loop": "complaint_form"} in r.get("condition", [])
        and {"intent": CANCEL_PAYLOAD.removeprefix("/")} in r["steps"]
    ]
    assert ends and {"active_loop": None} in ends[0]["steps"]


def test_a_ticket_number_as_the_intakes_first_answer_leaves_it() -> None:
    number = GateVerdict("other_department", 0.42, False, 23, ticket_number=True)
    assert leaves_intake(number)  # "单号是bbc_20261120_0316_tnvxe": the number is looked up instead
    story = GateVerdict("complaint", 0.9, True, 60, ticket_number=True)
    assert not leaves_intake(story)  # a grievance citing an old number is the intake's answer
    assert not leaves_intake(GateVerdict("other_department", 0.42, False, 23))
