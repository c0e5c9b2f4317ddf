"""Per-hop profile of a chat turn on the real stack: where the time of one `POST /api/chat` goes.

    .venv/bin/python -m bench.hops          # `make profile`

Starts its own stack on loopback (ports from `HOPS_PORT`, default 19440: app, +5 Rasa, +15 action
server; a throw-away var folder), with Rasa under `bench/rasa_timed.py` (a stopwatch on its NLU,
policies, tracker store and action calls) and the app with `SERVER_TIMING=1` (the gateway's own hops in
the `Server-Timing` header). Drives `/api/chat` with the `bench/versus.py` client at each of `HOPS_USERS`
(default "1,16") for `HOPS_DURATION_S` (default 40) after `HOPS_WARMUP_S` (default 8), with the five-message
conversation repeated or, with `HOPS_TEXTS=fresh`, a new question every message (`bench.versus.FreshTexts`;
`HOPS_OUT` writes the results elsewhere), then times the
knowledge engine's stages in this process (real e5, single questions). Writes bench/results/hops.json and
prints the table `docs/design/speed.md` quotes. Timings on a shared machine are noisy: compare hops
within one run.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from bench.stats import write_results
from bench.versus import ASSISTANT_MESSAGES, FreshTexts, Texts, assistant_target, drive
from scripts.stack import ROOT, Stack, StackConfig

OUT = ROOT / "bench" / "results" / "hops.json"
_TIMING = re.compile(r"([A-Za-z0-9_]+);dur=([0-9.]+)")
_METRIC = re.compile(
    r'^bbc_http_request_duration_seconds_(sum|count)\{method="POST",route="/api/search"\} ([0-9.e+]+)$'
)
RASA_HOPS = ("rasa_turn", "nlu", "policies", "tracker_retrieve", "tracker_save", "action_call")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[int(q * (len(ordered) - 1))], 1) if ordered else float("nan")


def _search_totals(app_url: str) -> tuple[float, float]:
    """(sum of seconds, count) of `/api/search` requests so far, from the app's /metrics."""
    found = {"sum": 0.0, "count": 0.0}
    for line in httpx.get(app_url + "/metrics", timeout=10).text.splitlines():
        m = _METRIC.match(line)
        if m:
            found[m.group(1)] = float(m.group(2))
    return found["sum"], found["count"]


