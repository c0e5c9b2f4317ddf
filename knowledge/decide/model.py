"""`Decision`: what to answer, chosen by one named rule; the compose stage turns it into text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from knowledge.query.model import Referral
from knowledge.schema import Aspect

Kind = Literal["answer", "clarify", "no_answer"]


@dataclass(frozen=True)
class Decision:
    kind: Kind
    rule: str  # the name of the rule that decided (for logs, tests and the evaluation)
    item_code: str | None = None
    aspects: tuple[Aspect, ...] = ()
    sub_item: str | None = None
    region: str | None = None  # the region whose guide to prefer
    region_named: bool = False  # the user named it in this message: say so when the item has none there
    guide_hint: str | None = None  # the guide the conversation's last answer quoted: preferred while it answers
    policy_id: str | None = None
    faq_id: str | None = None  # a FAQ entry of `item_code` answers (knowledge/faq.py), quoted verbatim
    clarify_items: tuple[str, ...] = ()  # item codes to choose from
    clarify_sub_items: tuple[str, ...] = ()  # canonical sub-items of `item_code` to choose from
    referral: Referral | None = None
    matter: str | None = None  # a matter of ours the knowledge base holds no guide for (decide/unknown_subject.py)
    unstated: str | None = None  # what the question asks of `item_code` that none of its guides states
    confidence: float = 0.0
