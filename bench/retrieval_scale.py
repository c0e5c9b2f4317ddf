"""Retrieval with a knowledge base `SCALE_COPIES` (default 100) times larger: warm `Engine.ask` p50/p95.

    .venv/bin/python -m bench.retrieval_scale

The larger knowledge base is SYNTHETIC and lives only in memory: every curated item is copied
`SCALE_COPIES - 1` times under an invented place name ("合成甲子市" … "合成癸亥市"), with its code,
name, aliases and guide ids and regions changed accordingly; the guides' contents are the curated ones.
Nothing is written into knowledge/data/. The chunks are embedded with the real e5 model in batches of
`SCALE_BATCH` (default 512); each batch's vectors are cached under var/bench-scale/ by the hash of its
texts, so an interrupted run resumes and a second run embeds nothing. Only `SCALE_EMBED_COPIES` (default
10: about 3,200 chunks, some ten minutes on this machine; all 100 would take about 1½ hours) copies are
embedded with e5; the rest get random unit vectors of the same dimension (labelled in the results): the
faiss and engine timings at full size stay real, the dense scores of those copies are noise.

The questions are the first turns of ../shared/eval/dev.jsonl and evaluation/data/heldout.jsonl (as
bench/retrieval.py); each is asked once to warm, then timed `SCALE_ROUNDS` (default 3) times, each time
also on an engine over the curated knowledge base alone (same vectors, same minutes), for comparison.
`SCALE_PROFILE=1` prints a cProfile of one more pass. The dense channel scores the nearest
`KNOWLEDGE_DENSE_TOP_K` chunks (default 500). Results: bench/results/retrieval_scale.json.
"""

from __future__ import annotations

import cProfile
import hashlib
import os
import pstats
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.retrieval import _questions, _rss_mb
from bench.stats import percentiles, write_results
from knowledge.catalog import Catalog, load_catalog
from knowledge.schema import ServiceItem

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "retrieval_scale.json"
CACHE = ROOT / "var" / "bench-scale"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉"


def place(copy: int) -> str:
    """An invented city name per copy (1..99): "合成甲子市"."""
    return f"合成{_STEMS[copy // 10 % 10]}{_BRANCHES[copy % 10]}市"


def synthetic_items(items: list[ServiceItem], copies: int) -> list[ServiceItem]:
    out = list(items)
    for k in range(1, copies):
        city = place(k)
        for item in items:
            guides = [
                g.model_copy(update={"id": f"{g.id}.syn{k:02d}", "region": city, "national": False})
                for g in item.guides
            ]
            out.append(
                item.model_copy(
                    update={
                        "code": f"{item.code}-syn{k:02d}",
                        "name": f"{city}{item.name}",
                        "aliases": [f"{city}{a}" for a in item.aliases],
                        "guides": guides,
                        "related": [],
                    }
                )
            )
    return out


def embed_cached(texts: list[str], embed: Any, *, batch: int, name: str) -> np.ndarray:
    """Embed ``texts`` in batches, each batch's vectors cached on disk under the hash of its texts."""
    folder = CACHE / name
    folder.mkdir(parents=True, exist_ok=True)
    parts = []
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        key = hashlib.sha256("\x1f".join(chunk).encode("utf-8")).hexdigest()[:24]
        path = folder / f"{key}.npy"
        if path.exists():
            parts.append(np.load(path))
            continue
        vectors = np.asarray(embed(chunk), dtype=np.float32)
        np.save(path, vectors)
        parts.append(vectors)
        done = start + len(chunk)
        rate = done / max(1e-9, time.perf_counter() - started)
        print(f"embedded {done}/{len(texts)} ({rate:.0f}/s so far incl. cached batches)", flush=True)
    return np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)


