"""What the chat service is given and gives back: the stores and callbacks it is wired with (``bot.app``), the record
of a turn handed to analytics, and the outcome of a turn (the response and its HTTP status)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.chat.schemas import ChatResponse, Meta

RememberContact = Callable[[str, str, str], None]
FetchInbox = Callable[[str], Iterable[Any]]
# Counts one ticket lookup from a client address; False past the limit (bot.tickets.privacy).
AllowLookup = Callable[[str], bool]
MentionsTicket = Callable[[str], bool]


class OfferedStore(Protocol):
    """Where offered payloads are kept (``bot.chat.offered_payloads.OfferedPayloadStore``)."""

    def remember(self, session_id: str, payloads: Iterable[str]) -> None: ...

    def was_offered(self, session_id: str, payload: str) -> bool: ...


@dataclass(frozen=True)
class TurnRecord:
    """What the turn recorder (analytics, metrics) is given after each turn; nothing unmasked."""

    at: dt.datetime
    session_id: str
    channel: str
    masked_text: str
    reply_text: str
    meta: Meta
    latency_s: float
    turn_id: str = ""  # opaque id given back in ``meta.turn_id`` once the turn is recorded (answer feedback)


RecordTurn = Callable[[TurnRecord], None]

HTTP_OK = 200
HTTP_SERVICE_UNAVAILABLE = 503


class TurnBackend(Protocol):
    """What the service needs from Rasa (``RasaClient`` in production)."""

    def send(self, session_id: str, masked_text: str, metadata: dict[str, Any] | None = None) -> Awaitable[Any]: ...


@dataclass(frozen=True)
class TurnOutcome:
    response: ChatResponse
    status_code: int = HTTP_OK
