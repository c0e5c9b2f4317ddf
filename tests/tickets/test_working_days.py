"""Deadlines in working days across public holidays and 调休 make-up workdays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from bot.tickets.config import DATA_DIR
from bot.tickets.working_days import (
    DeadlineConfig,
    DeadlineRule,
    load_calendar,
    parse_calendar,
    ticket_deadlines,
)

D = dt.date


@pytest.fixture(scope="module")
def cal():  # type: ignore[no-untyped-def]
    return load_calendar(DATA_DIR / "holidays_cn.yaml")


def test_calendar_marks_holidays_and_make_up_days(cal) -> None:  # type: ignore[no-untyped-def]
    assert not cal.is_working_day(D(2026, 2, 16))  # 除夕 (Monday) in the 春节 break
    assert cal.is_working_day(D(2026, 2, 14))  # Saturday, 调休 workday
    assert cal.is_working_day(D(2026, 2, 28))  # Saturday, 调休 workday
    assert not cal.is_working_day(D(2026, 2, 21))  # plain Saturday inside the break
    assert cal.is_working_day(D(2026, 1, 4))  # Sunday after 元旦, 调休 workday
    assert not cal.is_working_day(D(2025, 10, 8))  # Wednesday, last day of 2025 国庆+中秋
    assert cal.is_working_day(D(2025, 10, 11))  # Saturday, 调休 workday
    assert cal.is_working_day(D(2025, 2, 5))  # first working day after 2025 春节
    assert not cal.is_working_day(D(2025, 5, 5))  # Monday in 劳动节


def test_spring_festival_2026_with_make_up_saturdays(cal) -> None:  # type: ignore[no-untyped-def]
    fri = D(2026, 2, 13)
    assert cal.add_working_days(fri, 1) == D(2026, 2, 14)  # the 调休 Saturday counts
    assert cal.add_working_days(fri, 2) == D(2026, 2, 24)  # then 15–23 Feb are off
    assert cal.add_working_days(fri, 5) == D(2026, 2, 27)
    assert cal.add_working_days(fri, 6) == D(2026, 2, 28)  # Saturday 28 Feb works
    assert cal.add_working_days(fri, 15) == D(2026, 3, 12)
    # Submitted on a holiday: counting starts with the first working day after it.
    assert cal.add_working_days(D(2026, 2, 17), 1) == D(2026, 2, 24)
    assert cal.working_days_between(fri, D(2026, 2, 27)) == 5


def test_national_day_2025_across_the_break(cal) -> None:  # type: ignore[no-untyped-def]
    tue = D(2025, 9, 30)
    assert cal.add_working_days(tue, 1) == D(2025, 10, 9)
    assert cal.add_working_days(tue, 3) == D(2025, 10, 11)  # Saturday 调休
    assert cal.add_working_days(tue, 5) == D(2025, 10, 14)
    # Friday 26 Sep 2025: Sunday 28 Sep is a make-up workday.
    assert cal.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)


def test_new_year_2026_crossing_the_year(cal) -> None:  # type: ignore[no-untyped-def]
    assert cal.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)  # 1–3 Jan off, Sunday 4 Jan works
    assert cal.add_working_days(D(2025, 12, 31), 2) == D(2026, 1, 5)


def test_calendar_file_matches_the_notices(cal) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load((DATA_DIR / "holidays_cn.yaml").read_text(encoding="utf-8"))
    assert {2025, 2026} <= set(data)
    for _year, block in data.items():
        assert "通知" in block["source"]
        for w in block["workdays"]:
            assert w.weekday() >= 5, f"{w} listed as 调休 workday but is a weekday"
    lengths = {(y, h["name"]): (h["to"] - h["from"]).days + 1 for y, b in data.items() for h in b["holidays"]}
    assert lengths[(2025, "春节")] == 8
    assert lengths[(2025, "国庆节、中秋节")] == 8
    assert lengths[(2026, "春节")] == 9
    assert lengths[(2026, "国庆节")] == 7
    assert lengths[(2026, "劳动节")] == 5


def test_year_without_data_falls_back_to_weekdays(cal, caplog) -> None:  # type: ignore[no-untyped-def]
    assert cal.add_working_days(D(2030, 1, 4), 1) == D(2030, 1, 7)  # Friday → Monday
    assert "no holiday calendar for 2030" in caplog.text


def test_bad_calendar_rejected() -> None:
    with pytest.raises(ValueError, match="both holiday and workday"):
        parse_calendar(
            {2026: {"holidays": [{"name": "x", "from": "2026-02-14", "to": "2026-02-14"}], "workdays": ["2026-02-14"]}}
        )


def test_deadline_rules_per_category(cal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = DeadlineConfig(
        default=DeadlineRule(acknowledge=1, resolve=5), categories={"职业健康": DeadlineRule(acknowledge=2, resolve=15)}
    )
    d = ticket_deadlines(D(2026, 2, 13), None, calendar=cal, config=config)
    assert (d.ack_due, d.resolve_due) == (D(2026, 2, 14), D(2026, 2, 27))
    d = ticket_deadlines(D(2026, 2, 13), "职业健康", calendar=cal, config=config)
    assert (d.ack_due, d.resolve_due) == (D(2026, 2, 24), D(2026, 3, 12))
    shipped = DeadlineConfig.model_validate(yaml.safe_load((DATA_DIR / "deadlines.yaml").read_text("utf-8")))
    assert shipped.default.acknowledge == 1 and shipped.default.resolve == 5
    assert shipped.rule_for("职业健康").resolve == 15
