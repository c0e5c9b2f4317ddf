"""WeChat channel benchmark: 16 simulated citizens chatting at once through ``/wechat``.

Starts the fake WeChat API and the real stack (Rasa, actions, app) with the WeChat channel on
(encrypted mode), then lets 16 simulators send user turns of ../shared/eval/dev.jsonl and the held-out set (each
citizen its own conversations, 0.5–1.5 s between messages, fixed seed). Measures what WeChat sees
(the HTTP answer to each push: a passive reply or an empty ``success``) and when the citizen has the
answer (passive, or the first customer-service message through the outbox). Writes bench/results/wechat.json.

    .venv/bin/python -m bench.wechat [--users 16] [--messages-per-user 6]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.stats import percentiles, write_results
from bot.channels.wechat.fake_api import FakeWeChatApi
from bot.channels.wechat.simulator import WeChatSimulator
from evaluation.conversations import load_conversations
from scripts.stack import ROOT, Stack, StackConfig

OUT = ROOT / "bench" / "results" / "wechat.json"
FILES = [ROOT.parent / "shared" / "eval" / "dev.jsonl", ROOT / "evaluation" / "data" / "heldout.jsonl"]
TOKEN, APP_ID, SECRET = "bench-token", "wxbench000000001", "bench-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TARGET_P95_MS = 4500.0
CS_WAIT_S = 60.0


@dataclass
class Sample:
    response_ms: float  # what WeChat waited for
    answer_ms: float | None  # until the citizen had the answer (None: none arrived in time)
    passive: bool
    attempts: int


def _citizen(url: str, fake: FakeWeChatApi, turns: list[str], seed: int, out: list[Sample]) -> None:
    rng = random.Random(seed)
    sim = WeChatSimulator(url, token=TOKEN, app_id=APP_ID, aes_key=AES_KEY, openid=f"oBench{seed:04d}x")
    for text in turns:
        seen = len(fake.messages(sim.openid))
        t0 = time.perf_counter()
        reply = sim.send_text(text)
        response_ms = (time.perf_counter() - t0) * 1000
        answer_ms: float | None = response_ms if reply.text is not None else None
        if reply.text is None:
            deadline = time.monotonic() + CS_WAIT_S
            while time.monotonic() < deadline:
                if len(fake.messages(sim.openid)) > seen:
                    answer_ms = (time.perf_counter() - t0) * 1000
                    break
                time.sleep(0.1)
        out.append(Sample(response_ms, answer_ms, reply.text is not None, reply.attempts))
        time.sleep(rng.uniform(0.5, 1.5))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="WeChat passive-reply latency with concurrent citizens.")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--messages-per-user", type=int, default=6)
    args = parser.parse_args(argv)

    turns = [t.user for path in FILES if path.exists() for conv in load_conversations(path) for t in conv.turns]
    rng = random.Random(20261130)
    rng.shuffle(turns)
    per_user = [turns[i * args.messages_per_user : (i + 1) * args.messages_per_user] for i in range(args.users)]

    fake = FakeWeChatApi(app_id=APP_ID, secret=SECRET).start()
    offset = int(os.environ.get("E2E_PORT_OFFSET", "0")) + 50
    var = Path(tempfile.mkdtemp(prefix="bench-wechat-"))
    config = StackConfig(
        app_port=18000 + offset,
        rasa_port=15005 + offset,
        action_port=15055 + offset,
        var_dir=var,
        log_dir=var / "logs",
        extra_env={
            "DATABASE_URL": f"sqlite:///{var}/tickets.db",
            "RASA_TRACKER_DB": str(var / "rasa_tracker.db"),
            "KNOWLEDGE_INDEX_DIR": str(ROOT / "var" / "index"),
            "WECHAT_TOKEN": TOKEN,
            "WECHAT_APP_ID": APP_ID,
            "WECHAT_APP_SECRET": SECRET,
            "WECHAT_ENCODING_AES_KEY": AES_KEY,
            "WECHAT_API_BASE": fake.url,
            "OUTBOX_POLL_INTERVAL_S": "0.5",
        },
    )
    stack = Stack(config)
    stack.start()
    samples: list[Sample] = []
    try:
        stack.wait_ready(timeout=900)
        WeChatSimulator(f"{config.app_url}/wechat", token=TOKEN, app_id=APP_ID, aes_key=AES_KEY).send_text("你好")
        t0 = time.perf_counter()
        threads = [
            threading.Thread(target=_citizen, args=(f"{config.app_url}/wechat", fake, per_user[i], i, samples))
            for i in range(args.users)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall_s = time.perf_counter() - t0
    finally:
        stack.stop()
        fake.stop()

    passive = [s.response_ms for s in samples if s.passive]
    answered = [s.answer_ms for s in samples if s.answer_ms is not None]
    result = {
        "users": args.users,
        "messages": len(samples),
        "wall_s": round(wall_s, 1),
        "passive_share": round(len(passive) / max(len(samples), 1), 3),
        "retries_seen": sum(s.attempts - 1 for s in samples),
        "response": percentiles([s.response_ms for s in samples]),
        "passive_reply": percentiles(passive) if passive else None,
        "time_to_answer": percentiles([a for a in answered]) if answered else None,
        "unanswered": sum(1 for s in samples if s.answer_ms is None),
        "target_passive_p95_ms": TARGET_P95_MS,
        "machine": f"{os.cpu_count()} cores, shared with other work",
    }
    write_results(OUT, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
