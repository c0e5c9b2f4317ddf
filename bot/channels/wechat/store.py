"""Database side of the channel: claiming inbound messages once across replicas, quota, offered choices.

Every function opens its own short transaction (``session_factory``), so it can be called from the
request path and from the outbox worker's thread alike.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.wechat import quota
from bot.channels.wechat.formatting import Choice
from bot.channels.wechat.models import WeChatInbound, WeChatUser

logger = logging.getLogger(__name__)

PROCESSING = "processing"
ANSWERED = "answered"
DEFERRED = "deferred"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class InboundState:
    status: str
    reply_text: str | None


class WeChatStore:
    def __init__(
        self, session_factory: Callable[[], sessionmaker[Session]], clock: Callable[[], dt.datetime] = _utcnow
    ) -> None:
        self._factory = session_factory
        self._clock = clock

    def _session(self) -> Session:
        return self._factory()()

    # ---- inbound dedupe ----

    def claim(self, key: str, openid: str) -> bool:
        """True for the first delivery of ``key`` (on any replica); False for a retry."""
        with self._session() as db:
            db.add(WeChatInbound(key=key, openid=openid, status=PROCESSING, created_at=self._clock()))
            try:
                db.commit()
            except IntegrityError:
                db.rollback()
                return False
        return True

    def begin(self, key: str, openid: str, allowance: quota.Allowance | None) -> list[Choice] | None:
        """One transaction for a new message: claim ``key``, record the citizen's action (quota) and take
        the choices offered last time (they apply to this message only). None: a retry of a claimed key."""
        for attempt in (1, 2):
            now = self._clock()
            with self._session() as db:
                db.add(WeChatInbound(key=key, openid=openid, status=PROCESSING, created_at=now))
                try:
                    db.flush()
                except IntegrityError:
                    db.rollback()
                    return None
                if allowance is None:
                    db.commit()
                    return []
                user = db.get(WeChatUser, openid, with_for_update=True)
                if user is None:
                    user = WeChatUser(openid=openid, kf_remaining=0, kf_valid_until=None, choices=[], updated_at=now)
                    db.add(user)
                current = quota.Quota(user.kf_remaining, user.kf_valid_until) if user.kf_valid_until else None
                new = quota.after_action(current, allowance, now)
                choices = [Choice.model_validate(c) for c in (user.choices or [])]
                user.kf_remaining, user.kf_valid_until, user.updated_at = new.remaining, new.valid_until, now
                user.choices = []
                try:
                    db.commit()
                except IntegrityError:  # the citizen's first two messages at once: the other one created the row
                    db.rollback()
                    if attempt == 2:
                        raise
                    continue
                return choices
        raise AssertionError("unreachable")

    def state(self, key: str) -> InboundState | None:
        with self._session() as db:
            row = db.get(WeChatInbound, key)
            return None if row is None else InboundState(row.status, row.reply_text)

    def _transition(self, key: str, status: str, reply_text: str | None = None) -> bool:
        with self._session() as db:
            res = db.execute(
                update(WeChatInbound)
                .where(WeChatInbound.key == key, WeChatInbound.status == PROCESSING)
                .values(status=status, reply_text=reply_text)
                .execution_options(synchronize_session=False)
            )
            db.commit()
            return getattr(res, "rowcount", 0) == 1

    def mark_answered(self, key: str, reply_text: str) -> bool:
        """Store the passive reply, unless the request already gave up waiting (then False)."""
        return self._transition(key, ANSWERED, reply_text)

    def mark_deferred(self, key: str) -> bool:
        """The answer goes by customer-service message, unless it was just stored as a passive reply."""
        return self._transition(key, DEFERRED)

    def purge(self, older_than: dt.timedelta) -> int:
        with self._session() as db:
            res = db.execute(delete(WeChatInbound).where(WeChatInbound.created_at < self._clock() - older_than))
            db.commit()
            return int(getattr(res, "rowcount", 0) or 0)

    # ---- citizens: quota and choices ----

    def _user(self, db: Session, openid: str) -> WeChatUser:
        user = db.get(WeChatUser, openid, with_for_update=True)
        if user is None:
            user = WeChatUser(openid=openid, kf_remaining=0, kf_valid_until=None, choices=[], updated_at=self._clock())
            db.add(user)
            try:
                db.flush()
            except IntegrityError:
                db.rollback()
                user = db.get(WeChatUser, openid, with_for_update=True)
                assert user is not None
        return user

    def record_action(self, openid: str, allowance: quota.Allowance) -> None:
        """A citizen's message or event: (re)opens the customer-service window."""
        now = self._clock()
        with self._session() as db:
            user = self._user(db, openid)
            current = quota.Quota(user.kf_remaining, user.kf_valid_until) if user.kf_valid_until else None
            new = quota.after_action(current, allowance, now)
            user.kf_remaining, user.kf_valid_until, user.updated_at = new.remaining, new.valid_until, now
            db.commit()

    def reserve_send(self, openid: str) -> quota.Verdict:
        """Take one customer-service message from the citizen's quota (``ok``), or say why not."""
        now = self._clock()
        with self._session() as db:
            user = db.get(WeChatUser, openid, with_for_update=True)
            current = quota.Quota(user.kf_remaining, user.kf_valid_until) if user and user.kf_valid_until else None
            verdict = quota.check(current, now)
            if verdict is quota.Verdict.ok and user is not None:
                user.kf_remaining -= 1
                user.updated_at = now
            db.commit()
            return verdict

    def release_send(self, openid: str) -> None:
        """Give back a reserved message whose sending failed."""
        with self._session() as db:
            user = db.get(WeChatUser, openid, with_for_update=True)
            if user is not None:
                user.kf_remaining += 1
            db.commit()

    def set_choices(self, openid: str, choices: list[Choice]) -> None:
        with self._session() as db:
            user = self._user(db, openid)
            user.choices = [c.model_dump() for c in choices]
            user.updated_at = self._clock()
            db.commit()

    def choices(self, openid: str) -> list[Choice]:
        with self._session() as db:
            user = db.get(WeChatUser, openid)
            return [Choice.model_validate(c) for c in (user.choices if user else [])]
