"""Does training the learned heads on hand-written rows generalise to a writer not trained on? Leave-one-writer-out.

    python -m evaluation.hand_rows_lowo [--writers tuning9 tuning8 ...] [--variants bank all first] [--out FILE]
                                        [--train-writers round4 tuning7 ...] [--rows-only] [--misses FILE]
                                        [--hand-weight 1 2 ...] [--aspect-hand-weight 1 2 ...]

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
hand rows, follow-ups only as aspect rows). `--train-writers` limits the writers whose rows may train (the held-out
one never does): measuring a new writer's rows before and after it joins WRITERS. `--rows-only` skips the
conversations (the rows' figures in seconds); `--misses` writes the held-out rows each fold gets wrong (tuning rows
only). `--hand-weight` / `--aspect-hand-weight` (several values: one fold each, `store.HAND_WEIGHT` /
`ASPECT_HAND_WEIGHT` by default) weigh the hand-written rows in the kind / aspect head's fit; the variant's name
then carries them (`all×2`, `all×1/a2`). Only tuning splits are read; the blind ones never.
Embeddings of training rows are cached in `var/kind_head_cv/` (as `evaluation.kind_head_cv` does), and each fold's
heads in `var/lowo_heads/` by the hash of their rows (a fold trained once is loaded after).
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
from knowledge.learned.store import (
    ASPECT_HAND_WEIGHT,
    HAND_WEIGHT,
    Heads,
    TrainingRow,
    check_hand_weight,
    load,
    read_training_rows,
    rows_hash,
    save,
    train,
)

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


HEADS_CACHE = ROOT / "var" / "lowo_heads"


def training_rows(variant: str, held_out: str, train_writers: Sequence[str] | None = None) -> list[TrainingRow]:
    """The bank's tuning rows and, but for `bank`, the hand-written rows of every writer but `held_out` (of
    `train_writers` only, when given)."""
    rows = read_training_rows(BANK_TUNING)
    if variant == "bank":
        return rows
    allowed = set(WRITERS) if train_writers is None else set(train_writers)
    splits = [s for writer, parts in WRITERS.items() if writer != held_out and writer in allowed for s in parts]
    return rows + read_hand_rows(splits, followups_for_kind=variant == "all")


def heads_for(
    rows: list[TrainingRow],
    embedder: _CachedEmbedder,
    learned_dir: Path,
    cache: Path | None = HEADS_CACHE,
    weights: tuple[float, float] = (HAND_WEIGHT, ASPECT_HAND_WEIGHT),
) -> tuple[Heads, float]:
    """The heads trained on `rows` with the hand-written rows' (kind, aspect) `weights`: the app's when they
    match, else a fold's saved under `cache`, else trained (and saved there)."""
    started = time.perf_counter()
    expected = rows_hash(rows, *weights)
    saved = load(learned_dir / embedder.name, embedder.name, expected)
    if saved is None and cache is not None:
        saved = load(cache / expected[:16], embedder.name, expected)
    heads = saved if saved is not None else train(rows, embedder, *weights)
    if saved is None and cache is not None:
        save(heads, cache / expected[:16])
    return heads, time.perf_counter() - started


def _rate(hits: Sequence[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def measure(engine: Any, held_out: str, conversations: bool = True, misses: list[str] | None = None) -> dict[str, Any]:
    """The held-out writer's figures for a gated engine (see the module doc); the rows it gets wrong are appended
    to `misses` when given."""
    from knowledge.learned.predictors import top

    turns = passed = convs = conv_passed = aspect_turns = aspect_passed = 0
    for split in WRITERS[held_out] if conversations else ():
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
            answer = engine.ask(row.text)
            od_no_guide.append(answer.kind != "answer")
            if misses is not None and not (od_gate[-1] and od_no_guide[-1]):
                misses.append(
                    f"{held_out}\tod\t{verdict.kind}{'' if verdict.confident else '?'} {verdict.confidence:.2f}"
                    f"\t{answer.kind}/{answer.rule}\t{row.text}"
                )
        for row in message_rows(read_lines(HAND_DIR / f"complaints_{split}.jsonl"), split):
            verdict = engine.gate(row.text)
            complaint_gate.append(verdict.kind == "complaint")
            if misses is not None and not (verdict.kind == "complaint" and verdict.confident):
                misses.append(
                    f"{held_out}\tcomplaint\t{verdict.kind}{'' if verdict.confident else '?'} {verdict.confidence:.2f}"
                    f"\t-\t{row.text}"
                )
    for row in read_hand_rows(WRITERS[held_out]):
        said, p = top(engine.kind_predictor.predict(row.text))
        kind_hits.append(said == row.kind)
        if misses is not None and said != row.kind and row.kind not in ("other_department", "complaint"):
            misses.append(f"{held_out}\thead:{row.kind}\t{said} {p:.2f}\t-\t{row.text}")
        if row.aspects is not None:
            aspect_hits.append(top(engine.aspect_predictor.predict(row.text))[0] in row.aspects)
    return {
        "turn_pass": round(passed / turns, 4) if turns else None,
        "conversation_pass": round(conv_passed / convs, 4) if convs else None,
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


def variant_name(variant: str, weights: tuple[float, float]) -> str:
    """The variant with its hand-written rows' weights when not the plain fit (`all×2`, `all×1/a2`)."""
    if variant == "bank" or weights == (1.0, 1.0):
        return variant
    kind, aspect = weights
    return f"{variant}×{kind:g}" + (f"/a{aspect:g}" if aspect != 1.0 else "")


def main(argv: list[str] | None = None) -> int:
    from knowledge.config import get_settings
    from knowledge.learned.wiring import attach
    from knowledge.service import get_engine

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", nargs="+", choices=list(WRITERS), default=list(WRITERS))
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--train-writers", nargs="+", choices=list(WRITERS), help="writers whose rows may train")
    parser.add_argument("--rows-only", action="store_true", help="skip the conversations")
    parser.add_argument("--misses", type=Path, help="write the held-out rows each fold gets wrong here (TSV)")
    parser.add_argument("--hand-weight", nargs="+", type=float, default=[HAND_WEIGHT], help="kind head's")
    parser.add_argument("--aspect-hand-weight", nargs="+", type=float, default=[ASPECT_HAND_WEIGHT])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    try:
        weightings = [
            (check_hand_weight(k), check_hand_weight(a)) for k in args.hand_weight for a in args.aspect_hand_weight
        ]
    except ValueError as exc:
        parser.error(str(exc))
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
    misses: list[str] = []
    for held_out in args.writers:
        for variant in args.variants:
            rows = training_rows(variant, held_out, args.train_writers)
            for weights in [(1.0, 1.0)] if variant == "bank" else weightings:
                heads, took = heads_for(rows, embedder, settings.learned_dir, weights=weights)
                engine = attach(inner, heads, engine_embedder, settings, rows)
                figures = measure(engine, held_out, not args.rows_only, misses if args.misses else None)
                name = variant_name(variant, weights)
                results.append(
                    {
                        "held_out": held_out,
                        "variant": name,
                        "rows": len(rows),
                        "train_seconds": took,
                        "figures": figures,
                    }
                )
                print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    print(table(results))
    if args.misses:
        args.misses.write_text("".join(f"{line}\n" for line in misses), encoding="utf-8")
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
