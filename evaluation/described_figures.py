"""Items described rather than named (round 14, `knowledge/decide/described_item.py`): before and after in one process.

    python -m evaluation.described_figures [--variants 0 0.3:0.1 ...] [--in-domain 0.65] [--no-bank] [--out FILE]

For each variant `described_min_prob[:described_max_none]` (`Tuning`; 0: the rule off), the engine built once:
- every tuning split's turns at engine level (`evaluation.engine_dialogue`) and `heldout.jsonl`, the item head of
  each split trained WITHOUT its writer's rows (leave-one-writer-out: `hand_rows.WRITERS`; `heldout.jsonl` is no
  writer's training data, the full head);
- the same with the full head (every writer trained on: what ships, fitted to these turns);
- the bank's tuning part: in-domain item top-1, other departments' questions, complaints and small talk answered with a
  guide, the item head out of fold (5 folds grouped by family, every hand-written row trained on);
- the hand-written tuning splits' other departments' and complaint rows answered with a guide, each writer's rows with
  its leave-one-writer-out head;
- other departments' questions answered without the learned kind (`bank.measure._without_learned_kind`: the analyse
  stage has no predictors at all, so the rule cannot decide; printed to show it).
Only tuning data is read; the blind parts never.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from evaluation import engine_dialogue
from evaluation.bank.measure import _without_learned_kind
from knowledge.learned.hand_rows import HAND_DIR, TUNING_SPLITS, WRITERS
from knowledge.learned.item_head import fit_item_head, item_resolver
from knowledge.learned.predictors import HeadPredictor, KindHeadPredictor
from knowledge.learned.store import TrainingRow, all_training_rows

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "evaluation" / "data" / "bank" / "tuning.jsonl"
HELDOUT = ROOT / "evaluation" / "data" / "heldout.jsonl"
WRITER_OF = {split: writer for writer, splits in WRITERS.items() for split in splits}
FOLDS = 5


def split_of(row: TrainingRow) -> str | None:
    """A hand-written row's split (its family is `hand:<split>:<id>`), None for the bank's."""
    return row.family.split(":")[1] if row.hand and row.family.startswith("hand:") else None


class Harness:
    def __init__(self) -> None:
        from knowledge.service import get_engine

        self.gated = get_engine()
        self.engine = getattr(self.gated, "engine", self.gated)
        self.base = self.engine.analyser.predictors
        kind = self.base.kind
        if not isinstance(kind, KindHeadPredictor) or kind.head.references is None:
            raise RuntimeError("the learned kind head (with its stored row vectors) is not wired")
        rows, _ = all_training_rows(BANK, HAND_DIR)
        self.rows = [r for r in rows if r.for_kind]
        self.vectors = np.asarray(kind.head.references, dtype=np.float64)
        if len(self.vectors) != len(self.rows):
            raise RuntimeError("the kind head's stored vectors do not match the training rows")
        self.embed = kind.embed
        catalog = self.engine.catalog
        self.resolve = item_resolver([(i.code, [i.name, *i.aliases]) for i in catalog.items])
        self.heads: dict[str, HeadPredictor | None] = {}
        self.max_none = 1.0

    def head(self, key: str, keep: np.ndarray) -> HeadPredictor | None:
        if key not in self.heads:
            fitted = fit_item_head(self.vectors[keep], [self.rows[n] for n in np.flatnonzero(keep)], self.resolve)
            self.heads[key] = None if fitted is None else HeadPredictor(fitted, self.embed)
        return self.heads[key]

    def full(self) -> HeadPredictor | None:
        return self.head("full", np.ones(len(self.rows), dtype=bool))

    def without_writer(self, writer: str) -> HeadPredictor | None:
        keep = np.array([WRITER_OF.get(split_of(r) or "") != writer for r in self.rows])
        return self.head(f"-{writer}", keep)

    def bank_folds(self) -> dict[str, HeadPredictor | None]:
        """The bank's families in FOLDS groups; each fold's head trained without that fold's bank rows."""
        from sklearn.model_selection import GroupKFold

        bank = [n for n, r in enumerate(self.rows) if not r.hand]
        families = [self.rows[n].family or self.rows[n].text for n in bank]
        fold_of: dict[str, HeadPredictor | None] = {}
        for k, (_, test) in enumerate(GroupKFold(FOLDS).split(bank, groups=families)):
            keep = np.ones(len(self.rows), dtype=bool)
            keep[[bank[i] for i in test]] = False
            head = self.head(f"bank{k}", keep)
            for i in test:
                fold_of[self.rows[bank[i]].text] = head
        return fold_of

    def use(self, head: HeadPredictor | None, prob: float) -> None:
        self.engine.set_predictors(replace(self.base, item=head))
        tuning = replace(self.engine.tuning, described_min_prob=prob, described_max_none=self.max_none)
        self.engine.tuning = tuning
        self.engine.facts.tuning = tuning


PROBES = (  # another department's plaque (round 12's merge; tests/feedback/test_feedback_e2e_browser.py): no answer
    "光荣牌要多少钱",
    "光荣牌去哪里领",
    "光荣牌丢了能补吗",
    "烈属光荣牌挂门上要办什么手续",
    "退役军人家里的光荣牌怎么申请",
    "军属光荣之家的牌子找谁办",
)


def probes(h: Harness, prob: float) -> dict[str, str]:
    """The plaque questions with the full head (what ships): kind, rule, item and the head's two best labels."""
    h.use(h.full(), prob)
    out = {}
    for text in PROBES:
        trace = h.engine.trace(text)
        best = sorted(trace.query.item_probs.items(), key=lambda kv: -kv[1])[:2]
        item = trace.answer.item.code if trace.answer.item else None
        out[text] = f"{trace.answer.kind} {trace.decision.rule} {item} {[(k, round(v, 2)) for k, v in best]}"
    return out


