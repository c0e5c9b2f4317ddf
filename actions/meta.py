"""The machine-readable ``meta`` message every custom action sends for the chat gateway.

Shape (docs/ARCHITECTURE.md, bot/chat/schemas.py ``Meta``):
``{"meta": {"kind", "item": {"code","name"}|null, "aspect", "confidence", "sources", "ticket", "guide",
"knowledge_version", "policy"}}`` (the guide id an answer quotes; the published knowledge version it came from;
the policy point it cites, which the answer action reads back from the tracker for the next question).
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
    guide: str | None = None,
    knowledge_version: int | None = None,
    policy: str | None = None,
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
            "guide": guide,
            "knowledge_version": knowledge_version,
            "policy": policy,
        }
    }


def last_answer_policy(events: list[dict[str, Any]]) -> str | None:
    """The policy point the conversation's last answer (a meta of kind answer, clarify or no_answer) cited, read
    from the tracker's bot events; None when it cited none or there is no answer yet."""
    for event in reversed(events):
        if event.get("event") != "bot":
            continue
        custom = (event.get("data") or {}).get("custom")
        meta = custom.get("meta") if isinstance(custom, dict) else None
        if isinstance(meta, dict) and meta.get("kind") in ("answer", "clarify", "no_answer"):
            policy = meta.get("policy")
            return policy if isinstance(policy, str) and policy else None
    return None


def send_meta(dispatcher: CollectingDispatcher, kind: Kind, **fields: Any) -> None:
    dispatcher.utter_message(json_message=build_meta(kind, **fields))
