"""`TunedSQLTrackerStore` returns exactly what Rasa's own `SQLTrackerStore` returns, turn after turn:
the same conversations are played into both (each on its own database) and every read is compared,
through new sessions, a restart (a new process on the same database: nothing kept), two replicas
taking turns on one database, and writes by someone else. On SQLite always, on PostgreSQL when a server
is reachable (TEST_PG_* as the tickets tests). The kept copy must also actually spare the database work."""

from __future__ import annotations

import asyncio
import copy
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_ADMIN_DB = os.environ.get("TEST_PG_ADMIN_DB", "test")
PG_USER = os.environ.get("TEST_PG_USER", "postgres")


@pytest.fixture(scope="module")
def domain() -> Any:
    from rasa.shared.core.domain import Domain

    return Domain.from_yaml((ROOT / "domain.yml").read_text(encoding="utf-8"))


def _pg_admin(sql: str) -> None:
    psycopg2 = pytest.importorskip("psycopg2")
    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=PG_ADMIN_DB, connect_timeout=3)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


# Makes store kwargs for a fresh, empty database: one per call.
Databases = Callable[[], dict[str, Any]]


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Databases]:
    made: list[str] = []
    if request.param == "postgresql":
        try:
            _pg_admin("SELECT 1")
        except Exception as exc:  # psycopg2.OperationalError
            if os.environ.get("REQUIRE_E2E") == "1":
                pytest.fail(f"PostgreSQL not available: {exc}")
            pytest.skip(f"PostgreSQL not available: {exc}")

    def make() -> dict[str, Any]:
        if request.param == "sqlite":
            return {"dialect": "sqlite", "db": str(tmp_path / f"{uuid.uuid4().hex[:8]}.db")}
        name = f"tracker_test_{uuid.uuid4().hex[:12]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        made.append(name)
        return {"dialect": "postgresql", "host": f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}", "db": name}

    yield make
    for name in made:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tuned(domain: Any, db: dict[str, Any], cache_size: int = 16) -> Any:
    from rasa_server.tracker_store import TunedSQLTrackerStore

    return TunedSQLTrackerStore(domain=domain, cache_size=cache_size, **db)


def _rasa(domain: Any, db: dict[str, Any]) -> Any:
    from rasa.core.tracker_store import SQLTrackerStore

    return SQLTrackerStore(domain=domain, **db)


class Clock:
    """Event timestamps that both stores get identically."""

    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def __call__(self) -> float:
        self.t += 0.5
        return self.t


def session_start(clock: Clock) -> list[Any]:
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    return [
        ActionExecuted("action_session_start", timestamp=clock()),
        SessionStarted(timestamp=clock()),
        ActionExecuted("action_listen", timestamp=clock()),
    ]


def user_turn(clock: Clock, n: int, *, slot: str | None = None) -> list[Any]:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

    parse = {
        "intent": {"name": "ask_item", "confidence": 0.91},
        "entities": [],
        "intent_ranking": [{"name": "ask_item", "confidence": 0.91}, {"name": "greet", "confidence": 0.05}],
        "text": f"问题{n}",
    }
    events: list[Any] = [
        UserUttered(f"问题{n}", intent=parse["intent"], parse_data=parse, timestamp=clock()),
        ActionExecuted("action_answer", timestamp=clock()),
        BotUttered(f"回答{n}", data={"custom": {"meta": {"kind": "answer"}}}, timestamp=clock()),
    ]
    if slot is not None:
        events.append(SlotSet("region", slot, timestamp=clock()))
    events.append(ActionExecuted("action_listen", timestamp=clock()))
    return events


async def play(store: Any, sender: str, events: list[Any], *, save_after: int | None = None) -> None:
    """One turn as Rasa's processor plays it: read (or create), update, save (optionally twice)."""
    tracker = await store.retrieve(sender)
    if tracker is None:
        tracker = await store.create_tracker(sender, append_action_listen=False)
    for i, event in enumerate(copy.deepcopy(events)):
        tracker.update(event)
        if save_after is not None and i + 1 == save_after:
            await store.save(tracker)
    await store.save(tracker)


def snapshot(tracker: Any) -> Any:
    if tracker is None:
        return None
    return [e.as_dict() for e in tracker.events], tracker.current_state()


async def same_read(ours: Any, theirs: Any, sender: str) -> None:
    mine = snapshot(await ours.retrieve(sender))
    reference = snapshot(await theirs.retrieve(sender))
    assert mine == reference
    again = snapshot(await ours.retrieve(sender))  # a second read (a kept copy) is the same too
    assert again == reference


def test_turns_and_a_new_session_read_as_rasa_reads_them(domain: Any, databases: Databases) -> None:
    ours, theirs = _tuned(domain, databases()), _rasa(domain, databases())
    clock = Clock()
    turns = [
        session_start(clock) + user_turn(clock, 1),
        user_turn(clock, 2, slot="市本级"),
        user_turn(clock, 3),
        session_start(clock) + user_turn(clock, 4),  # the session expired: a new one starts
        user_turn(clock, 5, slot="西湖区"),
        user_turn(clock, 6),
    ]

    async def run() -> None:
        for events in turns:
            for store in (ours, theirs):
                await play(store, "s1", events)
            await same_read(ours, theirs, "s1")
        assert snapshot(await ours.retrieve("nobody")) is None

    asyncio.run(run())


