"""The sub-item from the guides' own words, where no cue names one.

"护士资格考试过了好几年才去注册还行吗" names no sub-item, but its words (考试, 资格 …) stand in the first
registration's guide and not in the renewal's or the change's: it asks about the first registration. Among the
sub-items whose guides differ in the asked aspect, the question's character bigrams (of its normalised text, less
the item's own names and the cue words) that stand in exactly one sub-item's guide vote for it; a sub-item with
at least MIN_VOTES votes and more than any other is the one asked about. A bigram with a particle in it (的, 了, 吗 …:
the lexicon's `filler.particles`) is no word of the question's ("护士的证" has 的护, which a first registration's
"…的护理专业" holds by chance) and does not vote. Otherwise nothing is decided and the engine asks which.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence

from knowledge.documents import field_text
from knowledge.schema import Aspect, Guide, ServiceItem
from knowledge.text_normalise import char_bigrams, normalise

logger = logging.getLogger(__name__)

MIN_VOTES = 2


class SubItemWords:
    """Bigrams of each guide's whole text (built on first use), and of each item's names."""

    def __init__(self, cue_words: Sequence[str] = (), particles: str = "") -> None:
        self._guides: dict[str, set[str]] = {}
        # the aspect and sub-item cues' own bigrams (材料, 条件, 需要 …) say what is asked, not which sub-item
        self._cues = {b for w in cue_words for b in char_bigrams(normalise(w))}
        self._particles = set(normalise(particles))

    def guide_bigrams(self, guide: Guide) -> set[str]:
        if guide.id not in self._guides:
            text = " ".join(field_text(guide, a) or "" for a in Aspect if a is not Aspect.overview)
            self._guides[guide.id] = char_bigrams(normalise(text))
        return self._guides[guide.id]

    def sub_item_named(
        self, item: ServiceItem, text: str, pairs: Sequence[tuple[str, Guide]], min_votes: int = MIN_VOTES
    ) -> str | None:
        """The one sub-item (canonical) of `pairs` the (normalised) text's own words point to (at least `min_votes`
        words, more than any other sub-item), or None."""
        if len({g.id for _, g in pairs}) < 2:  # one guide for all: its words cannot tell them apart
            return None
        names = {b for n in (item.name, *item.aliases) for b in char_bigrams(normalise(n))}
        votes: Counter[str] = Counter()
        for bigram in char_bigrams(text) - names - self._cues:
            if self._particles & set(bigram):
                continue
            holders = [c for c, g in pairs if bigram in self.guide_bigrams(g)]
            if len(holders) == 1:
                votes[holders[0]] += 1
        ranked = votes.most_common(2)
        if not ranked or ranked[0][1] < min_votes or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        logger.debug("sub-item %s from the guides' words in %r (%s)", ranked[0][0], text[:40], dict(votes))
        return ranked[0][0]
