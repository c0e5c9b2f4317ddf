"""Calibrates when a sentence of another field is added to an answer by meaning (`knowledge/compose/sentences.py`).

    python -m evaluation.related_calibration [--write] [--bank N] [--show]

Tuning data only: the hand-written tuning splits (`SPLITS`, never a blind one) and `evaluation/data/heldout.jsonl`,
replayed as `evaluation.engine_dialogue` replays them, and `N` in-domain questions of the question bank's tuning
part (evenly spaced). Each answer through a guide is composed as today (the meaning rule off, the bigram rule on);
beside it, the best sentence of the chosen guide outside the shown fields, its cosine with the question's vector,
and the best cosine of the shown fields. A hand-written turn is *fixed* when it fails and adding that sentence
makes it pass, *broken* when it passes and the sentence makes it fail; every sentence added to a bank question (an
answer already on its labelled aspect) counts as noise.

Over a grid of (floor, margin) it keeps those that break no turn, add a line to at most `MAX_BANK_RATE` of the bank
questions and to at most `MAX_PASSED_RATE` of the hand-written turns that passed, and chooses the one that fixes the
most turns (ties: fewer lines added, then the higher floor and margin). `--write` stores the choice, with the figures,
in `knowledge/data/related_sentences.yaml`. Leave-one-split-out figures (chosen without a split, counted on it)
say how far the choice carries to phrasings it was not chosen on.

Then, with that floor and margin kept, the follow-up thresholds (`stands_out_in_guide`: deviations above the guide's
mean cosine, margin over the shown fields) are chosen on the hand-written turns answered by a follow-up rule alone
(`related.follows_up`; no bank question is one): those that break no turn and add a line to at most
`MAX_FOLLOWUP_PASSED_RATE` of the follow-up turns that passed, fixing the most (ties: fewer lines, stricter).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from evaluation.conversations import Turn
from evaluation.engine_dialogue import run
from evaluation.scoring import Observed, check_turn
from knowledge.compose.sentences import Thresholds, stands_out, stands_out_in_guide
from knowledge.learned.hand_rows import TUNING_SPLITS

HANDWRITTEN = Path(__file__).parent / "data" / "handwritten"
HELDOUT = Path(__file__).parent / "data" / "heldout.jsonl"
SPLITS = TUNING_SPLITS
"""The hand-written tuning splits: the same list the learned heads train on (`knowledge/learned/hand_rows.py`)."""
MAX_BANK_RATE = 0.01
MAX_PASSED_RATE = 0.02
FLOORS = np.round(np.arange(0.80, 0.9701, 0.0025), 4)
MARGINS = np.round(np.arange(0.0, 0.0801, 0.0025), 4)
MAX_FOLLOWUP_PASSED_RATE = 0.03
"""A follow-up asks one particular of an item already answered: a line of the same guide beside a right answer is
tolerated a little more often than beside a first question's."""
FOLLOWUP_ZS = np.round(np.arange(1.5, 4.001, 0.1), 2)
FOLLOWUP_MARGINS = np.round(np.arange(0.0, 0.0301, 0.0025), 4)


@dataclass(frozen=True)
class Row:
    source: str  # a split's name, "heldout" or "bank"
    turn: str
    question: str
    best: float | None  # the best sentence outside the shown fields
    shown: float | None  # the best sentence of the shown fields
    sentence: str
    passed: bool
    fixes: bool
    breaks: bool
    mean: float = 0.0  # the mean cosine of the guide's sentences with the question
    std: float = 0.0  # and their standard deviation
    followup: bool = False  # answered by a follow-up rule (`related.follows_up`)


