"""Periodic background jobs: the one loop every job of the app runs in.

A ``PeriodicJob`` names a synchronous ``run`` (run in a worker thread, so it may use the database or the
engine) and its interval. ``running_jobs(jobs)`` starts each in its own task for the duration of an
``async with`` block: run, sleep ``interval_s``, run again; a failing run is logged and the next one
comes at its time; leaving the block stops each loop at its next wait (a run in progress may finish
for ``grace_s``, then the task is cancelled). The app factory lists the jobs (``bot/app.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval_s: float
    run: Callable[[], object]
    wait_first: bool = False  # the first run comes after one interval (nothing to do at start-up)
    traceback: bool = True  # False: log only the exception's type (its text may quote personal data)


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to ``seconds``; True when ``stop`` was set meanwhile."""
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()


async def run_periodically(job: PeriodicJob, stop: asyncio.Event) -> None:
    """The loop of one job, until ``stop`` is set."""
    logger.info("%s started (every %.1fs)", job.name, job.interval_s)
    stopped = job.wait_first and await _stopped_within(stop, job.interval_s)
    while not stopped:
        try:
            await asyncio.to_thread(job.run)
        except Exception as exc:  # keep going: the next run catches up
            if job.traceback:
                logger.exception("%s: run failed", job.name)
            else:
                logger.error("%s: run failed: %s", job.name, type(exc).__name__)
        stopped = await _stopped_within(stop, job.interval_s)
    logger.info("%s stopped", job.name)


@asynccontextmanager
async def running_jobs(
    jobs: Sequence[PeriodicJob], *, grace_s: float = 10.0
) -> AsyncIterator[list[asyncio.Task[None]]]:
    """``async with running_jobs(jobs):`` each job runs in its own task until the block is left."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(run_periodically(job, stop), name=job.name) for job in jobs]
    try:
        yield tasks
    finally:
        stop.set()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
                logger.warning("%s did not stop within %.0fs; cancelled", task.get_name(), grace_s)
