"""The asked aspect from the guide's own words, where no cue names one.

"护士延续注册需要体检吗" has no aspect cue, but 体检 stands in one field of the nurse registration's guides only:
the materials (健康体检证明). A question without an aspect cue whose words (character bigrams of its residue,
less the item's own names) stand in exactly one field of the answered item's guides asks for that field.
Words found in several fields, or in none, decide nothing; the overview is never chosen this way.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from knowledge.decide.model import Decision
from knowledge.documents import field_text
from knowledge.query.analyse import SUB_ITEM_HOW
from knowledge.query.model import Query
from knowledge.schema import Aspect, ServiceItem
from knowledge.text_normalise import char_bigrams, normalise

logger = logging.getLogger(__name__)

FIELD_ASPECTS = tuple(a for a in Aspect if a is not Aspect.overview)


class GuideWords:
    """Per item: which character bigrams each aspect field of its guides uses."""

    def __init__(self, items: Iterable[ServiceItem]) -> None:
        self._fields: dict[str, dict[Aspect, set[str]]] = {}
        self._names: dict[str, set[str]] = {}
        for item in items:
            fields: dict[Aspect, set[str]] = {}
            for aspect in FIELD_ASPECTS:
                words: set[str] = set()
                for guide in item.guides:
                    words |= char_bigrams(normalise(field_text(guide, aspect) or ""))
                if words:
                    fields[aspect] = words
            self._fields[item.code] = fields
            self._names[item.code] = {b for n in (item.name, *item.aliases) for b in char_bigrams(normalise(n))}

    def aspect_named(self, code: str, residue: str) -> Aspect | None:
        """The one field the residue's own words point to, or None."""
        fields = self._fields.get(code, {})
        votes: Counter[Aspect] = Counter()
        for bigram in char_bigrams(residue) - self._names.get(code, set()):
            holders = [a for a, words in fields.items() if bigram in words]
            if len(holders) == 1:
                votes[holders[0]] += 1
        ranked = votes.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0]


def aspect_from_guide_words(decision: Decision, query: Query, words: GuideWords | None) -> Decision:
    """An item answer to a question without aspect cues gets the aspect its words point to, if any."""
    if words is None or decision.kind != "answer" or decision.item_code is None or decision.policy_id:
        return decision
    if (query.aspects and query.aspect_source != "predictor") or not query.residue:
        return decision  # the cues said; the guide's own words outrank the head's guess
    if not query.asks and decision.rule == "clarify_reply":
        return decision  # a reply telling the case ("…把名字打成同音字了") asks the clarify's question, not a field
    if decision.sub_item and decision.aspects == SUB_ITEM_HOW:
        return decision  # what a told case needs, then how it goes ("…就满五年了 到时候又是什么手续")
    aspect = words.aspect_named(decision.item_code, query.residue)
    if aspect is None or decision.aspects == (aspect,):
        return decision
    logger.debug("aspect %s from the guide's words in %r", aspect, query.residue)
    return replace(decision, aspects=(aspect,), rule=f"{decision.rule}+guide_words")
