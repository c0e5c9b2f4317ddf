"""Does training the learned heads on hand-written rows generalise to a writer not trained on? Leave-one-writer-out.

    python -m evaluation.hand_rows_lowo [--writers tuning9 tuning8 ...] [--variants bank all first] [--out FILE]

For each held-out writer (`knowledge.learned.hand_rows.WRITERS`: round 4's writer wrote both `tuning` and
`seen`, so they are held out together), heads are trained on the bank's tuning part plus the OTHER writers'
hand-written tuning rows (`hand_rows.read_hand_rows`), and measured on the held-out writer's files against
heads trained on the bank alone:
- engine level, the whole engine with those heads (`evaluation.engine_dialogue`): turns passing,
  conversations passing, the answer's aspect on answer turns with a labelled aspect;
- the other-department rows through the gate (`GatedEngine.gate`): confident `other_department`, and through
  the engine: not answered with a guide or policy; the complaint rows through the gate: top kind `complaint`;
- the heads alone on the held-out writer's rows (`hand_rows`): kind accuracy (top kind = label) and aspect
  top-1 (the head's most probable aspect is the labelled one).
Variants: `bank` (the bank's tuning part only), `all` (plus hand rows, follow-ups as kind rows), `first` (plus
hand rows, follow-ups only as aspect rows). Only tuning splits are read; the blind ones never.
Embeddings of training rows are cached in `var/kind_head_cv/` (as `evaluation.kind_head_cv` does).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evaluation import engine_dialogue
from evaluation.kind_head_cv import CachedEmbeddings
from knowledge.learned.hand_rows import HAND_DIR, WRITERS, message_rows, read_hand_rows, read_lines
from knowledge.learned.store import Heads, TrainingRow, load, read_training_rows, rows_hash, train

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
BANK_TUNING = ROOT / "evaluation" / "data" / "bank" / "tuning.jsonl"
VARIANTS = ("bank", "all", "first")


class _CachedEmbedder:
    """The engine's embedder with the training rows' vectors from the disk cache (same vectors, no re-embedding)."""

    def __init__(self, cache: CachedEmbeddings) -> None:
        self.cache = cache
        self.name = cache.embedder.name
        self.dim = cache.embedder.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.cache.embed(list(texts))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.cache.embedder.embed_passages(texts)


def training_rows(variant: str, held_out: str) -> list[TrainingRow]:
    rows = read_training_rows(BANK_TUNING)
    if variant == "bank":
        return rows
    splits = [s for writer, parts in WRITERS.items() if writer != held_out for s in parts]
    return rows + read_hand_rows(splits, followups_for_kind=variant == "all")


def heads_for(rows: list[TrainingRow], embedder: _CachedEmbedder, learned_dir: Path) -> tuple[Heads, float]:
    started = time.perf_counter()
    saved = load(learned_dir / embedder.name, embedder.name, rows_hash(rows))
    heads = saved if saved is not None else train(rows, embedder)
    return heads, time.perf_counter() - started


def _rate(hits: Sequence[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def measure(engine: Any, held_out: str) -> dict[str, Any]:
    """The held-out writer's figures for a gated engine (see the module doc)."""
    from knowledge.learned.predictors import top

    turns = passed = convs = conv_passed = aspect_turns = aspect_passed = 0
    for split in WRITERS[held_out]:
        report = engine_dialogue.run(engine, HAND_DIR / f"{split}.jsonl")
        turns += report["turns"]
        passed += round(report["turn_pass"] * report["turns"])
        convs += report["conversations"]
        conv_passed += round(report["conversation_pass"] * report["conversations"])
        aspect_turns += report["aspect_turns"]
        aspect_passed += round((report["aspect_pass"] or 0) * report["aspect_turns"])
    od_gate: list[bool] = []
    od_no_guide: list[bool] = []
    complaint_gate: list[bool] = []
    kind_hits: list[bool] = []
    aspect_hits: list[bool] = []
    for split in WRITERS[held_out]:
        for row in message_rows(read_lines(HAND_DIR / f"other_departments_{split}.jsonl"), split):
            verdict = engine.gate(row.text)
            od_gate.append(verdict.kind == "other_department" and verdict.confident)
            od_no_guide.append(engine.ask(row.text).kind != "answer")
        for row in message_rows(read_lines(HAND_DIR / f"complaints_{split}.jsonl"), split):
            complaint_gate.append(engine.gate(row.text).kind == "complaint")
    for row in read_hand_rows(WRITERS[held_out]):
        kind_hits.append(top(engine.kind_predictor.predict(row.text))[0] == row.kind)
        if row.aspects is not None:
            aspect_hits.append(top(engine.aspect_predictor.predict(row.text))[0] in row.aspects)
    return {
        "turn_pass": round(passed / turns, 4),
        "conversation_pass": round(conv_passed / convs, 4),
        "answer_aspect": round(aspect_passed / aspect_turns, 4) if aspect_turns else None,
        "od_gate": _rate(od_gate),
        "od_no_guide": _rate(od_no_guide),
        "complaint_gate": _rate(complaint_gate),
        "head_kind": _rate(kind_hits),
        "head_aspect": _rate(aspect_hits),
        "n": {
            "turns": turns,
            "conversations": convs,
            "aspect_turns": aspect_turns,
            "od": len(od_gate),
            "complaints": len(complaint_gate),
            "kind_rows": len(kind_hits),
            "aspect_rows": len(aspect_hits),
        },
    }


COLUMNS = (
    "turn_pass",
    "conversation_pass",
    "answer_aspect",
    "od_gate",
    "od_no_guide",
    "complaint_gate",
    "head_kind",
    "head_aspect",
)


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| held out | variant | train s | " + " | ".join(COLUMNS) + " |", "|---|---|---|" + "---|" * len(COLUMNS)]
    for r in results:
        cells = [f"{100 * r['figures'][c]:.1f}" if r["figures"][c] is not None else "–" for c in COLUMNS]
        lines.append(f"| {r['held_out']} | {r['variant']} | {r['train_seconds']:.0f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from knowledge.config import get_settings
    from knowledge.learned.wiring import attach
    from knowledge.service import get_engine

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", nargs="+", choices=list(WRITERS), default=list(WRITERS))
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    os.environ["KNOWLEDGE_LEARNED"] = "false"  # the engine without heads: each fold attaches its own
    get_settings.cache_clear()
    inner = get_engine()
    settings = get_settings().model_copy(update={"learned": True})
    if inner.dense is None:
        raise SystemExit("the engine has no dense channel: no embedder to train the heads with")
    engine_embedder = inner.dense.embedder
    embedder = _CachedEmbedder(CachedEmbeddings(engine_embedder))
    results: list[dict[str, Any]] = []
    for held_out in args.writers:
        for variant in args.variants:
            rows = training_rows(variant, held_out)
            heads, took = heads_for(rows, embedder, settings.learned_dir)
            engine = attach(inner, heads, engine_embedder, settings, rows)
            figures = measure(engine, held_out)
            results.append(
                {"held_out": held_out, "variant": variant, "rows": len(rows), "train_seconds": took, "figures": figures}
            )
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    print(table(results))
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
