"""The chat turn against a loopback HTTP server playing Rasa's REST channel."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import pytest

from bot.chat import texts
from bot.chat.rasa_client import RasaUnavailableError, parse_messages
from bot.chat.reply_meta import build_meta
from bot.chat.schemas import ChatRequest, ChatResponse


def run_turn(service: Any, text: str, session_id: str = "s-1", payload: str | None = None) -> tuple[ChatResponse, int]:
    outcome = asyncio.run(service.handle_turn(ChatRequest(session_id=session_id, text=text, payload=payload)))
    return outcome.response, outcome.status_code


def test_answer_with_meta_and_sources(fake_rasa: Any, build_service: Any) -> None:
    resp, status = run_turn(build_service(fake_rasa.url), "护士执业注册要什么材料")
    assert status == 200
    assert [r.text for r in resp.replies] == ["护士执业首次注册需要提交：护士执业注册申请审核表、健康体检证明。"]
    assert resp.meta.kind == "answer"
    assert resp.meta.item is not None and resp.meta.item.name == "护士执业注册"
    assert resp.meta.aspect == "materials"
    assert resp.meta.confidence == pytest.approx(0.91)
    assert resp.meta.sources[0].region == "市本级"
    assert resp.meta.ticket is None
    assert fake_rasa.received == [{"sender": "s-1", "message": "护士执业注册要什么材料"}]


def test_buttons_are_kept_and_payload_goes_to_rasa_as_is(fake_rasa: Any, build_service: Any) -> None:
    service = build_service(fake_rasa.url)
    resp, _ = run_turn(service, "我要办许可证")
    assert resp.meta.kind == "clarify"
    payload = resp.replies[0].buttons[0].payload
    assert payload.startswith("/ask_item")
    resp2, _ = run_turn(service, "公共场所卫生许可", payload=payload)
    assert fake_rasa.received[-1]["message"] == payload
    assert resp2.meta.kind == "answer"
    assert resp2.meta.sources[0].url is None


def test_phone_and_id_are_masked_before_rasa_and_phone_vaulted(
    fake_rasa: Any, build_service: Any, memory_vault: Any
) -> None:
    service = build_service(fake_rasa.url, vault=memory_vault)
    run_turn(service, "回声 我的电话是13800138000，身份证11010519491231002X", session_id="s-pii")
    sent = fake_rasa.received[-1]["message"]
    assert "13800138000" not in sent and "11010519491231002X" not in sent
    assert "138****8000" in sent and "110105********002X" in sent
    assert memory_vault.entries == [("s-pii", "138****8000", "13800138000")]


def test_gateway_logs_hold_no_raw_number(fake_rasa: Any, build_service: Any, memory_vault: Any) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # deliberately without MaskingFilter
    chat_logger = logging.getLogger("bot.chat")
    chat_logger.addHandler(handler)
    old_level = chat_logger.level
    chat_logger.setLevel(logging.DEBUG)
    try:
        run_turn(build_service(fake_rasa.url, vault=memory_vault), "回声 13912345678")
    finally:
        chat_logger.removeHandler(handler)
        chat_logger.setLevel(old_level)
    out = stream.getvalue()
    assert "139****5678" in out  # the debug line shows the masked text
    assert "13912345678" not in out


@pytest.mark.parametrize("text", ["", "   ", "问" * 2001, "a\x00b"])
def test_rejected_input_never_reaches_rasa(fake_rasa: Any, build_service: Any, text: str) -> None:
    resp, status = run_turn(build_service(fake_rasa.url), text)
    assert status == 200
    assert resp.meta.kind == "rejected"
    assert len(resp.replies) == 1 and resp.replies[0].text
    assert fake_rasa.received == []


def test_html_is_not_echoed_in_a_rejection(fake_rasa: Any, build_service: Any) -> None:
    resp, _ = run_turn(build_service(fake_rasa.url), "<script>alert(1)</script>" + "x" * 600)
    assert "<script>" not in resp.replies[0].text


def test_no_meta_means_smalltalk(fake_rasa: Any, build_service: Any) -> None:
    resp, _ = run_turn(build_service(fake_rasa.url), "在吗")
    assert resp.replies[0].text == "您好，我在。"
    assert resp.meta.kind == "smalltalk"
    assert resp.meta.item is None and resp.meta.sources == []


def test_silent_rasa_turn_is_system_busy(fake_rasa: Any, build_service: Any) -> None:
    """The reported fault: with the action server down Rasa answers nothing, and the citizen was told
    "please rephrase" (HTTP 200), so their next, different message was filed as the form's answer."""
    resp, status = run_turn(build_service(fake_rasa.url), "网上提交三次都被退回", session_id="s-form")
    assert status == 503
    assert resp.meta.kind == "handoff"
    assert resp.replies[0].text == texts.SYSTEM_BUSY
    assert "系统繁忙" in resp.replies[0].text and "12345" in resp.replies[0].text
    assert "换一种说法" not in resp.replies[0].text
    assert fake_rasa.tracker_events == []  # nothing is rewritten in Rasa (see ChatService.handle_turn)


