"""The hand-written sets (`evaluation/data/handwritten/`), measured through `POST /api/chat`.

    python -m evaluation.handwritten --url http://127.0.0.1:8000 --split tuning [--out FILE]
    python -m scripts.run_stack --then "python -m evaluation.handwritten --split blind --url http://127.0.0.1:$APP_PORT"

Written by hand, as citizens write (see the folder's README), from the knowledge sources only, and split
into TUNING parts (look at their failures, fix the code: `tuning`, round 4's, `tuning7` … `tuning15`, rounds 7
to 16's, and `tuning16`, round 17's, held back from the heads that round; each written by a writer who fixed no
code and ran nothing), a SEEN part (blind in round 4, whose failures were then read: it counts as tuning now) and
thirteen BLIND parts: `blind` (written in round 5), `blind6` … `blind17` (rounds 6 to 17), each by a writer who
fixed nothing; measured only; no threshold, cue, training example or test is fitted to them. Per split, three files:

- `<split>.jsonl`: conversations in the format of `../shared/eval/FORMAT.md`, scored like `make eval`;
- `other_departments_<split>.jsonl`: other departments' questions (question-bank rows, kind
  `other_department`): a no-answer, out-of-scope or human channel passes (never a guide, the complaint
  intake, small talk, "再见" or a ticket-number request); also counted: answered with a guide, and whether
  the reply names the department or 12345;
- `complaints_<split>.jsonl`: narrative complaints (rows, kind `complaint`): the complaint intake or a
  human channel passes.

Failures of the tuning and seen parts are printed (one line each), then the figures as one JSON object; a
blind part's failures are only counted, never printed or written. This module and the tests
that guard the split are the only code that names the blind files.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.bank.measure import BAD_REPLIES, COMPLAINT_KINDS, NO_ANSWER_KINDS, _reply_text, withhold_failures
from evaluation.bank.schema import BankQuestion
from evaluation.conversations import load_conversations
from evaluation.run import _chat_turns
from evaluation.scoring import TurnResult, check_turn, summarise

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data" / "handwritten"
SPLITS = (
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
    "tuning16",
    "blind",
    "blind6",
    "blind7",
    "blind8",
    "blind9",
    "blind10",
    "blind11",
    "blind12",
    "blind13",
    "blind14",
    "blind15",
    "blind16",
    "blind17",
)
# The split a row of each file carries (`BankQuestion.split`): the seen part counts as tuning.
ROW_SPLIT = {
    "tuning": "tuning",
    "seen": "tuning",
    "tuning7": "tuning",
    "tuning8": "tuning",
    "tuning9": "tuning",
    "tuning10": "tuning",
    "tuning11": "tuning",
    "tuning12": "tuning",
    "tuning13": "tuning",
    "tuning14": "tuning",
    "tuning15": "tuning",
    "tuning16": "tuning",
    "blind": "blind",
    "blind6": "blind",
    "blind7": "blind",
    "blind8": "blind",
    "blind9": "blind",
    "blind10": "blind",
    "blind11": "blind",
    "blind12": "blind",
    "blind13": "blind",
    "blind14": "blind",
    "blind15": "blind",
    "blind16": "blind",
    "blind17": "blind",
}
# The blind splits: measured only. Their failures are never printed or written (only counted, by the bank
# measurement's `withhold_failures`), so measuring them cannot turn into reading them.
BLIND_SPLITS = tuple(split for split in SPLITS if ROW_SPLIT[split] == "blind")

# Words by which a reply names the department a row is labelled with (any one is enough); 12345 always is.
DEPARTMENT_WORDS: dict[str, tuple[str, ...]] = {
    "医疗保障部门（医保局）": ("医保", "医疗保障"),
    "人力资源和社会保障部门": ("人社", "人力资源", "社会保障", "社保"),
    "住房公积金管理中心": ("公积金",),
    "公安交通管理部门（交警）": ("交警", "公安交通", "车管所"),
    "公安机关": ("公安", "派出所", "出入境"),
    "市场监督管理部门": ("市场监管", "市场监督"),
    "民政部门": ("民政",),
    "教育部门": ("教育",),
    "税务部门": ("税务",),
    "住房和城乡建设部门": ("住建", "住房和城乡建设", "不动产"),
    "体育部门": ("体育",),
    "应急管理部门": ("应急管理",),
    "退役军人事务部门": ("退役军人",),
    "药品监督管理部门": ("药品监督", "药监"),
    "残疾人联合会": ("残联", "残疾人联合会"),
    "城市管理部门": ("城管", "城市管理"),
}
HOTLINE = "12345"


def files(split: str) -> dict[str, Path]:
    """The three files of one split."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    return {
        "conversations": DATA_DIR / f"{split}.jsonl",
        "other_departments": DATA_DIR / f"other_departments_{split}.jsonl",
        "complaints": DATA_DIR / f"complaints_{split}.jsonl",
    }


