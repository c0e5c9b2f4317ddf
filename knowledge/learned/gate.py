"""The learned question gate: the kind verdict for the chat gateway, around an engine that decides.

`GatedEngine` wraps an engine (anything with `ask`) whose analyse stage already holds the learned
predictors (`Engine.set_predictors`, done by `wiring.with_learned`). It adds only `verdict(text)`, the
(kind, confidence, confident) the chat gateway sends to Rasa as metadata; answering — including turning
another department's question away — is the engine's decision rules' alone
(`knowledge/decide/rules.py`: `referral`, `other_department`), so one place decides.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from knowledge.learned.predictors import top
from knowledge.learned.protocol import LabelPredictor
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

SHORT_QUESTION_CHARS = 60
"""A message this short that names another department's service is a question to it, whatever its tone;
a longer narrative naming one in passing stays what the head says (a complaint)."""
BARE_REPORT_CHARS = 16
"""A message in complaint words this short has no room for another department's matter (`reports_only`)..."""
BARE_REPORT_RESIDUE = 5
"""... nor one whose residue (less cues, filler and generic words: "投诉事", "投诉们窗口") is longer than this."""
FOLLOWUP_MAX_RESIDUE = 4
"""A message saying at most this much beyond aspect cues, places and filler is a follow-up."""


class GateVerdict(NamedTuple):
    """What the chat gateway tells Rasa about a typed message."""

    kind: str | None
    confidence: float
    confident: bool
    beyond_smalltalk: int | None = None  # characters said beyond greetings, thanks, goodbyes (None: not judged)
    asks_human: bool = False  # asks for a person in words of its own
    asks_about_item: bool = False  # asks something naming no item, department or person: a follow-up in context
    complaint: float = 0.0  # the head's complaint probability
    asks: bool = False  # sure it asks about our services (a question, not a grievance), however long
    asks_aspect: bool = False  # names a part of a guide by an aspect cue (days, fee, materials, phone …)
    medical_advice: bool = False  # asks what to do about a symptom (lexicon `medical_advice`): declined, not filed
    question: bool = False  # asks something in words (a question word or mark), whatever the head makes of it
    ticket_number: bool = False  # holds a ticket number in any plausible form (knowledge/ticket_numbers.py)
    complains: bool = False  # uses a verb of complaining (lexicon `complaint_words`: 投诉, 反映, 举报 …)
    ticket_status: bool = False  # asks how a complaint filed earlier stands, in words (lexicon `ticket_status`)


QUESTION_KINDS = ("in_domain", "policy")


def asks_question(kind: str | None, prediction: dict[str, float], threshold: float | None) -> bool:
    """Whether the verdict's kind is a question (in-domain or policy) and the head's probability of a question
    (in-domain + policy) reaches `threshold` (calibrated so that almost no complaint of the tuning part reaches
    it out of fold; None: never)."""
    if threshold is None or kind not in QUESTION_KINDS:
        return False
    return sum(prediction.get(k, 0.0) for k in QUESTION_KINDS) >= threshold


def complains_about_department(query: Any, names_item: bool) -> bool:
    """Rule `complaint_about_department`: a complaint whose target is another department — its office, staff or
    service ("…医保局让我们来回跑了四趟…我要投诉医保局", "城管把我…摊收了…我要投诉城管"; `Query.complaint_target`,
    `knowledge/query/complaint_target.py`) — naming no item of ours is that department's matter: a confident
    `other_department`, whatever the head makes of its tone, so Rasa sends it to the engine's referral and not to
    the 办不成事 intake. A complaint about a hospital, clinic, vaccination, health permit or the commission's staff
    has no such target and stays what the head says."""
    return query.complaint_target is not None and not names_item


