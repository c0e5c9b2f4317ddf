"""Fixtures for the custom-action tests (run in .venv-rasa):

    cd /work/main && .venv-rasa/bin/python -m pytest tests/rasa -q -p no:cacheprovider

The actions are the code under test, called through ``run(dispatcher, tracker, domain)``; the app
they call is a tiny real HTTP server on loopback (``action_fixtures.FakeApp``).
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from action_fixtures import TOKEN, FakeApp, _Handler

if importlib.util.find_spec("rasa_sdk") is None:  # the modern .venv has no rasa-sdk
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def fake_app_server() -> Iterator[FakeApp]:
    app = FakeApp(url="")
    handler = type("Handler", (_Handler,), {"app": app})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    app.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_app(fake_app_server: FakeApp, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApp]:
    """The fake app with a clean request log; the actions' settings point at it."""
    from actions.app_client import get_settings

    fake_app_server.requests.clear()
    monkeypatch.setenv("APP_URL", fake_app_server.url)
    monkeypatch.setenv("INTERNAL_API_TOKEN", TOKEN)
    monkeypatch.setenv("APP_TIMEOUT_SECONDS", "5")
    monkeypatch.delenv("HELPLINE_PHONE", raising=False)
    get_settings.cache_clear()
    yield fake_app_server
    get_settings.cache_clear()


@pytest.fixture
def app_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings pointing at a loopback port nobody listens on."""
    import socket

    from actions.app_client import get_settings

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("APP_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("APP_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def make_tracker() -> Any:
    """Factory: a rasa_sdk Tracker whose latest message is the last user event given."""
    from rasa_sdk import Tracker

    def _make(
        events: list[dict[str, Any]],
        slots: dict[str, Any] | None = None,
        active_loop: str | None = None,
        sender_id: str = "sess-1",
    ) -> Tracker:
        users = [e for e in events if e["event"] == "user"]
        latest = dict(users[-1]["parse_data"]) if users else {}
        if users:
            latest["message_id"] = users[-1]["message_id"]
        return Tracker(
            sender_id=sender_id,
            slots=dict(slots or {}),
            latest_message=latest,
            events=events,
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return _make


@pytest.fixture
def set_helpline(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the deployment's helpline (HELPLINE_PHONE) for the actions, re-reading their settings."""
    from actions.app_client import get_settings

    def set_phone(phone: str) -> None:
        monkeypatch.setenv("HELPLINE_PHONE", phone)
        get_settings.cache_clear()

    return set_phone