def load_rows(path: Path) -> list[BankQuestion]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(BankQuestion.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
    return rows


def names_department(text: str, department: str | None) -> bool:
    words = DEPARTMENT_WORDS.get(department or "", ())
    return HOTLINE in text or any(w in text for w in words)


@dataclass
class RowOutcome:
    row: BankQuestion
    kind: str | None
    text: str
    status: int

    @property
    def passed(self) -> bool:
        if self.row.kind == "other_department":
            return self.kind in NO_ANSWER_KINDS and not any(b in self.text for b in BAD_REPLIES)
        return self.kind in COMPLAINT_KINDS

    def line(self) -> str:
        reply = self.text.replace("\n", " ")[:90]
        return (
            f"FAIL {self.row.id} ({len(self.row.text)} chars) {self.row.text[:50]!r}"
            f" | got kind={self.kind} status={self.status} | reply={reply!r}"
        )


def ask_rows(url: str, rows: list[BankQuestion], timeout: float) -> list[RowOutcome]:
    """Each row as a fresh session: one message, the reply's kind and text."""
    import httpx

    out = []
    with httpx.Client(base_url=url, timeout=timeout) as client:
        for row in rows:
            session = f"hw-{row.id}-{uuid.uuid4().hex[:8]}"
            resp = client.post("/api/chat", json={"session_id": session, "text": row.text})
            try:
                body = resp.json()
            except ValueError:  # not JSON: an error page
                body = {}
            meta = (body.get("meta") if isinstance(body, dict) else None) or {}
            kind = meta.get("kind") or ("rejected" if 400 <= resp.status_code < 500 else None)
            out.append(RowOutcome(row, kind, _reply_text(body) if isinstance(body, dict) else "", resp.status_code))
    return out


def _rate(hits: list[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def row_figures(outcomes: list[RowOutcome]) -> dict[str, Any]:
    figures: dict[str, Any] = {"n": len(outcomes), "pass": _rate([o.passed for o in outcomes])}
    figures["kinds"] = dict(Counter(str(o.kind) for o in outcomes).most_common())
    others = [o for o in outcomes if o.row.kind == "other_department"]
    if others:
        figures["answered_with_a_guide"] = _rate([o.kind == "answer" for o in others])
        figures["names_department_or_12345"] = _rate([names_department(o.text, o.row.department) for o in others])
    return figures


def conversation_figures(url: str, path: Path, timeout: float) -> tuple[dict[str, Any], list[str]]:
    convs = load_conversations(path)
    results = [
        TurnResult(c, n, seen, check_turn(c.turns[n].expect, seen)) for c, n, seen in _chat_turns(convs, url, timeout)
    ]
    failures = [
        f"FAIL {r.conversation.id}#{r.index} {r.conversation.turns[r.index].user[:50]!r}: {'; '.join(r.problems)}"
        f" | got kind={r.seen.kind} item={r.seen.item_name} aspect={r.seen.aspect}"
        f" | reply={r.seen.text.replace(chr(10), ' ')[:90]!r}"
        for r in results
        if r.problems
    ]
    return summarise(results), failures


def measure(url: str, split: str, timeout: float = 60.0) -> tuple[dict[str, Any], list[str]]:
    paths = files(split)
    report: dict[str, Any] = {"split": split}
    failures: list[str] = []
    started = time.perf_counter()
    report["conversations"], conv_failures = conversation_figures(url, paths["conversations"], timeout)
    failures += conv_failures
    for name in ("other_departments", "complaints"):
        outcomes = ask_rows(url, load_rows(paths[name]), timeout)
        report[name] = row_figures(outcomes)
        failures += [o.line() for o in outcomes if not o.passed]
    report["seconds"] = round(time.perf_counter() - started)
    return report, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="base URL of a running app")
    parser.add_argument(
        "--split", choices=SPLITS, action="append", help="any of: " + ", ".join(SPLITS) + " (default: tuning)"
    )
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--out", type=Path, help="also write the figures and failures as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    reports = []
    for split in args.split or ["tuning"]:
        report, failures = measure(args.url, split, args.timeout)
        report["failures"] = failures
        if split in BLIND_SPLITS:
            report = withhold_failures(report)
        else:
            for line in failures:
                print(line)
        reports.append(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(reports, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for report in reports:
        print(json.dumps({k: v for k, v in report.items() if k != "failures"}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
