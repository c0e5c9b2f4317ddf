"""FAQ entries as answer units: an official question and answer a guide carries (`Guide.faq`), with its source.

Each entry keeps its own region (a 厦门 FAQ may sit beside a 深圳 guide of the same item) and is quoted
verbatim. The retrieval stage scores a question against every entry's question (`knowledge/retrieve/faq.py`);
the decision stage chooses an entry over the guide's aspect sections with a named rule (`decide/faq_rule.py`);
the compose stage quotes it (`compose/render.py` `render_faq`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.schema import FAQ, Guide, ServiceItem
from knowledge.text_normalise import normalise


@dataclass(frozen=True)
class FaqEntry:
    id: str  # "<guide id>.faq<n>": stable while the guide keeps its entries in order
    item_code: str
    guide: Guide
    faq: FAQ

    @property
    def region(self) -> str:
        """The entry's own region, else its guide's."""
        return self.faq.region or self.guide.region


def faq_id(guide: Guide, n: int) -> str:
    return f"{guide.id}.faq{n}"


def faq_entries(items: Iterable[ServiceItem]) -> list[FaqEntry]:
    return [
        FaqEntry(faq_id(guide, n), item.code, guide, faq)
        for item in items
        for guide in item.guides
        for n, faq in enumerate(guide.faq)
    ]


_BRACKETS = re.compile(r"[《》“”\"「」『』]")


class NameStripper:
    """Takes the knowledge base's item names and aliases out of a (normalised) text, so what is left is what
    the text asks *about* the item: "出生证明上宝宝的名字有什么要求" → "上宝宝的名字有什么要求". Two questions
    about one item then compare by what they ask, not by the name they share."""

    def __init__(self, names: Sequence[str]) -> None:
        normalised = {normalise(n) for n in names}
        self._names = sorted((n for n in normalised if len(n) >= 2), key=len, reverse=True)

    def strip(self, norm: str) -> str:
        text = _BRACKETS.sub("", norm)
        for name in self._names:
            if name in text:
                text = text.replace(name, " ")
        return " ".join(text.split())
