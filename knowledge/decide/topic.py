"""The conversation's topic when the last answer cited a policy point: a follow-up may continue the policy.

The dialogue keeps the item a conversation is about (its slots); an answer that cites a policy point leaves
the point in `Context.policy_id`. A message after it that names no item of ours, no policy and no other
department's service, and asks for no part of a guide (no aspect cue: materials, days, fees … are an item's),
continues the policy when the policy's own document holds it at least as well as anything else: the best point
of that document ("长三角的可以跨省办吗" after 出生"一件事" → the same plan's 跨省通办 point). A message the
conversation's item holds better, or that another document's point clearly fits better, is left to the other
rules (the follow-up rule keeps the item; the policy rule finds the other point). A message naming an item and
pointing back to the policy ("医美门诊部也能这样吗" after 一业一证) gets the document's point relating to that item,
when one does.
"""

from __future__ import annotations

import logging

from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation
from knowledge.documents import field_text
from knowledge.schema import Aspect, PolicyPoint
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

POLICY_FOLLOWUP_CONFIDENCE = 0.8


def continued_point(s: Situation, f: Facts) -> str | None:
    """The point of the context policy's document that best holds the message, when it holds it at least as well
    as the conversation's item and within `Tuning.policy_topic_margin` of the best point anywhere; else None."""
    pid = s.context.policy_id
    if pid is None or pid not in f.catalog.point_by_id:
        return None
    points = s.scores.points
    document = f.catalog.point_by_id[pid][0]
    own = max((p.id for p in document.points), key=lambda p: (points.get(p, 0.0), p == pid))
    own_score = points.get(own, 0.0)
    best_anywhere = max(points.values(), default=0.0)
    if own_score < best_anywhere - f.tuning.policy_topic_margin:
        return None  # another document's point fits clearly better: the policy rule's
    item = s.context.item_code
    if item is not None and s.scores.items.get(item, 0.0) > own_score:
        return None  # the conversation's item holds it better: the follow-up rule's
    return own


def policy_sub_item(f: Facts, item_code: str, point_id: str | None, aspects: tuple[Aspect, ...]) -> str | None:
    """The sub-item of the item's guide written for the policy the last answer cited (a guide whose sub-item is
    the point's topic or keyword: 公共场所卫生许可's 告知承诺制 guide after the 告知承诺制 point) when it states
    what is asked (or nothing in particular is asked), or None. A follow-up about the item after that answer
    ("拿证以后还会有人来检查不") is about that guide."""
    if point_id is None or point_id not in f.catalog.point_by_id:
        return None
    point = f.catalog.point_by_id[point_id][1]
    words = [normalise(w) for w in (point.topic, *point.keywords) if len(w) >= 2]
    for guide in f.catalog.item_by_code[item_code].guides:
        sub = normalise(guide.sub_item or "")
        states = aspects == (Aspect.overview,) or any(field_text(guide, a) for a in aspects)
        if sub and states and any(w in sub or sub in w for w in words):
            return guide.sub_item
    return None


def point_for_item(s: Situation, f: Facts) -> str | None:
    """After an answer citing a policy point, a message naming an item and pointing back to the policy ("医美门诊部也能
    这样吗" after 一业一证): the cited point's document's point relating to the named item — one on the cited point's
    topic first, then one naming it, then the best scoring — or None."""
    pid = s.context.policy_id
    if pid is None or pid not in f.catalog.point_by_id or not s.query.refers_back:
        return None
    document = f.catalog.point_by_id[pid][0]
    related = [p for p in document.points if any(c in p.related_items for c in s.scores.exact)]
    if not related:
        return None
    names = [n for c in s.scores.exact for n in f.names_of(c)]

    def names_it(point: PolicyPoint) -> bool:
        return any(n in normalise(w) for n in names for w in (point.text, *point.keywords))

    topic = f.catalog.point_by_id[pid][1].topic  # "也能这样吗": the same policy, for that item
    return max(related, key=lambda p: (p.topic == topic, names_it(p), s.scores.points.get(p.id, 0.0), p.id == pid)).id


def policy_followup(s: Situation, f: Facts) -> Decision | None:
    """A message continuing the policy the last answer cited (module docstring)."""
    q = s.query
    if s.context.policy_id is None or q.policy_names or q.referral is not None:
        return None
    if q.aspect_cues or q.asks_complaint_route or q.asks_department or q.asks_human:
        return None  # asks for part of a guide, or for a department, a complaint route or a person
    if not (q.asks or q.refers_back or q.region):
        return None  # asks nothing: not a follow-up question
    point = point_for_item(s, f) if s.scores.exact else continued_point(s, f)
    if point is None:
        return None
    logger.debug("policy follow-up: %s → %s", s.context.policy_id, point)
    return Decision(
        kind="answer",
        rule="policy_followup",
        policy_id=point,
        aspects=(Aspect.overview,),
        confidence=POLICY_FOLLOWUP_CONFIDENCE,
    )
