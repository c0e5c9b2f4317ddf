"""Training rows for the learned heads from the hand-written TUNING sets (`evaluation/data/handwritten/`).

Seven writers wrote conversations and single messages in citizens' registers (colloquial, typos, traditional
characters, English, 12345 transfer notes). Their tuning splits are turned into `TrainingRow`s here; the blind
splits are never read (a split whose name starts with `blind` is refused).

How a row's kind and aspects are chosen:
- `other_departments_<split>.jsonl` / `complaints_<split>.jsonl`: the row's own `kind`;
- a typed conversation turn expected to `answer`, `clarify` or `no_answer` about an item (`expect.item`), or to
  `clarify` which item: `in_domain`, its aspect the turn's `expect.aspect` where labelled (one aspect; a turn
  asking two carries none, so it is no aspect row);
- a turn expected to `answer` with no item whose checked text stands in a policy point (`knowledge/data/
  policies/`): `policy`;
- a turn expected to be `smalltalk`: `smalltalk`;
- a turn that starts the 办不成事 intake (`escalate` after a non-`escalate` turn): `complaint`; the intake's
  later turns (details, a phone number) are answers to its questions, not messages of a kind;
- everything else (button presses, tickets, handoffs, out-of-scope, no-answers about no item — some are health
  matters the knowledge base does not hold, some other departments' — and turns with no expected kind): no row.

Follow-ups. A turn after the first may be elliptical ("那要揣哪些证件去", "证几年有效"): its text alone still asks
about a service item, so it is an `in_domain` (or `policy`) question for the kind head, and its aspect label is
exactly what the aspect head must learn (the gate's follow-up rules act on the same kinds). Whether such rows
help the kind head is measured by leave-one-writer-out (`evaluation.hand_rows_lowo`); `FOLLOWUPS_FOR_KIND` says
what that chose. Families are per split and conversation (or row), so calibration folds never split a
conversation.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.learned.store import TrainingRow
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
HAND_DIR = ROOT / "evaluation" / "data" / "handwritten"
POLICY_DIR = ROOT / "knowledge" / "data" / "policies"
TUNING_SPLITS: tuple[str, ...] = (
    "tuning",
    "seen",
    "tuning7",
    "tuning8",
    "tuning9",
    "tuning10",
    "tuning11",
    "tuning12",
    "tuning13",
    "tuning14",
    "tuning15",
)
"""The hand-written splits that are tuning (`evaluation/data/handwritten/README.md`); no other split trains."""
HELD_BACK: tuple[str, ...] = ("tuning16",)
"""Tuning splits deliberately not trained on (yet): a fresh writer kept as a measure for a round's fixers. Every
tuning split of `evaluation.handwritten` is in TUNING_SPLITS or here (a test checks), so a new one is never
forgotten."""
WRITERS: dict[str, tuple[str, ...]] = {
    "round4": ("tuning", "seen"),
    "tuning7": ("tuning7",),
    "tuning8": ("tuning8",),
    "tuning9": ("tuning9",),
    "tuning10": ("tuning10",),
    "tuning11": ("tuning11",),
    "tuning12": ("tuning12",),
    "tuning13": ("tuning13",),
    "tuning14": ("tuning14",),
    "tuning15": ("tuning15",),
}
"""The independent writers of the tuning splits (round 4's writer wrote both `tuning` and `seen`)."""
FOLLOWUPS_FOR_KIND = True
"""Whether follow-up turns (after a conversation's first) are kind-head rows too (always aspect-head rows)."""
ITEM_KINDS = ("answer", "clarify", "no_answer")


def _check_split(split: str) -> None:
    if split.startswith("blind") or split not in TUNING_SPLITS:
        raise ValueError(f"{split!r} is not a hand-written tuning split: only {TUNING_SPLITS} may train the heads")


@lru_cache(maxsize=4)
def policy_text(folder: Path = POLICY_DIR) -> str:
    """The normalised words of every policy point (topic, keywords, text), one string."""
    parts: list[str] = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for point in data.get("points") or []:
            parts += [str(point.get("topic") or ""), *map(str, point.get("keywords") or []), str(point.get("text"))]
    return normalise("\n".join(parts))


def turn_kind(expect: dict[str, object], previous: str | None, policies: str) -> str | None:
    """The head's kind for a typed turn from what the turn expects (None: no row; see the module doc)."""
    kind = expect.get("kind")
    if kind in ITEM_KINDS and expect.get("item"):
        return "in_domain"
    if kind == "clarify":
        return "in_domain"
    if kind == "answer":
        checked = [*_strings(expect.get("contains_all")), *_strings(expect.get("contains_any"))]
        if checked and any(normalise(s) in policies for s in checked):
            return "policy"
        return None
    if kind == "smalltalk":
        return "smalltalk"
    if kind == "escalate" and previous != "escalate":
        return "complaint"
    return None


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def conversation_rows(
    lines: Iterable[str], split: str, policies: str, followups_for_kind: bool = FOLLOWUPS_FOR_KIND
) -> list[TrainingRow]:
    """Rows from a conversations file's lines (FORMAT.md)."""
    rows: list[TrainingRow] = []
    for line in lines:
        if not line.strip():
            continue
        conv = json.loads(line)
        family = f"hand:{split}:{conv['id']}"
        previous: str | None = None
        for n, turn in enumerate(conv["turns"]):
            expect = turn.get("expect") or {}
            text = str(turn["user"])
            kind = None if text.startswith("/") else turn_kind(expect, previous, policies)
            previous = expect.get("kind")
            if kind is None:
                continue
            aspect = expect.get("aspect")
            aspects = (str(aspect),) if kind == "in_domain" and aspect and expect.get("kind") == "answer" else None
            for_kind = followups_for_kind or n == 0
            if not for_kind and aspects is None:
                continue
            labelled = n == 0 and kind == "in_domain" and expect.get("kind") in ("answer", "clarify")
            item = str(expect["item"]) if labelled and expect.get("item") else None
            rows.append(TrainingRow(text, kind, aspects, family, for_kind, hand=True, item=item))
    return rows


def message_rows(lines: Iterable[str], split: str) -> list[TrainingRow]:
    """Rows from an other-departments or complaints file's lines (bank-row format, `kind` on each)."""
    rows: list[TrainingRow] = []
    for line in lines:
        if line.strip():
            data = json.loads(line)
            family = f"hand:{split}:{data.get('family') or data['id']}"
            rows.append(TrainingRow(data["text"], data["kind"], None, family, hand=True))
    return rows


def split_rows(split: str, folder: Path = HAND_DIR, followups_for_kind: bool = FOLLOWUPS_FOR_KIND) -> list[TrainingRow]:
    """All rows of one hand-written tuning split (conversations, other departments, complaints)."""
    _check_split(split)
    policies = policy_text()
    rows = conversation_rows(read_lines(folder / f"{split}.jsonl"), split, policies, followups_for_kind)
    for name in ("other_departments", "complaints"):
        rows += message_rows(read_lines(folder / f"{name}_{split}.jsonl"), split)
    return rows


def read_hand_rows(
    splits: Sequence[str] = TUNING_SPLITS, folder: Path = HAND_DIR, followups_for_kind: bool = FOLLOWUPS_FOR_KIND
) -> list[TrainingRow]:
    rows = [row for split in splits for row in split_rows(split, folder, followups_for_kind)]
    logger.info("%d hand-written training rows from %s", len(rows), ", ".join(splits))
    return rows


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []
