"""Prints the engine's item scores on first turns, to calibrate the no-answer and clarify thresholds.

`python -m evaluation.calibrate FILE [FILE…]`: one line per first turn expected to be answer,
clarify or no_answer: expected kind, whether a name was mentioned, the top fused score, the margin to
the runner-up. Thresholds live in `knowledge.decide.tuning.Tuning`; the README records the chosen values.

`python -m evaluation.calibrate --english`: the same for English questions — the question bank's tuning
part (never its blind part) and `evaluation/data/english_probes.jsonl` (other departments' questions in
English, written by hand to tune on) — with whether the best item is the labelled one; for
`no_answer_below_en` and `english_min_margin`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from evaluation.conversations import load_conversations

ENGLISH_PROBES = Path(__file__).parent / "data" / "english_probes.jsonl"


def english_rows(engine: Any) -> list[tuple[object, ...]]:
    """(kind, best item is the labelled one, name mentioned, top score, lead, best item, text) per English
    tuning question."""
    from evaluation.bank.generate import load

    questions: list[tuple[str, str | None, str]] = [
        (q.kind, q.item, q.text) for q in load("tuning") if q.style == "english"
    ]
    for line in ENGLISH_PROBES.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            questions.append((row["kind"], row.get("item"), row["text"]))
    rows: list[tuple[object, ...]] = []
    for kind, item, text in questions:
        scores = engine.retrieve(engine.analyse(text))
        (code, top), (_, second) = scores.ranked[0], scores.ranked[1]
        rows.append((kind, code == item, bool(scores.named), round(top, 4), round(top - second, 4), code, text[:50]))
    return rows


def main(argv: list[str] | None = None) -> int:
    from knowledge.service import get_engine

    engine = get_engine()
    args = argv if argv is not None else sys.argv[1:]
    if args == ["--english"]:
        for row in sorted(english_rows(engine), key=lambda r: (str(r[0]), -float(str(r[3])))):
            print(*row, sep="\t")
        return 0
    rows = []
    for path in args:
        for conv in load_conversations(Path(path)):
            turn = conv.turns[0]
            if turn.expect.kind not in ("answer", "clarify", "no_answer"):
                continue
            scores = engine.retrieve(engine.analyse(turn.user))
            ranked = scores.ranked
            top, second = ranked[0][1], ranked[1][1]
            hits = scores.named
            exact = bool(scores.exact)
            rows.append(
                (
                    turn.expect.kind,
                    exact,
                    bool(hits),
                    round(top, 4),
                    round(top - second, 4),
                    engine.catalog.item_by_code[ranked[0][0]].name,
                    turn.user[:30],
                )
            )
    for row in sorted(rows, key=lambda r: (r[0], r[3])):
        print(*row, sep="\t")
    return 0


if __name__ == "__main__":
    sys.exit(main())