def _rasa_snapshot(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _rasa_delta(before: dict[str, Any], after: dict[str, Any], turns: int) -> dict[str, Any]:
    """Per hop: calls per turn, mean ms per turn, p50/p95 ms per call, over the calls between the snapshots."""
    out: dict[str, Any] = {}
    for hop in RASA_HOPS:
        a, b = after.get(hop), before.get(hop, {"count": 0, "sum_ms": 0.0})
        if not a:
            continue
        calls = a["count"] - b["count"]
        samples = a["samples_ms"][-calls:] if 0 < calls <= len(a["samples_ms"]) else []
        out[hop] = {
            "calls_per_turn": round(calls / turns, 2) if turns else None,
            "ms_per_turn": round((a["sum_ms"] - b["sum_ms"]) / turns, 1) if turns else None,
            "p50_ms_per_call": _pct(samples, 0.5),
            "p95_ms_per_call": _pct(samples, 0.95),
        }
    return out


def drive_level(
    app_url: str, rasa_file: Path, users: int, duration: float, warmup: float, texts: Texts | None = None
) -> dict[str, Any]:
    steps: dict[str, list[float]] = defaultdict(list)

    def on_response(resp: httpx.Response) -> None:
        for name, ms in _TIMING.findall(resp.headers.get("server-timing", "")):
            steps[name].append(float(ms))

    # Snapshots are taken around the whole level; the warm-up turns count in Rasa's and /api/search's
    # totals too, so those are divided by all turns made (measured + warm-up, counted by the app).
    rasa_before, search_before = _rasa_snapshot(rasa_file), _search_totals(app_url)
    turns_before = _chat_turns(app_url)
    target = assistant_target(app_url, texts)
    load = drive(target, users=users, duration_s=duration, warmup_s=warmup, on_response=on_response)
    time.sleep(6)  # let rasa_timed write its next snapshot
    turns = _chat_turns(app_url) - turns_before
    search_after = _search_totals(app_url)
    searches = search_after[1] - search_before[1]
    gateway = {
        name: {
            "p50_ms": _pct(v, 0.5),
            "p95_ms": _pct(v, 0.95),
            "mean_ms": round(statistics.fmean(v), 1),
            "share_of_turns": round(len(v) / max(1, len(load.latencies_ms)), 2),
        }
        for name, v in steps.items()
    }
    return {
        "client": load.summary(),
        "gateway": gateway,
        "rasa": _rasa_delta(rasa_before, _rasa_snapshot(rasa_file), turns),
        "search": {
            "calls_per_turn": round(searches / turns, 2) if turns else None,
            "mean_ms_per_call": round(1000 * (search_after[0] - search_before[0]) / searches, 1) if searches else None,
        },
        "turns_counted": turns,
    }


def _chat_turns(app_url: str) -> int:
    total = 0.0
    for line in httpx.get(app_url + "/metrics", timeout=10).text.splitlines():
        if line.startswith("bbc_chat_turns_total{"):
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


def engine_stages(questions: list[str], rounds: int = 3) -> dict[str, Any]:
    """The knowledge engine's stages, timed one by one on single questions (this process, real e5)."""
    from knowledge.learned.predictors import QueryCachingEmbedder
    from knowledge.service import gate_verdict, get_engine

    gated = get_engine()
    engine = getattr(gated, "engine", gated)
    embedder = engine.dense.embedder if engine.dense is not None else None
    inner = embedder.inner if isinstance(embedder, QueryCachingEmbedder) else embedder
    times: dict[str, list[float]] = defaultdict(list)

    def timed(name: str, fn: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        result = fn(*args)
        times[name].append((time.perf_counter() - t0) * 1000)
        return result

    for r in range(rounds):
        for n, q in enumerate(questions):
            text = f"{q}{'？' * (r + 1)}{n}"  # a text the query cache has not seen: the gate embeds it
            timed("gate: e5 query embedding + kind head (cache miss)", gate_verdict, text)
            timed("engine.ask after the gate (embedding cached)", gated.ask, text)
            if inner is not None and engine.dense is not None:
                vec = timed("e5 query embedding alone", inner.embed_queries, [text])
                timed("faiss search alone (all chunks)", engine.dense.index.search, vec, len(engine.catalog.chunks))
            query = timed("analyse", engine.analyse, text)
            for ch in engine.retriever.channels:  # the FAQ channel's scores read, as its rule would (lazy)
                timed(f"channel {ch.name} (embedding cached)", lambda c=ch, q=query: dict(c.score(q).faqs))
    return {name: {"p50_ms": _pct(v, 0.5), "p95_ms": _pct(v, 0.95)} for name, v in times.items()}


def _table(results: dict[str, Any]) -> str:
    lines = ["| hop | " + " | ".join(f"{u} user(s)" for u in results["levels"]) + " |"]
    lines.append("|---|" + "---|" * len(results["levels"]))
    levels = list(results["levels"].values())

    def row(label: str, get: Any) -> None:
        lines.append(f"| {label} | " + " | ".join(str(get(lv)) for lv in levels) + " |")

    row("client: msg/s", lambda lv: lv["client"].get("msg_per_s"))
    row(
        "client: p50 / p95 ms",
        lambda lv: f"{lv['client'].get('latency_ms_p50')} / {lv['client'].get('latency_ms_p95')}",
    )
    for name in ("app", "mask", "vault", "inbox", "gate", "rasa", "offered"):
        row(
            f"gateway {name}: p50 / p95 ms",
            lambda lv, n=name: (
                f"{lv['gateway'][n]['p50_ms']} / {lv['gateway'][n]['p95_ms']}" if n in lv["gateway"] else "–"
            ),
        )
    for hop in RASA_HOPS:
        row(
            f"Rasa {hop}: ms per turn (calls)",
            lambda lv, h=hop: (
                f"{lv['rasa'][h]['ms_per_turn']} ({lv['rasa'][h]['calls_per_turn']})" if h in lv["rasa"] else "–"
            ),
        )
    row(
        "app /api/search: ms per call (calls per turn)",
        lambda lv: f"{lv['search']['mean_ms_per_call']} ({lv['search']['calls_per_turn']})",
    )
    return "\n".join(lines)


def main() -> int:
    port = int(os.environ.get("HOPS_PORT", "19440"))
    duration = float(os.environ.get("HOPS_DURATION_S", "40"))
    warmup = float(os.environ.get("HOPS_WARMUP_S", "8"))
    levels = [int(u) for u in os.environ.get("HOPS_USERS", "1,16").split(",")]
    mode = os.environ.get("HOPS_TEXTS", "repeated").strip()
    if mode not in ("repeated", "fresh"):
        raise SystemExit(f"HOPS_TEXTS: {mode!r} (repeated or fresh)")
    fresh = FreshTexts() if mode == "fresh" else None
    results: dict[str, Any] = {"duration_s": duration, "warmup_s": warmup, "texts": mode, "levels": {}}
    with tempfile.TemporaryDirectory(prefix="hops-") as tmp:
        var = Path(tmp)
        rasa_file = var / "rasa_hops.json"
        config = StackConfig(
            app_port=port,
            rasa_port=port + 5,
            action_port=port + 15,
            var_dir=var,
            log_dir=var / "logs",
            extra_env={"SERVER_TIMING": "1", "KNOWLEDGE_INDEX_DIR": str(ROOT / "var" / "index")},
            rasa_command=[str(ROOT / ".venv-rasa" / "bin" / "python"), "-m", "bench.rasa_timed", str(rasa_file)],
        )
        stack = Stack(config)
        stack.start()
        try:
            stack.wait_ready(timeout=900)
            results["load_average_start"] = os.getloadavg()
            for users in levels:
                results["levels"][str(users)] = drive_level(config.app_url, rasa_file, users, duration, warmup, fresh)
                print(f"{users} user(s): {json.dumps(results['levels'][str(users)]['client'])}", flush=True)
            results["load_average_end"] = os.getloadavg()
        finally:
            stack.stop()
    results["engine_stages"] = engine_stages([m for m in ASSISTANT_MESSAGES if len(m) > 6] + ["我想开一家诊所要办什么"])
    results["table"] = _table(results)
    write_results(Path(os.environ.get("HOPS_OUT") or OUT), results)
    print(results["table"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
