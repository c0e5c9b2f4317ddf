"""Health-commission matters the knowledge base holds no guide for (`knowledge/data/not_held.yaml`).

Citizens ask the commission about village doctors' registration, vaccination clinics' designation, the health
certificate of a restaurant's staff, the qualifying exams … — matters of this department that no guide here covers.
Without a name of their own in the knowledge base such a question goes to the nearest guide ("乡村医生执业注册" holds
the alias 医生执业注册 of 医师执业注册). The list names them as data; the rule using it is
`knowledge/decide/unknown_subject.py` `not_held_matter`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge.query.cue_words import clean_cues
from knowledge.query.cues import spans
from knowledge.text_normalise import normalise

if TYPE_CHECKING:
    from knowledge.schema import PolicyDocument, ServiceItem

logger = logging.getLogger(__name__)

NOT_HELD_FILE = "not_held.yaml"

_CLAUSES = re.compile(r"[，,。；;！!？?\n]|(?<=[吗呢])|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
"""Clauses as typed or spoken in a chat: punctuation, after 吗/呢, or a space between two Chinese words."""


class NotHeldMatter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    """The matter as service catalogues name it (the reply names it)."""
    says: list[str] = Field(min_length=1)
    """How citizens name it (normalised)."""

    @field_validator("says")
    @classmethod
    def _says(cls, v: list[str]) -> list[str]:
        return clean_cues(v)


class AmountPaidOut(BaseModel):
    """How citizens ask how much money an allowance or subsidy pays them ("一年能发多少钱", "扶助标准是多少"): no fee
    (what the applicant pays), and no field of a guide."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    what: str = Field(min_length=1)
    """What the reply says the guides do not state (发放金额)."""
    asks: list[str] = Field(min_length=1)
    """Phrases asking the amount by themselves (补助多少, 扶助标准 …)."""
    asks_with_money: list[str] = Field(default_factory=list)
    """Phrases asking it beside a money word only (发多少 + 钱: "发多少人" asks no sum)."""
    money_words: list[str] = Field(default_factory=list)

    @field_validator("asks", "asks_with_money", "money_words")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        return clean_cues(v)

    def asked_in(self, norm: str) -> bool:
        if any(a in norm for a in self.asks):
            return True
        return any(a in norm for a in self.asks_with_money) and any(m in norm for m in self.money_words)


class NotHeldFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    circumstance_cues: list[str] = Field(default_factory=list)
    """Words that tell the matter, in its clause, as the citizen's circumstance (我是, 考过, 通过 …)."""
    matters: list[NotHeldMatter] = Field(default_factory=list)
    amount_paid_out: AmountPaidOut | None = None

    @field_validator("circumstance_cues")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return clean_cues(v)

    @model_validator(mode="after")
    def _distinct(self) -> NotHeldFile:
        names = [m.name for m in self.matters]
        if len(set(names)) != len(names):
            raise ValueError("a matter is listed twice")
        owner: dict[str, str] = {}
        for matter in self.matters:
            for word in matter.says:
                if owner.setdefault(word, matter.name) != matter.name:
                    raise ValueError(f"{word!r} names two matters: {owner[word]} and {matter.name}")
        return self


@dataclass(frozen=True)
class MatterNamed:
    """A matter a message names: the matter, the word that named it and where (start, end) it stands."""

    matter: NotHeldMatter
    word: str
    span: tuple[int, int]


class NotHeld:
    """The list, and where a normalised message names its matters."""

    def __init__(self, data: NotHeldFile | None = None) -> None:
        self.data = data or NotHeldFile()
        self._words = sorted(((w, m) for m in self.data.matters for w in m.says), key=lambda wm: -len(wm[0]))

    @property
    def matters(self) -> list[NotHeldMatter]:
        return list(self.data.matters)

    def named_in(self, norm: str) -> list[MatterNamed]:
        """The matters the message names, longest word first where two overlap, in the order they stand."""
        taken: list[tuple[int, int]] = []
        found: list[MatterNamed] = []
        for word, matter in self._words:
            for start, end in spans(norm, word):
                if any(start < e and s < end for s, e in taken):
                    continue
                taken.append((start, end))
                found.append(MatterNamed(matter, word, (start, end)))
        return sorted(found, key=lambda m: m.span)

    def told_as_circumstance(self, norm: str, named: MatterNamed) -> bool:
        """The clause naming the matter also carries a circumstance cue ("我是乡村医生", "护士资格考试2020年过的")."""
        start, end = named.span
        clause = clause_at(norm[:start] + "|" * (end - start) + norm[end:], start)  # the matter's own word aside
        return any(c in clause for c in self.data.circumstance_cues)

    def asks_amount_paid_out(self, norm: str) -> bool:
        """The message asks how much money an allowance pays (`AmountPaidOut`)."""
        amount = self.data.amount_paid_out
        return amount is not None and amount.asked_in(norm)

    @staticmethod
    def without(norm: str, named: list[MatterNamed]) -> str:
        """The message with the words naming matters cut out (a separator in their place)."""
        out, last = [], 0
        for m in named:
            out.append(norm[last : m.span[0]])
            last = m.span[1]
        out.append(norm[last:])
        return "|".join(out)


def clause_at(norm: str, pos: int) -> str:
    """The clause of the message holding the character at `pos`."""
    start, end = 0, len(norm)
    for sep in _CLAUSES.finditer(norm):
        if sep.end() <= pos:
            start = sep.end()
        elif sep.start() > pos:
            end = sep.start()
            break
    return norm[start:end]


def not_held_clashes(data: NotHeldFile, items: Iterable[ServiceItem], policies: Iterable[PolicyDocument]) -> list[str]:
    """Words of the list that name something the knowledge base holds: equal to an item's name or alias or standing
    inside one (they would turn that item's questions away), or standing in a policy text (the policy rules answer).
    A word may contain an alias: a qualifier before it names another matter (乡村医生 + 医生执业注册)."""
    names = [normalise(n) for item in items for n in (item.name, *item.aliases)]
    policy_text = normalise("\n".join(p.model_dump_json() for p in policies))
    clashes = []
    for matter in data.matters:
        for word in matter.says:
            inside = [n for n in names if word in n]
            if inside:
                clashes.append(f"{matter.name}: {word!r} in our name {inside[0]!r}")
            elif word in policy_text:
                clashes.append(f"{matter.name}: {word!r} in a policy text")
    return clashes


def load_not_held_file(path: Path) -> NotHeldFile:
    from knowledge.loader import parse_file

    return parse_file(path, NotHeldFile)


def load_not_held(root: Path | None = None) -> NotHeld:
    """The list from the knowledge folder (`knowledge/data/not_held.yaml`); empty when the file is absent."""
    from knowledge.loader import _root

    path = _root(root) / NOT_HELD_FILE
    if not path.is_file():
        return NotHeld()
    return NotHeld(load_not_held_file(path))
