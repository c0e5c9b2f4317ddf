"""The lexicon's `situations`: a case the citizen tells in words of their own that settles the sub-item.

"资格考试…过线了" is a first registration's case, "证明年一月份就满五年了" a renewal's, "孩子把证撕坏了" a replacement's
(or, for an item whose guides have no replacement, a reissue's: `otherwise`). The rules using it are
`knowledge/decide/told_case.py` and `clarify_reply.py`; `CueMatcher.situations_in` reads the words.
"""

from __future__ import annotations

from collections.abc import Collection

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.query.cue_words import clean_cues


class ToldSituation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    """A situation the citizen tells in words of their own that settles which sub-item they are in ("资格考试…过线了":
    a first registration; "证明年一月份就满五年了": a renewal), read only for an item whose guides cover that sub-item
    (`knowledge/decide/told_case.py`). Every group of `all_of` must have one of its words in the message (a word may use
    the cue marks: `*` a gap within one clause, `#` a number)."""

    name: str = Field(min_length=1)
    sub_item: str
    all_of: list[list[str]] = Field(min_length=1)
    otherwise: list[str] = Field(default_factory=list)
    """The sub-items the situation settles, in order, for an item whose guides lack `sub_item`: a torn certificate is
    replaced (换发) where the guides tell replacement from reissue, else reissued with the lost ones (补发: "因遗失或
    损坏的")."""

    @field_validator("all_of")
    @classmethod
    def _groups(cls, v: list[list[str]]) -> list[list[str]]:
        if any(not group for group in v):
            raise ValueError("empty word group in a told situation")
        return [clean_cues(group) for group in v]

    @field_validator("sub_item")
    @classmethod
    def _known(cls, v: str) -> str:
        from knowledge.query.lexicon import canonical_sub_item

        return canonical_sub_item(v, "a told situation's sub_item")

    @field_validator("otherwise")
    @classmethod
    def _known_otherwise(cls, v: list[str]) -> list[str]:
        from knowledge.query.lexicon import canonical_sub_item

        return [canonical_sub_item(s, "a told situation's otherwise") for s in v]

    def settles(self, offered: Collection[str] | None = None) -> str | None:
        """The sub-item this situation settles among `offered` (the item's sub-items): `sub_item`, else the first of
        `otherwise` offered; with no `offered`, `sub_item`."""
        if offered is None:
            return self.sub_item
        return next((s for s in (self.sub_item, *self.otherwise) if s in offered), None)
