"""Where the gate runs: on the event loop when its query vector is cached (a few milliseconds of CPU, less
than two thread hand-offs), in the thread pool when it must run the model (the loop keeps serving)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from bot.chat.rasa_client import RasaClient
from bot.chat.schemas import ChatRequest
from bot.chat.service import ChatService
from knowledge.learned.gate import GateVerdict
from tests.chat.conftest import make_settings


def test_the_gate_runs_on_the_loop_only_when_it_needs_no_model(fake_rasa: Any) -> None:
    fake_rasa.respond = lambda sender, message: [{"text": "好的。", "custom": {"meta": {"kind": "answer"}}}]
    cached = {"护士执业注册需要什么材料"}
    ran_on: dict[str, str] = {}

    def gate(text: str) -> GateVerdict:
        ran_on[text] = threading.current_thread().name
        return GateVerdict("in_domain", 0.9, True)

    settings = make_settings(fake_rasa.url)
    service = ChatService(
        settings=settings, backend=RasaClient(settings), gate=gate, gate_is_cheap=lambda text: text in cached
    )

    async def turns() -> str:
        for n, text in enumerate(("护士执业注册需要什么材料", "医师资格证怎么考")):
            await service.handle_turn(ChatRequest(session_id=f"t-{n}", text=text))
        return threading.current_thread().name

    loop_thread = asyncio.run(turns())
    assert ran_on["护士执业注册需要什么材料"] == loop_thread
    assert ran_on["医师资格证怎么考"] != loop_thread  # a cache miss embeds: off the loop
    assert all(m["metadata"]["gate"]["kind"] == "in_domain" for m in fake_rasa.received[-2:])
