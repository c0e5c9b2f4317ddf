"""好差评: ``/rate_ticket{"ticket_number": "…", "rating": "不满意"}`` → ``POST …/rating``."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.app_client import AppUnavailableError, NotFoundError, RequestRejectedError, get_client
from actions.meta import send_meta
from actions.ticket_status import normalise_number

logger = logging.getLogger(__name__)

RATINGS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
UNSATISFIED = frozenset({"不满意", "非常不满意"})


class ActionRateTicket(Action):
    def name(self) -> str:
        return "action_rate_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        raw_number = next(tracker.get_latest_entity_values("ticket_number"), None)
        number = normalise_number(str(raw_number or "")) or tracker.get_slot("last_ticket_number")
        rating = str(next(tracker.get_latest_entity_values("rating"), "") or "")
        ticket = {"id": number, "status": None} if number else None
        if not number or rating not in RATINGS:
            dispatcher.utter_message(text=texts.RATING_UNKNOWN_TICKET)
            send_meta(dispatcher, "smalltalk", ticket=ticket)
            return []
        try:
            await get_client().rate_ticket(number, session_id=tracker.sender_id, rating=rating)
        except NotFoundError:
            dispatcher.utter_message(text=texts.RATING_UNKNOWN_TICKET)
            send_meta(dispatcher, "smalltalk", ticket=ticket)
            return []
        except RequestRejectedError as exc:
            refusal = {403: texts.RATING_FORBIDDEN, 409: texts.RATING_ALREADY}
            dispatcher.utter_message(text=refusal.get(exc.status, texts.RATING_FAILED))
            send_meta(dispatcher, "smalltalk", ticket=ticket)
            return []
        except AppUnavailableError as exc:
            logger.warning("rating failed: %s", exc)
            dispatcher.utter_message(text=texts.RATING_FAILED)
            send_meta(dispatcher, "smalltalk", ticket=ticket)
            return []
        text = texts.RATING_THANKS.format(rating=rating)
        if rating in UNSATISFIED:
            text += texts.RATING_RECTIFY
        dispatcher.utter_message(text=text)
        send_meta(dispatcher, "smalltalk", ticket=ticket)
        return []
