"""`rasa run`, with Rasa 3.6's check of each action server response made once instead of per call, and
its calls to the action server over kept-alive connections, retried once on a connection error.

Runs in the Rasa environment with the same arguments as `rasa`:

    .venv-rasa/bin/python -m scripts.rasa_server run --model models/assistant.tar.gz …

`scripts/stack.py` starts Rasa this way. Rasa checks every custom action's response against a JSON
schema with `jsonschema.validate(result, schema)`, which first checks the schema itself against the
JSON-Schema meta-schema: measured with py-spy under 16 chat users, that was about a third of the Rasa
server's CPU. Here the validator is built (and the schema checked) once at start; each response is still
validated against the same schema, and an invalid one raises the same `ValidationError` with Rasa's own
message as before. The action server calls: `rasa_server/action_endpoint.py`. The class of each event
type name is looked up once (`install_event_type_memo`). Nothing else of Rasa is changed.
"""

from __future__ import annotations

import sys
from typing import Any


def install_cached_action_result_validator() -> None:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))  # what jsonschema.validate raises
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        if not isinstance(error, ValidationError):  # pragma: no cover - best_match yields ValidationErrors
            raise TypeError(error)
        raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def install_event_type_memo() -> None:
    """`Event.resolve_by_type` walks every subclass of `Event` (about 40, recursively) for each event it
    deserialises: every stored event of a conversation the tracker store reads and every event an action
    returns. The class found for a type name is kept; a name not found still goes the long way each time
    (and gets Rasa's own default or error)."""
    from rasa.shared.core.events import Event

    walk = Event.resolve_by_type
    found: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        cls = found.get(type_name)
        if cls is not None:
            return cls
        cls = walk(type_name, default)
        if cls is not None and cls.type_name == type_name:
            found[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign,assignment]


def main(argv: list[str] | None = None) -> None:
    from rasa_server.action_endpoint import install_pooled_endpoint_requests

    install_cached_action_result_validator()
    install_event_type_memo()
    install_pooled_endpoint_requests()
    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
