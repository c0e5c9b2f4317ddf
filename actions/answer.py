"""Answer from the knowledge base: relay what the retrieval engine (``POST /api/search``) decides.

The engine decides answer / clarify / no_answer and resolves context itself (a text naming no
item keeps the context item; naming no aspect keeps the context aspect). This action only:
- sends the choices a clarifying question just offered (read back from its buttons) with a typed reply, so
  the engine can tell which one the citizen picked in words ("续期的"),
- picks the question text (a clarify button ``/ask_item{"item_code": …}`` re-asks ``last_question``
  with the chosen item as context),
- relays text, the engine's choices (data: item code, sub-item) as Rasa buttons
  (``/ask_item{"item_code": …, "sub_item": …}``), sources as one short line,
- appends the human channel to a no_answer,
- stores the context slots (a clarify about one item's sub-items keeps that item) and sends the meta message.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import texts
from actions.app_client import AppUnavailableError, NotFoundError, get_client, get_settings
from actions.contracts import Choice, SearchAnswer, SourceRef
from actions.meta import (
    ASK_ITEM_PAYLOAD,
    last_answer_guide,
    last_answer_policy,
    last_clarify_choices,
    region_before_message,
    send_meta,
)

logger = logging.getLogger(__name__)

MAX_SOURCES_SHOWN = 2


def latest_entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value not in (None, "") else None


def sources_line(sources: list[SourceRef]) -> str | None:
    shown: list[str] = []
    for src in sources[:MAX_SOURCES_SHOWN]:
        shown.append(f"{src.title}（{src.region}）" if src.region else src.title)
    return texts.SOURCES_PREFIX + texts.SOURCES_SEPARATOR.join(shown) if shown else None


def button_payload(choice: Choice) -> str:
    """The Rasa intent-with-entities payload a button sends: ``/ask_item{"item_code": …}``."""
    entities = {"item_code": choice.item_code}
    if choice.sub_item:
        entities["sub_item"] = choice.sub_item
    return ASK_ITEM_PAYLOAD + json.dumps(entities, ensure_ascii=False)


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        user_text = (tracker.latest_message.get("text") or "").strip()
        chosen_code = latest_entity(tracker, "item_code")
        context: dict[str, Any] = {
            "item_code": tracker.get_slot("item_code"),
            "sub_item": tracker.get_slot("sub_item"),
            "aspect": tracker.get_slot("aspect"),
        }
        policy = last_answer_policy(tracker.events)
        if policy:  # the policy point the last answer cited: a follow-up may continue it (knowledge/decide/topic.py)
            context["policy_id"] = policy
        guide = last_answer_guide(tracker.events)
        if guide and not user_text.startswith("/"):  # a follow-up keeps asking the guide that answered last
            context["guide_id"] = guide
        events: list[EventType] = []
        choices = last_clarify_choices(tracker.events)
        if choices and not user_text.startswith("/"):  # a typed reply to a clarifying question may pick one
            context["choices"] = choices
        if user_text.startswith("/"):
            # A button payload: answer the stored question about the chosen item.
            question = tracker.get_slot("last_question") or texts.CHOICE_WITHOUT_QUESTION
            if chosen_code:
                context["item_code"] = chosen_code
                context["sub_item"] = None
                context["chosen"] = True  # the engine answers the choice (knowledge/decide/clarify_reply.py)
            chosen_sub = latest_entity(tracker, "sub_item")
            if chosen_sub:
                context["sub_item"] = chosen_sub
            chosen_aspect = latest_entity(tracker, "aspect")
            if chosen_aspect:
                context["aspect"] = chosen_aspect
        else:
            question = user_text
            events.append(SlotSet("last_question", user_text))
        region = region_before_message(tracker.events)

        phone = get_settings().helpline_phone
        try:
            raw = await get_client().search(question, context=context, region=region)
            answer = SearchAnswer.parse_obj(raw)
        except (AppUnavailableError, NotFoundError, ValidationError) as exc:
            logger.warning("search failed: %s", exc)
            dispatcher.utter_message(text=texts.APP_DOWN.format(channels=texts.helpline_channels(phone)))
            send_meta(dispatcher, "no_answer")
            return events

        kind = answer.kind if answer.kind in ("answer", "clarify", "no_answer") else "no_answer"
        text = answer.text.strip()
        if kind == "clarify" and not text:
            text = texts.CLARIFY_FALLBACK
        if kind == "no_answer":
            text = f"{text}\n{texts.NO_ANSWER_HELPLINE.format(channels=texts.helpline_channels(phone))}".strip()
        # The engine's rendered text usually names its sources already; add a line only when not.
        line = sources_line(answer.sources) if kind == "answer" else None
        if line and texts.SOURCES_PREFIX not in text:
            text = f"{text}\n{line}"
        buttons = [{"title": c.title, "payload": button_payload(c)} for c in answer.choices]
        dispatcher.utter_message(text=text, buttons=buttons or None)
        if answer.region_asked and answer.region_asked != tracker.get_slot("region"):  # "我在广州…": later turns too
            events.append(SlotSet("region", answer.region_asked))

        if kind in ("answer", "no_answer") and answer.item is not None:
            events += [
                SlotSet("item_code", answer.item.code),
                SlotSet("item_name", answer.item.name),
                SlotSet("sub_item", answer.sub_item),
                SlotSet("aspect", answer.aspect),
            ]
        elif kind == "no_answer":  # nothing matched: drop the stale item context
            events += [
                SlotSet("item_code", None),
                SlotSet("item_name", None),
                SlotSet("sub_item", None),
                SlotSet("aspect", answer.aspect),
            ]
        elif answer.item is not None:  # clarify which sub-item: the conversation is now about this item
            events += [
                SlotSet("item_code", answer.item.code),
                SlotSet("item_name", answer.item.name),
                SlotSet("sub_item", None),
                SlotSet("aspect", answer.aspect),
            ]
        elif answer.aspect:  # clarify which item: keep the item context, remember the aspect asked
            events.append(SlotSet("aspect", answer.aspect))

        send_meta(
            dispatcher,
            kind,  # type: ignore[arg-type]
            item=answer.item.as_meta() if answer.item else None,
            aspect=answer.aspect,
            confidence=answer.confidence,
            sources=[s.as_meta() for s in answer.sources],
            guide=answer.guide_id,
            knowledge_version=answer.knowledge_version,
            policy=answer.policy_id,
        )
        return events
