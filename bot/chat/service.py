"""One chat turn: guard → mask → vault phones → handler messages → Rasa → merged response."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from bot.chat import texts
from bot.chat.config import ChatSettings
from bot.chat.input_guard import check_input, normalise_input
from bot.chat.rasa_client import RasaUnavailableError
from bot.chat.schemas import (
    KINDS,
    Button,
    ChatRequest,
    ChatResponse,
    InboxResponse,
    ItemRef,
    Meta,
    Reply,
    Source,
    TicketRef,
)
from bot.pii import mask_text

logger = logging.getLogger(__name__)

RememberContact = Callable[[str, str, str], None]
FetchInbox = Callable[[str], Iterable[Any]]

HTTP_OK = 200
HTTP_SERVICE_UNAVAILABLE = 503


class TurnBackend(Protocol):
    """What the service needs from Rasa (``RasaClient`` in production)."""

    def send(self, session_id: str, masked_text: str) -> Awaitable[Any]: ...


@dataclass(frozen=True)
class TurnOutcome:
    response: ChatResponse
    status_code: int = HTTP_OK


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


class ChatService:
    def __init__(
        self,
        *,
        settings: ChatSettings,
        backend: TurnBackend,
        remember_contact: RememberContact | None = None,
        fetch_inbox: FetchInbox | None = None,
    ) -> None:
        self._settings = settings
        self._backend = backend
        self._remember_contact = remember_contact
        self._fetch_inbox = fetch_inbox

    @property
    def backend(self) -> TurnBackend:
        return self._backend

    async def handle_turn(self, request: ChatRequest) -> TurnOutcome:
        session_id = request.session_id
        rejection = check_input(request.text, max_chars=self._settings.chat_max_chars)
        if rejection is not None:
            logger.info(
                "session %s: input rejected (%s, %d chars)", session_id, rejection.reason.value, len(request.text)
            )
            return TurnOutcome(
                ChatResponse(session_id=session_id, replies=[Reply(text=rejection.message)], meta=Meta(kind="rejected"))
            )

        masked = mask_text(normalise_input(request.text))
        if masked.changed:
            logger.info(
                "session %s: masked %d phone(s), %d ID number(s)", session_id, len(masked.phones), len(masked.ids)
            )
        if not await self._vault_phones(session_id, masked.phones):
            # The number could not be kept: sending the masked text on would file a contact nobody can call.
            return self._busy(session_id, texts.CONTACT_NOT_SAVED)
        logger.debug("session %s: user text %s", session_id, masked.text)

        handler_replies = await self._inbox_replies(session_id)
        try:
            turn = await self._backend.send(session_id, masked.text)
        except RasaUnavailableError as exc:
            logger.error("session %s: Rasa unavailable: %s", session_id, exc)
            return TurnOutcome(
                ChatResponse(
                    session_id=session_id,
                    replies=[*handler_replies, Reply(text=texts.RASA_UNAVAILABLE)],
                    meta=Meta(kind="handoff"),
                ),
                status_code=HTTP_SERVICE_UNAVAILABLE,
            )

        if not turn.replies:
            # Every turn of the assistant answers something: silence means a custom action failed (the
            # action server or the app is down). Rasa's form did not take the message (its action failed
            # without events), so it still waits for the same answer: the citizen is asked to resend it.
            # (Rewinding the message in Rasa is no fix: UserUtteranceReverted inside an active form
            # drops the whole conversation's applied events in Rasa 3.6.)
            logger.error("session %s: Rasa answered nothing (an action failed)", session_id)
            return self._busy(session_id, texts.SYSTEM_BUSY, handler_replies)
        replies = list(turn.replies)
        meta = build_meta(turn.meta)
        logger.info("session %s: kind=%s replies=%d", session_id, meta.kind, len(replies))
        all_replies = [*handler_replies, *replies]
        return TurnOutcome(ChatResponse(session_id=session_id, replies=all_replies, meta=meta))

    @staticmethod
    def _busy(session_id: str, text: str, before: list[Reply] | None = None) -> TurnOutcome:
        return TurnOutcome(
            ChatResponse(session_id=session_id, replies=[*(before or []), Reply(text=text)], meta=Meta(kind="handoff")),
            status_code=HTTP_SERVICE_UNAVAILABLE,
        )

    async def poll_inbox(self, session_id: str) -> InboxResponse:
        return InboxResponse(session_id=session_id, replies=await self._inbox_replies(session_id))

    async def _vault_phones(self, session_id: str, phones: list[tuple[str, str]]) -> bool:
        """Keep the raw numbers for the ticket; False when the vault failed (the turn must stop)."""
        if not phones:
            return True
        if self._remember_contact is None:
            logger.warning("session %s: no contact vault configured; %d phone(s) not kept", session_id, len(phones))
            return True
        for masked_phone, raw_phone in phones:
            try:
                await run_in_threadpool(self._remember_contact, session_id, masked_phone, raw_phone)
            except Exception as exc:
                logger.error("session %s: contact vault failed (%s)", session_id, type(exc).__name__)
                return False
        return True

    async def _inbox_replies(self, session_id: str) -> list[Reply]:
        fetch = self._fetch_inbox
        if fetch is None:
            return []
        try:
            messages = await run_in_threadpool(lambda: list(fetch(session_id)))
        except Exception as exc:
            logger.error("session %s: web inbox failed (%s)", session_id, type(exc).__name__)
            return []
        replies = [r for r in (inbox_reply(m) for m in messages) if r is not None]
        if replies:
            logger.info("session %s: delivering %d handler message(s)", session_id, len(replies))
        return replies
