"""The 5-second rule, dedupe across replicas, customer-service messages through the outbox, choices."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import OutgoingMessage, get_adapter
from bot.channels.wechat.adapter import UndeliverableError
from bot.channels.wechat.fake_api import FakeWeChatApi
from bot.channels.wechat.models import WeChatUser
from bot.tickets import outbox_delivery
from bot.tickets.models import OutboxMessage
from tests.channels.wechat.conftest import ScriptedAssistant, WeChatHarness, outbox_settings


def _drain(sessions: sessionmaker[Session], rounds: int = 20) -> None:
    """Run the outbox until nothing is pending (fast backoff)."""
    for _ in range(rounds):
        stats = outbox_delivery.run_once(settings=outbox_settings(), session_factory=sessions)
        with sessions() as db:
            pending = db.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()
        if not pending and not stats.claimed:
            return
        time.sleep(0.05)


def test_three_deliveries_of_one_msgid_give_one_answer(build_harness: Callable[..., WeChatHarness]) -> None:
    h = build_harness()
    sim = h.simulator()
    params, body = sim.signed_request(sim.message_xml("text", "<Content>在吗</Content>", msg_id=424242))
    replies = [sim.read_reply(h.client.post("/wechat", params=params, content=body).text) for _ in range(3)]
    assert replies == ["您说的是：在吗"] * 3
    assert h.assistant.received == [(f"wx-{sim.openid}", "在吗")]


def test_concurrent_retries_on_two_replicas_handle_the_message_once(
    build_harness: Callable[..., WeChatHarness],
) -> None:
    assistant = ScriptedAssistant(delay_s=0.3)
    a = build_harness(assistant=assistant, reply_budget_s=2.0)
    b = build_harness(assistant=assistant, reply_budget_s=2.0)  # a second replica on the same database
    sim = a.simulator()
    params, body = sim.signed_request(sim.message_xml("text", "<Content>同时到达</Content>", msg_id=777))
    out: list[str | None] = [None] * 3

    def deliver(i: int) -> None:
        client = (a.client, b.client, a.client)[i]
        out[i] = sim.read_reply(client.post("/wechat", params=params, content=body).text)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(assistant.received) == 1
    assert all(r in ("您说的是：同时到达", None) for r in out) and "您说的是：同时到达" in out


def test_slow_answer_arrives_once_by_customer_service_message_despite_two_failures(
    build_harness: Callable[..., WeChatHarness], fake_api: FakeWeChatApi
) -> None:
    h = build_harness(assistant=ScriptedAssistant(delay_s=0.6), reply_budget_s=0.2)
    sim = h.simulator()
    params, body = sim.signed_request(sim.message_xml("text", "<Content>慢一点</Content>", msg_id=5150))
    first = h.client.post("/wechat", params=params, content=body)
    assert first.text == "success"
    retry = h.client.post("/wechat", params=params, content=body)
    assert retry.text == "success"
    time.sleep(0.8)  # the turn finishes and queues the customer-service message
    fake_api.state.fail_sends = 2
    _drain(h.sessions)
    sent = fake_api.messages(sim.openid)
    assert [m["content"] for m in sent] == ["您说的是：慢一点"]
    assert fake_api.state.send_calls == 3  # two failures, then the one delivery
    with h.sessions() as db:
        rows = db.scalars(select(OutboxMessage)).all()
    assert [(r.status, r.attempts) for r in rows] == [("delivered", 3)]


def test_numbered_choice_sends_the_offered_payload(build_harness: Callable[..., WeChatHarness]) -> None:
    h = build_harness()
    sim = h.simulator()
    offer = sim.send_text("我要办许可证")
    assert offer.text is not None and "1. 公共场所卫生许可" in offer.text and "2. 供水单位卫生许可" in offer.text
    answer = sim.send_text("1")
    assert answer.text == "公共场所卫生许可需要：营业执照。"
    assert h.assistant.received[-1][1] == '/ask_item{"item_code": "public-place-hygiene-license"}'
    plain = sim.send_text("1")  # no choices on offer any more: an ordinary message
    assert plain.text == "您说的是：1"


def test_voice_events_and_media(build_harness: Callable[..., WeChatHarness]) -> None:
    h = build_harness()
    sim = h.simulator()
    assert sim.send_voice("护士注册").text == "您说的是：护士注册"
    voice = sim.send_voice(None).text
    assert voice is not None and "语音" in voice
    welcome = sim.send_event("subscribe").text
    assert welcome is not None and "办事指南" in welcome
    assert sim.send_event("unsubscribe").text is None
    guide = sim.send_event("CLICK", "GUIDE").text
    assert guide is not None and "请直接输入" in guide
    assert sim.send_event("CLICK", "HUMAN").text == "您说的是：转人工"
    image = sim.send_image().text
    assert image is not None and "文字" in image
    assert [t for _, t in h.assistant.received] == ["护士注册", "转人工"]


def test_long_answer_goes_in_parts_by_customer_service_message(
    build_harness: Callable[..., WeChatHarness], fake_api: FakeWeChatApi
) -> None:
    long_text = "\n".join(f"{i}. " + "这是一条很长的办事指南说明。" * 6 for i in range(30))
    h = build_harness(assistant=ScriptedAssistant(long_text=long_text))
    sim = h.simulator()
    assert sim.send_text("给我很长的说明").text is None
    _drain(h.sessions)
    parts = [m["content"] for m in fake_api.messages(sim.openid)]
    assert len(parts) > 1 and all(len(p.encode()) <= 2048 for p in parts)
    assert "\n".join(parts) == long_text


def test_invalid_token_is_refreshed_and_shared(
    build_harness: Callable[..., WeChatHarness], fake_api: FakeWeChatApi
) -> None:
    h = build_harness()
    sim = h.simulator()
    sim.send_text("在吗")
    adapter = get_adapter("wechat")
    adapter.deliver(f"wx-{sim.openid}", OutgoingMessage(text="第一条"))
    requests_before = fake_api.state.token_requests
    adapter.deliver(f"wx-{sim.openid}", OutgoingMessage(text="第二条"))
    assert fake_api.state.token_requests == requests_before  # cached in the database
    fake_api.state.token_serial += 1  # WeChat invalidated the token
    adapter.deliver(f"wx-{sim.openid}", OutgoingMessage(text="第三条"))
    assert [m["content"] for m in fake_api.messages(sim.openid)] == ["第一条", "第二条", "第三条"]
    assert fake_api.state.token_requests == requests_before + 1


def test_outside_the_48_hour_window_the_delivery_is_undeliverable(
    build_harness: Callable[..., WeChatHarness], fake_api: FakeWeChatApi
) -> None:
    h = build_harness()
    sim = h.simulator()
    sim.send_text("在吗")
    with h.sessions() as db:
        user = db.get(WeChatUser, sim.openid)
        assert user is not None
        user.kf_valid_until = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.commit()
    with pytest.raises(UndeliverableError):
        get_adapter("wechat").deliver(f"wx-{sim.openid}", OutgoingMessage(text="工单已答复"))
    assert fake_api.messages(sim.openid) == []


def test_quota_of_five_messages_per_citizen_message(
    build_harness: Callable[..., WeChatHarness], fake_api: FakeWeChatApi
) -> None:
    h = build_harness()
    sim = h.simulator()
    sim.send_text("在吗")
    adapter = get_adapter("wechat")
    for i in range(5):
        adapter.deliver(f"wx-{sim.openid}", OutgoingMessage(text=f"第{i}条"))
    with pytest.raises(UndeliverableError):
        adapter.deliver(f"wx-{sim.openid}", OutgoingMessage(text="第六条"))
    sim.send_text("还在吗")  # a new message restores the quota
    adapter.deliver(f"wx-{sim.openid}", OutgoingMessage(text="又可以了"))
    assert len(fake_api.messages(sim.openid)) == 6


def test_outbox_marks_an_out_of_window_reply_failed_at_once_with_the_reason(
    build_harness: Callable[..., WeChatHarness], fake_api: FakeWeChatApi
) -> None:
    from bot.channels.wechat.setup import enqueue_parts

    h = build_harness()
    sim = h.simulator()  # never wrote to the account: no window open
    enqueue_parts(lambda: h.sessions, f"wx-{sim.openid}", ["【办不成事反映】答复内容"])
    outbox_delivery.run_once(settings=outbox_settings(), session_factory=h.sessions)
    with h.sessions() as db:
        row = db.scalars(select(OutboxMessage)).one()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error is not None and "48小时" in row.last_error and "电话" in row.last_error
    assert fake_api.state.send_calls == 0


def test_store_purges_only_old_inbound_records(wx_sessions: sessionmaker[Session]) -> None:
    from bot.channels.wechat.store import WeChatStore

    now = [dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)]
    store = WeChatStore(lambda: wx_sessions, clock=lambda: now[0])
    assert store.claim("m:1", "oA") and not store.claim("m:1", "oA")
    now[0] += dt.timedelta(hours=25)
    assert store.claim("m:2", "oA")
    assert store.purge(dt.timedelta(hours=24)) == 1
    assert store.state("m:1") is None and store.state("m:2") is not None
