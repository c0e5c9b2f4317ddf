"""The whole conversation through the WeChat channel of the real stack, driven by the simulator:
a guide question and its follow-up, a complaint that becomes a ticket, the handler's reply arriving as
a customer-service message through the fake WeChat API, and the citizen's rating by numbered choice."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from bot.channels.wechat.fake_api import FakeWeChatApi
from bot.channels.wechat.simulator import SimReply, WeChatSimulator
from scripts.stack import StackConfig
from tests.support.stack_fixtures import (
    ADMIN_PASSWORD,
    WECHAT_AES_KEY,
    WECHAT_APP_ID,
    WECHAT_TOKEN,
    logs_text,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = "13900139000"
NUMBER_RE = re.compile(r"[A-Z]+-\d{8}-\d{4}-[A-Z]{5}")  # the check code makes numbers unguessable


class Citizen:
    """A simulated WeChat user: passive replies, and the customer-service messages the fake API got."""

    def __init__(self, stack: StackConfig, fake: FakeWeChatApi) -> None:
        self.sim = WeChatSimulator(
            f"{stack.app_url}/wechat", token=WECHAT_TOKEN, app_id=WECHAT_APP_ID, aes_key=WECHAT_AES_KEY
        )
        self.fake = fake
        self.seen = 0

    def cs_messages(self, *, at_least: int = 1, timeout: float = 40.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msgs = [str(m["content"]) for m in self.fake.messages(self.sim.openid)]
            if len(msgs) - self.seen >= at_least:
                new, self.seen = msgs[self.seen :], len(msgs)
                return new
            time.sleep(0.3)
        raise AssertionError(f"no customer-service message within {timeout}s")

    def ask(self, text: str) -> str:
        reply: SimReply = self.sim.send_text(text)
        assert reply.status == 200, reply
        if reply.text is not None:
            return reply.text
        return "\n".join(self.cs_messages())

    @staticmethod
    def choice_number(text: str, title: str) -> str:
        match = re.search(rf"^(\d+)\. {re.escape(title)}$", text, re.M)
        assert match, (title, text)
        return match.group(1)


def test_full_conversation_through_wechat(stack: StackConfig, wechat_fake_api: FakeWeChatApi) -> None:
    citizen = Citizen(stack, wechat_fake_api)
    welcome = citizen.sim.send_event("subscribe")
    assert welcome.text is not None and "办事指南" in welcome.text

    first = citizen.ask("消毒产品生产企业卫生许可要多久")
    assert "20个工作日" in first, first
    follow = citizen.ask("在哪里办")
    assert "消毒产品" in follow or "窗口" in follow or "地址" in follow, follow

    for text in [
        "我在窗口办医疗广告审查被推来推去办不成",
        "医疗广告审查",
        "窗口说这个不归他们管让我去别的部门，别的部门又让我回来",
    ]:
        citizen.ask(text)
    summary = citizen.ask(PHONE)
    assert PHONE not in summary
    created = citizen.ask(Citizen.choice_number(summary, "确认提交"))
    match = NUMBER_RE.search(created)
    assert match, created
    number = match.group(0)

    with httpx.Client(base_url=stack.app_url, timeout=30) as client:
        login = client.post("/api/desk/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        assert login.status_code == 200, login.text  # the session is the HttpOnly cookie the client keeps
        detail = client.get(f"/api/desk/tickets/{number}").json()
        assert detail["channel"] == "wechat" and detail["contact"] == PHONE
        reply = "您好，已协调行政审批科窗口为您受理医疗广告审查。"
        assert client.post(f"/api/desk/tickets/{number}/reply", json={"text": reply}).status_code == 200
        closed = client.post(f"/api/desk/tickets/{number}/close", json={"note": "已答复"})
        assert closed.status_code == 200

        pushed = "\n".join(citizen.cs_messages(at_least=3))
        assert reply in pushed and number in pushed
        rated = citizen.ask(Citizen.choice_number(pushed, "不满意"))
        assert "整改" in rated or "感谢" in rated, rated

        detail = client.get(f"/api/desk/tickets/{number}").json()
        assert detail["rating"] == "不满意"
        assert all(d["status"] == "delivered" for d in detail["deliveries"] if d["kind"] == "channel")
    everything = [str(m["content"]) for m in wechat_fake_api.messages()]
    assert not any(PHONE in m for m in everything)
    assert PHONE not in logs_text(stack)
