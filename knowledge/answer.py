"""The engine's answer: the edge model the HTTP search endpoint and the CLI return.

Choices are data (which item, which sub-item), never a dialogue framework's payload syntax: the Rasa
action turns them into buttons.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from knowledge.schema import Aspect


class ItemRef(BaseModel):
    code: str
    name: str


class SourceRef(BaseModel):
    title: str
    url: str | None = None
    region: str | None = None


class Choice(BaseModel):
    """One option offered to the user: answering it means asking again about this item (and sub-item)."""

    title: str
    item_code: str
    sub_item: str | None = None


class Candidate(BaseModel):
    code: str
    name: str
    score: float


class Context(BaseModel):
    """What the conversation already established (the dialogue's slots)."""

    item_code: str | None = None
    sub_item: str | None = None
    aspect: Aspect | None = None
    policy_id: str | None = None  # the policy point the last answer cited: a follow-up may continue it
    # the guide the last answer quoted: a follow-up about the same item, naming no place, keeps asking it while it
    # states what is asked (knowledge/decide/guide_select.py, `CONTINUITY_BONUS`)
    guide_id: str | None = None
    # the choices the last reply offered when it was a clarifying question: a typed reply may pick one in words
    # ("续期的", "证丢了要补"; knowledge/decide/clarify_reply.py)
    choices: list[Choice] = Field(default_factory=list)
    # the item (and sub-item) above were picked by pressing a clarifying question's button for this very message, which
    # re-asks the question the clarify was about: the choice is answered, never turned away or re-decided
    # (knowledge/decide/clarify_reply.py, `button_choice`)
    chosen: bool = False


class Answer(BaseModel):
    kind: Literal["answer", "clarify", "no_answer"]
    item: ItemRef | None = None
    guide_id: str | None = None
    policy_id: str | None = None
    faq_id: str | None = None  # the FAQ entry quoted (knowledge/faq.py), when one answers
    sub_item: str | None = None
    aspect: Aspect | None = None  # the primary asked aspect
    aspects: list[Aspect] = Field(default_factory=list)  # every aspect answered, primary first
    guide_ids: list[str] = Field(default_factory=list)  # every guide the text quotes
    rule: str | None = None  # the decision rule that chose this answer
    confidence: float = 0.0
    text: str
    choices: list[Choice] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    candidates: list[Candidate] = Field(default_factory=list)
    region: str | None = None
    region_asked: str | None = None  # the place the question named: the dialogue keeps it for later questions
    last_verified: str | None = None
    knowledge_version: int | None = None  # the published knowledge version that answered (0: the data folder)


class ItemMatch(BaseModel):
    item: ItemRef | None
    candidates: list[Candidate] = Field(default_factory=list)
