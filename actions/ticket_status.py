"""Ticket status by number: ``POST /api/internal/tickets/status`` with the conversation's id.

The app shows the ticket only to the conversation that filed it, or to someone who also gives the last
four digits of the contact phone (``尾号1234``, or a phone number, which arrives masked as ``138****1234``).
Everyone else gets the same "not found" answer as for a number that does not exist.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.app_client import AppUnavailableError, RequestRejectedError, get_client, get_settings
from actions.complaint_text import MASKED_MOBILE, RAW_MOBILE
from actions.contracts import TicketStatus
from actions.meta import send_meta
from nlu_components.ticket_numbers import find_number, mentions_number

logger = logging.getLogger(__name__)

HTTP_TOO_MANY_REQUESTS = 429
_LAST4_RE = re.compile(r"(?:尾号|后四位|后4位|末四位|末4位|最后四位|最后4位)\s*(?:是|为)?\s*[:：]?\s*(\d{4})(?!\d)")
_CODE_AFTER_TICKET_WORD = re.compile(
    r"(?:工单|单号|编号|受理号)[号码]?\s*(?:是|为)?\s*[:：]?\s*(?:[#＃]|No\.?)?\s*([A-Za-z0-9][A-Za-z0-9\-_]{3,})(?![A-Za-z0-9])"
)
MIN_CODE_DIGITS = 5
"""A code typed right after a ticket word with at least this many digits is the number the citizen means, whatever
its form: "工单编号 #990001x" is no ticket of ours (not found), not a message without a number."""


def _prefix() -> str:
    return (os.environ.get("TICKET_PREFIX") or "BBC").strip().upper()


def normalise_number(text: str) -> str | None:
    """The first ticket number with this deployment's prefix in a text, in any plausible form
    (nlu_components/ticket_numbers.py), in canonical form (``BBC-20261122-0007-KXQRT``), else None."""
    return find_number(text, _prefix())


def phone_last4(text: str) -> str | None:
    """The contact phone's last four digits when the message gives them."""
    folded = unicodedata.normalize("NFKC", text or "")
    for pattern in (_LAST4_RE, MASKED_MOBILE):
        found = pattern.search(folded)
        if found:
            return found.group(1)
    return None


def ticket_number_from(tracker: Tracker) -> str | None:
    """The number in the message text first: the NLU's regex entity predates the check code and would cut
    ``BBC-20261122-0007-KXQRT`` down to ``BBC-20261122-0007``."""
    number = normalise_number(tracker.latest_message.get("text") or "")
    if number:
        return number
    for value in tracker.get_latest_entity_values("ticket_number"):
        number = normalise_number(str(value))
        if number:
            return number
    return None


def code_after_ticket_word(text: str) -> bool:
    """Rule `code_after_ticket_word`: right after a ticket word (工单号, 单号, 编号 …, with 是, a colon or # between),
    a code of letters and digits holding at least MIN_CODE_DIGITS digits ("工单编号 #990001x", "单号：A2024-55731")
    that is not a mobile phone number: the citizen gave a number, in a form none of ours takes."""
    for found in _CODE_AFTER_TICKET_WORD.finditer(unicodedata.normalize("NFKC", text or "")):
        code = found.group(1)
        if sum(c.isdigit() for c in code) >= MIN_CODE_DIGITS and not RAW_MOBILE.fullmatch(code):
            return True
    return False


def gives_another_number(tracker: Tracker) -> bool:
    """The message gives a number shaped like a ticket number but with another prefix (``GD20261101-0001``,
    ``WT-20260930-0412``: another system's, or mistyped) or a code right after a ticket word
    (`code_after_ticket_word`): no ticket of ours has it, so the answer is "not found" (with the form ours take),
    not a request for a number the citizen has just given."""
    text = tracker.latest_message.get("text") or ""
    if mentions_number(text) or code_after_ticket_word(text):
        return True
    return any(mentions_number(str(v)) for v in tracker.get_latest_entity_values("ticket_number"))


class ActionTicketStatus(Action):
    def name(self) -> str:
        return "action_ticket_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        number = ticket_number_from(tracker)
        if number is None and gives_another_number(tracker):
            dispatcher.utter_message(text=texts.TICKET_NOT_FOUND)  # nothing to look up: no ticket of ours
            send_meta(dispatcher, "ticket_status")
            return []
        if number is None:
            dispatcher.utter_message(text=texts.ASK_TICKET_NUMBER)
            send_meta(dispatcher, "ticket_status")
            return []

        channels = texts.helpline_channels(get_settings().helpline_phone)
        last4 = phone_last4(tracker.latest_message.get("text") or "")
        try:
            body = await get_client().ticket_status(number, session_id=tracker.sender_id, phone_last4=last4)
            status = TicketStatus.parse_obj(body["ticket"]) if body.get("visible") and body.get("ticket") else None
        except RequestRejectedError as exc:
            if exc.status == HTTP_TOO_MANY_REQUESTS:
                dispatcher.utter_message(text=texts.TICKET_LOOKUP_LIMITED.format(channels=channels))
            else:
                dispatcher.utter_message(text=texts.APP_DOWN.format(channels=channels))
            send_meta(dispatcher, "ticket_status")
            return []
        except (AppUnavailableError, ValidationError, KeyError) as exc:
            logger.warning("ticket status failed: %s", type(exc).__name__)
            dispatcher.utter_message(text=texts.APP_DOWN.format(channels=channels))
            send_meta(dispatcher, "ticket_status")
            return []

        if status is None:
            dispatcher.utter_message(text=texts.TICKET_NOT_FOUND)
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