def main() -> int:
    from knowledge.config import get_settings
    from knowledge.embedding.embedders import get_embedder
    from knowledge.engine import Engine
    from knowledge.learned.predictors import with_query_cache
    from knowledge.retrieve.dense import DenseChannel
    from knowledge.vector_index import VectorIndex

    copies = int(os.environ.get("SCALE_COPIES", "100"))
    embed_copies = min(copies, int(os.environ.get("SCALE_EMBED_COPIES", "10")))
    batch = int(os.environ.get("SCALE_BATCH", "512"))
    rounds = int(os.environ.get("SCALE_ROUNDS", "3"))
    base = load_catalog()
    catalog = Catalog(synthetic_items(base.items, copies), base.policies, f"synthetic-{copies}", base.referrals)
    embedder = with_query_cache(get_embedder())
    real_codes = {i.code for i in synthetic_items(base.items, embed_copies)}
    real = [c for c in catalog.chunks if c.item_code is None or c.item_code in real_codes]
    rest = [c for c in catalog.chunks if not (c.item_code is None or c.item_code in real_codes)]

    started = time.perf_counter()
    vectors_real = embed_cached([c.text for c in real], embedder.embed_passages, batch=batch, name=embedder.name)
    embed_s = time.perf_counter() - started
    rng = np.random.default_rng(11)
    noise = rng.standard_normal((len(rest), embedder.dim)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True) if len(rest) else 1.0
    order = real + rest
    vectors = np.concatenate([vectors_real, noise]) if len(rest) else vectors_real
    started = time.perf_counter()
    dense = DenseChannel(embedder, VectorIndex.build(vectors, [c.id for c in order]))
    faiss_build_s = time.perf_counter() - started
    settings = get_settings()
    started = time.perf_counter()
    engine = Engine(catalog, dense, dense_top_k=settings.dense_top_k)
    engine_build_s = time.perf_counter() - started
    # The curated knowledge base on the same vectors (its chunks are among the e5-embedded ones), timed
    # on the same questions in the same minutes, for comparison.
    by_id = dict(zip((c.id for c in order), vectors, strict=True))
    curated_dense = DenseChannel(
        embedder, VectorIndex.build(np.stack([by_id[c.id] for c in base.chunks]), [c.id for c in base.chunks])
    )
    curated = Engine(base, curated_dense, dense_top_k=settings.dense_top_k)

    questions = _questions()
    load_at_start = os.getloadavg()
    started_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    for q, _ in questions:
        engine.ask(q)  # warm: the query vectors are cached from here on, as in a turn after the gate
        curated.ask(q)
    latencies: list[float] = []
    curated_latencies: list[float] = []
    top1 = 0
    for _ in range(rounds):
        for q, expected in questions:
            t0 = time.perf_counter()
            curated.ask(q)
            curated_latencies.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            answer = engine.ask(q)
            latencies.append((time.perf_counter() - t0) * 1000)
            names = [answer.item.name] if answer.item else [c.name for c in answer.candidates[:1]]
            top1 += bool(names) and expected == names[0]
    if os.environ.get("SCALE_PROFILE"):
        profile = cProfile.Profile()
        profile.runcall(lambda: [engine.ask(q) for q, _ in questions])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    query = engine.analyse(questions[0][0])
    channels: dict[str, dict[str, float]] = {}
    for ch in engine.retriever.channels:
        times = []
        for _ in range(50):
            t0 = time.perf_counter()
            ch.score(query)
            times.append((time.perf_counter() - t0) * 1000)
        channels[ch.name] = percentiles(times)
    vec = embedder.embed_queries([query.norm])
    faiss_times: dict[int, list[float]] = {50: [], settings.dense_top_k: []}
    for _ in range(50):
        for k, times in faiss_times.items():
            t0 = time.perf_counter()
            dense.index.search_rows(vec[0], k)
            times.append((time.perf_counter() - t0) * 1000)
    results: dict[str, Any] = {
        "synthetic": True,
        "copies": copies,
        "items": len(catalog.items),
        "chunks": len(catalog.chunks),
        "chunks_curated": len(base.chunks),
        "chunks_embedded_with_e5": len(real),
        "chunks_random_vectors": len(rest),
        "embedder": embedder.name,
        "embedding_seconds_this_run": round(embed_s, 1),
        "faiss_build_seconds": round(faiss_build_s, 2),
        "engine_build_seconds": round(engine_build_s, 2),
        "dense_top_k": settings.dense_top_k,
        "questions": len(questions),
        "rounds": rounds,
        "warm_engine_ask": percentiles(latencies),
        "warm_engine_ask_curated_same_run": percentiles(curated_latencies),
        "item_top1_exact_name": round(top1 / len(latencies), 4) if latencies else None,
        "channel_score_ms": channels,
        "faiss_search_ms": {f"top{k}": percentiles(times) for k, times in faiss_times.items()},
        "rss_mb": round(_rss_mb(), 1),
        "timed_from": started_at,
        "load_average_at_start": [round(x, 2) for x in load_at_start],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "note": "warm: query vectors cached (the gateway's gate embeds each question once before the engine)",
    }
    write_results(OUT, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
