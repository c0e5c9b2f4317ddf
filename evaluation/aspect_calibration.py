"""How cues and the learned aspect head should combine, decided on TUNING data only.

    python -m evaluation.aspect_calibration [--out FILE]

1. Out-of-fold (GroupKFold by family, so a template's variants are never on both sides) probabilities of the
   multi-label aspect head on the question bank's tuning part (in-domain rows with aspects); the per-aspect
   thresholds `knowledge.learned.store.calibrate_aspect_thresholds` would choose from them.
2. Each combination (`knowledge.query.predictors.ASPECT_STRATEGIES`) scored on those out-of-fold
   predictions: the primary aspect among the labels, and the exact label set; on every row and on the
   hand-written rows (origin `hand`, the writers' `rw:` families) apart, which are closer to citizens' words.
3. The same combinations on hand-written conversation turns that expect an aspect (`heldout.jsonl` and the
   hand-written tuning conversations; more tuning conversation files with `--conversations`: round 5 also gave the
   round-4 hand-written blind set, whose failures were published, so it is a tuning set now), with the head
   trained on the whole tuning part.

Never reads the question bank's blind part.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from evaluation.conversations import load_conversations
from knowledge.schema import Aspect

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
TUNING = ROOT / "evaluation" / "data" / "bank" / "tuning.jsonl"
CONVERSATIONS = (
    ROOT / "evaluation" / "data" / "heldout.jsonl",
    ROOT / "evaluation" / "data" / "handwritten" / "tuning.jsonl",
)


def _score(
    strategy: str,
    cue: tuple[Aspect, ...],
    probs: dict[Aspect, float],
    thresholds: dict[str, float],
    sure: dict[str, float] | None = None,
) -> Any:
    from knowledge.query.predictors import combine_aspects

    aspects, _ = combine_aspects(cue, probs, thresholds=thresholds, strategy=strategy, sure_thresholds=sure)
    return aspects or (Aspect.overview,)


def evaluate(
    cues: list[tuple[Aspect, ...]],
    probs: list[dict[Aspect, float]],
    labels: list[set[str]],
    thresholds: dict[str, float],
    strategies: tuple[str, ...],
    sure: dict[str, float] | None = None,
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for strategy in strategies:
        primary = exact = 0
        for cue, prob, label in zip(cues, probs, labels, strict=True):
            got = _score(strategy, cue, prob, thresholds, sure)
            primary += got[0].value in label
            exact += {a.value for a in got} == label
        n = max(1, len(labels))
        out[strategy] = {"primary": round(primary / n, 4), "exact": round(exact / n, 4), "n": len(labels)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--conversations", nargs="*", type=Path, default=[], help="more TUNING conversation files")
    parser.add_argument("--strategy", default="cues_unless_head_sure", help="list this strategy's misses")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from knowledge.learned.linear import train_multi_label
    from knowledge.learned.predictors import prepare
    from knowledge.learned.store import (
        ASPECT_SURE_PRECISION,
        ASPECTS,
        REGULARISATION_C,
        aspect_rows,
        calibrate_aspect_thresholds,
        oof_aspects,
        read_training_rows,
    )
    from knowledge.query.predictors import ASPECT_STRATEGIES
    from knowledge.service import get_engine
    from knowledge.text_normalise import normalise

    engine: Any = get_engine()
    inner = getattr(engine, "engine", engine)
    analyser = inner.analyser
    embedder = inner.dense.embedder if inner.dense is not None else None
    if embedder is None:
        raise SystemExit("no dense embedder")
    rows = aspect_rows(read_training_rows(TUNING))
    vectors = embedder.embed_queries([prepare(r.text) for r in rows])
    oof = oof_aspects(vectors, rows)
    thresholds = calibrate_aspect_thresholds(oof, rows)
    sure = calibrate_aspect_thresholds(oof, rows, ASPECT_SURE_PRECISION)
    report: dict[str, Any] = {"thresholds": thresholds, "sure thresholds": sure, "rows": len(rows)}
    cues = [tuple(h.aspect for h in analyser.cue_hits(normalise(r.text))) for r in rows]
    probs = [{Aspect(a): float(p) for a, p in zip(ASPECTS, oof[n], strict=True)} for n in range(len(rows))]
    labels = [set(r.aspects or ()) for r in rows]
    report["out-of-fold, all tuning rows"] = evaluate(cues, probs, labels, thresholds, ASPECT_STRATEGIES, sure)
    hand = [n for n, r in enumerate(rows) if r.family.startswith(("rw:", "hand", "id-hand"))]
    report["out-of-fold, hand-written tuning rows"] = evaluate(
        [cues[n] for n in hand], [probs[n] for n in hand], [labels[n] for n in hand], thresholds, ASPECT_STRATEGIES
    )
    head = train_multi_label(vectors, [list(r.aspects or ()) for r in rows], list(ASPECTS), c=REGULARISATION_C)
    for path in (*CONVERSATIONS, *args.conversations):
        name = path.relative_to(ROOT).as_posix() if path.is_absolute() else path.as_posix()
        texts, want = [], []
        for conv in load_conversations(path):
            for turn in conv.turns:
                if turn.expect.aspect and not turn.user.startswith("/"):
                    texts.append(turn.user)
                    want.append({turn.expect.aspect})
        if not texts:
            continue
        matrix = head.probabilities(embedder.embed_queries([prepare(t) for t in texts]))
        report[name] = evaluate(
            [tuple(h.aspect for h in analyser.cue_hits(normalise(t))) for t in texts],
            [{Aspect(a): float(p) for a, p in zip(ASPECTS, matrix[n], strict=True)} for n in range(len(texts))],
            want,
            thresholds,
            ASPECT_STRATEGIES,
            sure,
        )
        if "handwritten" in name:
            misses = defaultdict(list)
            for n, t in enumerate(texts):
                prob = {Aspect(a): float(p) for a, p in zip(ASPECTS, matrix[n], strict=True)}
                cue = tuple(h.aspect for h in analyser.cue_hits(normalise(t)))
                got = _score(args.strategy, cue, prob, thresholds, sure)
                if got[0].value not in want[n]:
                    misses[name].append(f"{t[:30]} want {sorted(want[n])} cue {[a.value for a in cue]} head {got[0]}")
            report[f"{name}: {args.strategy} misses"] = misses[name]
    text = json.dumps(report, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
