"""The first admin on a fresh database: two replicas starting together on a terminal create exactly one admin,
its generated password is printed once (on that replica's terminal, never in its log stream), works for login,
and is stored only as a bcrypt hash. An explicit DESK_ADMIN_PASSWORD wins; production generates nothing."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import pytest
from sqlalchemy import create_engine, text

from bot.tickets import first_admin

from .conftest import TEST_PII_KEY
from .test_startup import ROOT, empty_db  # noqa: F401  (fixture: a database nobody migrated)

PREPARE = (
    "import logging, os, time\n"
    "logging.basicConfig(level=logging.INFO)\n"  # logging goes to stderr: a pipe the test reads separately
    "time.sleep(max(0.0, float(os.environ['START_AT']) - time.time()))\n"
    "from bot.tickets.lifecycle import prepare_tickets\n"
    "prepare_tickets()\n"
)
PASSWORD_LINE = re.compile(r"密码：\s+(\S+)")


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DESK_", "DATABASE_URL", "APP_ENV"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=db_url,
        DESK_BCRYPT_ROUNDS="4",
        PII_ENCRYPTION_KEY=TEST_PII_KEY,
        APP_ENV="development",
        **extra,
    )
    return env


def _read_all(fd: int, proc: subprocess.Popen[bytes], timeout: float) -> bytes:
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # the child closed its terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    return b"".join(chunks)


def test_two_replicas_on_a_terminal_create_one_admin_and_print_its_password_once(empty_db: str) -> None:  # noqa: F811
    env = _env(empty_db, START_AT=str(time.time() + 4.0))
    runs = []
    for _ in range(2):
        master, slave = pty.openpty()  # the replica's stdout is a terminal, as under `make run`
        proc = subprocess.Popen(
            [sys.executable, "-c", PREPARE], cwd=ROOT, env=env, stdout=slave, stderr=subprocess.PIPE, close_fds=True
        )
        os.close(slave)
        runs.append((master, proc))
    terminals = [_read_all(master, proc, 120).decode("utf-8", "replace") for master, proc in runs]
    logs = []
    for master, proc in runs:
        assert proc.wait(timeout=60) == 0
        logs.append(proc.stderr.read().decode("utf-8", "replace") if proc.stderr else "")
        os.close(master)

    shown = [m for t in terminals for m in PASSWORD_LINE.findall(t)]
    assert len(shown) == 1, terminals  # printed once, by one replica
    password = shown[0]
    assert len(password) >= 20
    assert not any(password in log for log in logs)  # never in the log stream
    assert any("first admin 'admin' created" in log for log in logs)

    engine = create_engine(empty_db)
    try:
        with engine.connect() as conn:
            users = conn.execute(text("SELECT username, role, password_hash FROM handler_users")).all()
            audit = conn.execute(text("SELECT * FROM audit_log")).all()
    finally:
        engine.dispose()
    assert [(u, r) for u, r, _ in users] == [("admin", "admin")]  # exactly one admin
    stored = users[0][2]
    assert password not in stored and bcrypt.checkpw(password.encode(), stored.encode())
    assert not any(password in str(row) for row in audit)
    if empty_db.startswith("sqlite:///"):
        db_file = Path(empty_db.removeprefix("sqlite:///"))
        for path in db_file.parent.glob(db_file.name + "*"):
            assert password.encode() not in path.read_bytes(), path  # no clear copy anywhere in the files


def test_explicit_password_wins_and_production_generates_nothing(
    tickets_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.db import session_scope
    from bot.tickets import auth
    from bot.tickets.config import get_ticket_settings

    term = io.StringIO()
    assert first_admin.ensure_first_admin(out=term, local=False) is False  # production: never generated
    assert term.getvalue() == ""
    monkeypatch.setenv("DESK_ADMIN_PASSWORD", "Kestrel-orbit-first-admin-91")
    get_ticket_settings.cache_clear()
    assert first_admin.ensure_first_admin(out=term, local=True) is True
    assert term.getvalue() == ""  # the operator chose the password: nothing to print
    with session_scope() as db:
        assert auth.authenticate(db, "admin", "Kestrel-orbit-first-admin-91") is not None
    assert first_admin.ensure_first_admin(out=term, local=True) is False  # an account exists: nothing more


def test_generated_password_passes_the_policy() -> None:
    from bot.tickets.passwords import check_password

    for _ in range(20):
        check_password(first_admin.generate_password(), user_inputs=("admin",))
