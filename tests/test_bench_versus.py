"""The benchmark's closed-loop client, against a loopback server with a known service time."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.versus import FreshTexts, Target, closed_loop, repeated


def test_closed_loop_counts_messages_latency_and_errors() -> None:
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            time.sleep(0.05)
            status = 500 if body["message"] == "fail" else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/rest/webhook"
    try:
        target = Target(url, lambda s, m: {"sender": s, "message": m}, repeated(["hi", "fail"]), 2)
        load = asyncio.run(closed_loop(target, users=2, duration_s=1.0))
    finally:
        server.shutdown()
        server.server_close()
    summary = load.summary()
    # Two users, at least 50 ms per message, one second: at most 40 messages, half of them failing
    # (fewer on a busy machine); only successes count towards throughput and latency.
    assert 4 <= summary["messages"] + summary["errors"] <= 42
    assert summary["errors"] >= 2 and summary["messages"] >= 2
    assert abs(summary["messages"] - summary["errors"]) <= 2
    assert summary["latency_ms_p50"] >= 50
    assert summary["msg_per_s"] == summary["messages"] / 1.0
    assert len({b["sender"] for b in seen}) >= 2  # one session per user (and per round)


def test_slices_alternate_so_a_drifting_load_weighs_on_every_bot_alike() -> None:
    from bench.versus import ratios, slice_order

    assert slice_order(2, with_base=False) == ["starter", "assistant", "assistant", "starter"]
    assert slice_order(2, with_base=True) == ["starter", "assistant", "base", "base", "assistant", "starter"]
    assert slice_order(3, with_base=False)[4:] == ["starter", "assistant"]
    ours = {"msg_per_s": 30.0, "latency_ms_p50": 33.0, "latency_ms_p95": 60.0}
    starter = {"msg_per_s": 20.0, "latency_ms_p50": 30.0}
    assert ratios(ours, starter) == {"throughput_ratio": 1.5, "p50_ratio": 1.1, "p95_ratio": None}


def test_fresh_texts_are_new_tuning_questions_then_come_back_with_a_suffix(tmp_path: Path) -> None:
    rows = [
        {"text": "护士执业注册要什么材料", "kind": "in_domain", "split": "tuning"},
        {"text": "医保报销找谁", "kind": "other_department", "split": "tuning"},
        {"text": "诊所备案要多久", "kind": "policy", "split": "tuning"},
        {"text": "我要投诉卫生院", "kind": "complaint", "split": "tuning"},  # would open the intake
        {"text": "你好", "kind": "smalltalk", "split": "tuning"},
        {"text": "盲测的问题", "kind": "in_domain", "split": "blind"},  # never sent
    ]
    bank = tmp_path / "tuning.jsonl"
    bank.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    texts = FreshTexts(bank)
    sent = [texts(i) for i in range(7)]
    assert sorted(sent[:3]) == sorted(["护士执业注册要什么材料", "医保报销找谁", "诊所备案要多久"])
    assert len(set(sent)) == 7  # every message a text not sent before
    assert sent[3:6] == [f"{t}（1）" for t in sent[:3]] and sent[6] == f"{sent[0]}（2）"
    assert FreshTexts(bank)(0) == sent[0]  # the same order for every stack of a run