def test_a_phone_the_vault_cannot_keep_stops_the_turn(fake_rasa: Any, build_service: Any) -> None:
    """The reported fault: a phone given during a database outage never reached the ticket."""

    class BrokenVault:
        def remember(self, session_id: str, masked: str, raw: str) -> None:
            raise ConnectionError("database down")

    service = build_service(fake_rasa.url, vault=BrokenVault())
    resp, status = run_turn(service, "回声 我的电话13800138000", session_id="s-vault")
    assert status == 503
    assert resp.replies[0].text == texts.CONTACT_NOT_SAVED
    assert fake_rasa.received == []  # nothing reached Rasa: the form still waits for the number


def test_rasa_down_gives_apology_helpline_handoff_503(dead_url: str, build_service: Any) -> None:
    resp, status = run_turn(build_service(dead_url), "护士执业注册要什么材料")
    assert status == 503
    assert resp.meta.kind == "handoff"
    assert "12345" in resp.replies[0].text


def test_rasa_error_status_is_treated_as_down(fake_rasa: Any, build_service: Any) -> None:
    fake_rasa.webhook_status = 500
    resp, status = run_turn(build_service(fake_rasa.url), "护士执业注册要什么材料")
    assert (status, resp.meta.kind) == (503, "handoff")


def test_handler_messages_come_first_then_rasa(fake_rasa: Any, build_service: Any, memory_inbox: Any) -> None:
    memory_inbox.add(
        "s-inbox", "您反映的问题已办结，请评价。", [{"title": "满意", "payload": '/rate{"rating": "满意"}'}]
    )
    service = build_service(fake_rasa.url, inbox=memory_inbox)
    resp, _ = run_turn(service, "在吗", session_id="s-inbox")
    assert [r.text for r in resp.replies] == ["您反映的问题已办结，请评价。", "您好，我在。"]
    assert resp.replies[0].buttons[0].title == "满意"
    # delivered once only
    resp2, _ = run_turn(service, "在吗", session_id="s-inbox")
    assert [r.text for r in resp2.replies] == ["您好，我在。"]


def test_poll_inbox_returns_pending_messages(fake_rasa: Any, build_service: Any, memory_inbox: Any) -> None:
    memory_inbox.add("s-poll", "工作人员已受理")
    service = build_service(fake_rasa.url, inbox=memory_inbox)
    first = asyncio.run(service.poll_inbox("s-poll"))
    second = asyncio.run(service.poll_inbox("s-poll"))
    assert [r.text for r in first.replies] == ["工作人员已受理"]
    assert second.replies == []


# ---- parsing and merging without a server ----


def test_parse_messages_last_meta_wins_and_buttons_attach() -> None:
    turn = parse_messages(
        [
            {"text": "第一段"},
            {"custom": {"meta": {"kind": "clarify"}}},
            {"text": "第二段", "buttons": [{"title": "是", "payload": "/affirm"}, {"title": "否"}]},
            {"buttons": [{"title": "转人工", "payload": "/handoff"}]},
            {"image": "https://example.org/x.png"},
            {"custom": {"meta": {"kind": "escalate", "item": None}}},
        ]
    )
    assert [r.text for r in turn.replies] == ["第一段", "第二段"]
    assert [b.payload for b in turn.replies[1].buttons] == ["/affirm", "否", "/handoff"]
    assert turn.meta == {"kind": "escalate", "item": None}


def test_parse_messages_refuses_non_list() -> None:
    with pytest.raises(RasaUnavailableError):
        parse_messages({"error": "x"})


def test_build_meta_defaults_and_normalises() -> None:
    meta = build_meta({"kind": "ticket_created", "ticket": {"number": "BBC-20261122-0001", "status": "已提交"}})
    assert meta.kind == "ticket_created"
    assert meta.ticket is not None and meta.ticket.id == "BBC-20261122-0001"
    assert meta.item is None and meta.aspect is None and meta.confidence is None and meta.sources == []
    assert build_meta({"kind": "nonsense"}).kind == "smalltalk"
    assert build_meta(None).kind == "smalltalk"
    weird = build_meta({"kind": "answer", "confidence": "high", "sources": [{"title": "指南", "url": ""}, "x"]})
    assert weird.confidence is None
    assert [s.title for s in weird.sources] == ["指南"] and weird.sources[0].url is None


def test_the_meta_keeps_the_policy_point_an_answer_cites() -> None:
    meta = build_meta({"kind": "answer", "policy": "plan-2024.p03", "guide": None})
    assert meta.policy == "plan-2024.p03"
    assert build_meta({"kind": "answer", "policy": 3}).policy is None  # not a point id: dropped
