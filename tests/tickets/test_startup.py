"""Replicas that start together: migrations and the first admin under a database lock, and a replica
that waits for its database instead of exiting."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from .conftest import PG_HOST, PG_PORT, PG_USER, TEST_PII_KEY, _pg_admin_dsn, _pg_reachable

ROOT = Path(__file__).resolve().parents[2]
PREPARE = (
    "import logging, os, time\n"
    "logging.basicConfig(level=logging.INFO)\n"
    "time.sleep(max(0.0, float(os.environ['START_AT']) - time.time()))\n"
    "from bot.tickets.lifecycle import prepare_tickets\n"
    "prepare_tickets()\n"
)


@contextmanager
def _fresh_pg() -> Iterator[str]:
    if not _pg_reachable():
        pytest.skip(f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT}")
    import psycopg

    name = f"bbc_fresh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody has migrated yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    with _fresh_pg() as url:
        yield url


@pytest.fixture
def empty_pg() -> Iterator[str]:
    with _fresh_pg() as url:
        yield url


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DESK_", "DATABASE_URL"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=db_url,
        DESK_ADMIN_PASSWORD="Kestrel-orbit-first-admin-91",
        DESK_BCRYPT_ROUNDS="4",
        PII_ENCRYPTION_KEY=TEST_PII_KEY,
        **extra,
    )
    return env


def test_three_replicas_starting_together_migrate_once_and_create_one_admin(empty_db: str) -> None:
    """The reported fault: two processes migrating a fresh database crashed (UniqueViolation), three
    created the first admin."""
    env = _env(empty_db, START_AT=str(time.time() + 4.0))
    procs = [
        subprocess.Popen([sys.executable, "-c", PREPARE], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    errors = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    assert [code for code, _ in errors] == [0, 0, 0], [err[-2000:] for _, err in errors]
    engine = create_engine(empty_db)
    try:
        with engine.connect() as conn:
            users = conn.execute(text("SELECT username, role FROM handler_users")).all()
            heads = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    finally:
        engine.dispose()
    assert [tuple(u) for u in users] == [("admin", "admin")]
    assert len(heads) == 1


class DelayedPort:
    """A loopback port that refuses connections until ``open()``, then forwards them to PostgreSQL."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._server: socket.socket | None = None

    def open(self) -> None:
        server = socket.create_server(("127.0.0.1", self.port))
        self._server = server

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    with suppress(OSError):
                        s.shutdown(socket.SHUT_RDWR)

        def accept() -> None:
            while True:
                try:
                    client, _ = server.accept()
                except OSError:
                    return
                upstream = socket.create_connection((PG_HOST, PG_PORT))
                threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
                threading.Thread(target=pump, args=(upstream, client), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()


@pytest.mark.postgres
def test_the_app_waits_for_its_database_instead_of_exiting(empty_pg: str) -> None:
    """The reported fault: the app exited at once when the database was unreachable at start."""
    port = DelayedPort()
    delayed_url = empty_pg.replace(f"@{PG_HOST}:{PG_PORT}/", f"@127.0.0.1:{port.port}/")
    env = _env(delayed_url, START_AT="0")
    proc = subprocess.Popen([sys.executable, "-c", PREPARE], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any("database not reachable yet" in x for x in lines):
            assert proc.poll() is None, "".join(lines)[-2000:]  # waiting, not exited
            time.sleep(0.2)
        assert any("database not reachable yet" in x for x in lines), "".join(lines)[-2000:]
        time.sleep(1.0)
        assert proc.poll() is None, "".join(lines)[-2000:]
        port.open()
        code = proc.wait(timeout=60)
        reader.join(5)
        assert code == 0, "".join(lines)[-2000:]
        assert any("database reachable after" in x for x in lines)
    finally:
        if proc.poll() is None:
            proc.kill()
        port.close()
