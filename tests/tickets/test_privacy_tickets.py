"""Ticket privacy in the app: encrypted contacts, office scope on the server, audited contact views,
owner-only status lookups with a per-session limit, and the retention of closed tickets' personal data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from bot.db import get_engine, session_scope
from bot.tickets import contact_vault, intake, pii_crypto, privacy, workflow
from bot.tickets.models import Ticket, TicketEvent
from bot.tickets.schemas import TicketCreate

from .conftest import FrozenClock, create_user, login, ticket_body

RAW_PHONE = "13812348000"


def _file(client: TestClient, **over: object) -> str:
    session = str(over.get("session_id", "sess-citizen-1"))
    contact_vault.remember(session, "138****8000", RAW_PHONE)
    resp = client.post("/api/internal/tickets", json=ticket_body(**over))
    assert resp.status_code in (200, 201), resp.text
    return str(resp.json()["number"])


def test_phone_is_encrypted_in_the_database_and_vault(client: TestClient) -> None:
    contact_vault.remember("sess-x", "139****0001", "13900000001")
    with get_engine().connect() as conn:
        stored = conn.execute(text("SELECT raw_encrypted FROM contact_vault")).scalar_one()
    assert "13900000001" not in stored
    number = _file(client)
    with get_engine().connect() as conn:
        row = conn.execute(text("SELECT * FROM tickets WHERE number = :n"), {"n": number}).mappings().one()
    assert RAW_PHONE not in json.dumps({k: str(v) for k, v in row.items()}, ensure_ascii=False)
    assert pii_crypto.decrypt(row["contact_encrypted"]) == RAW_PHONE


def test_missing_key_is_a_clear_error(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PII_ENCRYPTION_KEY")
    pii_crypto.reset_key_cache()
    with pytest.raises(pii_crypto.PiiKeyMissingError, match="PII_ENCRYPTION_KEY is not set"):
        pii_crypto.check_key()
    monkeypatch.setenv("PII_ENCRYPTION_KEY", "not-a-fernet-key")
    pii_crypto.reset_key_cache()
    with pytest.raises(pii_crypto.PiiKeyMissingError, match="not a valid Fernet key"):
        pii_crypto.encrypt("13800138000")


def test_personal_data_in_free_text_is_masked_before_storage(client: TestClient) -> None:
    body = ticket_body(
        description="我的身份证110105194912310021，电话 139 1234 5678，卡号6222021234567890128",
        excerpt=[{"role": "user", "text": "邮箱 zhang.san@example.com"}],
    )
    number = client.post("/api/internal/tickets", json=body).json()["number"]
    with session_scope() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == number))
        assert t is not None
        stored = t.description + json.dumps(t.excerpt, ensure_ascii=False)
    for raw in ("110105194912310021", "13912345678", "139 1234 5678", "6222021234567890128", "zhang.san"):
        assert raw not in stored


def test_handlers_see_only_their_office_on_the_server(client: TestClient) -> None:
    number = _file(client)  # routed to 行政审批科
    create_user("other", "password-other", office="医政医管科")
    login(client, "other", "password-other")
    assert client.get("/api/desk/tickets").json()["total"] == 0
    assert client.get("/api/desk/tickets", params={"office": "行政审批科"}).status_code == 403
    assert client.get("/api/desk/tickets/export.csv", params={"office": "行政审批科"}).status_code == 403
    assert number not in client.get("/api/desk/tickets/export.csv").text
    assert client.get(f"/api/desk/tickets/{number}").status_code == 404
    for path, body in (
        ("reply", {"text": "x"}),
        ("notes", {"note": "x"}),
        ("status", {"to": "已受理"}),
        ("assign", {"assignee": None}),
        ("close", {}),
    ):
        assert client.post(f"/api/desk/tickets/{number}/{path}", json=body).status_code == 404, path

    create_user("nooffice", "password-nooffice")  # a handler without an office sees nothing
    login(client, "nooffice", "password-nooffice")
    assert client.get("/api/desk/tickets").status_code == 403
    assert client.get(f"/api/desk/tickets/{number}").status_code == 404


def test_contact_views_are_audited(client: TestClient) -> None:
    number = _file(client)
    create_user("mine", "password-mine", office="行政审批科")
    create_user("chief", "password-chief", role="admin")
    login(client, "mine", "password-mine")
    assert client.get("/api/desk/tickets").json()["total"] == 1
    detail = client.get(f"/api/desk/tickets/{number}").json()
    assert detail["contact"] == RAW_PHONE
    # An action's response shows the masked contact and records no view.
    acted = client.post(f"/api/desk/tickets/{number}/notes", json={"note": "已核实"}).json()
    assert acted["contact"] == "138****8000"
    login(client, "chief", "password-chief")
    assert client.get(f"/api/desk/tickets/{number}").json()["contact"] == RAW_PHONE
    with session_scope() as db:
        views = db.scalars(select(TicketEvent).where(TicketEvent.kind == "contact_viewed")).all()
        assert [v.actor for v in views] == ["mine", "chief"]


def test_status_lookup_owner_last4_and_limit(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.tickets.config import get_ticket_settings

    number = _file(client)
    url = "/api/internal/tickets/status"
    own = client.post(url, json={"number": number.lower().replace("-", " "), "session_id": "sess-citizen-1"})
    assert own.json()["visible"] is True
    nobody = {"visible": False, "ticket": None}
    assert client.post(url, json={"number": number, "session_id": "stranger"}).json() == nobody
    wrong4 = {"number": number, "session_id": "stranger", "phone_last4": "0000"}
    assert client.post(url, json=wrong4).json() == nobody
    guessed = {"number": number[:-5] + "AAAAA", "session_id": "sess-citizen-1"}  # right day and sequence
    assert client.post(url, json=guessed).json() == nobody

    monkeypatch.setenv("TICKET_LOOKUP_LIMIT_PER_SESSION", "3")
    get_ticket_settings.cache_clear()
    codes = [client.post(url, json={"number": number, "session_id": "prober"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert client.post(url, json={"number": number, "session_id": "sess-citizen-1"}).status_code == 200


def test_wrong_phone_digits_are_limited_per_ticket_whoever_sends_them(
    client: TestClient, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guessing a ticket's last four digits from many sessions (and addresses) is bounded per ticket: once its
    wrong guesses are spent, even the right digits show nothing until the window passes; the owner still sees it."""
    from bot.tickets.config import get_ticket_settings

    monkeypatch.setenv("TICKET_PHONE_CHECKS_PER_TICKET", "3")
    get_ticket_settings.cache_clear()
    number = _file(client)
    url = "/api/internal/tickets/status"
    right = RAW_PHONE[-4:]
    wrong = [f"{n:04d}" for n in range(4) if f"{n:04d}" != right][:3]
    for n, digits in enumerate(wrong):
        guess = {"number": number, "session_id": f"guesser-{n}", "phone_last4": digits}
        assert client.post(url, json=guess).json()["visible"] is False
    late = {"number": number, "session_id": "guesser-late", "phone_last4": right}
    assert client.post(url, json=late).json()["visible"] is False  # spent: the right digits are not checked
    assert client.post(url, json={"number": number, "session_id": "sess-citizen-1"}).json()["visible"] is True
    clock.at += dt.timedelta(days=1, seconds=1)
    late["session_id"] = "guesser-next-day"
    assert client.post(url, json=late).json()["visible"] is True


