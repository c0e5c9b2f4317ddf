"""The machine-readable ``meta`` message every custom action sends for the chat gateway.

Shape (docs/ARCHITECTURE.md, bot/chat/schemas.py ``Meta``):
``{"meta": {"kind", "item": {"code","name"}|null, "aspect", "confidence", "sources", "ticket", "guide",
"knowledge_version", "policy"}}`` (the guide id an answer quotes; the published knowledge version it came from;
the policy point it cites, which the answer action reads back from the tracker for the next question).
"""

from __future__ import annotations

import json
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


def _last_answer_meta(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The meta of the conversation's last answer (kind answer, clarify or no_answer) among the tracker's bot
    events, or None when there is no answer yet."""
    for event in reversed(events):
        if event.get("event") != "bot":
            continue
        meta = _meta_of(event)
        if meta is not None and meta.get("kind") in ("answer", "clarify", "no_answer"):
            return meta
    return None


def last_answer_policy(events: list[dict[str, Any]]) -> str | None:
    """The policy point the conversation's last answer cited; None when it cited none or there is no answer yet."""
    meta = _last_answer_meta(events)
    policy = meta.get("policy") if meta else None
    return policy if isinstance(policy, str) and policy else None


def last_answer_guide(events: list[dict[str, Any]]) -> str | None:
    """The guide the conversation's last answer quoted; None after a clarifying question, when it quoted none, or
    when there is no answer yet. A follow-up naming no place keeps asking that guide while it states what is asked
    (knowledge/decide/guide_select.py)."""
    meta = _last_answer_meta(events)
    if meta is None or meta.get("kind") == "clarify":
        return None
    guide = meta.get("guide")
    return guide if isinstance(guide, str) and guide else None


ASK_ITEM_PAYLOAD = "/ask_item"


def _meta_of(event: dict[str, Any]) -> dict[str, Any] | None:
    custom = (event.get("data") or {}).get("custom")
    meta = custom.get("meta") if isinstance(custom, dict) else None
    return meta if isinstance(meta, dict) else None


def _choice_of(button: Any) -> dict[str, Any] | None:
    """A clarify button (`/ask_item{"item_code": …, "sub_item": …}`) as the engine's choice, or None."""
    if not isinstance(button, dict):
        return None
    payload = button.get("payload")
    if not isinstance(payload, str) or not payload.startswith(ASK_ITEM_PAYLOAD + "{"):
        return None
    try:
        entities = json.loads(payload[len(ASK_ITEM_PAYLOAD) :])
    except ValueError:
        return None
    code = entities.get("item_code") if isinstance(entities, dict) else None
    if not isinstance(code, str) or not code:
        return None
    sub_item = entities.get("sub_item")
    title = button.get("title")
    return {
        "title": title if isinstance(title, str) else code,
        "item_code": code,
        "sub_item": sub_item if isinstance(sub_item, str) and sub_item else None,
    }


def last_clarify_choices(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The choices the reply just before the current message offered, when it was a clarifying question (its meta's
    kind is clarify): its buttons as the engine's choices (`{"title", "item_code", "sub_item"}`), so a typed reply
    can pick one in words; [] otherwise."""
    current_seen = False
    clarify = False
    buttons: list[Any] = []
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if current_seen:
                break  # before the previous reply
            current_seen = True
            continue
        if not current_seen or kind != "bot":
            continue
        meta = _meta_of(event)
        if meta is not None:
            clarify = meta.get("kind") == "clarify"
        buttons = list((event.get("data") or {}).get("buttons") or []) + buttons
    if not clarify:
        return []
    return [c for c in (_choice_of(b) for b in buttons) if c is not None]


def region_before_message(events: list[dict[str, Any]]) -> str | None:
    """The `region` slot as it stood before the current message: the place the conversation named earlier.

    Rasa fills the slot from DIET's `region` entity of the current message too (in "我们店在贵州遵义" it tags 贵州),
    but a place in the message is the knowledge engine's to read from the text (it knows 遵义 lies in 贵州 and names
    the finer one); passing DIET's tag as the remembered place would answer for the province instead."""
    current_seen = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user" and not current_seen:
            current_seen = True
            continue
        if current_seen and kind == "slot" and event.get("name") == "region":
            value = event.get("value")
            return value if isinstance(value, str) and value else None
    return None


def send_meta(dispatcher: CollectingDispatcher, kind: Kind, **fields: Any) -> None:
    dispatcher.utter_message(json_message=build_meta(kind, **fields))
