"""What Rasa's messages and the handlers' inbox become in a chat response: the reply meta (kind, item,
sources, ticket, knowledge version) read defensively from Rasa's custom payload, and inbox messages as replies."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from bot.chat.schemas import KINDS, Button, ItemRef, Meta, Reply, Source, TicketRef

logger = logging.getLogger(__name__)


def build_meta(raw: dict[str, Any] | None) -> Meta:
    """The response meta from the last meta a Rasa message carried; missing keys default."""
    if raw is None:
        return Meta(kind="smalltalk")
    kind = raw.get("kind")
    if kind not in KINDS:
        logger.warning("Rasa sent unknown meta kind %r; reporting smalltalk", kind)
        kind = "smalltalk"
    return Meta(
        kind=kind,
        item=_item(raw.get("item")),
        aspect=raw.get("aspect") if isinstance(raw.get("aspect"), str) else None,
        confidence=_confidence(raw.get("confidence")),
        sources=_sources(raw.get("sources")),
        ticket=_ticket(raw.get("ticket")),
        guide=raw.get("guide") if isinstance(raw.get("guide"), str) else None,
        policy=raw.get("policy") if isinstance(raw.get("policy"), str) else None,
        knowledge_version=_version(raw.get("knowledge_version")),
    )


def _item(raw: Any) -> ItemRef | None:
    if not isinstance(raw, dict):
        return None
    try:
        return ItemRef(code=str(raw.get("code") or ""), name=str(raw.get("name") or ""))
    except ValidationError:
        return None


def _confidence(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    return float(raw)


def _version(raw: Any) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0 else None


def _sources(raw: Any) -> list[Source]:
    out: list[Source] = []
    if not isinstance(raw, list):
        return out
    for s in raw:
        if isinstance(s, dict) and isinstance(s.get("title"), str):
            url = s.get("url")
            region = s.get("region")
            out.append(
                Source(
                    title=s["title"],
                    url=url if isinstance(url, str) and url else None,
                    region=region if isinstance(region, str) and region else None,
                )
            )
    return out


def _ticket(raw: Any) -> TicketRef | None:
    if not isinstance(raw, dict):
        return None
    ticket_id = raw.get("id") or raw.get("number")
    if not ticket_id:
        return None
    status = raw.get("status")
    return TicketRef(id=str(ticket_id), status=str(status) if status is not None else None)


def inbox_reply(message: Any) -> Reply | None:
    """A handler's message from the web inbox (a dict or an object with ``text``/``buttons``)."""
    get = message.get if isinstance(message, dict) else lambda k, d=None: getattr(message, k, d)
    text = get("text")
    if not isinstance(text, str) or not text.strip():
        return None
    buttons: list[Button] = []
    for b in get("buttons") or []:
        bget = b.get if isinstance(b, dict) else lambda k, d=None, b=b: getattr(b, k, d)
        title = bget("title")
        if isinstance(title, str) and title:
            payload = bget("payload")
            buttons.append(Button(title=title, payload=payload if isinstance(payload, str) else title))
    return Reply(text=text, buttons=buttons)
