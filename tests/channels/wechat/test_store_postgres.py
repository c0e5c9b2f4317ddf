"""The dedupe claim and the quota on PostgreSQL, with concurrent claimers (replicas)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.wechat import quota
from bot.channels.wechat.store import WeChatStore
from bot.db import init_db, make_engine

pytestmark = pytest.mark.postgres

# The same variables as the tickets tests (tests/tickets/conftest.py).
PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_ADMIN_DB = os.environ.get("TEST_PG_ADMIN_DB", "test")
PG_USER = os.environ.get("TEST_PG_USER", "postgres")


@pytest.fixture
def pg_sessions() -> Iterator[sessionmaker[Session]]:
    psycopg = pytest.importorskip("psycopg")
    name = f"wx_test_{uuid.uuid4().hex[:12]}"
    admin = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={PG_ADMIN_DB}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"PostgreSQL not available: {exc}")
        pytest.skip(f"PostgreSQL not available: {exc}")
    engine = make_engine(f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}")
    try:
        init_db(engine)
        yield sessionmaker(bind=engine, expire_on_commit=False)
    finally:
        engine.dispose()
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_one_of_many_concurrent_claims_wins(pg_sessions: sessionmaker[Session]) -> None:
    stores = [WeChatStore(lambda: pg_sessions) for _ in range(6)]
    results: list[bool] = []
    barrier = threading.Barrier(len(stores))

    def claim(store: WeChatStore) -> None:
        barrier.wait()
        results.append(store.claim("m:123456", "oCitizen"))

    threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results) == [False] * 5 + [True]
    assert stores[0].mark_answered("m:123456", "答复") and not stores[1].mark_deferred("m:123456")


def test_quota_is_taken_atomically(pg_sessions: sessionmaker[Session]) -> None:
    store = WeChatStore(lambda: pg_sessions)
    store.record_action("oCitizen", quota.MESSAGE)
    verdicts: list[quota.Verdict] = []

    def take() -> None:
        verdicts.append(store.reserve_send("oCitizen"))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert verdicts.count(quota.Verdict.ok) == 5 and verdicts.count(quota.Verdict.exhausted) == 3
