"""转人工: give the human channels (the deployment's phone and 12345)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.app_client import get_settings
from actions.complaint_form import FORM_NAME
from actions.complaint_submit import reset_complaint_events
from actions.meta import send_meta


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(
            text=texts.HANDOFF.format(channels=texts.helpline_channels(get_settings().helpline_phone))
        )
        send_meta(dispatcher, "handoff")
        if tracker.active_loop_name == FORM_NAME:  # asking for a human ends the intake
            return [ActiveLoop(None), SlotSet("requested_slot", None), *reset_complaint_events()]
        return []
