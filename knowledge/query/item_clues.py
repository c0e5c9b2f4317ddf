"""The lexicon's `item_clues`: things a citizen mentions that point to one item without being its name.

"医院疼痛科要用吗啡…申请那个购药的卡" names no item, but morphine bought by a hospital is what the 麻醉药品和第一类
精神药品购用印鉴卡 is for; "门诊要新添一台…口腔CBCT" is a radiological device being installed (放射诊疗许可); "从日本
请了个专家过来做半年手术" a foreign doctor practising here (外国医师来华短期行医许可); "周末想去民营医院坐诊" a doctor
working at a second place (医师多机构执业). The guides do not use these words, so retrieval ranks the item far down,
and the learned item head, though it often sees the item, is not sure enough for `described_item` (rounds 15, 16).
Each clue names the item (`item`, a code), word groups that must all be present (`all_of`, one word of each, cue
marks allowed), words that rule it out (`none_of`: "护士" — a nurse's second workplace is not the physicians'
multi-site practice), and the items the same words belong to as well (`shared_with`: a CT room is also the building
project's). Item names and aliases stay untouched (they generate the question bank); the rules using the clues are
in `knowledge/decide/item_clues.py`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from knowledge.query.cue_words import clean_cues


class ItemClue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    item: str = Field(min_length=1)
    """The code of the item the clue points to (checked against the catalog by `knowledge.validate`)."""
    all_of: list[list[str]] = Field(min_length=1)
    """Word groups: a message tells the clue when it holds a word of every group (normalised, as cues)."""
    none_of: list[str] = Field(default_factory=list)
    """Words that rule the clue out."""
    shared_with: list[str] = Field(default_factory=list)
    """Codes of other items the same words belong to: a conversation about one of them keeps it, and a first question
    that retrieval finds one of them for is left to the other rules."""

    @field_validator("all_of")
    @classmethod
    def _groups(cls, v: list[list[str]]) -> list[list[str]]:
        if any(not group for group in v):
            raise ValueError("empty word group in an item clue")
        return [clean_cues(group) for group in v]

    @field_validator("none_of")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        return clean_cues(v)