class _Recorder:
    """The engine behind `engine_dialogue.run`, keeping each turn's trace."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.last: Any = None

    def ask(self, question: str, context: Any = None, region: str | None = None) -> Any:
        self.last = self.engine.trace(question, context, region)
        return self.last.answer


def _evidence(guides: dict[str, Any], table: Any, trace: Any) -> tuple[float | None, float | None, str, float, float]:
    """(best cosine outside the shown fields, best inside, the sentence, the guide's mean cosine and their deviation)
    for an answer through one guide that the bigram rule left alone; (None, None, "", 0, 0) otherwise."""
    from knowledge.compose.related import shown_keys
    from knowledge.compose.sentences import best_outside, spread
    from knowledge.texts import RELATED_LINE

    answer = trace.answer
    dense = trace.scores.channels.get("dense")
    single = answer.kind == "answer" and answer.guide_id and len(answer.guide_ids) == 1 and answer.faq_id is None
    if not single or dense is None or dense.vector is None or RELATED_LINE.split("{")[0] in answer.text:
        return None, None, "", 0.0, 0.0
    guide = guides[answer.guide_id]
    scored = table.scored(guide.id, dense.vector)
    sentence, best, shown = best_outside(scored, shown_keys(guide, answer.aspects))
    return (best, shown, sentence.text if sentence is not None else "", *spread(scored))


def record(engine: Any, bank: int) -> list[Row]:
    from knowledge.compose.related import follows_up
    from knowledge.compose.sentences import SentenceTable

    guides = {g.id: g for item in engine.catalog.items for g in item.guides}
    engine.composer.meaning = None  # today's answers: the bigram rule only
    table = SentenceTable.build(engine.catalog.items, engine.dense.embedder, helpline=engine.helpline)
    rows: list[Row] = []
    recorder = _Recorder(engine)
    files = [(name, HANDWRITTEN / f"{name}.jsonl") for name in SPLITS] + [("heldout", HELDOUT)]
    for name, path in files:

        def on_turn(turn_id: str, turn: Turn, seen: Observed, problems: list[str], source: str = name) -> None:
            best, shown, sentence, mean, std = _evidence(guides, table, recorder.last)
            with_line = check_turn(turn.expect, dataclasses.replace(seen, text=f"{seen.text}\n{sentence}"))
            rows.append(
                Row(
                    source,
                    turn_id,
                    turn.user,
                    best,
                    shown,
                    sentence,
                    not problems,
                    bool(sentence) and bool(problems) and not with_line,
                    bool(sentence) and not problems and bool(with_line),
                    mean,
                    std,
                    follows_up(recorder.last.answer.rule),
                )
            )

        run(recorder, path, on_turn)
    from evaluation.bank.generate import load

    questions = [q for q in load("tuning") if q.kind == "in_domain"]
    step = max(1, len(questions) // bank) if bank else len(questions) + 1
    for q in questions[::step][:bank]:
        trace = engine.trace(q.text)
        best, shown, sentence, mean, std = _evidence(guides, table, trace)
        rows.append(
            Row(
                "bank",
                q.id,
                q.text,
                best,
                shown,
                sentence,
                True,
                False,
                False,
                mean,
                std,
                follows_up(trace.answer.rule),
            )
        )
    return rows


def fires(row: Row, floor: float, margin: float, followup: tuple[float, float] | None = None) -> bool:
    """Whether the rule adds the row's sentence at these thresholds (`stands_out`, and for a follow-up
    `stands_out_in_guide` at `followup` = (z, margin): the engine's own decisions)."""
    if row.best is None:
        return False
    thresholds = Thresholds(floor, margin)
    if followup is not None:
        thresholds = Thresholds(floor, margin, followup_z=followup[0], followup_margin=followup[1])
    if stands_out(row.best, row.shown, thresholds):
        return True
    return row.followup and stands_out_in_guide(row.best, row.shown, row.mean, row.std, thresholds)


def figures(
    rows: list[Row], floor: float, margin: float, followup: tuple[float, float] | None = None
) -> dict[str, Any]:
    fired = [(r, fires(r, floor, margin, followup)) for r in rows]
    hand = [(r, f) for r, f in fired if r.source != "bank"]
    return {
        "fixed": sum(f and r.fixes for r, f in hand),
        "broken": sum(f and r.breaks for r, f in hand),
        "added_hand": sum(f for _, f in hand),
        "added_passed": sum(f and r.passed for r, f in hand),
        "passed": sum(r.passed for r, _ in hand),
        "added_bank": sum(f for r, f in fired if r.source == "bank"),
        "bank": len(rows) - len(hand),
        "hand": len(hand),
    }


def choose(rows: list[Row]) -> tuple[float, float, dict[str, Any]] | None:
    best: tuple[tuple[float, ...], float, float, dict[str, Any]] | None = None
    for floor in FLOORS:
        for margin in MARGINS:
            f = figures(rows, float(floor), float(margin))
            if f["broken"] or f["added_bank"] > MAX_BANK_RATE * f["bank"]:
                continue
            if f["added_passed"] > MAX_PASSED_RATE * max(1, f["passed"]):
                continue
            key = (f["fixed"], -(f["added_hand"] + f["added_bank"]), float(floor), float(margin))
            if best is None or key > best[0]:
                best = (key, float(floor), float(margin), f)
    return None if best is None else (best[1], best[2], best[3])


def choose_followup(rows: list[Row], floor: float, margin: float) -> tuple[float, float, dict[str, Any]] | None:
    """The follow-up thresholds (z, margin) beside a chosen floor and margin, on the hand-written follow-up turns."""
    turns = [r for r in rows if r.source != "bank" and r.followup]
    passed = sum(r.passed for r in turns)
    best: tuple[tuple[float, ...], float, float, dict[str, Any]] | None = None
    for z in FOLLOWUP_ZS:
        for m in FOLLOWUP_MARGINS:
            f = figures(turns, floor, margin, (float(z), float(m)))
            if f["broken"] or f["added_passed"] > MAX_FOLLOWUP_PASSED_RATE * max(1, passed):
                continue
            key = (f["fixed"], -f["added_hand"], float(z), float(m))
            if best is None or key > best[0]:
                best = (key, float(z), float(m), f)
    return None if best is None else (best[1], best[2], best[3])


def cross_followup(rows: list[Row], floor: float, margin: float) -> dict[str, Any]:
    """The follow-up thresholds chosen without each hand-written split, and what they do on its follow-up turns."""
    out: dict[str, Any] = {}
    for split in (*SPLITS, "heldout"):
        chosen = choose_followup([r for r in rows if r.source != split], floor, margin)
        held = [r for r in rows if r.source == split and r.followup]
        if chosen is None:
            out[split] = None
            continue
        z, m, _ = chosen
        base = figures(held, floor, margin)
        f = figures(held, floor, margin, (z, m))
        out[split] = {
            "z": z,
            "margin": m,
            "fixed": f["fixed"] - base["fixed"],
            "broken": f["broken"],
            "added_passed": f["added_passed"] - base["added_passed"],
            "followup_turns": len(held),
        }
    return out


def cross(rows: list[Row]) -> dict[str, Any]:
    """Each hand-written split held out: the thresholds chosen without it, and what they do on it."""
    out: dict[str, Any] = {}
    for split in (*SPLITS, "heldout"):
        chosen = choose([r for r in rows if r.source != split])
        held = [r for r in rows if r.source == split]
        if chosen is None:
            out[split] = None
            continue
        floor, margin, _ = chosen
        f = figures(held, floor, margin)
        out[split] = {"floor": floor, "margin": margin, **{k: f[k] for k in ("fixed", "broken", "added_hand", "hand")}}
    return out


def write(
    floor: float,
    margin: float,
    model: str,
    f: dict[str, Any],
    path: Path,
    followup: tuple[float, float, dict[str, Any]] | None = None,
) -> None:
    header = (
        "# When a sentence of another field is added to an answer by meaning (knowledge/compose/sentences.py,\n"
        "# `stands_out`): written by `python -m evaluation.related_calibration --write` from the tuning sets only\n"
        "# (hand-written tuning splits, heldout.jsonl, the bank's tuning part); never edited by hand.\n"
    )
    data = {
        "model": model,
        "floor": floor,
        "margin": margin,
        "calibrated": dt.date.today().isoformat(),
        "figures": f,
    }
    if followup is not None:
        z, m, ff = followup
        data["followup"] = {"z": z, "margin": m, "figures": ff}
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bank", type=int, default=700, help="in-domain questions of the bank's tuning part")
    parser.add_argument("--write", action="store_true", help="store the choice in knowledge/data")
    parser.add_argument("--show", action="store_true", help="print every hand-written row with a sentence")
    parser.add_argument("--rows", type=Path, help="save the rows as JSON lines")
    parser.add_argument("--from-rows", type=Path, help="choose from rows saved by --rows (no engine run)")
    args = parser.parse_args(argv)
    from knowledge.compose.sentences import SETTINGS_FILE, load_thresholds
    from knowledge.service import get_engine

    if args.from_rows:
        lines = args.from_rows.read_text(encoding="utf-8").splitlines()
        rows = [Row(**json.loads(line)) for line in lines if line]
        kept = load_thresholds()
        model = kept.model if kept is not None else "multilingual-e5-small"
    else:
        engine = get_engine()
        if engine.dense is None:
            print("the meaning rule needs the dense channel (KNOWLEDGE_EMBEDDER=e5)")
            return 1
        model = engine.dense.embedder.name
        rows = record(engine, args.bank)
    if args.rows:
        args.rows.write_text(
            "".join(json.dumps(dataclasses.asdict(r), ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
    if args.show:
        for r in sorted((r for r in rows if r.best is not None and r.source != "bank"), key=lambda r: -(r.best or 0.0)):
            gap = r.best - r.shown if r.best is not None and r.shown is not None else None
            flag = "FIX" if r.fixes else ("BRK" if r.breaks else ("ok " if r.passed else "   "))
            gap_text = "-" if gap is None else f"{gap:.4f}"
            print(f"{flag} {r.best:.4f} {gap_text} {r.turn} {r.question[:24]} | {r.sentence[:50]}")
    chosen = choose(rows)
    if chosen is None:
        print("no thresholds meet the limits")
        return 1
    floor, margin, f = chosen
    print(json.dumps({"floor": floor, "margin": margin, **f}, ensure_ascii=False))
    print(json.dumps({"leave_one_split_out": cross(rows)}, ensure_ascii=False))
    followup = choose_followup(rows, floor, margin)
    if followup is not None:
        print(json.dumps({"followup": {"z": followup[0], "margin": followup[1], **followup[2]}}, ensure_ascii=False))
        print(json.dumps({"followup_leave_one_split_out": cross_followup(rows, floor, margin)}, ensure_ascii=False))
    if args.write:
        write(floor, margin, model, f, SETTINGS_FILE, followup)
        print(f"wrote {SETTINGS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