def split_path(split: str) -> Path:
    return HELDOUT if split == "heldout" else HAND_DIR / f"{split}.jsonl"


def conversations(h: Harness, prob: float, lowo: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for split in (*TUNING_SPLITS, "heldout"):
        head = h.without_writer(WRITER_OF[split]) if lowo and split in WRITER_OF else h.full()
        h.use(head, prob)
        report = engine_dialogue.run(h.engine, split_path(split))
        out[split] = {
            "turns": report["turns"],
            "passed": round(report["turn_pass"] * report["turns"]),
            "failures": sorted(f.split(" ", 1)[0] for f in report["failures"]),
        }
    return out


def bank_questions() -> list[dict[str, Any]]:
    return [json.loads(line) for line in BANK.read_text(encoding="utf-8").splitlines() if line.strip()]


def bank_figures(h: Harness, prob: float, folds: dict[str, HeadPredictor | None]) -> dict[str, Any]:
    """In-domain item top-1 and the other kinds answered with a guide, each question with its out-of-fold head."""
    by_head: dict[int, list[dict[str, Any]]] = {}
    heads: dict[int, HeadPredictor | None] = {}
    for q in bank_questions():
        head = folds.get(q["text"], h.full())
        by_head.setdefault(id(head), []).append(q)
        heads[id(head)] = head
    answered: dict[str, int] = {}
    counts: dict[str, int] = {}
    right_n = 0
    changed: list[str] = []
    for key, questions in by_head.items():
        h.use(heads[key], prob)
        for q in questions:
            trace = h.engine.trace(q["text"])
            a = trace.answer
            counts[q["kind"]] = counts.get(q["kind"], 0) + 1
            if q["kind"] == "in_domain":
                right_n += a.kind == "answer" and a.item is not None and a.item.code == q["item"]
            elif a.kind == "answer":
                answered[q["kind"]] = answered.get(q["kind"], 0) + 1
            if trace.decision.rule.startswith("described_item"):
                changed.append(f"{q['kind']}:{q.get('item')}:{a.item.code if a.item else None}:{q['text'][:40]}")
    return {"in_domain_right": right_n, "counts": counts, "answered": answered, "described": changed}


def hand_rows_figures(h: Harness, prob: float) -> dict[str, Any]:
    """The hand-written other departments' and complaint rows answered with a guide (leave-one-writer-out head)."""
    out: dict[str, Any] = {"other_department": 0, "complaint": 0, "n": 0, "described": []}
    for split in TUNING_SPLITS:
        h.use(h.without_writer(WRITER_OF[split]), prob)
        for name in ("other_departments", "complaints"):
            path = HAND_DIR / f"{name}_{split}.jsonl"
            for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
                if not line.strip():
                    continue
                row = json.loads(line)
                trace = h.engine.trace(row["text"])
                out["n"] += 1
                if trace.answer.kind == "answer":
                    out[row["kind"]] = out.get(row["kind"], 0) + 1
                if trace.decision.rule.startswith("described_item"):
                    out["described"].append(f"{split}:{row['text'][:50]}")
    return out


def without_kind(h: Harness) -> dict[str, int]:
    """Other departments' questions answered with the learned kind taken out (no predictors: the rule is off)."""
    h.use(None, 0.0)
    bank = sum(
        _without_learned_kind(h.engine, q["text"]) == "answer"
        for q in bank_questions()
        if q["kind"] == "other_department"
    )
    hand = 0
    for split in TUNING_SPLITS:
        path = HAND_DIR / f"other_departments_{split}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
            if line.strip():
                hand += _without_learned_kind(h.engine, json.loads(line)["text"]) == "answer"
    return {"bank": bank, "hand": hand}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--variants",
        nargs="+",
        default=["0", "0.3:0.1"],
        help="described_min_prob[:described_max_none] per variant (0: the rule off)",
    )
    parser.add_argument("--in-domain", type=float, default=None, help="described_in_domain_prob (default: Tuning's)")
    parser.add_argument("--no-bank", action="store_true")
    parser.add_argument("--no-full", action="store_true", help="skip the full head's (in-sample) conversations")
    parser.add_argument("--without-kind", action="store_true", help="also the figure without the learned kind")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    h = Harness()
    if args.in_domain is not None:
        h.engine.tuning = replace(h.engine.tuning, described_in_domain_prob=args.in_domain)
    folds = {} if args.no_bank else h.bank_folds()
    report: dict[str, Any] = {"started": time.strftime("%H:%M:%S", time.gmtime())}
    for variant in args.variants:
        prob_text, _, none_text = variant.partition(":")
        prob, h.max_none = float(prob_text), float(none_text or 1.0)
        row: dict[str, Any] = {"lowo": conversations(h, prob, lowo=True)}
        if not args.no_full:
            row["full"] = conversations(h, prob, lowo=False)
        row["hand_rows"] = hand_rows_figures(h, prob)
        row["probes"] = probes(h, prob)
        if not args.no_bank:
            row["bank"] = bank_figures(h, prob, folds)
        report[variant] = row
        summary = {s: f"{v['passed']}/{v['turns']}" for s, v in row["lowo"].items()}
        print(
            prob,
            json.dumps(summary),
            json.dumps({k: v for k, v in row.items() if k in ("hand_rows", "bank", "probes")}, ensure_ascii=False)[
                :2000
            ],
            flush=True,
        )
    if args.without_kind:
        report["without_kind"] = without_kind(h)
        print("without the learned kind", report["without_kind"])
    report["finished"] = time.strftime("%H:%M:%S", time.gmtime())
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
