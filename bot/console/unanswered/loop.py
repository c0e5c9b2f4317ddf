"""The loop's moving parts wired together (the app factory builds one and puts it on ``app.state.unanswered``):
settle abandoned clarifications and group open questions before the list is read; re-test resolved groups when
the live knowledge version is not the one they were last tested against."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.console.unanswered import capture, grouping, retest
from bot.console.unanswered.config import UnansweredSettings, get_unanswered_settings
from bot.console.unanswered.models import UnansweredGroup
from bot.console.unanswered.offices import OfficeLocator
from bot.db import session_scope
from bot.jobs import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass
class UnansweredLoop:
    embedder: Callable[[], grouping.QueryEmbedder | None]  # None while the model is not loaded
    locator: OfficeLocator
    ask: retest.Ask
    version: Callable[[], int]  # the knowledge version this process serves
    settings: UnansweredSettings = field(default_factory=get_unanswered_settings)
    _retesting: threading.Lock = field(default_factory=threading.Lock)

    @property
    def triage(self) -> str:
        return self.locator.triage

    def refresh(self, db: Session, *, now: dt.datetime) -> int:
        """Settle abandoned clarifications, then group what is open; returns how many were grouped."""
        capture.settle_abandoned(db, now=now, settings=self.settings)
        db.commit()
        embedder = self.embedder()
        if embedder is None:
            return 0
        return grouping.group_open_questions(
            db, embedder, self.locator, threshold=self.settings.unanswered_similarity, now=now
        )

    def needs_retest(self, db: Session) -> bool:
        version = self.version()
        return (
            db.scalar(
                select(UnansweredGroup.id)
                .where(
                    UnansweredGroup.status.in_(retest.RESOLVED),
                    or_(UnansweredGroup.retest_version.is_(None), UnansweredGroup.retest_version != version),
                )
                .limit(1)
            )
            is not None
        )

    def retest(self, db: Session, *, now: dt.datetime) -> int:
        """Re-test resolved groups against the live version (one pass at a time per process)."""
        if not self._retesting.acquire(blocking=False):
            return 0
        try:
            return retest.retest_resolved(
                db,
                self.ask,
                self.version(),
                now=now,
                batch=self.settings.unanswered_retest_batch,
                per_group=self.settings.unanswered_retest_questions,
            )
        finally:
            self._retesting.release()


def default_loop() -> UnansweredLoop:
    """The real parts: the e5 embedder the engine loaded, the engine's item match, the live engine."""
    from bot.console.unanswered.offices import default_locator

    def embedder() -> grouping.QueryEmbedder | None:
        from knowledge.embedding.embedders import get_embedder
        from knowledge.service import is_ready

        return get_embedder() if is_ready() else None  # type: ignore[return-value]

    def version() -> int:
        from knowledge.service import live_version

        return live_version() or 0

    return UnansweredLoop(embedder=embedder, locator=default_locator(), ask=retest.engine_ask, version=version)


def retest_if_needed(loop: UnansweredLoop) -> int:
    """One pass of the re-test in its own session (when a resolved group was not tested against the live version)."""
    with session_scope() as db:
        if not loop.needs_retest(db):
            return 0
        return loop.retest(db, now=dt.datetime.now(dt.UTC))


@dataclass
class VersionWatch:
    """Re-test resolved groups whenever the version this process serves changes (a publish or a rollback)."""

    loop: UnansweredLoop
    tested: int | None = None

    def __call__(self) -> None:
        version = self.loop.version()
        if version == self.tested or version == 0:
            return
        retest_if_needed(self.loop)
        self.tested = version  # a failed re-test is tried again at the next interval


def retest_job(loop: UnansweredLoop) -> PeriodicJob:
    """The version watcher as a periodic job (the app factory lists it with the loop it builds)."""
    return PeriodicJob("unanswered-retest", loop.settings.unanswered_watch_s, VersionWatch(loop), wait_first=True)
