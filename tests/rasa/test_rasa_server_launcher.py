"""`scripts/rasa_server.py`: Rasa still validates every action server response against its schema, with
Rasa's own error, but the schema itself is checked once at start instead of on every call."""

from __future__ import annotations

from typing import Any

import pytest


def test_action_responses_are_validated_without_rechecking_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    from scripts.rasa_server import install_cached_action_result_validator

    schema_checks: list[Any] = []
    validator_class = validator_for(RemoteAction.action_response_format_spec())
    real_check = validator_class.check_schema.__func__  # type: ignore[attr-defined]

    def counting_check(cls: Any, schema: Any, *args: Any, **kwargs: Any) -> None:
        schema_checks.append(schema)
        real_check(cls, schema, *args, **kwargs)

    monkeypatch.setattr(validator_class, "check_schema", classmethod(counting_check))
    original = RemoteAction._validate_action_result
    try:
        install_cached_action_result_validator()
        assert len(schema_checks) == 1  # at start
        action = RemoteAction("action_answer", None)
        good = {"events": [{"event": "slot", "name": "region", "value": "市本级"}], "responses": [{"text": "好"}]}
        for _ in range(5):
            assert action._validate_action_result(good) is True
        with pytest.raises(ValidationError) as caught:
            action._validate_action_result({"events": [{"event": 42}], "responses": []})
        assert "Failed to validate Action server response" in caught.value.message
        assert len(schema_checks) == 1  # never again per response
    finally:
        RemoteAction._validate_action_result = original  # type: ignore[method-assign]


def test_event_types_are_resolved_as_rasa_does_and_looked_up_once() -> None:
    import rasa.shared.utils.common
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered, deserialise_events

    from scripts.rasa_server import install_event_type_memo

    original = Event.__dict__["resolve_by_type"]
    expected = {name: original.__func__(name) for name in ("user", "slot", "action", "bot", "session_started")}
    walks: list[Any] = []
    real_walk = rasa.shared.utils.common.all_subclasses

    def counting_walk(cls: Any) -> Any:
        walks.append(cls)
        return real_walk(cls)

    try:
        install_event_type_memo()
        rasa.shared.utils.common.all_subclasses = counting_walk
        for _ in range(3):
            assert {name: Event.resolve_by_type(name) for name in expected} == expected
        assert walks.count(Event) == len(expected)  # one walk per type name, not per event
        events = deserialise_events(
            [
                {"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet"}, "entities": []}},
                {"event": "slot", "name": "a", "value": 1},
            ]
        )
        assert [type(e) for e in events] == [UserUttered, SlotSet]
        assert Event.resolve_by_type("action") is ActionExecuted
        assert Event.resolve_by_type("no-such-event", SlotSet) is SlotSet  # Rasa's default, not kept
        with pytest.raises(ValueError, match="Unknown event name"):
            Event.resolve_by_type("no-such-event")
    finally:
        rasa.shared.utils.common.all_subclasses = real_walk
        Event.resolve_by_type = original  # type: ignore[method-assign]