def test_a_turn_saved_twice_reads_as_rasa_reads_it(domain: Any, databases: Databases) -> None:
    ours, theirs = _tuned(domain, databases()), _rasa(domain, databases())
    clock = Clock()

    async def run() -> None:
        start = session_start(clock) + user_turn(clock, 1)
        for store in (ours, theirs):
            await play(store, "s2", start)
        await same_read(ours, theirs, "s2")
        events = user_turn(clock, 2, slot="市本级") + user_turn(clock, 3)
        for store in (ours, theirs):
            await play(store, "s2", events, save_after=2)
        await same_read(ours, theirs, "s2")

    asyncio.run(run())


def test_restart_and_replicas_on_one_database(domain: Any, databases: Databases) -> None:
    """A new process (nothing kept) and two processes taking turns read what Rasa's store reads."""
    shared = databases()
    first, second = _tuned(domain, shared), _tuned(domain, shared)
    theirs = _rasa(domain, databases())
    clock = Clock()

    async def run() -> None:
        turns = [session_start(clock) + user_turn(clock, 1)] + [
            user_turn(clock, n, slot=f"区{n}" if n % 2 else None) for n in range(2, 8)
        ]
        for n, events in enumerate(turns):
            ours = first if n % 3 != 2 else second  # second replica takes every third turn
            await play(ours, "s3", events)
            await play(theirs, "s3", events)
            await same_read(first, theirs, "s3")
            await same_read(second, theirs, "s3")
        restarted = _tuned(domain, shared)
        await same_read(restarted, theirs, "s3")
        last = user_turn(clock, 9)
        await play(restarted, "s3", last)
        await play(theirs, "s3", last)
        await same_read(first, theirs, "s3")  # the first process's kept copy is stale: not used

    asyncio.run(run())


def test_rasas_own_store_writing_in_between_is_seen(domain: Any, databases: Databases) -> None:
    shared = databases()
    ours, other = _tuned(domain, shared), _rasa(domain, shared)
    reference = _rasa(domain, databases())
    clock = Clock()

    async def run() -> None:
        for events, writer in [
            (session_start(clock) + user_turn(clock, 1), ours),
            (user_turn(clock, 2), ours),
            (user_turn(clock, 3, slot="市本级"), other),
            (user_turn(clock, 4), ours),
        ]:
            await play(writer, "s4", events)
            await play(reference, "s4", events)
            await same_read(ours, reference, "s4")

    asyncio.run(run())


def test_cache_off_and_a_small_cache_read_the_same(domain: Any, databases: Databases) -> None:
    off, small, theirs = _tuned(domain, databases(), 0), _tuned(domain, databases(), 2), _rasa(domain, databases())
    clock = Clock()

    async def run() -> None:
        senders = ["a", "b", "c"]
        for sender in senders:
            start = session_start(clock) + user_turn(clock, 1)
            for store in (off, small, theirs):
                await play(store, sender, start)
        for n in range(2, 5):
            for sender in senders:
                events = user_turn(clock, n)
                for store in (off, small, theirs):
                    await play(store, sender, events)
                await same_read(off, theirs, sender)
                await same_read(small, theirs, sender)
        assert len(small._kept) <= 2
        assert not off._kept

    asyncio.run(run())


def test_a_kept_conversation_is_read_with_one_small_query(domain: Any, databases: Databases) -> None:
    """The point of the copy: a turn's read asks only for the fingerprint, and its save inserts once."""
    from sqlalchemy import event

    ours = _tuned(domain, databases())
    clock = Clock()
    statements: list[str] = []

    def log(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()).lower())

    async def run() -> None:
        await play(ours, "s5", session_start(clock) + user_turn(clock, 1))
        await play(ours, "s5", user_turn(clock, 2))
        event.listen(ours.engine, "before_cursor_execute", log)
        try:
            tracker = await ours.retrieve("s5")
            reads = list(statements)
            for e in user_turn(clock, 3):
                tracker.update(e)
            statements.clear()
            await ours.save(tracker)
            writes = list(statements)
        finally:
            event.remove(ours.engine, "before_cursor_execute", log)
        assert len(reads) == 1 and "count(events.id)" in reads[0] and "max(events.id)" in reads[0]
        inserts = [s for s in writes if s.startswith("insert")]
        assert len(inserts) == 1  # one executemany for the turn's events
        assert not [s for s in writes if "session_start" in s]  # Rasa's count of the session was not asked

    asyncio.run(run())


def test_sqlite_connections_stay_open_between_turns(domain: Any, tmp_path: Path) -> None:
    """SQLAlchemy 1.4 gives a SQLite file a NullPool: Rasa's store opened (and tuned) a new connection
    for every read and save, and closing it cost a WAL checkpoint. Turns reuse one connection now."""
    from sqlalchemy import event

    ours = _tuned(domain, {"dialect": "sqlite", "db": str(tmp_path / "t.db")})
    connects: list[int] = []
    event.listen(ours.engine, "connect", lambda *_: connects.append(1))
    clock = Clock()

    async def run() -> None:
        await play(ours, "s6", session_start(clock) + user_turn(clock, 1))
        for n in range(2, 6):
            await play(ours, "s6", user_turn(clock, n))

    asyncio.run(run())
    assert len(connects) <= 1
