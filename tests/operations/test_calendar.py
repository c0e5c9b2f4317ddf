"""The holiday calendar: the shipped file by default, years maintained by admins in the database, the
coverage warning, and /api/health reporting it as degraded (still 200)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.tickets import calendar_store

from .conftest import FrozenClock, create_user, login, make_ops_app

# The real 2026 notice (国务院办公厅关于2026年部分节假日安排的通知), only its Spring Festival lines.
SPRING_2026 = """\
# 春节
放假 2026-02-15 至 2026-02-23 春节
上班 2026-02-14 春节调休
上班 2026-02-28 春节调休
"""


def test_parse_notice_lines_and_refusals() -> None:
    notice = calendar_store.parse_notice(2026, SPRING_2026)
    assert len(notice.holidays) == 9 and [d for d, _ in notice.workdays] == [dt.date(2026, 2, 14), dt.date(2026, 2, 28)]
    assert calendar_store.parse_notice(2026, "放假 2026年10月1日至2026年10月7日 国庆节").holidays[0][1] == "国庆节"
    for bad in ("放假 2025-10-01 国庆", "休息 2026-10-01", "放假 2026-02-15\n上班 2026-02-15", "上班 2026-02-14"):
        with pytest.raises(calendar_store.NoticeError):
            calendar_store.parse_notice(2026, bad)


def test_coverage_of_the_shipped_calendar() -> None:
    cal = calendar_store.load_effective(None)
    assert calendar_store.coverage(cal, dt.date(2026, 6, 1), horizon_days=90).ok
    late = calendar_store.coverage(cal, dt.date(2026, 11, 30), horizon_days=90)
    assert not late.ok and late.missing_years == [2027] and late.covered_until == dt.date(2026, 12, 31)


def _client(tickets_env: str, fake_rasa: Any, day: str) -> tuple[TestClient, FrozenClock]:
    clock = FrozenClock(dt.datetime.fromisoformat(day + "T02:00:00+00:00"))
    return TestClient(make_ops_app(fake_rasa.url, clock)), clock


def test_admin_maintains_a_year_and_it_overrides_the_file(tickets_env: str, fake_rasa: Any) -> None:
    client, _ = _client(tickets_env, fake_rasa, "2026-11-30")
    create_user("root", "root-password-1", role="admin")
    create_user("hd", "hd-password-1", office="行政审批科")
    login(client, "hd", "hd-password-1")
    status = client.get("/api/calendar/status").json()
    assert status["ok"] is False and status["missing_years"] == [2027]
    body = {"source": "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）", "text": SPRING_2026}
    assert client.put("/api/calendar/years/2026", json=body).status_code == 403  # admins only

    login(client, "root", "root-password-1")
    assert client.put("/api/calendar/years/2026", json={**body, "text": "放假 2027-01-01 元旦"}).status_code == 422
    assert calendar_store.get_calendar().is_working_day(dt.date(2026, 10, 7)) is False  # 国庆 from the file
    r = client.put("/api/calendar/years/2026", json=body)
    assert r.status_code == 200 and r.json()["holidays"] == 9
    # The database's 2026 replaces the file's 2026: only the Spring Festival is left in it.
    cal = calendar_store.get_calendar()
    assert cal.is_working_day(dt.date(2026, 10, 7)) and not cal.is_working_day(dt.date(2026, 2, 16))
    years = {y["year"]: y for y in client.get("/api/calendar").json()["years"]}
    assert years[2026]["origin"] == "database" and years[2025]["origin"] == "file"
    assert client.delete("/api/calendar/years/2026").status_code == 200
    assert calendar_store.get_calendar().is_working_day(dt.date(2026, 10, 7)) is False
    assert client.delete("/api/calendar/years/2026").status_code == 404


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_health_is_degraded_not_failed_when_the_calendar_runs_out(
    tickets_env: str, fake_rasa: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = _client(tickets_env, fake_rasa, "2026-11-30")
    from bot.tickets import router_calendar

    monkeypatch.setattr(router_calendar, "local_today", lambda now: dt.date(2026, 11, 30))
    r = client.get("/api/health")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "degraded" and r.json()["advisory"] == {"calendar": False}
    monkeypatch.setattr(router_calendar, "local_today", lambda now: dt.date(2026, 6, 1))
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["advisory"] == {"calendar": True}
