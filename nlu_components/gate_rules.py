"""When the app's question gate overrides the intent DIET predicted (pure logic, no Rasa import). The verdict is
validated in `gate_verdict`; what it says of a message (the predicates the rules below read, with their thresholds)
is in `gate_signals`; this module orders them.

The app sends, with each typed message, REST-channel metadata
`{"gate": {"kind": <in_domain|other_department|complaint|smalltalk|policy>, "confidence": p, "confident": bool}}`.
It leaves the gate out while the complaint intake is asking for something (there a long text is the
description) and for button payloads. Rules, in order:

0. a message with a ticket number that DIET took for a question, small talk or its fallback — or for a complaint
   when it says little beyond the number (at most NUMBER_CONTEXT_CHARS: a full-width number alone, "status of
   my complaint BBC-20260718-0311 please") — is a ticket-status question (the number is looked up, an unknown one
   gets 未找到该工单);
1. intents the citizen chose on purpose are kept: cancel, ask_human, rate_ticket, a ticket question
   with a ticket number, and short yes/no answers (unless the app counts words beyond small talk in a
   confident follow-up: "收钱不"); a message the app found asking for a person (`asks_human`) is ask_human;
   but a kept intent the message gives no ground for — a rating with no rating word and no ticket number, a cancel
   of a message the head is sure asks (no intake waits when a verdict comes), a request for a person in a message
   the app is sure is only small talk — is DIET's fallback for the rules below (1', `unfounded_kept_intent`);
1a. a ticket question without a number that DIET is sure of (at least DIET_SURE) and that asks something in words
   (`question`: "上礼拜我反映过一个事，想看看现在处理到哪一步了") stays one when the learned head calls it a complaint
   (`ticket_question`): the head knows no ticket questions, and an earlier complaint's words lean it to one; a bare
   "有个事我要投诉" asks nothing and is the head's;
1a'. a message the app found asking in words how a complaint filed earlier stands (`ticket_status`: it names one and
   its outcome, "我投诉的那个单子有人管没有啊") is a ticket question whatever DIET and the head said;
1b. a short message the app found asking what to do about a symptom (`medical_advice`: "宝宝打完疫苗发烧38度5，要不要
   吃退烧药") is out_of_scope — declined with a pointer to a doctor — whatever DIET guessed (a complaint, a question);
2. a confident `other_department` verdict becomes `ask_item` (the knowledge engine then gives the
   no-answer that names the department or 12345) unless DIET already said `out_of_scope` (also a
   polite no); a confident `complaint` becomes `report_problem`, unless DIET said `out_of_scope` of a short message
   that asks something and uses no verb of complaining (2a, `asks_without_complaining`: a worry, not a grievance);
2b. DIET's complaint in a message the head calls a question only faintly, with a low complaint probability, that asks
   nothing in words and uses no verb of complaining ("帮我写一份科室年终总结，一千字左右") is `out_of_scope`
   (`neither_question_nor_grievance`, checked after a narrative the head is sure asks);
3. a confident `in_domain` / `policy` verdict becomes `ask_item` when DIET took the message for small
   talk, out-of-scope (only when the app is sure it asks, `asks`: an errand DIET declines, "帮我订一张去北京的火车票",
   stays declined), its fallback or a ticket question without a number, and when DIET saw a complaint
   in a short message (at most SHORT_QUESTION_CHARS: "要跑现场几次"; a longer one may be both about an item
   and a 办不成事 report: "护士注册交上去两个月了还没批") — or in a message of any length the app is sure asks
   (`asks`: a narrative question, "我在医院干了十年护士，现在想换到社区医院，证要重新办吗");
3b. in a conversation about an item, a message the app calls a follow-up question (`followup`: it asks
   something and names no other item, department or person) is `ask_item` whatever DIET guessed — a complaint,
   small talk, its fallback — unless the app's learned head thinks it a complaint (`complaint` probability at
   least FOLLOWUP_COMPLAINT_MAX, or a confident complaint verdict): "他们多少天内给审核结果", "我上次交了材料说缺
   东西，那到底还要交啥" (`followup_question`);
3b'. a follow-up question that asks for a part of the item's guide by an aspect cue (`followup_aspect`: "这个一般几个
   工作日能办好啊", "他们电话多少") is `ask_item` unless the head's complaint probability reaches
   FOLLOWUP_ASPECT_COMPLAINT_MAX, and even when DIET took it for a request for a person, if the app found no words
   asking for one and the head's complaint probability stays below FOLLOWUP_COMPLAINT_MAX (a discontented "你说的我
   看不太明白，能不能让工作人员跟我说" asks for someone; checked before the intents kept on purpose);
3c. right after a clarifying question, a typed message the app calls an answer to it (`clarify_reply`: it says more
   than small talk, asks for no person, and the head is not sure it is another department's or a complaint) is
   `ask_item` whatever DIET guessed — a yes/no, small talk, out-of-scope, a complaint — unless the head gives it a
   complaint probability of at least FOLLOWUP_COMPLAINT_MAX or it holds a ticket number (`clarify_answer`; checked
   right after the intents kept on purpose);
3d. a message the app is sure is only small talk (a confident `smalltalk` verdict saying nothing beyond greetings,
   thanks, goodbyes: "谢谢你啊 拜拜"; or a `smalltalk` verdict of at least SMALLTALK_SURE asking nothing in words:
   "太好了，省得跑一趟，谢谢谢谢", "好嘞明白了，谢谢小助手，回头有事再来问") that DIET took for anything but small talk
   is DIET's best-ranked greeting, thanks or goodbye, and small talk DIET saw stays small talk (`only_smalltalk`;
   checked right after 3c);
4a. a `smalltalk` verdict on a message that asks nothing in words keeps DIET's greeting, thanks or goodbye however
   much more it says ("好的我知道了，那我明天上午过去，谢谢你": the citizen's plan, nothing to look up; `closes_only`);
4. a long message (over LONG_MESSAGE_CHARS), or one that says more than a greeting or thanks
   ("你好，中考招生找哪个部门": over SUBSTANCE_CHARS once greeting words are taken out), is never small
   talk: it follows the gate's kind even when the gate is not confident (ask_item when the gate says
   small talk: the knowledge engine decides). What counts as greeting words is the app's business: the
   metadata's `beyond_smalltalk` ("好的没有问题了再见" says nothing more: 0); this module holds no vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nlu_components.gate_signals import (
    FOLLOWUP_COMPLAINT_MAX,
    GREETING_INTENTS,
    SMALLTALK_INTENTS,
    TICKET_INTENTS,
    asks_rather_than_complains,
    asks_without_complaining,
    clarify_answer,
    closes_only,
    followup_question,
    neither_question_nor_grievance,
    only_smalltalk,
    says_little_beyond,
    substance,
    sure_smalltalk,
    ticket_question,
    unfounded_kept_intent,
)
from nlu_components.gate_verdict import KIND_TO_INTENT
from nlu_components.ticket_numbers import mentions_number

LONG_MESSAGE_CHARS = 40
SHORT_ANSWER_CHARS = 6
YES_NO_CHARS = 3  # "好的", "不用了": always a yes/no; longer short answers may be a follow-up ("换成湖北的")
SUBSTANCE_CHARS = 6
SHORT_QUESTION_CHARS = 16
"""A message this short that the gate is sure asks about our services is a question even when DIET saw a
complaint in it ("办好了是寄过来还是自己去拿", "要跑现场几次"); longer ones may be both
("护士注册交上去两个月了还没批")."""

KEPT_INTENTS = frozenset({"cancel", "ask_human", "rate_ticket"})
SOFT_INTENTS = SMALLTALK_INTENTS | {"out_of_scope", "nlu_fallback", "ask_ticket_status"}

UNFOUNDED = "nlu_fallback"
"""What a kept intent without grounds is read as (`unfounded_kept_intent`): DIET's fallback, which the gate rules
may turn into the gate's kind and which Rasa otherwise sends to the knowledge engine (data/rules/answer.yml)."""


