"""The `faq` rule: a FAQ entry answers instead of the guide's sections when it matches the question better.

After a rule has chosen an item, the item's FAQ entries (`knowledge/faq.py`) compete with its guide sections.
The FAQ channel scores how closely the question, without the item's names, asks what each entry's question
asks (`Scores.faqs`). A guide states fields verbatim (materials, time limit, fee, validity, result, basis,
place, online service): a question asking for such a field that the item's guides state is matched by that
section, and an entry beats it only at `Tuning.faq_min_over_field`. A question asking how to go about it,
who may, whether it is still possible (process, conditions, overview — what FAQ entries answer in their own
words) takes an entry from `Tuning.faq_min`; so does a field no guide of the item states, but only from an entry
whose own question asks for that field ("免费避孕药怎么在网上领" → 如何在线领取): an entry about something else ("婚检去
哪里办" → 如何办理婚检预约) needs `faq_min_over_field`, so that the guide's honest "本指南未载明" stands. The entry's
region must cover the place the question names or the conversation knows (a 厦门 FAQ does not answer for 深圳). The
best entry is quoted verbatim with its source; otherwise the decision stands. Policy answers, clarifying questions
and no-answers are left alone.

An item whose guides state no field at all (its only record is FAQ entries: 免费避孕药具's two Beijing entries) has
nothing but its entries to say: its best entry that fits the place answers whatever the score, one whose own question
asks for what was asked first, never one asking for another field ("北京哪里能免费领避孕套" → 如何线下领取, not
如何在线领取), rather than "本指南未载明" for a field no guide of it could state.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation
from knowledge.documents import field_text
from knowledge.faq import FaqEntry
from knowledge.schema import Aspect
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

OPEN_ASPECTS = frozenset({Aspect.process, Aspect.conditions, Aspect.overview})
"""Aspects a FAQ entry answers in its own words: how to go about it, who may, what it is."""


def entry_asks(entry: FaqEntry, f: Facts) -> frozenset[Aspect]:
    """The aspects the entry's own question asks for, by the lexicon's cues, its item's names taken out
    ("手把手教你如何在线领取免费避孕药具" → online; 免费 there is the item's name, not a question about the fee)."""
    text = normalise(entry.faq.question)
    for name in sorted(f.names_of(entry.item_code), key=len, reverse=True):
        text = text.replace(name, " ")
    return frozenset(h.aspect for h in f.selector.cues.aspect_hits(text))


def faq_threshold(s: Situation, f: Facts, code: str, entry: FaqEntry | None = None) -> float:
    """The score an entry needs: higher when the question's own cues ask for a field the item's guides state, or
    (given the entry) for a field the entry's own question does not ask about."""
    t = f.tuning
    if s.query.aspect_source != "cue":
        return t.faq_min
    item = f.catalog.item_by_code[code]
    fields = [a for a in s.query.aspects if a not in OPEN_ASPECTS]
    if any(field_text(g, a) for a in fields for g in item.guides):
        return t.faq_min_over_field
    if fields and entry is not None and not entry_asks(entry, f) & set(fields):
        return t.faq_min_over_field  # "婚检去哪里办": the booking entry does not say where; "本指南未载明" does
    return t.faq_min


def _fits_region(entry: FaqEntry, s: Situation, f: Facts) -> bool:
    asked = s.query.region or s.query.region_hint
    return asked is None or f.selector.region_covers(entry.region, asked)


def faq_only(f: Facts, code: str) -> bool:
    """Whether no guide of the item states any field: its FAQ entries are all it has."""
    return all(field_text(g, a) is None for g in f.catalog.item_by_code[code].guides for a in Aspect)


def _faq_only_entry(s: Situation, f: Facts, code: str) -> tuple[FaqEntry, float] | None:
    """A FAQ-only item's entry for the question: the place fits, the entry's own question asks for no field other
    than those asked; one asking for an asked field first, then by score."""
    asked = {a for a in s.query.aspects if a not in OPEN_ASPECTS}
    found = []
    for entry in f.faqs_of(code):
        score = s.scores.faqs.get(entry.id, 0.0)
        own = entry_asks(entry, f) - OPEN_ASPECTS
        if not _fits_region(entry, s, f) or (own and not own & asked):
            continue
        found.append((bool(own & asked), score, entry))
    best = max(found, key=lambda row: row[:2], default=None)
    return (best[2], best[1]) if best else None


def best_faq(s: Situation, f: Facts, code: str) -> tuple[FaqEntry, float] | None:
    """The item's FAQ entry the question asks best, when it clears the threshold and fits the place (for an item
    with FAQ entries only, its best fitting entry)."""
    if faq_only(f, code):
        return _faq_only_entry(s, f, code)
    found = [
        (entry, s.scores.faqs[entry.id])
        for entry in f.faqs_of(code)
        if s.scores.faqs.get(entry.id, 0.0) >= faq_threshold(s, f, code, entry) and _fits_region(entry, s, f)
    ]
    return max(found, key=lambda pair: pair[1], default=None)


def states_the_case(decision: Decision, s: Situation) -> bool:
    """A message in a conversation about the decision's item that asks nothing and no aspect of its own but tells
    which case is the citizen's ("早些年领过，如今那本寻不着了" after "光荣证得备哪些东西" and its clarifying question):
    the question answered is the conversation's, for that sub-item; a FAQ entry matching the story's words ("现在还能
    新办吗") does not answer it."""
    q = s.query
    return bool(
        decision.sub_item
        and decision.item_code == s.context.item_code
        and s.context.aspect
        and not q.asks
        and not q.aspects
    )


def chosen_case(decision: Decision, s: Situation) -> bool:
    """The decision answers a sub-item the citizen just chose by pressing a clarify button (`Context.chosen`): the
    question is asked of that case's guide ("…想问问怎么弄" → 补发), not of a FAQ entry matching its words."""
    ctx = s.context
    return bool(ctx.chosen and decision.sub_item and decision.item_code == ctx.item_code)


def faq(decision: Decision, s: Situation, f: Facts) -> Decision:
    """An item answer becomes the quoted FAQ entry when one matches the question better than the sections."""
    if decision.kind != "answer" or decision.item_code is None or decision.policy_id or decision.faq_id:
        return decision
    if states_the_case(decision, s) or chosen_case(decision, s):
        return decision
    chosen = best_faq(s, f, decision.item_code)
    if chosen is None:
        return decision
    entry, score = chosen
    logger.debug("faq %s (%.3f) answers for %s", entry.id, score, decision.item_code)
    return replace(decision, faq_id=entry.id, rule=f"{decision.rule}+faq", clarify_sub_items=())
