"""``action_health_canary``: the app's health check runs it through Rasa (``/conversations/…/execute``)
to prove that Rasa reaches this action server. It creates nothing and calls nothing; it only answers
with a fixed marker the app looks for."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

logger = logging.getLogger(__name__)

CANARY_MARKER = "health-canary-ok"


class ActionHealthCanary(Action):
    def name(self) -> str:
        return "action_health_canary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(json_message={"canary": CANARY_MARKER})
        return []
