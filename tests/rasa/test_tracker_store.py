"""The tracker store `endpoints.yml` configures: Rasa's SQL store, with SQLite in WAL mode and
synchronous=NORMAL (a rollback journal with synchronous=FULL costs several fsyncs per saved turn).
A misspelt class would make Rasa fall back to an in-memory store silently, so the test loads it the way
`rasa run` does."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def test_endpoints_tracker_store_is_sqlite_in_wal_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    from rasa_server.tracker_store import TunedSQLTrackerStore

    db = tmp_path / "rasa_tracker.db"
    for name, value in {
        "RASA_TRACKER_DIALECT": "sqlite",
        "RASA_TRACKER_HOST": "",
        "RASA_TRACKER_DB": str(db),
        "ACTION_PORT": "5055",
        "ACTION_SERVER_TOKEN": "t",
        "RASA_LOCK_STORE": "in_memory",
        "RASA_LOCK_REDIS_HOST": "127.0.0.1",
    }.items():
        monkeypatch.setenv(name, value)
    domain = Domain.from_yaml(Path(ROOT / "domain.yml").read_text(encoding="utf-8"))
    store = TrackerStore.create(read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store"), domain)
    inner = getattr(store, "_tracker_store", store)  # Rasa wraps it (fail-safe, awaitable)
    while not isinstance(inner, TunedSQLTrackerStore) and hasattr(inner, "_tracker_store"):
        inner = inner._tracker_store
    assert isinstance(inner, TunedSQLTrackerStore)

    tracker = DialogueStateTracker.from_events(
        "s-wal", [ActionExecuted("action_listen"), UserUttered("你好"), SlotSet("region", "市本级")], domain.slots
    )
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("s-wal"))
    assert again is not None and again.get_slot("region") == "市本级"

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with inner.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
