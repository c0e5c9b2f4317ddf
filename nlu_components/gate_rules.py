"""When the app's question gate overrides the intent DIET predicted (pure logic, no Rasa import).

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

import re
from collections.abc import Sequence
from typing import Any

from nlu_components.ticket_numbers import fold, mentions_number, number_pattern

LONG_MESSAGE_CHARS = 40
SHORT_ANSWER_CHARS = 6
YES_NO_CHARS = 3  # "好的", "不用了": always a yes/no; longer short answers may be a follow-up ("换成湖北的")
SUBSTANCE_CHARS = 6
GREETING_INTENTS = frozenset({"greet", "goodbye", "thank"})
_PUNCTUATION = re.compile(r"[\s\W_]")
SHORT_QUESTION_CHARS = 16
"""A message this short that the gate is sure asks about our services is a question even when DIET saw a
complaint in it ("办好了是寄过来还是自己去拿", "要跑现场几次"); longer ones may be both
("护士注册交上去两个月了还没批")."""


FOLLOWUP_COMPLAINT_MAX = 0.5
"""A follow-up question keeps the conversation's item unless the learned head gives it at least this complaint
probability."""
FOLLOWUP_ASPECT_COMPLAINT_MAX = 0.8
"""... and one asking for a part of the item's guide by an aspect cue (days, fee, phone …) unless at least this: the
head reads the message alone, and a story of handing papers in leans it to a complaint ("我上周已经把材料交到卫健局
窗口了，他们说收到了，这个一般几个工作日能办好啊"); a verb of complaining never makes a follow-up."""


def substance(text: str, gate: dict[str, Any]) -> int:
    """How many characters a message says beyond greetings, thanks, goodbyes and acknowledgements: the app
    counts them with the knowledge lexicon's small-talk vocabulary (`beyond_smalltalk`); without that count,
    every character but punctuation."""
    beyond = gate.get("beyond_smalltalk")
    return beyond if isinstance(beyond, int) else len(_PUNCTUATION.sub("", text))


SMALLTALK_INTENTS = frozenset({"greet", "goodbye", "thank", "chitchat", "affirm", "deny"})
KEPT_INTENTS = frozenset({"cancel", "ask_human", "rate_ticket"})
TICKET_INTENTS = frozenset({"ask_ticket_status"})
SOFT_INTENTS = SMALLTALK_INTENTS | {"out_of_scope", "nlu_fallback", "ask_ticket_status"}
FOLLOWUP_OVERRIDDEN = SMALLTALK_INTENTS | {"report_problem", "nlu_fallback"}
"""What DIET may call a follow-up question that the gate turns into ask_item (a ticket question stays one; DIET's
out-of-scope — medical advice, errands — is left to the gate's confident kind, rule 3)."""
DIET_SURE = 0.9
"""DIET's confidence in a ticket question without a number at which a complaint verdict does not overturn it."""
SMALLTALK_SURE = 0.85
"""A `smalltalk` verdict this sure is small talk however much the message says beyond greeting words ("行吧，希望这次能
解决，先这样拜拜"): on the hand-written tuning sets no turn but small talk reaches it, save one holding a ticket number
and one asking for a person (both checked first)."""
KIND_TO_INTENT = {
    "other_department": "ask_item",
    "complaint": "report_problem",
    "in_domain": "ask_item",
    "policy": "ask_item",
}


def gate_of(metadata: Any) -> dict[str, Any] | None:
    """The gate verdict in a message's metadata, validated, or None."""
    if not isinstance(metadata, dict):
        return None
    gate = metadata.get("gate")
    if not isinstance(gate, dict) or gate.get("kind") not in (*KIND_TO_INTENT, "smalltalk"):
        return None
    confidence = gate.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        return None
    verdict = {"kind": gate["kind"], "confidence": float(confidence), "confident": bool(gate.get("confident"))}
    beyond = gate.get("beyond_smalltalk")
    if isinstance(beyond, int) and not isinstance(beyond, bool) and beyond >= 0:
        verdict["beyond_smalltalk"] = beyond
    if gate.get("asks_human") is True:
        verdict["asks_human"] = True
    if gate.get("medical_advice") is True:
        verdict["medical_advice"] = True
    if gate.get("followup") is True:
        verdict["followup"] = True
        if gate.get("followup_aspect") is True:
            verdict["followup_aspect"] = True
    if gate.get("clarify_reply") is True:
        verdict["clarify_reply"] = True
    complaint = gate.get("complaint")
    if isinstance(complaint, int | float) and not isinstance(complaint, bool) and 0.0 <= complaint <= 1.0:
        verdict["complaint"] = float(complaint)
    elif "followup" in verdict or "clarify_reply" in verdict:
        verdict["complaint"] = 1.0  # unknown: never overrides DIET's complaint
    if gate.get("asks") is True:
        verdict["asks"] = True
    if gate.get("question") is True:
        verdict["question"] = True
    if gate.get("complains") is True:
        verdict["complains"] = True
    if gate.get("ticket_status") is True:
        verdict["ticket_status"] = True
    return verdict


def followup_question(intent: str | None, gate: dict[str, Any]) -> str | None:
    """`ask_item` for a follow-up question about the conversation's item that DIET took for something else,
    unless the learned head leans to a complaint; None to keep DIET's intent."""
    if not gate.get("followup") or intent not in FOLLOWUP_OVERRIDDEN:
        return None
    complaint = float(gate.get("complaint", 1.0))
    if gate.get("followup_aspect"):  # asks for part of the guide: only a head nearly sure of a complaint keeps it
        return "ask_item" if complaint < FOLLOWUP_ASPECT_COMPLAINT_MAX else None
    if gate["kind"] == "complaint" and gate["confident"]:
        return None
    if complaint >= FOLLOWUP_COMPLAINT_MAX:
        return None
    return "ask_item"


def clarify_answer(intent: str | None, text: str, gate: dict[str, Any]) -> str | None:
    """`ask_item` for a typed answer to a clarifying question ("续期的", "证丢了要补", "新开的一家足浴店") that DIET
    took for anything else — a yes/no, small talk, out-of-scope, a complaint — unless the learned head leans to a
    complaint or the text holds a ticket number; None to keep DIET's intent. The knowledge engine then tells which
    offered choice it picks, or answers it as any other question."""
    if not gate.get("clarify_reply") or intent == "ask_item" or mentions_number(text):
        return None
    if float(gate.get("complaint", 1.0)) >= FOLLOWUP_COMPLAINT_MAX:
        return None
    return "ask_item"


NUMBER_CONTEXT_CHARS = 40
"""A message holding a ticket number and at most this many other characters (punctuation aside) asks about that
ticket even when DIET saw a complaint in it; a longer one may be a new complaint that cites an old number."""
_NUMBER = number_pattern()


def says_little_beyond(text: str) -> bool:
    """Whether a message says at most NUMBER_CONTEXT_CHARS characters besides the ticket numbers in it."""
    return len(_PUNCTUATION.sub("", _NUMBER.sub("", fold(text)))) <= NUMBER_CONTEXT_CHARS


def looks_like_ticket_number(value: Any) -> bool:
    """Whether an extracted ticket_number entity looks like one (letters, then a date): DIET's entity
    extractor also tags bare numbers ("明年满60")."""
    return isinstance(value, str) and mentions_number(value)


def asks_rather_than_complains(intent: str | None, gate: dict[str, Any]) -> bool:
    """DIET saw a complaint in a message, long or short, that the app's head is sure asks about our services
    (`asks`: the probability of a question reached the threshold at which, out of fold on the tuning part,
    almost no complaint is taken for a question)."""
    return intent == "report_problem" and gate.get("asks") is True and gate["kind"] in ("in_domain", "policy")


def only_smalltalk(intent: str | None, text: str, gate: dict[str, Any], ranking: Sequence[str] = ()) -> str | None:
    """A message the app is sure is only small talk (`sure_smalltalk`: "谢谢你啊 拜拜", "唔该晒", "太好了，省得跑一趟，
    谢谢谢谢") that DIET took for a question, a complaint, out-of-scope or its fallback is small talk: DIET's
    best-ranked greeting, thanks or goodbye (thanks when it ranked none); None to keep DIET's intent (a yes/no,
    chitchat or a greeting stay as DIET said)."""
    if not sure_smalltalk(text, gate) or intent in SMALLTALK_INTENTS:
        return None
    return next((name for name in ranking if name in GREETING_INTENTS), "thank")


def sure_smalltalk(text: str, gate: dict[str, Any]) -> bool:
    """Whether the app is sure a message is small talk: a confident `smalltalk` verdict counting 0 characters beyond
    small-talk words, or one of at least SMALLTALK_SURE asking nothing in words (`question`); never with a ticket
    number, a request for a person or for medical advice (rules checked before, kept here so it stands alone)."""
    if gate["kind"] != "smalltalk" or not gate["confident"] or mentions_number(text):
        return False
    if gate.get("asks_human") or gate.get("medical_advice"):
        return False
    if "beyond_smalltalk" not in gate:  # not judged by the app
        return False
    if gate["beyond_smalltalk"] == 0:
        return True
    return gate["confidence"] >= SMALLTALK_SURE and not gate.get("question")  # "谢谢，护士注册要多久" asks


def closes_only(gate: dict[str, Any]) -> bool:
    """Rule `closing_says_more` (4a): a `smalltalk` verdict, sure or not, on a message that asks nothing in words and
    seeks no person and no medical advice (a ticket number is ruled before): what it says beyond greeting words is
    the citizen's own plan or praise ("好的我知道了，那我明天上午过去，谢谢你", "明白了，回头我让会计去弄，谢了哈"),
    nothing to look up, so DIET's greeting, thanks or goodbye stays. Only when the app judged it (`beyond_smalltalk`
    present): without the app's count every character counts and rule 4 decides."""
    if gate["kind"] != "smalltalk" or "beyond_smalltalk" not in gate:
        return False
    return not (gate.get("question") or gate.get("asks_human") or gate.get("medical_advice"))


WORRY_MAX_CHARS = 60
"""Rule 2a reads short messages only: a narrative complaint (150 characters and more on the hand-written sets) often
asks something and names no verb of complaining, and is the head's to call."""


def asks_without_complaining(text: str, gate: dict[str, Any]) -> bool:
    """Rule `worry_not_grievance` (2a): DIET's out-of-scope stands against the head's complaint verdict when a short
    message (at most WORRY_MAX_CHARS) asks something in words (`question`) and uses no verb of complaining
    (`complains`): the head, which knows no out-of-scope kind, reads a symptom or a worry told as a story ("老人摔了
    一跤腰疼起不来，在家怎么处理") as a grievance, and the 办不成事 intake would then ask which service failed. A
    grievance that asks ("…这不是折腾人吗") is one DIET itself takes for a complaint; one that says 投诉/反映 is the
    head's."""
    if len(text) > WORRY_MAX_CHARS:
        return False
    return gate.get("question") is True and not gate.get("complains")


NEITHER_CONFIDENCE_MAX = 0.5
NEITHER_COMPLAINT_MAX = 0.4
"""Rule `neither_question_nor_grievance`: the head's question verdict below NEITHER_CONFIDENCE_MAX and its complaint
probability below NEITHER_COMPLAINT_MAX. On the hand-written tuning sets every message DIET took for a complaint that
the head calls a question and that asks nothing in words is either an errand ("帮我写一份科室年终总结") under both, or
a story the head is sure of (0.8 and more) and the gate's other rules answer."""


def neither_question_nor_grievance(intent: str | None, gate: dict[str, Any]) -> bool:
    """Rule `neither_question_nor_grievance`: DIET saw a complaint in a message the head calls a question only faintly
    (below NEITHER_CONFIDENCE_MAX, and not sure it asks: `asks`), with a low complaint probability (below
    NEITHER_COMPLAINT_MAX), that asks nothing in words (`question`) and uses no verb of complaining (`complains`):
    neither a question about our services nor a 办不成事 report but a request the assistant does not serve ("顺便帮我
    写个请假条给护士长", "帮我写一份科室年终总结，一千字左右"): out_of_scope, declined, never the intake."""
    if intent != "report_problem" or gate["kind"] not in ("in_domain", "policy"):
        return False
    if gate.get("asks") or gate.get("question") or gate.get("complains"):
        return False
    return gate["confidence"] < NEITHER_CONFIDENCE_MAX and gate.get("complaint", 1.0) < NEITHER_COMPLAINT_MAX


def ticket_question(intent: str | None, diet_confidence: float, gate: dict[str, Any]) -> bool:
    """A ticket question without a number that DIET is sure of, asking something in words, that the head calls a
    complaint: it stays a ticket question (the bot asks for the number)."""
    return (
        intent in TICKET_INTENTS
        and diet_confidence >= DIET_SURE
        and gate["kind"] == "complaint"
        and gate.get("question") is True
    )


UNFOUNDED = "nlu_fallback"
"""What a kept intent without grounds is read as (`unfounded_kept_intent`): DIET's fallback, which the gate rules
may turn into the gate's kind and which Rasa otherwise sends to the knowledge engine (data/rules/answer.yml)."""


def unfounded_kept_intent(
    text: str, intent: str | None, has_ticket_number: bool, has_rating: bool, gate: dict[str, Any]
) -> bool:
    """Rule `kept_intent_needs_grounds`: an intent kept on purpose (rule 1) that the typed message gives no ground
    for.
    - `rate_ticket` with no rating word (DIET's `rating` entity) and no ticket number: DIET reads 评价/举报 in "预评价
      审核多少天出结果" or "在网上药店买处方药…找谁举报" as a rating, and the rating action can only say it found no
      ticket;
    - `cancel` of a message the head is sure asks about our services (`asks`): the gateway sends a verdict only
      when no intake waits for an answer, so there is nothing to cancel, and DIET took 註銷 ("我要註銷，以後不做
      護士了") or 没了 ("原来是有的 搬家的时候弄没了") for one.
    - `ask_human` of a message the app is sure is only small talk and finds no words asking for a person in
      (`sure_smalltalk`): "好的，麻烦你们了，等你们电话" closes a filed complaint, it asks for nobody.
    Such a message is then DIET's fallback for the rules below (the gate's kind decides; else the engine answers)."""
    if intent == "rate_ticket":
        return not (has_rating or has_ticket_number)
    if intent == "ask_human":
        return sure_smalltalk(text, gate)
    return intent == "cancel" and gate.get("asks") is True and not gate.get("asks_human")


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
