"""Retrieval benchmark: index build time, warm single-query latency (p50/p95), memory and accuracy,
for dense-only, lexical-only and the fused engine, on the same questions.

`make bench` runs it; figures are printed and written to bench/results/retrieval.json, which the
README quotes. Questions: the first turns of ../shared/eval/dev.jsonl and evaluation/data/heldout.jsonl
expected to be answers (item top-1 is measured on them too, so each channel's worth shows).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.stats import percentiles, write_results
from evaluation.conversations import load_conversations
from knowledge.catalog import load_catalog
from knowledge.config import get_settings
from knowledge.engine import Engine, Tuning
from knowledge.retrieve.dense import DenseChannel

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILES = [ROOT.parent / "shared" / "eval" / "dev.jsonl", ROOT / "evaluation" / "data" / "heldout.jsonl"]
OUT = ROOT / "bench" / "results" / "retrieval.json"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _questions() -> list[tuple[str, str]]:
    out = []
    for path in QUESTION_FILES:
        if path.exists():
            for conv in load_conversations(path):
                first = conv.turns[0]
                if first.expect.kind == "answer" and first.expect.item:
                    out.append((first.user, first.expect.item))
    return out


def main() -> int:
    from knowledge.embedding.embedders import get_embedder

    questions = _questions()
    catalog = load_catalog()
    rss_start = _rss_mb()
    embedder = get_embedder(get_settings())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        dense = DenseChannel.open(catalog.chunks, embedder, Path(tmp))  # a cold build, not the cached index
    build_s = time.perf_counter() - started
    rss_model = _rss_mb()

    configs = {
        "dense_only": Tuning(use_lexical=False, use_names=False),
        "lexical_only": Tuning(use_dense=False),
        "dense_plus_bm25": Tuning(use_names=False),
        "fused": Tuning(),
    }
    results: dict[str, object] = {
        "questions": len(questions),
        "chunks": len(catalog.chunks),
        "embedder": embedder.name,
        "index_build_seconds": round(build_s, 2),
        "rss_mb_before_model": round(rss_start, 1),
        "rss_mb_after_model_and_index": round(rss_model, 1),
    }
    for name, tuning in configs.items():
        engine = Engine(catalog, dense if tuning.use_dense else None, tuning=tuning)
        engine.ask("护士执业注册要什么材料")  # warm
        latencies = []
        top1 = 0
        for question, expected in questions:
            t0 = time.perf_counter()
            answer = engine.ask(question)
            latencies.append((time.perf_counter() - t0) * 1000)
            names = [answer.item.name] if answer.item else [c.name for c in answer.candidates[:1]]
            top1 += bool(names) and expected in names[0]
        results[name] = {"item_top1": round(top1 / len(questions), 4), **percentiles(latencies)}
    results["rss_mb_peak"] = round(_rss_mb(), 1)
    write_results(OUT, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
