"""Record every engine answer and fused score on the tuning questions, to show a retrieval change
leaves the answers as they were.

    python -m bench.engine_answers var/answers-before.jsonl          # record
    python -m bench.engine_answers var/answers-after.jsonl --compare var/answers-before.jsonl

The engine is `knowledge.service.get_engine()` (real e5 model, learned gate). The questions: the bank's
tuning part, every user turn of evaluation/data/heldout.jsonl and of ../shared/eval/dev.jsonl (each asked
alone, no context). One JSON line per question: the full `Answer`, and the fused item, point and name
scores and the exact names (floats as repr, so "equal" means bit for bit). `--compare` prints the
questions whose line differs and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from evaluation.bank.generate import load
from evaluation.conversations import load_conversations

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILES = [ROOT / "evaluation" / "data" / "heldout.jsonl", ROOT.parent / "shared" / "eval" / "dev.jsonl"]


def questions() -> list[str]:
    out = [q.text for q in load("tuning")]
    for path in QUESTION_FILES:
        if path.exists():
            out += [turn.user for conv in load_conversations(path) for turn in conv.turns]
    return list(dict.fromkeys(out))


def record(engine: Any, text: str) -> dict[str, Any]:
    trace = engine.trace(text)
    scores = trace.scores
    return {
        "q": text,
        "answer": json.loads(trace.answer.model_dump_json()),
        "items": {k: repr(v) for k, v in scores.items.items()},
        "points": {k: repr(v) for k, v in sorted(scores.points.items())},
        "named": {k: repr(v) for k, v in scores.named.items()},
        "exact": sorted(scores.exact),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args(argv)
    from knowledge.service import get_engine

    gated = get_engine()
    engine = getattr(gated, "engine", gated)  # the GatedEngine wraps the staged engine
    lines = [json.dumps(record(engine, q), ensure_ascii=False, sort_keys=True) for q in questions()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} questions -> {args.out}")
    if args.compare is None:
        return 0
    before = args.compare.read_text(encoding="utf-8").splitlines()
    differ = [json.loads(a)["q"] for a, b in zip(lines, before, strict=False) if a != b]
    if len(before) != len(lines):
        print(f"different question counts: {len(before)} before, {len(lines)} now")
    for q in differ:
        print("differs:", q)
    print(f"{len(differ)} of {len(lines)} differ")
    return 1 if differ or len(before) != len(lines) else 0


if __name__ == "__main__":
    sys.exit(main())
