"""办不成事 intake: the ``complaint_form``'s validation (its questions are in ``actions.complaint_questions``, its
submit and cancel in ``actions.complaint_submit``, the text rules it applies in ``actions.complaint_text``).

Slots (all ``type: custom`` mappings, filled here):
- ``complaint_item`` — which item; normalised to the KB name via ``GET /api/items/match``
- ``complaint_description`` — what happened, free text (at least a few characters)
- ``complaint_place`` — 窗口 / 网上 / other text / 未说明; detected from any message of the complaint
- ``complaint_contact`` — masked mainland mobile ``138****8000`` (the gateway masks numbers)
- ``complaint_confirmed`` — True on /affirm, False on /deny at the summary
- ``complaint_key`` — this complaint's idempotency key, set when the form starts and kept until a
  ticket exists or the complaint is cancelled (a retried submit returns the same ticket)

Faults: when the app is unavailable at submit, every answer is kept, the citizen is told the system
is busy (try again, or 12345) and the form waits at the confirmation again; a later confirmation
submits the same complaint under the same key. A masked-looking number the gateway did not keep
(typed as ``138****0000``) is refused with a re-ask, so the ticket gets a number a handler can call.

Each question and each answer of the intake carries meta kind ``escalate``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from pydantic import ValidationError
from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import texts
from actions.app_client import AppUnavailableError, NotFoundError, get_client
from actions.complaint_text import (
    MASKED_MOBILE,
    PLACE_OTHER,
    SKIP_WORDS,
    contact_only,
    detect_place,
    echoes_payload,
    find_contact,
    narrative_item_answer,
)
from actions.contracts import ItemMatch

logger = logging.getLogger(__name__)

FORM_NAME = "complaint_form"
COMPLAINT_SLOTS = (
    "complaint_item",
    "complaint_item_code",
    "complaint_description",
    "complaint_place",
    "complaint_contact",
    "complaint_confirmed",
    "complaint_key",
)
REPORT_INTENT = "report_problem"
# Intents that leave the intake instead of answering its question: rules handle them
# (cancel → action_cancel_complaint, ask_human → action_handoff, which both end the form).
CANCEL_INTENTS = frozenset({"cancel", "ask_human"})
MIN_DESCRIPTION_CHARS = 4
MAX_DESCRIPTION_CHARS = 4000  # the tickets API's limit: the citizen's text is kept whole
MAX_SCAN_MESSAGES = 12


def complaint_user_texts(tracker: Tracker) -> list[str]:
    """User texts of the current complaint, from the report that started the form to now.

    The start is the user message just before the form's ActiveLoop event; at activation (no such
    event yet) it is the latest report_problem message. At most MAX_SCAN_MESSAGES texts.
    """
    events = list(tracker.events)
    loop_at = max(
        (i for i, e in enumerate(events) if e.get("event") == "active_loop" and e.get("name") == FORM_NAME),
        default=None,
    )
    start = 0
    if loop_at is not None:
        start = max((i for i, e in enumerate(events[:loop_at]) if e.get("event") == "user"), default=0)
    else:
        for i in range(len(events) - 1, -1, -1):
            event = events[i]
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if event.get("event") == "user" and intent == REPORT_INTENT:
                start = i
                break
    texts_: list[str] = [
        str(e.get("text") or "")
        for e in events[start:]
        if e.get("event") == "user" and not str(e.get("text") or "").startswith("/")
    ]
    return texts_[-MAX_SCAN_MESSAGES:]


def _latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message.get("text") or "").strip()


def _latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _requested(tracker: Tracker, slot: str) -> bool:
    return tracker.get_slot("requested_slot") == slot and tracker.active_loop_name == FORM_NAME


def new_complaint_key(tracker: Tracker) -> str:
    return f"{tracker.sender_id}:complaint:{uuid.uuid4().hex}"


class ValidateComplaintForm(FormValidationAction):
    def name(self) -> str:
        return "validate_complaint_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        if not tracker.get_slot("complaint_key"):
            # The complaint's identity, from its first turn: the same ticket however often it is submitted.
            events.append(SlotSet("complaint_key", new_complaint_key(tracker)))
        return events

    async def _item_from_conversation(self, tracker: Tracker) -> dict[str, Any]:
        """At activation: the item the conversation was about, unless the report names another one."""
        name = tracker.get_slot("item_name")
        code = tracker.get_slot("item_code")
        if not name:
            return {}
        report = " ".join(complaint_user_texts(tracker))[:300]
        if report:
            try:
                match = ItemMatch.parse_obj(await get_client().match_item(report))
            except (AppUnavailableError, NotFoundError, ValidationError) as exc:
                logger.info("item match unavailable at activation: %s", exc)
            else:
                if match.item is not None and match.item.code != code:
                    return {}
        return {"complaint_item": name}  # validate_complaint_item adds the conversation's item code

    # --- extraction: what the latest message gives -------------------------------------------
    async def extract_complaint_item(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _latest_text(tracker)
        if _latest_intent(tracker) in CANCEL_INTENTS:
            return {}
        if not _requested(tracker, "complaint_item"):
            starting = tracker.get_slot("requested_slot") is None and not tracker.get_slot("complaint_item")
            return await self._item_from_conversation(tracker) if starting else {}
        if text and echoes_payload(text, domain):
            return {"complaint_item": None}  # refused, not skipped: an empty extraction makes Rasa reject the form
        return {"complaint_item": text} if text else {}

    async def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _latest_text(tracker)
        if _latest_intent(tracker) in CANCEL_INTENTS or not text:
            return {}
        if echoes_payload(text, domain):
            # refused and asked again: an empty extraction of the asked slot makes Rasa reject the form, and its
            # fallback (action_answer) and the form then alternate until Rasa's circuit breaker trips
            return {"complaint_description": None} if _requested(tracker, "complaint_description") else {}
        asks_item = _requested(tracker, "complaint_item")
        told = asks_item and narrative_item_answer(text, kept=bool(tracker.get_slot("complaint_description")))
        if _requested(tracker, "complaint_description") or told:
            return {"complaint_description": text}
        return {}

    async def extract_complaint_place(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _requested(tracker, "complaint_place"):
            if _latest_intent(tracker) in CANCEL_INTENTS:
                return {}
            text = _latest_text(tracker)
            if echoes_payload(text, domain):
                return {}
            if any(w in text for w in SKIP_WORDS) or contact_only(text):
                return {"complaint_place": texts.PLACE_UNKNOWN}  # skipped, or answered the contact instead
            if text.startswith(PLACE_OTHER):
                return {"complaint_place": PLACE_OTHER}
            return {"complaint_place": detect_place(text) or text[:30] or texts.PLACE_UNKNOWN}
        if tracker.get_slot("complaint_place"):
            return {}
        for text in reversed(complaint_user_texts(tracker)):
            place = detect_place(text)
            if place:
                return {"complaint_place": place}
        return {}

    async def extract_complaint_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = _latest_text(tracker)
        found = find_contact(text)
        if found:
            return {"complaint_contact": found}
        if _requested(tracker, "complaint_contact") and _latest_intent(tracker) not in CANCEL_INTENTS:
            return {"complaint_contact": text}  # validate_complaint_contact rejects it with a reason
        return {}

    async def extract_complaint_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _requested(tracker, "complaint_confirmed"):
            return {}
        intent = _latest_intent(tracker)
        if intent in CANCEL_INTENTS:
            return {}
        if intent == "affirm":
            return {"complaint_confirmed": True}
        if intent == "deny":
            return {"complaint_confirmed": False}
        return {"complaint_confirmed": "unclear"}

    # --- validation --------------------------------------------------------------------------
    async def validate_complaint_item(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if not text:
            return {"complaint_item": None}
        code = tracker.get_slot("item_code")
        if code and text == tracker.get_slot("item_name"):
            return {"complaint_item": text, "complaint_item_code": code}  # the item the conversation was about
        try:
            match = ItemMatch.parse_obj(await get_client().match_item(text))
        except (AppUnavailableError, NotFoundError, ValidationError) as exc:
            logger.info("item match unavailable, keeping the citizen's words: %s", exc)
            return {"complaint_item": text[:60], "complaint_item_code": None}
        if match.item is not None:
            return {"complaint_item": match.item.name, "complaint_item_code": match.item.code}
        return {"complaint_item": text[:60], "complaint_item_code": None}

    def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if len(text) < MIN_DESCRIPTION_CHARS:
            dispatcher.utter_message(text=texts.DESCRIPTION_TOO_SHORT)
            return {"complaint_description": None}
        return {"complaint_description": text[:MAX_DESCRIPTION_CHARS]}

    def validate_complaint_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"complaint_place": str(value).strip() or texts.PLACE_UNKNOWN}

    async def validate_complaint_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if not MASKED_MOBILE.fullmatch(text):
            dispatcher.utter_message(text=texts.CONTACT_INVALID)
            return {"complaint_contact": None}
        try:
            known = (await get_client().contact_known(session_id=tracker.sender_id, masked=text)).get("known")
        except (AppUnavailableError, NotFoundError) as exc:
            # Cannot check now; the gateway refuses a message whose number it could not keep, so accept.
            logger.info("contact check unavailable: %s", exc)
            return {"complaint_contact": text}
        if known is False:
            # The citizen typed a masked-looking number: no full number behind it reaches the ticket.
            dispatcher.utter_message(text=texts.CONTACT_NOT_RECEIVED)
            return {"complaint_contact": None}
        return {"complaint_contact": text}

    def validate_complaint_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"complaint_confirmed": value}
        dispatcher.utter_message(text=texts.CONFIRM_REPROMPT)
        return {"complaint_confirmed": None}
