"""Login throttling with exponential back-off, per account and per client address.

After ``free`` failed attempts on a key, each further failure makes the key wait
``base × 2^(n − free − 1)`` seconds (capped at ``max_s``) before the next attempt is even checked,
so a brute force costs the attacker time and the server no bcrypt work. A key's history is
forgotten ``2 × max_s`` after its last failure, and a successful login clears the account's
history: the real user is slowed down at most ``max_s``, never locked out for good.

Why not ``limits``/``slowapi``: their fixed and moving windows give a flat rate, not a back-off
that grows with each failure and resets on success. State is per process (see the docs' residual
risks): with several replicas each one throttles on its own.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass
class _Failures:
    count: int
    last: float


class LoginThrottle:
    def __init__(
        self, *, base_s: float, max_s: float, clock: Callable[[], float] = time.monotonic, max_keys: int = 50_000
    ) -> None:
        self.base_s = base_s
        self.max_s = max_s
        self._clock = clock
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._keys: dict[str, _Failures] = {}

    def _delay(self, count: int, free: int) -> float:
        if count < free:
            return 0.0
        return min(self.base_s * 2 ** (count - free), self.max_s)

    def _get(self, key: str, now: float) -> _Failures | None:
        entry = self._keys.get(key)
        if entry is not None and now - entry.last > 2 * self.max_s:
            del self._keys[key]
            return None
        return entry

    def retry_after(self, key: str, free: int) -> float:
        """Seconds before ``key`` may try again (0: now)."""
        now = self._clock()
        with self._lock:
            entry = self._get(key, now)
            if entry is None:
                return 0.0
            return max(0.0, entry.last + self._delay(entry.count, free) - now)

    def failure(self, key: str) -> None:
        now = self._clock()
        with self._lock:
            entry = self._get(key, now)
            if entry is None:
                if len(self._keys) >= self._max_keys:
                    self._prune(now)
                self._keys[key] = _Failures(1, now)
            else:
                entry.count += 1
                entry.last = now

    def success(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def _prune(self, now: float) -> None:
        stale = [k for k, e in self._keys.items() if now - e.last > 2 * self.max_s]
        for k in stale:
            del self._keys[k]
        if len(self._keys) >= self._max_keys:  # still full: drop the oldest half
            for k, _ in sorted(self._keys.items(), key=lambda kv: kv[1].last)[: self._max_keys // 2]:
                del self._keys[k]
            logger.warning("login throttle table was full; dropped the oldest entries")
