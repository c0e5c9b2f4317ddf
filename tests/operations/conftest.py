"""The operations tests reuse the tickets fixtures (throwaway database, clock) and the chat fixtures
(a loopback fake of Rasa's REST channel)."""

from __future__ import annotations

from fastapi import FastAPI

from bot.chat.rasa_client import RasaClient
from tests.chat.conftest import fake_rasa  # noqa: F401
from tests.tickets.conftest import (  # noqa: F401
    FrozenClock,
    clock,
    create_user,
    db_url,
    login,
    pg_template,
    sqlite_template,
    ticket_body,
    tickets_env,
)


def make_ops_app(rasa_url: str, now: FrozenClock) -> FastAPI:
    """The app's parts that matter here, wired as ``bot.app.create_app`` wires them: the chat gateway with the
    turn recorder (on the test's clock), the tickets APIs and desk, and ``install_operations``."""
    from bot.analytics.recorder import TurnRecorder
    from bot.chat.router import router as chat_router
    from bot.chat.service import ChatService
    from bot.operations import install_operations
    from bot.tickets import dependencies, router_desk, router_internal
    from tests.chat.conftest import make_settings

    app = FastAPI()
    settings = make_settings(rasa_url)
    app.state.chat_service = ChatService(
        settings=settings, backend=RasaClient(settings), record_turn=TurnRecorder(now=now)
    )
    app.state.health_checks = {"knowledge": lambda: True}
    for router in (chat_router, router_internal.router, router_desk.router):
        app.include_router(router)
    install_operations(app)
    app.dependency_overrides[dependencies.get_now] = now
    return app
