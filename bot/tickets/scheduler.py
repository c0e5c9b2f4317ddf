"""The deadline scheduler inside the app: every ``SCHEDULER_INTERVAL_S`` it takes a database lease (so of
several replicas only one runs a round), and on a working day, from ``SCHEDULER_START_HOUR`` local time,
sends the due notifications (``bot.tickets.reminders``) through the outbox.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db import get_sessionmaker
from bot.jobs import PeriodicJob
from bot.metrics import SCHEDULER_NOTIFICATIONS, SCHEDULER_RUNS
from bot.tickets.clock import Clockwork, utcnow
from bot.tickets.config import get_ticket_settings
from bot.tickets.operations_config import OperationsSettings, get_operations_settings
from bot.tickets.operations_models import SchedulerLease
from bot.tickets.reminders import send_due_notifications

logger = logging.getLogger(__name__)

JOB = "deadline-reminders"


def acquire_lease(db: Session, *, name: str, holder: str, now: dt.datetime, seconds: float) -> bool:
    """Take or renew the job's lease; False while another holder's lease has not expired."""
    until = now + dt.timedelta(seconds=seconds)
    if db.get(SchedulerLease, name) is None:
        try:
            db.add(SchedulerLease(name=name, holder=holder, expires_at=until))
            db.commit()
            return True
        except IntegrityError:
            db.rollback()
    res = db.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, or_(SchedulerLease.expires_at < now, SchedulerLease.holder == holder))
        .values(holder=holder, expires_at=until)
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return getattr(res, "rowcount", 0) == 1


@dataclass
class RoundResult:
    outcome: str  # ran / lease_held / not_working_day / too_early / error
    sent: Counter[str] = field(default_factory=Counter)


class DeadlineScheduler:
    def __init__(
        self,
        *,
        holder: str | None = None,
        session_factory: sessionmaker[Session] | None = None,
        now: Callable[[], dt.datetime] = utcnow,
        clock: Callable[[], Clockwork] = Clockwork.default,
        settings: OperationsSettings | None = None,
    ) -> None:
        self.holder = holder or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._factory = session_factory
        self._now = now
        self._clock = clock
        self._settings = settings

    def run_once(self) -> RoundResult:
        settings = self._settings or get_operations_settings()
        factory = self._factory or get_sessionmaker()
        now = self._now()
        local = now.astimezone(ZoneInfo(get_ticket_settings().timezone))
        clock = self._clock()
        result = RoundResult("ran")
        if not clock.calendar.is_working_day(local.date()):
            result.outcome = "not_working_day"
        elif local.hour < settings.scheduler_start_hour:
            result.outcome = "too_early"
        else:
            with factory() as db:
                if not acquire_lease(db, name=JOB, holder=self.holder, now=now, seconds=settings.scheduler_lease_s):
                    result.outcome = "lease_held"
                else:
                    result.sent = send_due_notifications(
                        db, today=local.date(), now=now, clock=clock, settings=settings
                    )
                    db.execute(update(SchedulerLease).where(SchedulerLease.name == JOB).values(last_run_at=now))
                    db.commit()
        SCHEDULER_RUNS.labels(outcome=result.outcome).inc()
        for kind, n in result.sent.items():
            SCHEDULER_NOTIFICATIONS.labels(kind=kind).inc(n)
        if result.sent:
            logger.info("scheduler %s sent %s", self.holder, dict(result.sent))
        return result


def deadline_scheduler_job(scheduler: DeadlineScheduler | None = None) -> PeriodicJob:
    """A round every ``SCHEDULER_INTERVAL_S`` (the app factory lists it unless SCHEDULER_ENABLED=false)."""
    chosen = scheduler or DeadlineScheduler()

    def counted_round() -> None:
        try:
            chosen.run_once()
        except Exception:
            SCHEDULER_RUNS.labels(outcome="error").inc()
            raise

    return PeriodicJob("deadline-scheduler", get_operations_settings().scheduler_interval_s, counted_round)