def asks_about_department(query: Any, names_item: bool) -> bool:
    """Rule `department_subject`: a question for a department in any words ("…这种涉毒的事是不是应该直接找警察",
    "学校不承认，投诉去那个部门") whose asking clause (or the clause before it) names another department's office or
    service and no health word (`Query.department_subject`, `knowledge/query/department_question.py`), naming no item
    of ours, is that department's matter: a confident `other_department` however much the story leans the head to a
    complaint. A question about a hospital, a nurse, a vaccination or the commission's staff has no such subject."""
    return query.department_subject is not None and not names_item


def reports_only(text: str, query: Any) -> bool:
    """Rule `bare_report`: a short message (at most BARE_REPORT_CHARS, its residue at most BARE_REPORT_RESIDUE) in
    the lexicon's complaint words that asks nothing, names no policy and no other department's service or office
    ("我要投诉", "我想投诉这个事", "这事我要反映一下") opens the 办不成事 intake, whatever the head makes of it (trained
    on many "投诉 <a department>" questions, it takes the bare words for another department's)."""
    if len(text) > BARE_REPORT_CHARS or not query.complains or query.asks or query.policy_cues:
        return False
    if len(query.residue) > BARE_REPORT_RESIDUE:  # "我想咨询一下律师投诉的事情": names a matter of its own
        return False
    return query.referral is None and query.complaint_target is None and not query.asks_department


