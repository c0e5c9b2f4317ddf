"""An outbox round with nothing due makes no HTTP client: the worker polls every
OUTBOX_POLL_INTERVAL_S in every app process, and a new httpx.Client builds an SSL context each time
(a quarter of the app's CPU under chat load, measured with py-spy)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.db import session_scope
from bot.tickets import outbox, outbox_delivery
from bot.tickets.config import get_ticket_settings
from bot.tickets.enums import OutboxKind

from .test_outbox import Hotline


def test_idle_round_makes_no_client_and_a_due_message_is_still_sent(
    tickets_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[httpx.Client] = []
    real_client = httpx.Client

    def counting_client(*args: Any, **kwargs: Any) -> httpx.Client:
        client = real_client(*args, **kwargs)
        made.append(client)
        return client

    monkeypatch.setattr(outbox_delivery.httpx, "Client", counting_client)
    for _ in range(3):
        assert outbox_delivery.run_once().claimed == 0
    assert made == []

    with Hotline() as hl:
        monkeypatch.setenv("HOTLINE_12345_URL", hl.url)
        get_ticket_settings.cache_clear()
        with session_scope() as db:
            outbox.enqueue(db, kind=OutboxKind.hotline_12345, ticket_id=None, payload={"n": 1}, dedup_key="idle:1")
        stats = outbox_delivery.run_once()
        get_ticket_settings.cache_clear()
    assert stats.delivered == 1 and len(made) == 1 and made[0].is_closed
