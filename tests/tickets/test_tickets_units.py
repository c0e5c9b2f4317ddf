"""Ticket numbers under concurrency, the web inbox, the contact vault, routing and the admin CLI."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channels import web_inbox
from bot.channels.base import ChannelAdapter, OutgoingMessage, get_adapter, register_adapter
from bot.db import get_sessionmaker, session_scope
from bot.tickets import auth, contact_vault, first_admin, intake, pii_crypto, workflow
from bot.tickets.models import ContactVaultEntry, HandlerUser, Ticket
from bot.tickets.routing import RoutingTable, load_item_categories, load_routing, route
from bot.tickets.schemas import TicketCreate

from .conftest import ticket_body

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.UTC)


def test_numbers_unique_under_concurrency(tickets_env: str) -> None:
    n_threads, per_thread = 4, 5
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n_threads)

    def worker(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with get_sessionmaker()() as db:
                    body = ticket_body(session_id=f"s{t}", idempotency_key=f"s{t}:{i}")
                    ticket, created = intake.create_ticket(db, TicketCreate.model_validate(body), now=NOW)
                    assert created
                    with lock:
                        numbers.append(ticket.number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    total = n_threads * per_thread
    assert sorted(n[:-6] for n in numbers) == [f"BBC-20261122-{i:04d}" for i in range(1, total + 1)]
    assert len({n[-5:] for n in numbers}) > total // 2  # random check codes, not a counter


def test_concurrent_retries_of_one_request_give_one_ticket(tickets_env: str) -> None:
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            with get_sessionmaker()() as db:
                ticket, _ = intake.create_ticket(db, TicketCreate.model_validate(ticket_body()), now=NOW)
                results.append(ticket.number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert len(set(results)) == 1
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(Ticket)) == 1


def test_web_inbox_fetch_marks_delivered(tickets_env: str) -> None:
    adapter = get_adapter("web")
    assert isinstance(adapter, ChannelAdapter)
    adapter.deliver("chat-1", OutgoingMessage(text="第一条"))
    adapter.deliver("chat-1", OutgoingMessage(text="第二条", meta={"kind": "x"}))
    adapter.deliver("chat-2", OutgoingMessage(text="别人的"))
    got = web_inbox.fetch_undelivered("chat-1")
    assert [m.text for m in got] == ["第一条", "第二条"]
    assert got[1].meta == {"kind": "x"}
    assert web_inbox.fetch_undelivered("chat-1") == []
    assert [m.text for m in web_inbox.fetch_undelivered("chat-2")] == ["别人的"]


def test_web_inbox_probe_does_not_wait_behind_a_writer(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-turn probe (nothing waiting) reads without the write lock: while another connection holds
    SQLite's write lock (the previous turn's analytics row, say), it answers at once instead of waiting for
    the busy timeout; a session with messages still claims them with a write."""
    from bot.db import get_engine, read_scope

    if get_engine().dialect.name != "sqlite":
        pytest.skip("the write lock taken up front is SQLite's (PostgreSQL takes row locks)")
    get_adapter("web").deliver("chat-1", OutgoingMessage(text="等着的"))
    writer = get_engine().connect()
    writer.begin()  # BEGIN IMMEDIATE (bot.db): holds the write lock, as a long write would
    try:
        started = time.perf_counter()
        assert web_inbox.fetch_undelivered("chat-empty") == []
        assert time.perf_counter() - started < 1.0  # the busy timeout is 10 s
        with read_scope() as db:  # a read-only transaction sees committed rows
            assert db.scalar(select(func.count()).select_from(web_inbox.InboxMessage)) == 1
    finally:
        writer.rollback()
        writer.close()
    assert [m.text for m in web_inbox.fetch_undelivered("chat-1")] == ["等着的"]
    assert web_inbox.fetch_undelivered("chat-1") == []


def test_replies_on_other_channels_go_through_the_outbox(tickets_env: str) -> None:
    from bot.tickets import outbox_delivery

    received: list[tuple[str, str]] = []

    class FakeWeChat:
        def deliver(self, session_id: str, message: OutgoingMessage) -> None:
            received.append((session_id, message.text))

    register_adapter("wechat", FakeWeChat())
    with get_sessionmaker()() as db:
        ticket, _ = intake.create_ticket(db, TicketCreate.model_validate(ticket_body(channel="wechat")), now=NOW)
        workflow.reply(db, ticket, "已处理完毕", actor="tester", now=NOW)
    assert received == []  # nothing sent inside the transaction
    assert outbox_delivery.run_once().delivered == 1
    assert received and received[0][0] == "sess-citizen-1" and "已处理完毕" in received[0][1]
    assert web_inbox.fetch_undelivered("sess-citizen-1") == []


def test_contact_vault_expiry_and_single_use(tickets_env: str) -> None:
    contact_vault.remember("s1", "139****0001", "13900000001")
    contact_vault.remember("s1", "139****0001", "13900000009")  # replaced, not duplicated
    with session_scope() as db:
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)
        assert contact_vault.take(db, "s1", "139****0001", now=later) is None  # expired and purged
        assert db.scalar(select(func.count()).select_from(ContactVaultEntry)) == 0
    contact_vault.remember("s1", "139****0001", "13900000001")
    with session_scope() as db:
        assert contact_vault.take(db, "other-session", "139****0001") is None
        assert contact_vault.take(db, "s1", "139****0001") == "13900000001"
        assert contact_vault.take(db, "s1", "139****0001") is None


