"""WeChat's customer-service message quota (rules since June 2023).

A citizen's action opens a window with a number of messages: a message 5 in 48 hours; a menu click,
a subscription or a QR scan 3 in 1 minute. Quotas do not add up: a new action raises the remaining
count to that action's allowance and extends the window to the later end.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Allowance:
    count: int
    window: dt.timedelta


MESSAGE = Allowance(5, dt.timedelta(hours=48))
SHORT_ACTION = Allowance(3, dt.timedelta(minutes=1))


@dataclass(frozen=True)
class Quota:
    remaining: int
    valid_until: dt.datetime


class Verdict(StrEnum):
    ok = "ok"
    outside_window = "outside_window"
    exhausted = "exhausted"


def after_action(current: Quota | None, allowance: Allowance, now: dt.datetime) -> Quota:
    """The quota after a citizen's action at ``now``."""
    until = now + allowance.window
    if current is None or current.valid_until <= now:
        return Quota(allowance.count, until)
    return Quota(max(current.remaining, allowance.count), max(current.valid_until, until))


def check(current: Quota | None, now: dt.datetime) -> Verdict:
    if current is None or current.valid_until <= now:
        return Verdict.outside_window
    if current.remaining <= 0:
        return Verdict.exhausted
    return Verdict.ok