def overriding_intent(
    text: str,
    intent: str | None,
    has_ticket_number: bool,
    gate: dict[str, Any] | None,
    ranking: Sequence[str] = (),
    diet_confidence: float = 0.0,
    has_rating: bool = True,
) -> str | None:
    """The intent to use instead of `intent`, or None to keep DIET's (`ranking`: DIET's intents, best first;
    `diet_confidence`: DIET's confidence in `intent`; `has_rating`: DIET found a rating word in the message)."""
    if gate is None or not text or text.startswith("/"):
        return None
    if unfounded_kept_intent(text, intent, has_ticket_number, has_rating, gate):
        fallback = _overriding_intent(text, UNFOUNDED, has_ticket_number, gate, ranking, 0.0)
        return fallback or UNFOUNDED
    return _overriding_intent(text, intent, has_ticket_number, gate, ranking, diet_confidence)


def _overriding_intent(
    text: str,
    intent: str | None,
    has_ticket_number: bool,
    gate: dict[str, Any],
    ranking: Sequence[str],
    diet_confidence: float,
) -> str | None:
    if intent == "ask_human" and gate.get("followup_aspect") and not gate.get("asks_human"):
        if float(gate.get("complaint", 1.0)) < FOLLOWUP_COMPLAINT_MAX:
            return "ask_item"  # "他们电话多少": the office's phone, not a person (the app sees no such words)
        return None  # "你说的我看不太明白，能不能让工作人员跟我说": discontent, and someone to explain it
    if intent in KEPT_INTENTS or (intent in TICKET_INTENTS and has_ticket_number):
        return None
    if gate.get("asks_human"):
        return "ask_human"  # "算了 你直接帮我转个真人吧", "can I talk to a real person please"
    if ticket_question(intent, diet_confidence, gate):
        return None  # "上礼拜我反映过一个事，想看看现在处理到哪一步了": the head knows no ticket questions
    if gate.get("ticket_status"):  # "我投诉的那个单子有人管没有啊": the bot asks for the number
        return None if intent in TICKET_INTENTS else "ask_ticket_status"
    if gate.get("medical_advice"):
        return "out_of_scope" if intent != "out_of_scope" else None  # no diagnosis, no 办不成事 report
    answer = clarify_answer(intent, text, gate)
    if answer is not None:
        return answer  # "续期的" right after "which one?": the engine tells which choice it picks
    closing = only_smalltalk(intent, text, gate, ranking)
    if closing is not None:
        return closing  # "谢谢你啊 拜拜" that DIET took for a question: nothing to look up
    if intent in SMALLTALK_INTENTS and sure_smalltalk(text, gate):
        return None  # "好嘞明白了，谢谢小助手，回头有事再来问" says more than thanks, but nothing to look up
    follow_up = gate["kind"] == "in_domain" and gate["confident"]
    says_more = substance(text, gate) > 0
    if (
        intent in ("affirm", "deny")
        and len(text) <= SHORT_ANSWER_CHARS
        and (not follow_up or (len(text) <= YES_NO_CHARS and not ("beyond_smalltalk" in gate and says_more)))
    ):
        return None  # "好的", "不用了" — but "换成湖北的", "收钱不" (the gate's confident follow-up) are questions
    has_ticket_number = has_ticket_number or mentions_number(text)  # any form, whatever DIET's regex saw
    if has_ticket_number and (
        intent in SOFT_INTENTS or intent == "ask_item" or (intent == "report_problem" and says_little_beyond(text))
    ):
        return "ask_ticket_status"  # "BBC 20261122 0007 这个有结果了吗": a ticket number is looked up
    follow = followup_question(intent, gate)
    if follow is not None:
        return follow
    kind, confident = gate["kind"], gate["confident"]
    target = KIND_TO_INTENT.get(kind)
    if target is None:  # smalltalk: DIET already knows greetings from thanks from goodbyes …
        if intent in GREETING_INTENTS and substance(text, gate) > SUBSTANCE_CHARS and not closes_only(gate):
            return "ask_item"  # … but "你好，小升初划片找谁" says more than hello
        return None
    if kind == "other_department" and intent == "out_of_scope":
        return None  # both decline: DIET's out-of-scope reply (medical advice, tickets, errands) fits
    if kind == "complaint" and intent == "out_of_scope" and asks_without_complaining(text, gate):
        return None  # "孩子脸上长了好多小红点，痒得很，是不是湿疹": a worry told as a story, not a grievance
    if confident and kind in ("other_department", "complaint"):
        return target if target != intent else None
    if asks_rather_than_complains(intent, gate):
        return target  # a narrative that asks, not a 办不成事 report
    if neither_question_nor_grievance(intent, gate):
        return "out_of_scope"  # "帮我写一份科室年终总结": an errand, not a report
    if confident and intent in SOFT_INTENTS and intent != target:
        if intent == "out_of_scope" and not gate.get("asks"):
            return None  # an errand DIET declines ("帮我订一张去北京的火车票"): only a head sure it asks overturns it
        return target
    if (
        confident
        and kind in ("in_domain", "policy")
        and intent == "report_problem"
        and len(text) <= SHORT_QUESTION_CHARS
    ):
        return target  # "要跑现场几次": a short question the gate is sure of, not a 办不成事 report
    if (intent in SMALLTALK_INTENTS and len(text) > LONG_MESSAGE_CHARS and substance(text, gate) > 0) or (
        intent in GREETING_INTENTS and substance(text, gate) > SUBSTANCE_CHARS
    ):
        return target
    return None