def test_raw_contact_never_logged(tickets_env: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    contact_vault.remember("sess-citizen-1", "138****8000", "13812348000")
    with get_sessionmaker()() as db:
        ticket, _ = intake.create_ticket(db, TicketCreate.model_validate(ticket_body()), now=NOW)
        assert ticket.contact_encrypted and "13812348000" not in ticket.contact_encrypted  # encrypted at rest
        assert pii_crypto.decrypt(ticket.contact_encrypted) == "13812348000"
    assert "13812348000" not in caplog.text


def test_routing_order() -> None:
    table = RoutingTable(
        triage_office="分拣队列",
        items={"a": "行政审批科"},
        names={"出生医学证明": "妇幼健康科"},
        categories={"职业健康": "职业健康科"},
    )
    cats = {"b": "职业健康", "a": "职业健康"}
    assert route("a", "x", table=table, item_categories=cats).office == "行政审批科"
    assert route(None, "出生医学证明", table=table, item_categories=cats).routed_by == "name"
    r = route("b", "x", table=table, item_categories=cats)
    assert (r.office, r.routed_by, r.category) == ("职业健康科", "category", "职业健康")
    assert route("zzz", "没听说过", table=table, item_categories=cats).office == "分拣队列"
    assert route(None, "x", table=table, item_categories={}, category="职业健康").office == "职业健康科"


def test_shipped_routing_file_is_consistent() -> None:
    from bot.tickets.config import DATA_DIR

    table = load_routing(DATA_DIR / "routing.yaml")
    offices = set(table.offices)
    assert {"行政审批科", "医政医管科", "妇幼健康科", "综合监督科"} <= offices
    for office in [*table.items.values(), *table.names.values(), *table.categories.values()]:
        assert office in offices, office
    for cat in ("医政", "护理", "公共卫生", "妇幼", "职业健康", "计划生育", "药政", "放射卫生"):
        assert cat in table.categories
    assert table.all_offices()[-1] == "分拣队列"


def test_item_categories_read_from_item_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("code: a\ncategory: 妇幼\nname: x\n", encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("code: [unclosed\n", encoding="utf-8")
    assert load_item_categories(tmp_path) == {"a": "妇幼"}
    assert load_item_categories(tmp_path / "missing") == {}


def test_admin_cli_creates_user_from_stdin(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.tickets import admin

    monkeypatch.delenv("DESK_USER_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert admin.main(["create-user", "chief", "--role", "admin", "--office", "行政审批科"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert admin.main(["create-user", "weak"]) == 2
    with session_scope() as db:
        user = db.scalar(select(HandlerUser).where(HandlerUser.username == "chief"))
        assert user is not None and user.role == "admin" and user.office == "行政审批科"
        assert user.password_hash.startswith("$2") and "a-long-password" not in user.password_hash
        assert auth.authenticate(db, "chief", "a-long-password") is not None
        assert auth.authenticate(db, "chief", "wrong-password") is None
        assert db.scalar(select(HandlerUser).where(HandlerUser.username == "weak")) is None


def test_first_admin_from_env_only_when_no_user(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.tickets.config import get_ticket_settings

    assert first_admin.ensure_first_admin(local=False) is False  # production, no password given: nothing created
    monkeypatch.setenv("DESK_ADMIN_PASSWORD", "first-admin-pass")
    get_ticket_settings.cache_clear()
    assert first_admin.ensure_first_admin() is True
    assert first_admin.ensure_first_admin() is False
    with session_scope() as db:
        assert auth.authenticate(db, "admin", "first-admin-pass") is not None


def test_every_curated_item_has_an_office() -> None:
    from bot.tickets.config import DATA_DIR, REPO_ROOT

    items_dir = REPO_ROOT / "knowledge" / "data" / "items"
    categories = load_item_categories(items_dir)
    if not categories:
        pytest.skip("knowledge/data/items holds no item files yet")
    table = load_routing(DATA_DIR / "routing.yaml")
    unrouted = [
        code
        for code in categories
        if route(code, None, table=table, item_categories=categories).office == table.triage_office
    ]
    assert not unrouted, f"items without an office in routing.yaml: {unrouted}"


def test_lifespan_migrates_and_creates_first_admin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wiring the lead uses in bot/app.py, on a fresh (unmigrated) SQLite file."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bot.tickets import router_desk, router_internal
    from bot.tickets.lifecycle import tickets_lifespan

    from .conftest import TEST_PII_KEY, _reset_caches

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setenv("DESK_ADMIN_PASSWORD", "bootstrap-admin-pw")
    monkeypatch.setenv("DESK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("PII_ENCRYPTION_KEY", TEST_PII_KEY)
    monkeypatch.delenv("HOTLINE_12345_URL", raising=False)
    _reset_caches()

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        async with tickets_lifespan(app):
            yield

    app = FastAPI(lifespan=lifespan)
    app.include_router(router_internal.router)
    app.include_router(router_desk.router)
    try:
        with TestClient(app) as client:
            r = client.post("/api/desk/login", json={"username": "admin", "password": "bootstrap-admin-pw"})
            assert r.status_code == 200 and r.json()["role"] == "admin"
            page = client.get("/desk")
            assert page.status_code == 200 and "工单处理台" in page.text
            assert client.get("/desk/desk.js").status_code == 200
            assert client.get("/desk/../db.py").status_code == 404
    finally:
        _reset_caches()


def test_outbox_module_runs_once_from_the_shell(tickets_env: str) -> None:
    import os
    import subprocess
    import sys

    from bot.tickets.config import REPO_ROOT

    env = {**os.environ, "DATABASE_URL": tickets_env}
    out = subprocess.run(
        [sys.executable, "-m", "bot.tickets.outbox"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "claimed=0" in out.stdout
