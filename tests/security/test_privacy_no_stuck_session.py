"""No sequence of messages leaves a session stuck (real stack).

In every state of the complaint intake, every intent is sent both ways a client can send it — as a
button press (``payload``; honoured only when the assistant offered it) and as typed text starting with
``/`` — and after it the citizen types ``/restart`` and an ordinary question: a normal answer must come
back, never the generic fallback on a loop or an error.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from scripts.stack import StackConfig
from tests.security.privacy_stack import PHONE, buttons_of, client_from, press, say, session

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

INTENTS = [
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "ask_item",
    "report_problem",
    "cancel",
    "ask_ticket_status",
    "rate_ticket",
    "ask_human",
    "out_of_scope",
    "chitchat",
    "restart",
]
# The intake, one answer per step: after k steps the form waits for the (k+1)-th slot.
INTAKE = [
    "我要反映办不成的事",
    "医疗广告审查",
    "窗口说这个不归他们管让我去别的部门，别的部门又让我回来",
    "在市政务服务中心窗口",
    PHONE,
]
QUESTION = "护士执业首次注册需要什么材料"  # names the sub-item: a general question asks which one


def _reach(client: httpx.Client, sid: str, steps: int) -> list[str]:
    body: dict = {}
    for text in INTAKE[:steps]:
        body = say(client, sid, text)
        assert body["meta"]["kind"] == "escalate", (text, body)
    return buttons_of(body)


def _recovers(client: httpx.Client, sid: str) -> None:
    say(client, sid, "/restart")
    body = say(client, sid, QUESTION)
    assert body["meta"]["kind"] == "answer", body
    assert "护士" in (body["meta"]["item"] or {}).get("name", ""), body


def _one(stack: StackConfig, steps: int, intent: str, way: str) -> None:
    with client_from(stack, f"127.0.1.{steps}") as client:
        sid = session(f"stuck-{steps}-{intent}-{way}")
        _reach(client, sid, steps)
        send = say if way == "typed" else press
        body = send(client, sid, f"/{intent}")
        assert body.get("replies"), (intent, way, body)
        _recovers(client, sid)


@pytest.mark.parametrize("steps", [1, 2, 3, 4, 5])
def test_every_intent_in_every_intake_state_then_restart_and_a_question(stack: StackConfig, steps: int) -> None:
    cases = [(intent, way) for intent in INTENTS for way in ("typed", "pressed")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(_one, stack, steps, intent, way) for intent, way in cases]:
            future.result()


@pytest.mark.parametrize("steps", [1, 2, 3, 4, 5])
def test_every_offered_button_in_every_intake_state_then_a_question(stack: StackConfig, steps: int) -> None:
    with client_from(stack, f"127.0.2.{steps}") as client:
        offered = _reach(client, session("stuck-probe"), steps)
        for payload in offered:
            sid = session(f"stuck-btn-{steps}")
            assert _reach(client, sid, steps) == offered
            body = press(client, sid, payload)
            assert body.get("replies"), (payload, body)
            _recovers(client, sid)
