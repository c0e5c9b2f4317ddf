"""The machine-readable ``meta`` message every custom action sends for the chat gateway.

Shape (docs/ARCHITECTURE.md, bot/chat/schemas.py ``Meta``):
``{"meta": {"kind", "item": {"code","name"}|null, "aspect", "confidence", "sources", "ticket",
"knowledge_version"}}`` (the published knowledge version an answer came from).
"""

from __future__ import annotations

from typing import Any, Literal

from rasa_sdk.executor import CollectingDispatcher

Kind = Literal[
    "answer",
    "clarify",
    "no_answer",
    "escalate",
    "ticket_created",
    "ticket_status",
    "handoff",
    "out_of_scope",
    "smalltalk",
    "rejected",
]


def build_meta(
    kind: Kind,
    *,
    item: dict[str, Any] | None = None,
    aspect: str | None = None,
    confidence: float | None = None,
    sources: list[dict[str, Any]] | None = None,
    ticket: dict[str, Any] | None = None,
    knowledge_version: int | None = None,
) -> dict[str, Any]:
    """The json_message body: ``{"meta": {...}}`` with every key present."""
    return {
        "meta": {
            "kind": kind,
            "item": item,
            "aspect": aspect,
            "confidence": confidence,
            "sources": sources or [],
            "ticket": ticket,
            "knowledge_version": knowledge_version,
        }
    }


def send_meta(dispatcher: CollectingDispatcher, kind: Kind, **fields: Any) -> None:
    dispatcher.utter_message(json_message=build_meta(kind, **fields))
