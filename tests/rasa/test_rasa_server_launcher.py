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
