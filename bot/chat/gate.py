"""The question gate in the chat path: the learned kind verdict sent to Rasa as REST-channel metadata
(`{"gate": {"kind", "confidence", "confident", "beyond_smalltalk", "asks_human", "medical_advice", "followup",
"clarify_reply", "complaint", "asks", "question", "complains",
"ticket_status"}}`: how many characters the message says beyond
greetings, thanks, goodbyes and acknowledgements, whether it asks for a person, in a conversation about an item
whether it is a follow-up question about it (with the learned head's complaint probability), right after a
clarifying question whether it answers it in words, whether the head is sure it asks about our services rather than
reports a grievance, whether it asks anything in words (`question`), and whether it uses a verb of complaining
(`complains`); the vocabulary is the knowledge lexicon's, so Rasa's component holds none).

Rasa's NLU component `nlu_components.gate_intent.GateIntentOverride` reads `metadata["gate"]` and
overrides DIET's intent when the gate is confident (rules in `nlu_components/gate_rules.py`). The
gateway leaves the verdict out for button payloads and while the complaint intake is waiting for an
answer (the previous reply had kind `escalate`): there a long text is the complaint's description.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.learned.gate import GateVerdict

logger = logging.getLogger(__name__)

GateFn = Callable[[str], "GateVerdict | None"]
"""text -> the verdict, or None while the gate is not available."""

MAX_SESSIONS = 10_000
INTAKE_EARLY_ANSWERS = 1
"""The intake's first answer (which item, or what happened when the conversation's item fills the item), where a
message that is no answer to it ends it (`leaves_intake`); later answers (the place, the phone) never do."""
LEAVE_INTAKE_COMPLAINT_MAX = 0.3
"""An aspect follow-up ends the intake only when the head's complaint probability is below this: on the hand-written
tuning sets no grievance told in the intake, and no narrative complaint, asks for an aspect below it."""


CLOSING_SURE = 0.85
"""A small-talk verdict this sure, asking nothing, is no answer to a clarifying question (the gate rules'
SMALLTALK_SURE: on the hand-written tuning sets no turn but small talk reaches it)."""


class SessionKinds:
    """Per session (bounded, in memory): the kind of the last reply (is the intake waiting for an answer?) and the
    item the conversation is about (the last reply that named one; a no-answer naming none ends it, as the answer
    action drops its item slot)."""

    def __init__(self, size: int = MAX_SESSIONS) -> None:
        self._size = size
        self._last: OrderedDict[str, tuple[str, str | None]] = OrderedDict()
        self._intake_replies: dict[str, int] = {}  # replies of the intake in a row (bounded with `_last`)

    def remember(self, session_id: str, kind: str, item_code: str | None = None) -> None:
        previous_kind, previous = self._last.get(session_id, ("", None))
        if item_code is None and kind != "no_answer":
            item_code = previous
        if kind == "escalate":
            streak = self._intake_replies.get(session_id, 0) if previous_kind == "escalate" else 0
            self._intake_replies[session_id] = streak + 1
        else:
            self._intake_replies.pop(session_id, None)
        self._last[session_id] = (kind, item_code)
        self._last.move_to_end(session_id)
        while len(self._last) > self._size:
            evicted, _ = self._last.popitem(last=False)
            self._intake_replies.pop(evicted, None)

    def intake_early(self, session_id: str) -> bool:
        """Whether the intake is waiting for one of its first INTAKE_EARLY_ANSWERS answers: nothing a citizen said
        about a grievance would be lost by leaving it."""
        return self.in_intake(session_id) and self._intake_replies.get(session_id, 0) <= INTAKE_EARLY_ANSWERS

    def in_intake(self, session_id: str) -> bool:
        return self._last.get(session_id, ("", None))[0] == "escalate"

    def after_clarify(self, session_id: str) -> bool:
        """Whether the last reply asked which item or sub-item (a typed message may answer it in words)."""
        return self._last.get(session_id, ("", None))[0] == "clarify"

    def item(self, session_id: str) -> str | None:
        """The item the conversation is about, if any."""
        return self._last.get(session_id, ("", None))[1]


def leaves_intake(verdict: GateVerdict | None) -> bool:
    """Rule `question_leaves_intake`: a typed message that, as the first answer to the complaint intake, is not an
    answer to it — a question naming nothing else that asks for a part of a guide by an aspect cue ("那要揣哪些证件去",
    "批下来这证管几年") and that the head gives a complaint probability below LEAVE_INTAKE_COMPLAINT_MAX, nothing
    but thanks and goodbyes, a question about an item the head is sure asks about our services, naming an aspect
    in words that ask ("那算了。医疗机构执业许可证多久校验一次", `question_naming_item_leaves_intake`), or a ticket
    number the head does not call a complaint (a ticket question opened the
    intake: "我投诉的那个单子有人管没有啊"; the number is then looked up) — means the intake was opened for a message
    that was not a 办不成事 report. The gateway then cancels the intake (nothing was filed) and the message is
    answered as any other. A grievance told in the intake ("网上提交的补发申请被驳回两次了，一次都没说清楚缺什么") leans
    to a complaint or asks nothing and stays the intake's answer."""
    if verdict is None or verdict.asks_human:
        return False
    if verdict.ticket_number and not (verdict.kind == "complaint" and verdict.confident):
        return True  # "单号是bbc_20261120_0316_tnvxe" for "which item?": the citizen asks about a filed complaint
    if verdict.kind == "smalltalk" and verdict.confident and verdict.beyond_smalltalk == 0:
        return True
    # Not the head's `asks` alone: it is sure a bare place ("深圳市宝安区") or "我就想知道到底该谁给我补" asks, and both
    # are the intake's answers; a question naming an item needs the head's `asks`, an aspect cue and words that ask.
    if verdict.asks_aspect and verdict.complaint < LEAVE_INTAKE_COMPLAINT_MAX:
        return verdict.asks_about_item or (verdict.asks and verdict.question)
    return False


