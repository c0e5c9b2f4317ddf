"""The lexicon's `detail_words`: a citizen's own words for a particular that guides state in their own term.

"单位能统一帮我们办吗" asks about 集体办理; "能寄到家吗" about 邮寄; "让孩子爸爸去领行不行" about 委托; "还要登报吗"
about 遗失声明; "拿到卡以后去哪进货" about 定点批发企业. The words share no characters with the guide's line, and
e5-small does not tell that line from the shown fields' (round 15). Each entry pairs the ways of asking (`asks`,
cue marks allowed: `*` a gap within one clause) with the guide's terms (`guide_words`); the rule using it is
`knowledge/decide/detail_words.py`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.query.cue_words import clean_cues


class DetailWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    asks: list[str] = Field(min_length=1)
    """How citizens ask about the particular (normalised, as cues)."""
    guide_words: list[str] = Field(min_length=1)
    """How the guides' lines state it (a line holding one of them states the particular)."""

    @field_validator("asks", "guide_words")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        return clean_cues(v)
