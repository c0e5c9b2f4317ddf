"""Ticket status by number: ``GET /api/internal/tickets/{number}/status`` (nothing personal)."""

from __future__ import annotations

import logging
import re
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.app_client import AppUnavailableError, NotFoundError, get_client, get_settings
from actions.contracts import TicketStatus
from actions.meta import send_meta

logger = logging.getLogger(__name__)

# Numbers look like BBC20261122-0007; the hyphenated BBC-20261122-0007 is tolerated too.
TICKET_NUMBER = re.compile(r"(?<![A-Za-z0-9])BBC-?\d{8}-\d{4}(?!\d)", re.IGNORECASE)


def normalise_number(text: str) -> str | None:
    """The first ticket number in a text, upper-cased, else None."""
    found = TICKET_NUMBER.search(text or "")
    return found.group(0).upper() if found else None


def number_variants(number: str) -> list[str]:
    """The number as written, then the other hyphenation (BBC-2026… vs BBC2026…)."""
    other = "BBC" + number[4:] if number.startswith("BBC-") else "BBC-" + number[3:]
    return [number, other]


def ticket_number_from(tracker: Tracker) -> str | None:
    for value in tracker.get_latest_entity_values("ticket_number"):
        number = normalise_number(str(value))
        if number:
            return number
    return normalise_number(tracker.latest_message.get("text") or "")


class ActionTicketStatus(Action):
    def name(self) -> str:
        return "action_ticket_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        number = ticket_number_from(tracker)
        if number is None:
            dispatcher.utter_message(text=texts.ASK_TICKET_NUMBER)
            send_meta(dispatcher, "ticket_status")
            return []

        status: TicketStatus | None = None
        try:
            for candidate in number_variants(number):
                try:
                    status = TicketStatus.parse_obj(await get_client().ticket_status(candidate))
                    break
                except NotFoundError:
                    continue
        except (AppUnavailableError, ValidationError) as exc:
            logger.warning("ticket status failed: %s", exc)
            dispatcher.utter_message(
                text=texts.APP_DOWN.format(channels=texts.helpline_channels(get_settings().helpline_phone))
            )
            send_meta(dispatcher, "ticket_status")
            return []

        if status is None:
            dispatcher.utter_message(text=texts.TICKET_NOT_FOUND.format(number=number))
            send_meta(dispatcher, "ticket_status")
            return []

        text = texts.TICKET_STATUS.format(
            number=status.number,
            item=status.item_name or "—",
            status=status.status,
            office=status.office or "—",
            resolve_due=status.resolve_due or "—",
        )
        if status.reply:
            text += "\n" + texts.TICKET_REPLY.format(reply=status.reply)
        dispatcher.utter_message(text=text)
        send_meta(dispatcher, "ticket_status", ticket={"id": status.number, "status": status.status})
        return [SlotSet("last_ticket_number", status.number)]
