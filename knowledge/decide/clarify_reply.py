"""A typed reply to a clarifying question: the citizen answers "which one?" in words instead of pressing a button.

The last reply asked which item or which sub-item and offered choices (`Context.choices`, read back from that
reply's buttons by the answer action). A message that picks exactly one of them by what it says — a sub-item cue
of the lexicon ("续期的", "证丢了要补", "我是第一次办"), the choice's own label ("办证"), words only that sub-item's
guide uses among the offered ones, or a name (or part of one) of one offered item ("护士那个") — answers the
question the clarify was about for that choice: the clarify's aspect, unless the reply asks something of its own
("续期的要多久"). A reply telling another sub-item the item has (its 换发 when 首次 and 补发 were offered: the clarify
compared the guides that differ in the asked field, not every case) picks that one. A reply naming an item that was
not offered, another department's service, a policy, a person or
a complaint route picks nothing: the other rules take it.

A pressed button (`Context.chosen`: the answer action re-asks the question the clarify was about with the chosen item
and sub-item) is the same choice made without words: `button_choice` answers it as a typed reply picking that choice
would be answered — never turned away by the words of the question it re-asks ("…办孩子那张要上户口用的证" read as
the police's 户口), and a process question answered for the chosen case with the materials that case needs too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace

from knowledge.answer import Choice
from knowledge.decide.item_decision import aspects_of, item_decision
from knowledge.decide.model import Decision
from knowledge.decide.referral_ask import keyword_of_our_question
from knowledge.decide.situation import Facts, Situation
from knowledge.query.analyse import SUB_ITEM_HOW
from knowledge.schema import Aspect, Guide
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

CLARIFY_REPLY_CONFIDENCE = 0.85
REPLY_MIN_VOTES = 1  # among the offered sub-items only, one word that only one of their guides uses is enough
_LABEL = re.compile(r"[（(]([^）)]+)[）)]")


def _label(choice: Choice) -> str:
    """The words a choice's title adds to its item's name: "护士执业注册（延续注册）" → "延续注册"."""
    found = _LABEL.search(choice.title)
    return normalise(found.group(1)) if found else ""


def _reply_aspects(s: Situation) -> tuple[Aspect, ...]:
    """The reply's own aspects when it asks something ("续期的要多久"); else the clarify's ("证快过期了" states why,
    it does not ask about the validity). A clarify about how to go about it ("出生证明该怎么弄") answered by the
    citizen's case ("证上孩子生日填错了") asks what the analyser makes of "证丢了咋办" in one message: what that case
    needs, then how it goes (`SUB_ITEM_HOW`)."""
    q = s.query
    if q.aspects and q.asks:
        return q.aspects
    if s.context.aspect is Aspect.process:
        return SUB_ITEM_HOW
    return (s.context.aspect,) if s.context.aspect else (Aspect.overview,)


def _by_sub_item(s: Situation, f: Facts, offered: Sequence[Choice], aspect: Aspect) -> Choice | None:
    """The offered choice (one item's sub-items) the reply names: its sub-item cue, its label, or words only that
    sub-item's guide uses among the offered ones."""
    q = s.query
    by_sub = {c.sub_item: c for c in offered if c.sub_item}
    if q.sub_item in by_sub:
        return by_sub[q.sub_item]
    # the cues the reply carries, else the case its story settles ("she passed the exam and never registered": 首次)
    item = f.catalog.item_by_code.get(offered[0].item_code)
    # the case a story settles among the item's own sub-items (a torn certificate: 换发, else 补发)
    has = f.selector.sub_items(item) if item is not None else None
    told = f.selector.cues.sub_items_in(q.norm) or f.selector.cues.situations_in(q.norm, has)
    told_offered = [sub for sub in told if sub in by_sub]
    # "搬完家证就不见了": 搬家 tells 变更, which was not offered; 不见了 tells 补发, which was
    if len(told_offered) == 1:
        return by_sub[told_offered[0]]
    labelled = [c for c in offered if _label(c) and _label(c) in q.norm]
    if len(labelled) == 1:
        return labelled[0]
    if item is None:
        return None
    covered = [sub for sub in told if sub in f.selector.sub_items(item)]
    if len(covered) == 1:  # "证上孩子生日填错了" after 首次 / 补发 were offered: the item's 换发, which it has too
        return Choice(title=f"{item.name}（{covered[0]}）", item_code=item.code, sub_item=covered[0])
    if q.sub_item is not None:  # names a sub-item the item does not have: not an answer to this
        return None
    region = q.region or q.region_hint
    pairs: list[tuple[str, Guide]] = [(sub, f.selector.choose(item, aspect, sub, region)) for sub in by_sub]
    named = f.sub_item_words.sub_item_named(item, q.norm, pairs, min_votes=REPLY_MIN_VOTES)
    return by_sub.get(named) if named else None


def _by_item(s: Situation, f: Facts, offered: Sequence[Choice]) -> Choice | None:
    """The offered choice (of several items) the reply names: verbatim, or a part of one offered item's name."""
    codes = {c.item_code: c for c in offered}
    exact = [c for c in s.scores.exact if c in codes]
    if len(exact) == 1:
        return codes[exact[0]]
    if s.query.residue:
        named = [c for c in f.items_naming(s.query.residue) if c in codes]
        if len(named) == 1:
            return codes[named[0]]
    return None


def chosen(s: Situation, f: Facts) -> Choice | None:
    """The one offered choice a typed reply picks, or None."""
    offered = s.context.choices
    if not offered:
        return None
    q = s.query
    if (q.referral is not None and not keyword_of_our_question(s, f)) or q.policy_names:
        return None  # another department's matter, or a policy's (a keyword telling the case of ours stays a reply)
    if q.asks_human or q.asks_complaint_route or q.asks_department:
        return None
    others = [c for c in s.scores.exact if c not in {o.item_code for o in offered}]
    if others:  # names an item that was not offered: a new question
        return None
    if len({c.item_code for c in offered}) == 1:
        return _by_sub_item(s, f, offered, _reply_aspects(s)[0])
    return _by_item(s, f, offered)


def clarify_reply(s: Situation, f: Facts) -> Decision | None:
    """A typed reply picking one of the choices the last clarifying question offered (module docstring)."""
    choice = chosen(s, f)
    if choice is None or choice.item_code not in f.catalog.item_by_code:
        return None
    q = s.query
    logger.debug("clarify reply %r → %s %s", q.norm[:30], choice.item_code, choice.sub_item)
    return Decision(
        kind="answer",
        rule="clarify_reply",
        item_code=choice.item_code,
        aspects=_reply_aspects(s),
        sub_item=choice.sub_item or q.sub_item,
        region=q.region or q.region_hint,
        region_named=q.region is not None,
        confidence=CLARIFY_REPLY_CONFIDENCE,
    )


def _choice_aspects(s: Situation) -> tuple[Aspect, ...]:
    """The aspects a pressed button's question asks: its own (the clarify's when it asks none). A process question with
    a sub-item chosen also gets what that case needs: a vague one ("护士证怎么办") what the case needs, then how it goes
    (`SUB_ITEM_HOW`, as the analyser reads "证丢了咋办" and a typed reply telling the case gets); one asking for the
    process in so many words ("…的流程是怎样的", "…要怎么申请") the process, then the case's materials."""
    aspects = aspects_of(s.query, s.context)
    if not s.context.sub_item or aspects != (Aspect.process,):
        return aspects
    return SUB_ITEM_HOW if s.query.vague_aspect else (Aspect.process, Aspect.materials)


def button_choice(s: Situation, f: Facts) -> Decision | None:
    """A pressed clarify button (`Context.chosen`): the chosen item (and sub-item) for the re-asked question."""
    ctx = s.context
    if not ctx.chosen or ctx.item_code not in f.catalog.item_by_code:
        return None
    decision = item_decision(s, f, ctx.item_code, "button_choice", CLARIFY_REPLY_CONFIDENCE, _choice_aspects(s))
    logger.debug("button choice → %s %s", ctx.item_code, ctx.sub_item)
    return replace(decision, sub_item=ctx.sub_item) if ctx.sub_item else decision
