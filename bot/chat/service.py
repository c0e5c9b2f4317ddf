"""One chat turn: pressed button or typed text → guard → mask → vault phones → handler messages → Rasa →
merged response; the buttons offered are remembered so a later press can be checked.

A ``payload`` is sent to Rasa as the intent it names only when the assistant offered exactly that payload
to this session; anything else (a forged payload, typed text starting with ``/``) is treated as typed
text, with its leading slashes removed so that Rasa never reads it as an intent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from bot.channels.base import channel_for_session
from bot.chat import texts
from bot.chat.config import ChatSettings
from bot.chat.contracts import (
    HTTP_SERVICE_UNAVAILABLE,
    AllowLookup,
    FetchInbox,
    MentionsTicket,
    OfferedStore,
    RecordTurn,
    RememberContact,
    TurnBackend,
    TurnOutcome,
    TurnRecord,
)
from bot.chat.gate import GateFn, SessionKinds, gate_metadata, leaves_intake
from bot.chat.input_guard import check_input, normalise_input
from bot.chat.pressed_words import ItemName, words_of_press
from bot.chat.rasa_client import RasaUnavailableError
from bot.chat.reply_meta import build_meta, inbox_reply
from bot.chat.schemas import (
    ChatRequest,
    ChatResponse,
    InboxResponse,
    Meta,
    Reply,
)
from bot.chat.typed_commands import CANCEL_PAYLOAD, neutralise_command
from bot.core.timing import hop
from bot.pii import mask_text

logger = logging.getLogger(__name__)


class ChatService:
    def __init__(
        self,
        *,
        settings: ChatSettings,
        backend: TurnBackend,
        remember_contact: RememberContact | None = None,
        fetch_inbox: FetchInbox | None = None,
        offered: OfferedStore | None = None,
        allow_lookup: AllowLookup | None = None,
        mentions_ticket: MentionsTicket | None = None,
        record_turn: RecordTurn | None = None,
        gate: GateFn | None = None,
        gate_is_cheap: Callable[[str], bool] | None = None,
        item_name: ItemName | None = None,
    ) -> None:
        self._settings = settings
        # item code -> its name, to read a press of an item button that was not offered as the question it asks
        self._item_name = item_name
        self._gate = gate
        # text -> True when the gate needs no model call for it (its query vector is cached): then it runs on
        # the event loop, saving two thread hand-offs; otherwise (an e5 forward pass) in the thread pool.
        self._gate_is_cheap = gate_is_cheap
        self._session_kinds = SessionKinds()
        self._backend = backend
        self._remember_contact = remember_contact
        self._fetch_inbox = fetch_inbox
        self._offered = offered
        self._allow_lookup = allow_lookup
        self._mentions_ticket = mentions_ticket
        self._record_turn = record_turn

    @property
    def backend(self) -> TurnBackend:
        return self._backend

    @property
    def offered_store(self) -> OfferedStore | None:
        """Where offered buttons are remembered (channels that deliver buttons themselves add theirs)."""
        return self._offered

    async def handle_turn(self, request: ChatRequest, *, client_address: str | None = None) -> TurnOutcome:
        """One turn, recorded (analytics) before it returns."""
        started = time.perf_counter()
        outcome = await self.respond(request, client_address=client_address)
        await self.record(request, outcome, time.perf_counter() - started)
        return outcome

    async def respond(self, request: ChatRequest, *, client_address: str | None = None) -> TurnOutcome:
        """One turn, not yet recorded: the HTTP endpoint records it after the reply is sent (``record``).
        With a recorder, the reply already carries the turn's id (``meta.turn_id``, for answer feedback)."""
        outcome = await self._handle_turn(request, client_address)
        if self._record_turn is not None:
            outcome.response.meta.turn_id = secrets.token_urlsafe(18)
        return outcome

    async def record(self, request: ChatRequest, outcome: TurnOutcome, latency_s: float) -> None:
        """Hand the finished turn to the recorder (analytics, metrics); its failures never reach the citizen."""
        if self._record_turn is None:
            return
        kind = outcome.response.meta.kind
        turn_id = outcome.response.meta.turn_id or secrets.token_urlsafe(18)
        record = TurnRecord(
            at=dt.datetime.now(dt.UTC),
            session_id=request.session_id,
            channel=channel_for_session(request.session_id),
            masked_text="" if kind == "rejected" else mask_text(normalise_input(request.text)).text,
            reply_text="\n".join(r.text for r in outcome.response.replies),
            meta=outcome.response.meta,
            latency_s=latency_s,
            turn_id=turn_id,
        )
        try:
            await run_in_threadpool(self._record_turn, record)
        except Exception as exc:  # analytics never breaks a turn
            logger.error("session %s: turn not recorded (%s)", request.session_id, type(exc).__name__)
            # feedback on this turn id then gets 404: only a recorded turn can receive feedback

    async def _handle_turn(self, request: ChatRequest, client_address: str | None) -> TurnOutcome:
        session_id = request.session_id
        message = await self._pressed_button(session_id, request.payload)
        pressed = message is not None
        if message is None:
            typed = request.text if request.text.strip() or not request.payload else request.payload
            words = words_of_press(request.payload, self._item_name) if request.payload and self._item_name else None
            if words is not None:
                logger.info("session %s: an item button not offered, read as its words", session_id)
                typed = words
            rejection = check_input(typed, max_chars=self._settings.chat_max_chars)
            if rejection is not None:
                logger.info("session %s: input rejected (%s, %d chars)", session_id, rejection.reason.value, len(typed))
                return TurnOutcome(
                    ChatResponse(
                        session_id=session_id, replies=[Reply(text=rejection.message)], meta=Meta(kind="rejected")
                    )
                )
            with hop("mask"):
                masked = mask_text(normalise_input(typed))
            if masked.changed:
                logger.info(
                    "session %s: masked %d phone(s), %d ID number(s), %d card(s), %d e-mail(s)",
                    session_id,
                    len(masked.phones),
                    len(masked.ids),
                    len(masked.cards),
                    len(masked.emails),
                )
            with hop("vault"):
                vaulted = await self._vault_phones(session_id, masked.phones)
            if not vaulted:
                # The number could not be kept: sending the masked text on would file a contact nobody can call.
                return self._busy(session_id, texts.CONTACT_NOT_SAVED)
            message = neutralise_command(masked.text)
            if message != masked.text:
                logger.info("session %s: typed slash command treated as text", session_id)
            if not await self._lookup_allowed(message, client_address):
                return TurnOutcome(
                    ChatResponse(
                        session_id=session_id,
                        replies=[Reply(text=texts.LOOKUP_RATE_LIMITED)],
                        meta=Meta(kind="ticket_status"),
                    )
                )
        logger.debug("session %s: user text %s", session_id, message)

        # Handler messages waiting for this session are fetched while the gate and Rasa work (they are shown
        # before Rasa's replies either way).
        inbox = asyncio.ensure_future(self._inbox_replies(session_id))
        try:
            return await self._converse(session_id, message, pressed, inbox)
        finally:
            if not inbox.done():  # the turn failed before it needed the handler messages
                inbox.cancel()

    async def _converse(
        self, session_id: str, message: str, pressed: bool, inbox: asyncio.Future[list[Reply]]
    ) -> TurnOutcome:
        """Gate, Rasa, and the merged reply (handler messages first)."""
        left: list[Reply] = []
        if not pressed and self._session_kinds.intake_early(session_id):
            left = await self._leave_intake_if_asked(session_id, message)
        in_intake = self._session_kinds.in_intake(session_id)
        about_item = self._session_kinds.item(session_id) is not None
        after_clarify = self._session_kinds.after_clarify(session_id)
        # The gate's verdict on typed text only; a pressed button already says what it means.
        with hop("gate"):
            if pressed:
                metadata = None
            elif self._gate_is_cheap is not None and self._gate_is_cheap(message):
                metadata = gate_metadata(
                    self._gate, message, in_intake=in_intake, about_item=about_item, after_clarify=after_clarify
                )
            else:
                metadata = await run_in_threadpool(
                    gate_metadata,
                    self._gate,
                    message,
                    in_intake=in_intake,
                    about_item=about_item,
                    after_clarify=after_clarify,
                )
        try:
            with hop("rasa"):
                turn = await self._backend.send(session_id, message, metadata)
        except RasaUnavailableError as exc:
            logger.error("session %s: Rasa unavailable: %s", session_id, exc)
            handler_replies = await inbox
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
            return self._busy(session_id, texts.SYSTEM_BUSY, await inbox)
        replies = list(turn.replies)
        meta = build_meta(turn.meta)
        self._session_kinds.remember(session_id, meta.kind, (meta.item.code or None) if meta.item else None)
        logger.info("session %s: kind=%s replies=%d", session_id, meta.kind, len(replies))
        all_replies = [*(await inbox), *left, *replies]
        with hop("offered"):
            await self._remember_offered(session_id, all_replies)
        return TurnOutcome(ChatResponse(session_id=session_id, replies=all_replies, meta=meta))

    async def _leave_intake_if_asked(self, session_id: str, message: str) -> list[Reply]:
        """At the start of the complaint intake, a message that is no answer to it (`gate.leaves_intake`: a question
        about our services, thanks and goodbye) cancels the intake — nothing was filed — and is then answered as
        any other message. Returns the intake's "cancelled" reply to show first; [] when the intake goes on (also
        when the gate or Rasa fails: the message is then the intake's answer, as before)."""
        if self._gate is None:
            return []
        try:
            verdict = await run_in_threadpool(self._gate, message)
        except Exception as exc:
            logger.error("session %s: question gate failed in the intake (%s)", session_id, type(exc).__name__)
            return []
        if not leaves_intake(verdict):
            return []
        try:
            turn = await self._backend.send(session_id, CANCEL_PAYLOAD, None)
        except RasaUnavailableError as exc:
            logger.error("session %s: Rasa unavailable while leaving the intake: %s", session_id, exc)
            return []
        logger.info("session %s: a question at the start of the intake; intake cancelled", session_id)
        self._session_kinds.remember(session_id, "smalltalk")  # the intake is over: no longer waiting for answers
        return list(turn.replies)

    @staticmethod
    def _busy(session_id: str, text: str, before: list[Reply] | None = None) -> TurnOutcome:
        return TurnOutcome(
            ChatResponse(session_id=session_id, replies=[*(before or []), Reply(text=text)], meta=Meta(kind="handoff")),
            status_code=HTTP_SERVICE_UNAVAILABLE,
        )

    async def poll_inbox(self, session_id: str) -> InboxResponse:
        replies = await self._inbox_replies(session_id)
        await self._remember_offered(session_id, replies)
        return InboxResponse(session_id=session_id, replies=replies)

    async def _pressed_button(self, session_id: str, payload: str | None) -> str | None:
        """The payload to send to Rasa as is, when it is a button this session was offered; else None."""
        if not payload or not payload.startswith("/") or self._offered is None:
            return None
        store = self._offered
        try:
            offered = await run_in_threadpool(store.was_offered, session_id, payload)
        except Exception as exc:  # no store, no trust: the press is treated as typed text
            logger.error("session %s: offered-payload store failed (%s)", session_id, type(exc).__name__)
            return None
        if not offered:
            logger.info("session %s: payload not offered to this session; treated as typed text", session_id)
            return None
        return payload

    async def _remember_offered(self, session_id: str, replies: list[Reply]) -> None:
        payloads = [b.payload for r in replies for b in r.buttons if b.payload.startswith("/")]
        if not payloads or self._offered is None:
            return
        store = self._offered
        try:
            await run_in_threadpool(store.remember, session_id, payloads)
        except Exception as exc:
            logger.error("session %s: could not remember offered buttons (%s)", session_id, type(exc).__name__)

    async def _lookup_allowed(self, message: str, client_address: str | None) -> bool:
        """Ticket lookups are limited per client address here (and per session by the tickets API)."""
        if self._allow_lookup is None or self._mentions_ticket is None or not client_address:
            return True
        if not self._mentions_ticket(message):
            return True
        allow = self._allow_lookup
        try:
            return bool(await run_in_threadpool(allow, client_address))
        except Exception as exc:
            logger.error("lookup limiter failed (%s); allowing", type(exc).__name__)
            return True

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
            with hop("inbox"):
                messages = await run_in_threadpool(lambda: list(fetch(session_id)))
        except Exception as exc:
            logger.error("session %s: web inbox failed (%s)", session_id, type(exc).__name__)
            return []
        replies = [r for r in (inbox_reply(m) for m in messages) if r is not None]
        if replies:
            logger.info("session %s: delivering %d handler message(s)", session_id, len(replies))
        return replies
