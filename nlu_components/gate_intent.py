"""A Rasa NLU component that lets the app's question gate override DIET's intent (see gate_rules)."""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.gate_rules import overriding_intent
from nlu_components.gate_signals import looks_like_ticket_number
from nlu_components.gate_verdict import gate_of

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class GateIntentOverride(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GateIntentOverride:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            gate = gate_of(message.get("metadata"))
            if gate is None:
                continue
            predicted = message.get("intent") or {}
            intent = predicted.get("name")
            confidence = predicted.get("confidence")
            diet_confidence = float(confidence) if isinstance(confidence, int | float) else 0.0
            has_ticket = any(
                e.get("entity") == "ticket_number" and looks_like_ticket_number(e.get("value"))
                for e in message.get("entities") or []
            )
            text = message.get("text") or ""
            names = [r.get("name") for r in message.get("intent_ranking") or [] if isinstance(r.get("name"), str)]
            has_rating = any(e.get("entity") == "rating" for e in message.get("entities") or [])
            target = overriding_intent(text, intent, has_ticket, gate, names, diet_confidence, has_rating)
            if target is None:
                continue
            logger.info("gate: intent %s -> %s (gate %s %.2f)", intent, target, gate["kind"], gate["confidence"])
            new_intent = {"name": target, "confidence": gate["confidence"]}
            ranking = [new_intent] + [r for r in message.get("intent_ranking") or [] if r.get("name") != target]
            message.set("intent", new_intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