def replies_to_clarify(verdict: GateVerdict) -> bool:
    """A typed message right after a clarifying question that says more than small talk ("好的", "不用了" do not)
    and asks for no person, and that the head is not sure is another department's or a complaint: an answer to
    "which one?" in words ("续期的", "证丢了要补")."""
    if verdict.asks_human or verdict.beyond_smalltalk == 0 or closes_surely(verdict):
        return False
    return not (verdict.confident and verdict.kind in ("other_department", "complaint"))


def closes_surely(verdict: GateVerdict) -> bool:
    """A `smalltalk` verdict of at least CLOSING_SURE on a message that asks nothing in words ("好的，那我先不办了，
    谢谢"): thanks or goodbye after a clarifying question, not an answer to it."""
    return verdict.kind == "smalltalk" and verdict.confidence >= CLOSING_SURE and not verdict.question


def gate_metadata(
    gate: GateFn | None, text: str, *, in_intake: bool, about_item: bool = False, after_clarify: bool = False
) -> dict[str, Any] | None:
    """The metadata to send with a typed message, or None (no gate, a payload, or inside the intake).
    `about_item`: the conversation is about an item; a message that asks something naming nothing else is
    then sent as a follow-up (`followup`), with the head's complaint probability (`complaint`), so Rasa's gate
    component does not let DIET take it for a complaint unless the head thinks it one. `after_clarify`: the last
    reply asked which item or sub-item; a message answering it in words is sent as `clarify_reply` (the knowledge
    engine then tells which choice it picks: knowledge/decide/clarify_reply.py)."""
    if gate is None or in_intake or not text or text.startswith("/"):
        return None
    try:
        verdict = gate(text)
    except Exception as exc:  # the turn goes on without the gate; Rasa decides alone
        logger.error("question gate failed (%s); Rasa decides alone", type(exc).__name__)
        return None
    if verdict is None:
        return None
    gate_meta: dict[str, Any] = {
        "kind": verdict.kind,
        "confidence": round(float(verdict.confidence), 4),
        "confident": bool(verdict.confident),
        "complaint": round(float(verdict.complaint), 4),  # the head's complaint probability, whatever its kind
    }
    if verdict.beyond_smalltalk is not None:
        gate_meta["beyond_smalltalk"] = int(verdict.beyond_smalltalk)
    if verdict.asks_human:
        gate_meta["asks_human"] = True
    if verdict.medical_advice:  # "孩子发烧38度5，要不要挂急诊": declined with a pointer to a doctor, never filed
        gate_meta["medical_advice"] = True
    if about_item and verdict.asks_about_item:
        gate_meta["followup"] = True
        if verdict.asks_aspect:  # asks for a part of the item's guide by a cue: "这个一般几个工作日能办好啊"
            gate_meta["followup_aspect"] = True
    if after_clarify and replies_to_clarify(verdict):
        gate_meta["clarify_reply"] = True
    if verdict.asks:
        gate_meta["asks"] = True
    if verdict.question:  # "上礼拜我反映过一个事，想看看现在处理到哪一步了": asks, unlike a bare "有个事我要投诉"
        gate_meta["question"] = True
    if verdict.complains:  # a verb of complaining: "…我要投诉" is a grievance whatever else it asks
        gate_meta["complains"] = True
    if verdict.ticket_status:  # "我投诉的那个单子有人管没有啊": how an earlier complaint stands, no number
        gate_meta["ticket_status"] = True
    return {"gate": gate_meta}
