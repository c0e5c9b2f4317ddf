"""Login throttling with exponential back-off, per account and per client address.

After ``free`` failed attempts on a key, each further failure makes the key wait
``base × 2^(n − free − 1)`` seconds (capped at ``max_s``) before the next attempt is even checked,
so a brute force costs the attacker time and the server no bcrypt work. A key's history is
forgotten ``2 × max_s`` after its last failure, and a successful login clears the account's
history: the real user is slowed down at most ``max_s``, never locked out for good.

Where the failures are kept (``store``):

- ``RedisStore`` when ``REDIS_URL`` is set: one hash per key (``count``, ``last``) with a TTL of
  ``2 × max_s``, updated in a MULTI/EXEC transaction, so every replica sees the same history and a
  restart forgets nothing. Times are wall-clock seconds (replicas share them). If Redis does not
  answer, the throttle falls back to this process's memory (logged) rather than letting logins through
  unthrottled or refusing them all.
- ``MemoryStore`` otherwise: per process, as for a single ``make run``.

Why not ``limits``/``slowapi``: their fixed, moving and sliding windows give a flat rate per window,
not a wait that doubles with each failure and resets on success; the store interface here is three
calls, which the ``redis`` client does directly.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger(__name__)

REDIS_PREFIX = "bbc:login-throttle:"


class ThrottleStore(Protocol):
    def get(self, key: str, now: float) -> tuple[int, float] | None:
        """(failures, time of the last one), or None if the key has no live history."""

    def add_failure(self, key: str, now: float, ttl_s: float) -> None: ...

    def clear(self, key: str) -> None: ...


@dataclass
class _Failures:
    count: int
    last: float


class MemoryStore:
    """Failures in this process's memory (bounded: the oldest half is dropped when full)."""

    def __init__(self, *, max_keys: int = 50_000) -> None:
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._keys: dict[str, _Failures] = {}
        self._ttl: float = 0.0

    def get(self, key: str, now: float) -> tuple[int, float] | None:
        with self._lock:
            entry = self._live(key, now)
            return (entry.count, entry.last) if entry else None

    def _live(self, key: str, now: float) -> _Failures | None:
        entry = self._keys.get(key)
        if entry is not None and self._ttl and now - entry.last > self._ttl:
            del self._keys[key]
            return None
        return entry

    def add_failure(self, key: str, now: float, ttl_s: float) -> None:
        with self._lock:
            self._ttl = ttl_s
            entry = self._live(key, now)
            if entry is None:
                if len(self._keys) >= self._max_keys:
                    self._prune(now)
                self._keys[key] = _Failures(1, now)
            else:
                entry.count += 1
                entry.last = now

    def clear(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def _prune(self, now: float) -> None:
        stale = [k for k, e in self._keys.items() if now - e.last > self._ttl]
        for k in stale:
            del self._keys[k]
        if len(self._keys) >= self._max_keys:  # still full: drop the oldest half
            for k, _ in sorted(self._keys.items(), key=lambda kv: kv[1].last)[: self._max_keys // 2]:
                del self._keys[k]
            logger.warning("login throttle table was full; dropped the oldest entries")


class RedisStore:
    """Failures in Redis, shared by every replica. ``client`` is a ``redis.Redis``."""

    def __init__(self, client: Any, *, prefix: str = REDIS_PREFIX) -> None:
        self._redis = client
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return self._prefix + key

    def get(self, key: str, now: float) -> tuple[int, float] | None:
        count, last = self._redis.hmget(self._key(key), ["count", "last"])
        if count is None or last is None:
            return None
        return int(count), float(last)

    def add_failure(self, key: str, now: float, ttl_s: float) -> None:
        name = self._key(key)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(name, "count", 1)
            pipe.hset(name, "last", repr(now))
            pipe.pexpire(name, max(1, int(ttl_s * 1000)))
            pipe.execute()

    def clear(self, key: str) -> None:
        self._redis.delete(self._key(key))


class FallbackStore:
    """``primary`` (Redis) while it answers; this process's memory when it does not."""

    def __init__(self, primary: ThrottleStore, fallback: ThrottleStore, errors: tuple[type[Exception], ...]) -> None:
        self.primary = primary
        self.fallback = fallback
        self._errors = errors
        self._warned_at = 0.0

    def _down(self, exc: Exception) -> None:
        if time.monotonic() - self._warned_at > 60:  # at most one line a minute
            logger.warning(
                "login throttle: Redis unavailable (%s); throttling in this process only", type(exc).__name__
            )
            self._warned_at = time.monotonic()

    def get(self, key: str, now: float) -> tuple[int, float] | None:
        try:
            shared = self.primary.get(key, now)
        except self._errors as exc:
            self._down(exc)
            return self.fallback.get(key, now)
        local = self.fallback.get(key, now)  # failures counted here while Redis was down still count
        if local is None:
            return shared
        if shared is None:
            return local
        return (shared[0] + local[0], max(shared[1], local[1]))

    def add_failure(self, key: str, now: float, ttl_s: float) -> None:
        try:
            self.primary.add_failure(key, now, ttl_s)
        except self._errors as exc:
            self._down(exc)
            self.fallback.add_failure(key, now, ttl_s)

    def clear(self, key: str) -> None:
        self.fallback.clear(key)
        try:
            self.primary.clear(key)
        except self._errors as exc:
            self._down(exc)


def redis_store(url: str, *, timeout_s: float = 0.5) -> FallbackStore:
    """The shared store for ``REDIS_URL`` (short timeouts: a login never waits long on Redis)."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
    return FallbackStore(RedisStore(client), MemoryStore(), (redis.RedisError, OSError))


class LoginThrottle:
    def __init__(
        self,
        *,
        base_s: float,
        max_s: float,
        clock: Callable[[], float] = time.time,
        store: ThrottleStore | None = None,
    ) -> None:
        self.base_s = base_s
        self.max_s = max_s
        self.clock = clock
        self.store: ThrottleStore = store if store is not None else MemoryStore()

    @property
    def ttl_s(self) -> float:
        """How long a key's history lives after its last failure."""
        return 2 * self.max_s

    def _delay(self, count: int, free: int) -> float:
        if count < free:
            return 0.0
        return min(self.base_s * 2 ** (count - free), self.max_s)

    def retry_after(self, key: str, free: int) -> float:
        """Seconds before ``key`` may try again (0: now)."""
        now = self.clock()
        entry = self.store.get(key, now)
        if entry is None:
            return 0.0
        count, last = entry
        if now - last > self.ttl_s:
            return 0.0
        return max(0.0, last + self._delay(count, free) - now)

    def failure(self, key: str) -> None:
        self.store.add_failure(key, self.clock(), self.ttl_s)

    def success(self, key: str) -> None:
        self.store.clear(key)
