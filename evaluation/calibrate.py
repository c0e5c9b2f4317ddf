"""Prints the engine's item scores on first turns, to calibrate the no-answer and clarify thresholds.

`python -m evaluation.calibrate FILE [FILE…]`: one line per first turn expected to be answer,
clarify or no_answer: expected kind, whether a name was mentioned, the top fused score, the margin to
the runner-up. Thresholds live in `knowledge.decide.tuning.Tuning`; the README records the chosen values.
"""

from __future__ import annotations

import sys
from pathlib import Path

from evaluation.conversations import load_conversations


def main(argv: list[str] | None = None) -> int:
    from knowledge.service import get_engine

    engine = get_engine()
    rows = []
    for path in argv if argv is not None else sys.argv[1:]:
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
