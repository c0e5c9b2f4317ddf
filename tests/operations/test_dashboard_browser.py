"""The dashboard in real Chromium: a month seeded through the real APIs of a live server; the figures on the
page equal the counts the test made; every chart renders; no script errors; the calendar warning shows
on the dashboard and on the desk."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, CHROMIUM_MISSING
from tests.support.live_server import serve_in_thread

from .conftest import FrozenClock, create_user, make_ops_app
from .expectations import expected_figures
from .seed import MONTH_START, fake_rasa_reply, local, seed_month

ECHARTS = Path(__file__).resolve().parents[2] / "node_modules" / "echarts" / "dist" / "echarts.min.js"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("REQUIRE_E2E"), reason=CHROMIUM_MISSING),
]

CHARTS = ("chart-questions", "chart-answers-item", "chart-tickets", "chart-office", "chart-item", "chart-ratings")


@pytest.fixture
def live(tickets_env: str, fake_rasa: Any) -> Iterator[tuple[str, FrozenClock]]:
    fake_rasa.respond = fake_rasa_reply
    clock = FrozenClock(local(MONTH_START))
    with serve_in_thread(make_ops_app(fake_rasa.url, clock)) as base:
        yield base, clock


def _shown(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key in ("on_time_rate", "good_rate", "rectification_on_time", "callback_rate"):
        return f"{value * 100:.1f}%"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # as JavaScript's String() prints it
    return str(value)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_dashboard_shows_the_seeded_month(live: tuple[str, FrozenClock]) -> None:
    assert ECHARTS.exists(), "ECharts missing: run `make setup` (npm ci)"
    sync_api = pytest.importorskip("playwright.sync_api")
    base, clock = live
    create_user("root", "root-password-1", role="admin")
    with httpx.Client(base_url=base, timeout=30) as http:
        assert http.post("/api/desk/login", json={"username": "root", "password": "root-password-1"}).status_code == 200
        exp = seed_month(http, clock)
    clock.at = local(dt.date(2026, 11, 5))  # the calendar (ending 2026-12-31) does not cover the next 90 days
    want = expected_figures(exp)

    profile = tempfile.mkdtemp(prefix="dash-chromium-")
    errors: list[str] = []
    try:
        with sync_api.sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                profile,
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                headless=True,
                viewport={"width": 1400, "height": 1000},
            )
            page = ctx.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.set_default_timeout(20_000)
            page.goto(base + "/dashboard")
            page.fill("#login-user", "root")
            page.fill("#login-pass", "root-password-1")
            page.click("#login-btn")
            page.wait_for_selector("#cards-questions .card")
            page.fill("#f-from", "2026-10-01")
            page.fill("#f-to", "2026-10-31")
            page.click("#f-apply")
            page.wait_for_selector("#period:has-text('2026-10-01 — 2026-10-31')")
            for key, value in want.items():
                shown = page.inner_text(f".card[data-figure='{key}'] .value")
                assert shown == _shown(key, value), (key, shown, value)
                assert page.get_attribute(f".card[data-figure='{key}']", "title")  # the definition beside it
            assert page.inner_text(".card[data-figure='feedback'] .value") == "—"  # no vote in the seeded month
            for chart in CHARTS:  # each chart is an ECharts instance that drew on its canvas
                drawn = page.evaluate(
                    "id => { const c = echarts.getInstanceByDom(document.getElementById(id));"
                    " return c ? c.getOption().series.reduce((n, s) => n + s.data.length, 0) : -1; }",
                    chart,
                )
                assert drawn > 0, chart
                assert page.locator(f"#{chart} canvas").count() >= 1, chart
            pie = page.evaluate(
                "() => echarts.getInstanceByDom(document.getElementById('chart-ratings')).getOption().series[0].data"
            )
            assert {d["name"]: d["value"] for d in pie} == {
                k: exp.ratings[k] for k in ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
            }
            rows = page.locator("#top-unanswered tbody tr").count()
            assert rows == min(10, len(exp.unanswered))
            assert page.is_visible("#calendar-warning") and "2027" in page.inner_text("#calendar-warning")
            href = page.get_attribute("a.csv[data-figure='tickets_by_office']", "href") or ""
            assert "from=2026-10-01" in href and "figure=tickets_by_office" in href
            csv_text = page.request.get(base + href).text()
            assert all(office in csv_text for office in exp.by_office)
            page.wait_for_selector("#calendar-admin:not([hidden])")
            shot = os.environ.get("DASHBOARD_SCREENSHOT")
            if shot:
                page.screenshot(path=shot, full_page=True)

            page.goto(base + "/desk")  # the same session; the desk shows the calendar warning too
            page.wait_for_selector("#calendar-warning:not([hidden])")
            assert "2027" in page.inner_text("#calendar-warning")
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert not [e for e in errors if not e.startswith("Failed to load resource")], errors
