"""The real assistant (Rasa server, action server, app), started once per test session.

Registered for the whole suite by `tests/conftest.py`, so every test that needs the real stack
(`tests/e2e/`, `tests/security/`, channel tests) shares one start instead of paying for its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.channels.wechat.fake_api import FakeWeChatApi
from scripts.stack import ROOT, Stack, StackConfig

ADMIN_PASSWORD = "e2e-handler-pass"
# The WeChat channel of the shared stack, talking to a fake WeChat API started before it.
WECHAT_TOKEN = "e2e-wechat-token"
WECHAT_APP_ID = "wxe2e0000000000001"
WECHAT_APP_SECRET = "e2e-wechat-secret"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
PII_KEY = "ZTJlLW9ubHktcGlpLWtleS1ub3QtZm9yLXByb2R1Y3Q="  # a fixed Fernet key for the test stack only


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("REQUIRE_E2E") == "1":  # `make test` sets it: a missing part is a failure there
        pytest.fail(reason)
    pytest.skip(reason)


STACK_LOOKUP_LIMIT_PER_ADDRESS = 20


@pytest.fixture(scope="session")
def wechat_fake_api() -> Iterator[FakeWeChatApi]:
    fake = FakeWeChatApi(app_id=WECHAT_APP_ID, secret=WECHAT_APP_SECRET).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, wechat_fake_api: FakeWeChatApi) -> Iterator[StackConfig]:
    model = ROOT / "models" / "assistant.tar.gz"
    if not (ROOT / ".venv-rasa" / "bin" / "rasa").exists():
        _skip_or_fail("the Rasa environment .venv-rasa is missing (run `make setup`)")
    if not model.exists():
        _skip_or_fail("no trained Rasa model at models/assistant.tar.gz (run `make train`)")
    var = tmp_path_factory.mktemp("stack-var")
    # E2E_PORT_OFFSET lets several checkouts run their end-to-end tests side by side on one machine.
    offset = int(os.environ.get("E2E_PORT_OFFSET", "0"))
    config = StackConfig(
        app_port=18000 + offset,
        rasa_port=15005 + offset,
        action_port=15055 + offset,
        var_dir=var,
        log_dir=var / "logs",
        model=model,
        extra_env={
            "DESK_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "DATABASE_URL": f"sqlite:///{var}/tickets.db",
            "RASA_TRACKER_DB": str(var / "rasa_tracker.db"),
            "KNOWLEDGE_INDEX_DIR": str(ROOT / "var" / "index"),
            "WECHAT_TOKEN": WECHAT_TOKEN,
            "WECHAT_APP_ID": WECHAT_APP_ID,
            "WECHAT_APP_SECRET": WECHAT_APP_SECRET,
            "WECHAT_ENCODING_AES_KEY": WECHAT_AES_KEY,
            "WECHAT_API_BASE": wechat_fake_api.url,
            "PII_ENCRYPTION_KEY": PII_KEY,
            # The per-address limit is tested at a small value (the default, 120, would take 120 turns).
            "TICKET_LOOKUP_LIMIT_PER_ADDRESS": str(STACK_LOOKUP_LIMIT_PER_ADDRESS),
        },
    )
    running = Stack(config)
    running.start()
    try:
        running.wait_ready(timeout=600)
        yield config
    finally:
        running.stop()


@pytest.fixture()
def client(stack: StackConfig) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.app_url, timeout=60) as c:
        yield c


def logs_text(config: StackConfig) -> str:
    assert config.log_dir is not None
    return "\n".join(p.read_text(errors="replace") for p in Path(config.log_dir).glob("*.log"))
