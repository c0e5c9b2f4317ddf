"""The canary the app's health check runs through Rasa: a fixed marker, no events, no calls."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from action_fixtures import FakeApp
from rasa_sdk.executor import CollectingDispatcher

from actions.health import CANARY_MARKER, ActionHealthCanary

pytestmark = [pytest.mark.rasa]


def test_canary_answers_the_marker_and_creates_nothing(fake_app: FakeApp, make_tracker: Any) -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHealthCanary().run(dispatcher, make_tracker([]), {}))
    assert events == []
    assert dispatcher.messages[0]["custom"] == {"canary": CANARY_MARKER}
    assert fake_app.requests == []
