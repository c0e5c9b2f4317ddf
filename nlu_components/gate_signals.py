"""What the app's gate verdict says of a message: the predicates the gate rules (`nlu_components/gate_rules.py`)
combine, each with the threshold it reads (pure logic, no Rasa import). Each is documented with the rule it serves
in `gate_rules`' module docstring."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nlu_components.ticket_numbers import fold, mentions_number, number_pattern

GREETING_INTENTS = frozenset({"greet", "goodbye", "thank"})
_PUNCTUATION = re.compile(r"[\s\W_]")


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
TICKET_INTENTS = frozenset({"ask_ticket_status"})
FOLLOWUP_OVERRIDDEN = SMALLTALK_INTENTS | {"report_problem", "nlu_fallback"}
"""What DIET may call a follow-up question that the gate turns into ask_item (a ticket question stays one; DIET's
out-of-scope — medical advice, errands — is left to the gate's confident kind, rule 3)."""
DIET_SURE = 0.9
"""DIET's confidence in a ticket question without a number at which a complaint verdict does not overturn it."""
SMALLTALK_SURE = 0.85
"""A `smalltalk` verdict this sure is small talk however much the message says beyond greeting words ("行吧，希望这次能
解决，先这样拜拜"): on the hand-written tuning sets no turn but small talk reaches it, save one holding a ticket number
and one asking for a person (both checked first)."""


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
