"""What the decision rules see: the `Situation` of one question (its analysis, its scores, the conversation)
and the `Facts` of the knowledge base (names, chunk words, policy keywords), with no retrieval."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from knowledge.answer import Context
from knowledge.catalog import Catalog
from knowledge.decide.guide_select import GuideSelector
from knowledge.decide.guide_words import GuideWords
from knowledge.decide.model import Decision
from knowledge.decide.name_words import names_as_words, word_boundaries
from knowledge.decide.sub_item_words import SubItemWords
from knowledge.decide.tuning import Tuning
from knowledge.faq import FaqEntry, faq_entries
from knowledge.query.model import Query
from knowledge.query.not_held import NotHeld
from knowledge.retrieve.protocol import Scores
from knowledge.text_normalise import normalise


@dataclass(frozen=True)
class Situation:
    query: Query
    scores: Scores
    context: Context


class Facts:
    """What the rules may know of the knowledge base (names, chunk words, policy keywords); no retrieval."""

    def __init__(
        self,
        catalog: Catalog,
        selector: GuideSelector,
        tuning: Tuning,
        generic_terms: Sequence[str],
        document_verbs: Sequence[str] = (),
        not_held: NotHeld | None = None,
    ) -> None:
        self.catalog = catalog
        self.not_held = not_held or NotHeld()
        self.document_verbs = tuple(document_verbs)
        self.guide_words = GuideWords(catalog.items)
        self.sub_item_words = SubItemWords(selector.cues.lexicon.cue_words(), selector.cues.lexicon.filler.particles)
        self.selector = selector
        self.tuning = tuning
        self.generic_terms = sorted(generic_terms, key=len, reverse=True)
        self._names = {i.code: [normalise(n) for n in (i.name, *i.aliases)] for i in catalog.items}
        self._name_bounds = {n: word_boundaries(n) for names in self._names.values() for n in names}
        self._item_text: dict[str, str] = {}
        for chunk in catalog.chunks:
            if chunk.item_code and not chunk.policy_id:
                self._item_text[chunk.item_code] = self._item_text.get(chunk.item_code, "") + "\n" + chunk.text
        self.faqs: dict[str, FaqEntry] = {e.id: e for e in faq_entries(catalog.items)}
        self._all_text = normalise(
            "\n".join([c.text for c in catalog.chunks] + [n for i in catalog.items for n in (i.name, *i.aliases)])
        )
        self._point_words = {
            p.id: [normalise(w) for w in (p.topic, *p.keywords)] for d in catalog.policies for p in d.points
        }

    def items_naming(self, fragment: str) -> list[str]:
        """Items whose name or an alias holds the fragment as whole words ("医师" → 医师执业注册, 医师多机构执业…;
        "准备" names nothing: in 企业标准备案 it straddles 标准 and 备案)."""
        return [
            code
            for code, names in self._names.items()
            if any(names_as_words(n, self._name_bounds[n], fragment) for n in names)
        ]

    def names_in(self, text: str, codes: Sequence[str] | frozenset[str]) -> bool:
        """Whether the text carries a name or alias of one of these items."""
        return any(n in text for c in codes for n in self._names.get(c, []))

    def names_any_item(self, text: str) -> bool:
        """Whether the text carries the name or an alias of any item."""
        return any(n in text for names in self._names.values() for n in names)

    def names_of(self, code: str) -> list[str]:
        return self._names.get(code, [])

    def named_as_document(self, text: str, name: str) -> bool:
        """Whether every mention of the name follows a verb of handing a paper over (带, 凭, 出示 …)."""
        starts = [m.start() for m in re.finditer(re.escape(name), text)]
        return bool(starts) and all(
            any(text[max(0, i - len(v) - 2) : i].find(v) >= 0 for v in self.document_verbs) for i in starts
        )

    def item_mentions(self, code: str, fragment: str) -> bool:
        return fragment in self._item_text.get(code, "")

    @cached_property
    def certificate_qualifiers(self) -> frozenset[str]:
        """The two characters before each 证 in any item's name, alias or guide or any policy text (许可, 资格 …)."""
        return frozenset(self._all_text[i - 2 : i] for i, ch in enumerate(self._all_text) if ch == "证" and i >= 2)

    def mentioned_anywhere(self, fragment: str) -> bool:
        """Whether any item's name, alias or guide, or any policy text, holds the fragment (normalised)."""
        return fragment in self._all_text

    def points_named_in(self, norm: str) -> list[str]:
        """Policy points whose own topic or a keyword of three characters or more the text carries verbatim
        ("执法公示是什么意思", "请解释一下办事不求人")."""
        return [pid for pid, words in self._point_words.items() if any(len(w) >= 3 and w in norm for w in words)]

    def cited_points(self, policy_names: Sequence[str]) -> list[str]:
        """Policy points whose topic or keywords contain a policy name the question used."""
        return [pid for pid, words in self._point_words.items() if any(n in w for n in policy_names for w in words)]

    def faqs_of(self, code: str) -> list[FaqEntry]:
        return [e for e in self.faqs.values() if e.item_code == code]

    def related_items(self, point_id: str) -> list[str]:
        return list(self.catalog.point_by_id[point_id][1].related_items)


Rule = Callable[[Situation, Facts], Decision | None]