class GatedEngine:
    def __init__(
        self,
        engine: Any,
        kind_predictor: LabelPredictor,
        aspect_predictor: LabelPredictor,
        thresholds: dict[str, float],
        question_threshold: float | None = None,
    ) -> None:
        self.engine = engine
        self.kind_predictor = kind_predictor
        self.aspect_predictor = aspect_predictor
        self.thresholds = dict(thresholds)
        self.question_threshold = question_threshold
        self._item_names: tuple[str, ...] | None = None  # normalised names and aliases, made on first use

    def __getattr__(self, name: str) -> Any:  # ask, analyse, catalog … are the engine's
        return getattr(self.engine, name)

    def verdict(self, text: str) -> tuple[str | None, float, bool]:
        """(kind, confidence, confident) for a text (see `gate`)."""
        verdict = self.gate(text)
        return verdict.kind, verdict.confidence, verdict.confident

    def gate(self, text: str) -> GateVerdict:
        """(kind, confidence, confident, characters said beyond small talk, asks for a person) for a text.

        The head's verdict, made consistent with what the engine will decide:
        - a complaint about another department (`complains_about_department`) is a confident `other_department`;
        - a question the engine refers to another department by keyword (`referrals.yaml`, no item of ours
          named; a narrative over SHORT_QUESTION_CHARS only if the head is not sure of another kind or it asks which
          department handles it naming no health institution or matter, lexicon `health_targets`/`health_matters`) or
          that asks which department handles something naming nothing of ours (the head not sure of
          another kind, and not leaning to a complaint: "医院乱收费，去哪里反映" is one) is a confident
          `other_department` — so Rasa does not send "医保卡还没激活，在医院刷不了" to the complaint intake;
        - a message made only of greetings, thanks, goodbyes and acknowledgements (lexicon `smalltalk`:
          "好的没有问题了再见") is confident small talk;
        - a message that asks only for an aspect or names only a place ("有没有工本费", "我在浙江") is a
          confident `in_domain` follow-up unless the head is sure it is a complaint — so Rasa does not
          take it for small talk.
        `beyond_smalltalk` is how much the message says beyond small-talk words (None when not judged): Rasa's
        gate component never takes a message saying more than a greeting for one; `asks_human` that it asks
        for a person (lexicon `human_cues`); `asks` that the head is sure it asks about our services (see
        `asks_question`), so Rasa does not take a long narrative question for a 办不成事 report."""
        prediction = self.kind_predictor.predict(text)
        kind, p = top(prediction)
        confident = kind is not None and p >= self.thresholds.get(kind, 1.0)
        query = self._analyse(text)
        if query is None:
            return GateVerdict(kind, p, confident, asks=asks_question(kind, prediction, self.question_threshold))
        kind, confident = self._consistent(text, query, kind, confident)
        beyond = None if query.beyond_smalltalk is None else len(query.beyond_smalltalk)
        complaint = float(query.kind_probs.get("complaint", 0.0))
        asks = asks_question(kind, prediction, self.question_threshold)
        about_item = self._asks_about_item(query)
        return GateVerdict(
            kind,
            p,
            confident,
            beyond,
            query.asks_human,
            about_item,
            complaint,
            asks,
            bool(query.aspect_cues),
            bool(query.asks_medical_advice),
            bool(query.asks),
            bool(query.ticket_numbers),
            bool(query.complains),
            bool(query.asks_ticket_status),
        )

    def _asks_about_item(self, query: Any) -> bool:
        """Asks something (a question word or mark, an A-not-A question: "他们多少天内给审核结果", "我上次交了材料
        说缺东西，那到底还要交啥", "收不收费"; aspect words, a place or "这个" alone do not ask: "…已逾法定时限仍未
        收到答复", "我去窗口办这个被推来推去") and names no
        item, no other department's service, no department or complaint route, no person, and uses no verb of
        complaining: in a conversation about an item, a follow-up question about it (the chat gateway tells Rasa
        so only when the conversation has an item)."""
        if query.referral is not None or query.asks_department or query.asks_complaint_route or query.asks_human:
            return False
        if query.complains or self._names_item(query.norm):
            return False
        return bool(query.asks)

    def _consistent(self, text: str, query: Any, kind: str | None, confident: bool) -> tuple[str | None, bool]:
        sure = kind if confident else None
        if reports_only(text, query):  # "我要投诉": the head reads bare complaint words as another department's
            return "complaint", True
        if sure == "other_department":
            return kind, confident
        named = self._names_item(query.norm)
        if complains_about_department(query, named):
            return "other_department", True  # "…我要投诉公积金中心": that department's matter, not a 办不成事 report
        if asks_about_department(query, named):
            return "other_department", True  # "…医闹这种事应该找谁处理": asks for another department, not a report
        if (
            not named
            and query.referral is not None
            and (
                sure is None
                or len(text) <= SHORT_QUESTION_CHARS
                or (query.asks_department and not self._names_health(query.norm))
            )
        ):
            return "other_department", True  # names another department's service: even a short complaint, or asks
            # which department handles it ("…blood pressure monitor…Who handles product quality complaints?")
        if not named and query.asks_department and sure is None and kind != "complaint":
            return "other_department", True  # where to complain, with the head leaning to a complaint: DIET decides
        if query.complains and not query.asks:
            return (
                "complaint",
                True,
            )  # "我要反映办不成的事", "我要投诉": a report in the lexicon's complaint words, asking nothing
        if query.beyond_smalltalk == "" and sure in (None, "smalltalk", "in_domain"):
            return "smalltalk", True
        if (query.aspect_cues or query.region) and len(query.residue) <= FOLLOWUP_MAX_RESIDUE and sure != "complaint":
            return "in_domain", True
        return kind, confident

    def _analyse(self, text: str) -> Any:
        analyse = getattr(self.engine, "analyse", None)
        return analyse(text) if analyse is not None else None

    def _names_health(self, norm: str) -> bool:
        """Whether the text names a health institution, its staff or a health matter (a complaint about one is ours:
        "医院让我去医保窗口来回跑，去哪投诉")."""
        lexicon = getattr(self.engine, "lexicon", None)
        if lexicon is None:
            return False
        return any(normalise(w) in norm for w in (*lexicon.health_targets, *lexicon.health_matters))

    def _names_item(self, norm: str) -> bool:
        if self._item_names is None:  # the engine's catalog never changes (a publish builds a new engine)
            catalog = getattr(self.engine, "catalog", None)
            if catalog is None:
                return False
            self._item_names = tuple(normalise(n) for item in catalog.items for n in (item.name, *item.aliases))
        return any(n in norm for n in self._item_names)
