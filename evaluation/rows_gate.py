"""The hand-written other-department and complaint rows through the gate and the engine, in process (no Rasa).

    python -m evaluation.rows_gate [--split tuning11 ...] [--all] [--out FILE]

A quick stand-in for `evaluation.handwritten`'s row figures (seconds instead of a chat run): each row of
`other_departments_<split>.jsonl` and `complaints_<split>.jsonl` is given to `GatedEngine.gate` (the verdict the
chat gateway sends Rasa) and, for other departments' rows, to `engine.ask` (the reply the engine gives when Rasa
sends the message on). Per row, what the chat path will most likely do:

- another department's question passes when the gate is a confident `other_department` (Rasa's gate component
  sends it to the engine whatever DIET guessed) and the engine gives no guide; `unsure` when the gate is not
  confident of any kind (DIET decides); also counted: answered with a guide by the engine, and whether the
  engine's reply names the department or 12345 (`evaluation.handwritten.names_department`);
- a complaint passes when the gate is a confident `complaint`; `unsure` likewise.

Tuning splits only: a blind split is refused (its rows are never read here).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from evaluation.handwritten import BLIND_SPLITS, SPLITS, files, load_rows, names_department

logger = logging.getLogger(__name__)

TUNING_SPLITS = tuple(s for s in SPLITS if s not in BLIND_SPLITS)


def od_outcome(engine: Any, text: str, department: str | None) -> dict[str, Any]:
    verdict = engine.gate(text)
    answer = engine.ask(text)
    gate = f"{verdict.kind}{'' if verdict.confident else '?'}"
    passed = verdict.kind == "other_department" and verdict.confident and answer.kind != "answer"
    return {
        "gate": gate,
        "confidence": round(float(verdict.confidence), 3),
        "engine": answer.kind,
        "rule": answer.rule,
        "guide": answer.kind == "answer",
        "names": names_department(answer.text, department),
        "pass": passed,
        "unsure": not verdict.confident,
        "reply": answer.text.replace("\n", " ")[:80],
    }


def complaint_outcome(engine: Any, text: str) -> dict[str, Any]:
    verdict = engine.gate(text)
    gate = f"{verdict.kind}{'' if verdict.confident else '?'}"
    return {
        "gate": gate,
        "confidence": round(float(verdict.confidence), 3),
        "pass": verdict.kind == "complaint" and verdict.confident,
        "unsure": not verdict.confident,
    }


def _rate(hits: list[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def measure(engine: Any, split: str, show: bool = True) -> dict[str, Any]:
    if split not in TUNING_SPLITS:
        raise SystemExit(f"{split!r} is not a tuning split")
    paths = files(split)
    ods = [(row, od_outcome(engine, row.text, row.department)) for row in load_rows(paths["other_departments"])]
    cps = [(row, complaint_outcome(engine, row.text)) for row in load_rows(paths["complaints"])]
    if show:
        for row, o in ods:
            if not (o["pass"] and o["names"]):
                print(
                    f"OD {'FAIL' if not o['pass'] else 'NONAME'} {row.id} gate={o['gate']} {o['confidence']}"
                    f" engine={o['engine']}/{o['rule']} names={o['names']} [{row.department}] {row.text[:70]!r}"
                    f" | {o['reply'][:60]!r}"
                )
        for row, o in cps:
            if not o["pass"]:
                print(f"CP FAIL {row.id} gate={o['gate']} {o['confidence']} {row.text[:70]!r}")
    return {
        "split": split,
        "od": {
            "n": len(ods),
            "pass": _rate([o["pass"] for _, o in ods]),
            "unsure": _rate([o["unsure"] for _, o in ods]),
            "guide": _rate([o["guide"] for _, o in ods]),
            "names": _rate([o["names"] for _, o in ods]),
            "gates": dict(Counter(o["gate"] for _, o in ods).most_common()),
        },
        "complaints": {
            "n": len(cps),
            "pass": _rate([o["pass"] for _, o in cps]),
            "unsure": _rate([o["unsure"] for _, o in cps]),
            "gates": dict(Counter(o["gate"] for _, o in cps).most_common()),
        },
    }


def main(argv: list[str] | None = None) -> int:
    from knowledge.service import get_engine

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=TUNING_SPLITS, action="append")
    parser.add_argument("--all", action="store_true", help="every tuning split")
    parser.add_argument("--quiet", action="store_true", help="figures only")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    splits = list(TUNING_SPLITS) if args.all else (args.split or ["tuning11"])
    engine = get_engine()
    reports = [measure(engine, split, show=not args.quiet) for split in splits]
    for report in reports:
        print(json.dumps(report, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(reports, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
