"""One labelled question of the bank, and the labels it may carry."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledge.schema import Aspect

Kind = Literal["in_domain", "other_department", "complaint", "smalltalk", "policy"]
KINDS: tuple[str, ...] = ("in_domain", "other_department", "complaint", "smalltalk", "policy")
Register = Literal["colloquial", "formal", "narrative", "typo", "traditional", "english", "terse"]
Split = Literal["tuning", "blind"]


class BankQuestion(BaseModel):
    """A question with its labels. `family` is the group key the split hashes (near-duplicates share it)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    text: str = Field(min_length=1, max_length=2000)
    kind: Kind
    item: str | None = None  # item code (in_domain; a complaint about a refused application may name one)
    aspects: list[Aspect] | None = None  # multi-label; None = not labelled (e.g. an FAQ question)
    sub_item: str | None = None  # canonical 首次/延续/变更/注销/补发/换发
    department: str | None = None  # other_department: the department that handles it
    policy_topic: str | None = None
    style: Register  # the register the question is written in
    origin: Literal["template", "hand", "faq"]
    family: str
    split: Split
