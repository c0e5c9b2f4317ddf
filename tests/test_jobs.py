"""The periodic-job loop (bot/jobs.py): runs at its interval, survives a failing run, stops on shutdown."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest

from bot.jobs import PeriodicJob, running_jobs

INTERVAL = 0.05


class Recorder:
    """A job's run: records when it ran; fails on the runs listed in ``fail_on`` (1-based)."""

    def __init__(self, fail_on: tuple[int, ...] = ()) -> None:
        self.times: list[float] = []
        self.fail_on = fail_on
        self.lock = threading.Lock()

    def __call__(self) -> None:
        with self.lock:
            self.times.append(time.monotonic())
            n = len(self.times)
        if n in self.fail_on:
            raise RuntimeError("boom 13800138000")


async def _until(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the job did not run in time"
        await asyncio.sleep(0.01)


def test_runs_at_its_interval() -> None:
    rec = Recorder()

    async def scenario() -> None:
        async with running_jobs([PeriodicJob("every-50ms", INTERVAL, rec)]):
            await _until(lambda: len(rec.times) >= 4)

    asyncio.run(scenario())
    gaps = [b - a for a, b in zip(rec.times, rec.times[1:], strict=False)]
    assert all(gap >= INTERVAL * 0.9 for gap in gaps), gaps  # never before its interval (timer slack aside)


def test_a_failing_run_is_logged_and_the_next_one_comes(caplog: pytest.LogCaptureFixture) -> None:
    rec = Recorder(fail_on=(1,))
    quiet = Recorder(fail_on=(1,))

    async def scenario() -> None:
        jobs = [PeriodicJob("flaky", INTERVAL, rec), PeriodicJob("private", INTERVAL, quiet, traceback=False)]
        async with running_jobs(jobs):
            await _until(lambda: len(rec.times) >= 3 and len(quiet.times) >= 3)

    with caplog.at_level(logging.INFO, logger="bot.jobs"):
        asyncio.run(scenario())
    failed = [r for r in caplog.records if "run failed" in r.getMessage()]
    assert {r.getMessage().split(":")[0] for r in failed} == {"flaky", "private"}
    flaky = next(r for r in failed if r.getMessage().startswith("flaky"))
    private = next(r for r in failed if r.getMessage().startswith("private"))
    assert flaky.exc_info is not None
    assert private.exc_info is None and "RuntimeError" in private.getMessage()
    assert "13800138000" not in private.getMessage()  # only the type: the text may hold personal data


def test_stops_on_shutdown_without_waiting_out_the_interval(caplog: pytest.LogCaptureFixture) -> None:
    rec = Recorder()
    later = Recorder()

    async def scenario() -> list[asyncio.Task[None]]:
        jobs = [PeriodicJob("hourly", 3600, rec), PeriodicJob("after-an-hour", 3600, later, wait_first=True)]
        async with running_jobs(jobs) as tasks:
            await _until(lambda: len(rec.times) == 1)
            started = time.monotonic()
        assert time.monotonic() - started < 2  # the stop wakes the wait; no hour-long sleep to cancel
        return tasks

    with caplog.at_level(logging.INFO, logger="bot.jobs"):
        tasks = asyncio.run(scenario())
    assert all(t.done() and not t.cancelled() for t in tasks)
    assert len(rec.times) == 1  # ran once at the start, never again
    assert later.times == []  # wait_first: nothing at start-up
    stopped = {r.getMessage() for r in caplog.records if r.getMessage().endswith(" stopped")}
    assert stopped == {"hourly stopped", "after-an-hour stopped"}
