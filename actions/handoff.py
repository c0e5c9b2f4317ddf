"""转人工: give the human channels (the deployment's phone and 12345)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.app_client import get_settings
from actions.meta import send_meta


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(
            text=texts.HANDOFF.format(channels=texts.helpline_channels(get_settings().helpline_phone))
        )
        send_meta(dispatcher, "handoff")
        return []
