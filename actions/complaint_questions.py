"""The questions of the 办不成事 intake (``action_ask_<slot>`` of ``complaint_form``)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.app_client import AppUnavailableError, NotFoundError, get_client
from actions.complaint_form import complaint_user_texts
from actions.contracts import ItemMatch
from actions.meta import send_meta

logger = logging.getLogger(__name__)


class ActionAskComplaintItem(Action):
    def name(self) -> str:
        return "action_ask_complaint_item"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        report = " ".join(complaint_user_texts(tracker))[:300]
        buttons: list[dict[str, str]] = []
        if report:
            try:
                match = ItemMatch.parse_obj(await get_client().match_item(report))
                # Only a confident match is offered: the loose candidates of a report that names no
                # item ("我要投诉") are noise.
                if match.item is not None:
                    buttons.append({"title": match.item.name, "payload": match.item.name})
            except (AppUnavailableError, NotFoundError, ValidationError) as exc:
                logger.info("item match unavailable for the question: %s", exc)
        text = texts.ASK_ITEM_WITH_GUESS if buttons else texts.ASK_ITEM
        dispatcher.utter_message(text=text, buttons=buttons or None)
        send_meta(dispatcher, "escalate")
        return []


class ActionAskComplaintDescription(Action):
    def name(self) -> str:
        return "action_ask_complaint_description"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=texts.ASK_DESCRIPTION)
        send_meta(dispatcher, "escalate")
        return []


class ActionAskComplaintPlace(Action):
    def name(self) -> str:
        return "action_ask_complaint_place"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        buttons = [{"title": t, "payload": p} for t, p in texts.PLACE_BUTTONS]
        dispatcher.utter_message(text=texts.ASK_PLACE, buttons=buttons)
        send_meta(dispatcher, "escalate")
        return []


class ActionAskComplaintContact(Action):
    def name(self) -> str:
        return "action_ask_complaint_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=texts.ASK_CONTACT)
        send_meta(dispatcher, "escalate")
        return []


class ActionAskComplaintConfirmed(Action):
    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        summary = texts.SUMMARY.format(
            item=tracker.get_slot("complaint_item") or "",
            description=tracker.get_slot("complaint_description") or "",
            place=tracker.get_slot("complaint_place") or texts.PLACE_UNKNOWN,
            contact=tracker.get_slot("complaint_contact") or "",
        )
        buttons = [
            {"title": texts.CONFIRM_BUTTON, "payload": "/affirm"},
            {"title": texts.CANCEL_BUTTON, "payload": "/deny"},
        ]
        dispatcher.utter_message(text=summary, buttons=buttons)
        send_meta(dispatcher, "escalate")
        return []
