"""The end of the 办不成事 intake: ``action_submit_complaint`` files the ticket through the app (or keeps every
answer for a retry when the app is down), ``action_cancel_complaint`` drops the intake."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.app_client import AppUnavailableError, NotFoundError, RequestRejectedError, get_client, get_settings
from actions.complaint_form import COMPLAINT_SLOTS, FORM_NAME
from actions.contracts import TicketCreated
from actions.meta import send_meta

logger = logging.getLogger(__name__)

EXCERPT_TEXTS = 10
"""The last texts of the conversation a ticket carries for the handler."""


def conversation_excerpt(tracker: Tracker, limit: int = EXCERPT_TEXTS) -> list[dict[str, str]]:
    lines: list[dict[str, str]] = []
    for event in tracker.events:
        kind = event.get("event")
        text = event.get("text")
        if kind in ("user", "bot") and text:
            lines.append({"role": "citizen" if kind == "user" else "assistant", "text": str(text)})
    return lines[-limit:]


def reset_complaint_events() -> list[EventType]:
    return [SlotSet(slot, None) for slot in COMPLAINT_SLOTS]


def idempotency_key(tracker: Tracker) -> str:
    """The complaint's key (``complaint_key``, set when the form started); per message only as a fallback."""
    key = tracker.get_slot("complaint_key")
    if key:
        return str(key)
    latest = tracker.latest_message or {}
    marker = latest.get("message_id")
    if not marker:
        user_events = [e for e in tracker.events if e.get("event") == "user"]
        marker = str(user_events[-1].get("timestamp")) if user_events else "0"
    return f"{tracker.sender_id}:{marker}"


def keep_for_retry(dispatcher: CollectingDispatcher, tracker: Tracker, phone: str) -> list[EventType]:
    """The app is down: keep every answer, say so, and wait at the confirmation for a later /affirm.

    The form is active again at ``complaint_confirmed``; ``action_listen`` follows at once, so the
    same /affirm is not re-read, and the citizen's next confirmation submits under the same key.
    """
    dispatcher.utter_message(
        text=texts.TICKET_SUBMIT_BUSY.format(channels=texts.helpline_channels(phone)),
        buttons=[
            {"title": texts.CONFIRM_BUTTON, "payload": "/affirm"},
            {"title": texts.CANCEL_BUTTON, "payload": "/deny"},
        ],
    )
    send_meta(dispatcher, "escalate")
    events: list[EventType] = [
        SlotSet("complaint_confirmed", None),
        ActiveLoop(FORM_NAME),
        SlotSet("requested_slot", "complaint_confirmed"),
        FollowupAction("action_listen"),
    ]
    if not tracker.get_slot("complaint_key"):
        events.insert(0, SlotSet("complaint_key", idempotency_key(tracker)))
    return events


class ActionSubmitComplaint(Action):
    """Runs when the form is done: create the ticket on confirmation, else cancel."""

    def name(self) -> str:
        return "action_submit_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("complaint_confirmed") is not True:
            dispatcher.utter_message(text=texts.COMPLAINT_CANCELLED)
            send_meta(dispatcher, "escalate")
            return reset_complaint_events()

        place = tracker.get_slot("complaint_place")
        body = {
            "session_id": tracker.sender_id,
            "idempotency_key": idempotency_key(tracker),
            "item_code": tracker.get_slot("complaint_item_code"),
            "item_name": tracker.get_slot("complaint_item") or "",
            "description": tracker.get_slot("complaint_description") or "",
            "place": None if place in (None, texts.PLACE_UNKNOWN) else place,
            "contact_masked": tracker.get_slot("complaint_contact") or "",
            "excerpt": conversation_excerpt(tracker),
        }
        phone = get_settings().helpline_phone
        try:
            created = TicketCreated.parse_obj(await get_client().create_ticket(body))
        except (RequestRejectedError, NotFoundError, ValidationError) as exc:
            logger.warning("ticket creation refused: %s", exc)
            dispatcher.utter_message(text=texts.TICKET_CREATE_FAILED.format(channels=texts.helpline_channels(phone)))
            send_meta(dispatcher, "escalate")
            return reset_complaint_events()
        except AppUnavailableError as exc:
            logger.warning("ticket creation failed, the complaint is kept for a retry: %s", exc)
            return keep_for_retry(dispatcher, tracker, phone)
        dispatcher.utter_message(
            text=texts.TICKET_CREATED.format(
                number=created.number,
                office=created.office or "—",
                ack_due=created.ack_due or "—",
                resolve_due=created.resolve_due or "—",
            )
        )
        send_meta(dispatcher, "ticket_created", ticket={"id": created.number, "status": created.status})
        return [*reset_complaint_events(), SlotSet("last_ticket_number", created.number)]


class ActionCancelComplaint(Action):
    def name(self) -> str:
        return "action_cancel_complaint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.active_loop_name != FORM_NAME:
            dispatcher.utter_message(text=texts.NOTHING_TO_CANCEL)
            send_meta(dispatcher, "smalltalk")
            return [ActiveLoop(None)]
        dispatcher.utter_message(text=texts.COMPLAINT_CANCELLED)
        send_meta(dispatcher, "escalate")
        return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_complaint_events()]
