"""Login throttling shared by replicas through the real Redis on loopback: two throttles (as two replicas) with
their own connections see one history; the back-off, the reset on success and the expiry hold across them; the
app's login throttle uses Redis when REDIS_URL is set; with Redis down it still throttles, in memory."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.tickets.login_throttle import REDIS_PREFIX, FallbackStore, LoginThrottle, RedisStore, redis_store
from tests.tickets.conftest import create_user

from .test_login_security import STRONG

REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("TEST_REDIS_PORT", "6379"))
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


def _reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_client() -> Iterator[object]:
    if not _reachable():
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"Redis not reachable on {REDIS_HOST}:{REDIS_PORT}")
        pytest.skip(f"Redis not reachable on {REDIS_HOST}:{REDIS_PORT}")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_two_replicas_share_one_history(redis_client: object) -> None:
    import redis

    prefix = f"test-throttle-{uuid.uuid4().hex}:"
    clock = FakeClock()
    a = LoginThrottle(base_s=2, max_s=60, clock=clock, store=RedisStore(redis.Redis.from_url(REDIS_URL), prefix=prefix))
    b = LoginThrottle(base_s=2, max_s=60, clock=clock, store=RedisStore(redis.Redis.from_url(REDIS_URL), prefix=prefix))
    for i in range(3):  # failures alternate between the replicas
        assert (a if i % 2 else b).retry_after("user:wu", free=3) == 0
        (a if i % 2 else b).failure("user:wu")
    assert a.retry_after("user:wu", free=3) == 2 and b.retry_after("user:wu", free=3) == 2  # 3 failures seen by both
    b.failure("user:wu")
    assert a.retry_after("user:wu", free=3) == 4
    for _ in range(20):
        a.failure("user:wu")
    assert b.retry_after("user:wu", free=3) == 60  # capped: never locked out for good
    ttl_ms = redis_client.pttl(prefix + "user:wu")  # type: ignore[attr-defined]
    assert 0 < ttl_ms <= 120_000  # forgotten 2 × max_s after the last failure, by Redis itself
    clock.now += 61
    assert a.retry_after("user:wu", free=3) == 0
    a.success("user:wu")  # a real login on one replica clears the account everywhere
    assert redis_client.exists(prefix + "user:wu") == 0  # type: ignore[attr-defined]
    assert b.retry_after("user:wu", free=1) == 0


def test_app_login_throttle_uses_redis_when_configured(
    desk_client: TestClient, redis_client: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.tickets import auth
    from bot.tickets.config import get_ticket_settings

    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    get_ticket_settings.cache_clear()
    auth.reset_auth_cache()
    user = f"redis-{uuid.uuid4().hex[:8]}"
    create_user(user, STRONG)
    key = f"{REDIS_PREFIX}user:{user}"
    address_key = f"{REDIS_PREFIX}addr:testclient"  # TestClient's client address, shared by every run
    redis_client.delete(address_key)  # type: ignore[attr-defined]
    try:
        codes = [
            desk_client.post("/api/desk/login", json={"username": user, "password": f"guess-{i}"}).status_code
            for i in range(6)
        ]
        assert codes == [401] * 5 + [429], codes
        assert int(redis_client.hget(key, "count")) == 5  # type: ignore[attr-defined]
        # A second replica (a fresh throttle with its own connection) refuses the account at once.
        other = LoginThrottle(base_s=2, max_s=900, store=redis_store(REDIS_URL))
        assert other.retry_after(f"user:{user}", free=5) > 0
    finally:
        redis_client.delete(key, address_key)  # type: ignore[attr-defined]
        auth.reset_auth_cache()


def test_redis_down_still_throttles_in_memory(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = redis_store(f"redis://127.0.0.1:{port}/0", timeout_s=0.2)
    assert isinstance(store, FallbackStore)
    clock = FakeClock()
    t = LoginThrottle(base_s=2, max_s=60, clock=clock, store=store)
    for _ in range(4):
        t.failure("addr:10.0.0.9")
    assert t.retry_after("addr:10.0.0.9", free=3) == 4  # 4 failures, 3 free: 2 × 2 s
    assert "Redis unavailable" in caplog.text
