"""Chat benchmark: per-message latency through POST /api/chat on the running assistant.

Run by `make bench` (which starts the stack). Sends the turns of ../shared/eval/dev.jsonl and
evaluation/data/heldout.jsonl, each conversation in a fresh session, sequentially; prints p50/p95
and writes bench/results/chat.json, which the README quotes. Also records a short transcript.
"""

from __future__ import annotations

import os
import statistics
import time
import uuid
from pathlib import Path

import httpx

from bench.stats import percentiles, write_results
from evaluation.conversations import load_conversations

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT.parent / "shared" / "eval" / "dev.jsonl", ROOT / "evaluation" / "data" / "heldout.jsonl"]
OUT = ROOT / "bench" / "results" / "chat.json"
TRANSCRIPT = ["护士执业首次注册需要什么材料", "那要多久？", "医师呢？", "养犬登记怎么办"]


def main() -> int:
    url = os.environ.get("APP_URL", "http://127.0.0.1:8000")
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for path in FILES:
            if not path.exists():
                continue
            for conv in load_conversations(path):
                session = f"bench-{uuid.uuid4().hex[:8]}"
                for turn in conv.turns:
                    t0 = time.perf_counter()
                    resp = client.post("/api/chat", json={"session_id": session, "text": turn.user})
                    ms = (time.perf_counter() - t0) * 1000
                    latencies.append(ms)
                    kind = (resp.json().get("meta") or {}).get("kind", "?")
                    by_kind.setdefault(kind, []).append(ms)
        session = f"bench-transcript-{uuid.uuid4().hex[:6]}"
        transcript = []
        for text in TRANSCRIPT:
            body = client.post("/api/chat", json={"session_id": session, "text": text}).json()
            transcript.append(
                {"user": text, "bot": "\n".join(r["text"] for r in body["replies"]), "kind": body["meta"]["kind"]}
            )
    result = {
        "messages": len(latencies),
        **percentiles(latencies),
        "by_kind_p50": {k: round(statistics.median(v), 1) for k, v in sorted(by_kind.items())},
        "transcript": transcript,
    }
    write_results(OUT, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
