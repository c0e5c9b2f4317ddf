"""The dashboard API against a month seeded through the real APIs: every figure equals the count the test
made itself; office scoping; CSV export of every figure; the turn recorder never breaks a turn; /metrics."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.analytics.models import ChatTurn, ChatTurnDaily, ChatTurnRollup
from bot.analytics.rollup import rebuild
from bot.dashboard.figures import tables
from bot.db import get_sessionmaker

from .conftest import FrozenClock, create_user, login, make_ops_app
from .expectations import actual_figures, expected_figures
from .seed import MONTH_END, MONTH_START, fake_rasa_reply, local, seed_month


@pytest.fixture
def seeded(tickets_env: str, fake_rasa: Any) -> tuple[TestClient, FrozenClock, Any]:
    fake_rasa.respond = fake_rasa_reply
    clock = FrozenClock(local(MONTH_START))
    client = TestClient(make_ops_app(fake_rasa.url, clock))
    create_user("root", "root-password-1", role="admin")
    login(client, "root", "root-password-1")
    exp = seed_month(client, clock)
    clock.at = local(dt.date(2026, 11, 5))
    return client, clock, exp


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_figures_equal_the_seeded_counts(seeded: tuple[TestClient, FrozenClock, Any]) -> None:
    client, _, exp = seeded
    r = client.get("/api/dashboard/figures", params={"from": MONTH_START.isoformat(), "to": MONTH_END.isoformat()})
    assert r.status_code == 200, r.text
    data = r.json()
    assert actual_figures(data) == expected_figures(exp)
    assert data["questions"]["feedback"] is None  # no answer feedback exists yet
    top = {x["question"]: x["count"] for x in data["questions"]["top_unanswered"]}
    assert top == dict(exp.unanswered)
    assert sum(data["questions"]["series"]["questions"]) == expected_figures(exp)["questions"]
    assert data["questions"]["series"]["questions"][0] == exp.questions_by_day[MONTH_START]
    assert {x["office"]: x["count"] for x in data["tickets"]["tickets_by_office"]} == dict(exp.by_office)
    assert {x["rating"]: x["count"] for x in data["ratings"]["rating_distribution"]} == {
        k: exp.ratings[k] for k in ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
    }
    assert all(v["definition"] for v in data["definitions"].values())

    # The rollup the recorder kept turn by turn equals the one rebuilt from the raw turns.
    cols = (
        ChatTurnRollup.day,
        ChatTurnRollup.kind,
        ChatTurnRollup.answer_source,
        ChatTurnRollup.no_answer_reason,
        ChatTurnRollup.item_code,
        ChatTurnRollup.turns,
        ChatTurnRollup.sessions,
    )
    daily_cols = (ChatTurnDaily.day, ChatTurnDaily.kind, ChatTurnDaily.answer_source, ChatTurnDaily.no_answer_reason)
    daily_cols += (ChatTurnDaily.turns, ChatTurnDaily.sessions)
    with get_sessionmaker()() as db:
        kept = sorted(tuple(r) for r in db.execute(select(*cols)))
        kept_daily = sorted(tuple(r) for r in db.execute(select(*daily_cols)))
        assert kept_daily and sum(r[4] for r in kept_daily) == sum(r[5] for r in kept)
        rebuild(db)
        assert sorted(tuple(r) for r in db.execute(select(*cols))) == kept
        assert sorted(tuple(r) for r in db.execute(select(*daily_cols))) == kept_daily

    # Every figure exports as CSV, and the summary CSV carries the same numbers.
    for name in tables(data):
        csv_r = client.get(
            "/api/dashboard/export.csv", params={"figure": name, "from": MONTH_START.isoformat(), "to": "2026-10-31"}
        )
        assert csv_r.status_code == 200 and csv_r.headers["content-type"].startswith("text/csv"), name
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    "/api/dashboard/export.csv",
                    params={"figure": "questions_summary", "from": "2026-10-01", "to": "2026-10-31"},
                ).text.lstrip("\ufeff")
            )
        )
    )
    assert ["questions", "提问数", str(expected_figures(exp)["questions"])] == rows[2][:3]
    assert client.get("/api/dashboard/export.csv", params={"figure": "nope"}).status_code == 404


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_handler_sees_only_their_office(seeded: tuple[TestClient, FrozenClock, Any]) -> None:
    client, _, exp = seeded
    office = next(iter(exp.by_office))
    create_user("hd", "hd-password-1", office=office)
    login(client, "hd", "hd-password-1")
    data = client.get("/api/dashboard/figures", params={"from": "2026-10-01", "to": "2026-10-31", "office": ""}).json()
    assert data["office"] == office and data["offices"] == [office]
    assert data["tickets"]["tickets_received"] == exp.by_office[office]
    other = client.get("/api/dashboard/figures", params={"from": "2026-10-01", "to": "2026-10-31", "office": "x"})
    assert other.json()["office"] == office  # the filter cannot widen a handler's scope
    client.cookies.clear()
    assert client.get("/api/dashboard/figures").status_code == 401


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_turn_recorder_failure_never_breaks_a_turn(tickets_env: str, fake_rasa: Any) -> None:
    from bot.chat.rasa_client import RasaClient
    from bot.chat.service import ChatService
    from tests.chat.conftest import make_settings

    fake_rasa.respond = fake_rasa_reply
    settings = make_settings(fake_rasa.url)

    def broken(_record: Any) -> None:
        raise RuntimeError("database down")

    app = make_ops_app(fake_rasa.url, FrozenClock(local(MONTH_START)))
    app.state.chat_service = ChatService(settings=settings, backend=RasaClient(settings), record_turn=broken)
    r = TestClient(app).post("/api/chat", json={"session_id": "x1", "text": "问答材料"})
    assert r.status_code == 200 and r.json()["meta"]["kind"] == "answer"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_recorded_turn_holds_no_raw_number_and_masks_the_question(tickets_env: str, fake_rasa: Any) -> None:
    fake_rasa.respond = fake_rasa_reply
    client = TestClient(make_ops_app(fake_rasa.url, FrozenClock(local(MONTH_START))))
    r = client.post("/api/chat", json={"session_id": "x2", "text": "问无 我的电话13812348000怎么改"})
    assert r.status_code == 200
    with get_sessionmaker()() as db:
        turn = db.scalars(select(ChatTurn)).one()
        assert turn.kind == "no_answer" and turn.no_answer_reason == "not_in_kb"
        assert "13812348000" not in (turn.question_masked or "") and "138****8000" in (turn.question_masked or "")
        assert turn.session_hash != "x2" and turn.day == MONTH_START
        assert db.scalar(select(func.count()).select_from(ChatTurn)) == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_metrics_on_loopback_and_behind_a_token(
    tickets_env: str, fake_rasa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.tickets.operations_config import get_operations_settings

    fake_rasa.respond = fake_rasa_reply
    client = TestClient(make_ops_app(fake_rasa.url, FrozenClock(local(MONTH_START))))
    client.post("/api/chat", json={"session_id": "m1", "text": "问外 公积金"})
    text = client.get("/metrics").text
    assert 'bbc_chat_turns_total{kind="no_answer"}' in text
    assert 'bbc_http_requests_total{method="POST",route="/api/chat",status="200"}' in text
    assert 'bbc_outbox_messages{status="pending"}' in text and "bbc_scheduler_runs_total" in text
    far = TestClient(client.app, client=("203.0.113.9", 5000))
    assert far.get("/metrics").status_code == 403  # not loopback, no token configured
    monkeypatch.setenv("METRICS_TOKEN", "scrape-secret-1")
    get_operations_settings.cache_clear()
    assert far.get("/metrics").status_code == 403
    assert far.get("/metrics", headers={"Authorization": "Bearer scrape-secret-1"}).status_code == 200
    get_operations_settings.cache_clear()