def test_retention_anonymises_closed_tickets_after_n_days(tickets_env: str) -> None:
    t0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    contact_vault.remember("sess-citizen-1", "138****8000", RAW_PHONE)
    with session_scope() as db:
        closed, _ = intake.create_ticket(db, TicketCreate.model_validate(ticket_body()), now=t0)
        workflow.reply(db, closed, "已处理", actor="h", now=t0 + dt.timedelta(hours=1))
        workflow.close(db, closed, actor="h", now=t0 + dt.timedelta(days=1))
        still_open, _ = intake.create_ticket(db, TicketCreate.model_validate(ticket_body(idempotency_key="k2")), now=t0)
        closed_id, open_id = closed.id, still_open.id
    closed_at = t0 + dt.timedelta(days=1)

    with session_scope() as db:
        assert privacy.remove_expired_personal_data(db, now=closed_at + dt.timedelta(days=29), days=30) == 0
        assert privacy.remove_expired_personal_data(db, now=closed_at + dt.timedelta(days=31), days=0) == 0
        assert privacy.remove_expired_personal_data(db, now=closed_at + dt.timedelta(days=31), days=30) == 1
        assert privacy.remove_expired_personal_data(db, now=closed_at + dt.timedelta(days=400), days=30) == 0

    with session_scope() as db:
        gone = db.get(Ticket, closed_id)
        kept = db.get(Ticket, open_id)
        assert gone is not None and kept is not None
        assert gone.contact_encrypted is None and gone.contact_masked is None
        assert gone.place is None and gone.excerpt == [] and gone.session_id.startswith("anonymised-")
        assert "三次都被退回" not in gone.description
        assert gone.personal_data_removed_at == closed_at + dt.timedelta(days=31)
        assert gone.item_name == "护士执业注册" and gone.reply_text == "已处理"  # the case stays for statistics
        assert kept.description == ticket_body()["description"] and kept.place is not None
        kinds = [e.kind for e in db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == closed_id))]
        assert kinds[-1] == "personal_data_removed"


def test_anonymised_ticket_is_not_shown_to_its_former_session(client: TestClient, clock: FrozenClock) -> None:
    number = _file(client)
    with session_scope() as db:
        t = db.scalar(select(Ticket).where(Ticket.number == number))
        assert t is not None
        workflow.reply(db, t, "ok", actor="h", now=clock.at)
        workflow.close(db, t, actor="h", now=clock.at)
        privacy.remove_expired_personal_data(db, now=clock.at + dt.timedelta(days=200), days=180)
    lookup = {"number": number, "session_id": "sess-citizen-1", "phone_last4": RAW_PHONE[-4:]}
    assert client.post("/api/internal/tickets/status", json=lookup).json()["visible"] is False


def test_migration_encrypts_contacts_stored_in_clear(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Upgrading a database from 0001 encrypts the raw contacts already stored (and drops the column)."""
    from alembic import command

    from bot.db import alembic_config, make_engine

    from .conftest import TEST_PII_KEY

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "INSERT INTO tickets (number, session_id, idempotency_key, channel, item_name, office, routed_by,"
                " description, contact_masked, contact_raw, excerpt, status, created_at, updated_at, ack_due,"
                " resolve_due) VALUES ('BBC-20260101-0001', 's', 'k', 'web', '事项', '科', 'item', 'd',"
                " '138****8000', :raw, '[]', '已提交', '2026-01-01 00:00:00', '2026-01-01 00:00:00',"
                " '2026-01-02', '2026-01-09')"
            ),
            {"raw": RAW_PHONE},
        )
    monkeypatch.delenv("PII_ENCRYPTION_KEY", raising=False)
    with pytest.raises(RuntimeError, match="PII_ENCRYPTION_KEY"), engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    monkeypatch.setenv("PII_ENCRYPTION_KEY", TEST_PII_KEY)
    pii_crypto.reset_key_cache()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM tickets")).mappings().one()
    engine.dispose()
    assert "contact_raw" not in row
    assert RAW_PHONE not in str(row["contact_encrypted"])
    assert pii_crypto.decrypt(row["contact_encrypted"]) == RAW_PHONE
