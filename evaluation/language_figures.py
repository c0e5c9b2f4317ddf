"""Engine-level figures by language and for FAQ answers, on TUNING rows only.

    python -m evaluation.language_figures [--failures N] [--out FILE]

- English and traditional-Chinese rows of the question bank's tuning part (`style` english / traditional):
  item top-1 (answered with the labelled item), the answer's primary aspect among the labelled ones, the
  learned gate's kind; other departments' rows answered with a guide; policy rows answered.
- Traditional rows: the same answer (kind, item, aspects, rule) as their text converted to simplified.
- `evaluation/data/english_probes.jsonl` (English questions for other departments, written to tune on):
  answered with a guide.
- `evaluation/data/faq_probes.jsonl` (questions a guide's FAQ answers, and questions it does not, written
  to tune on from the curated FAQ entries): answered from the labelled FAQ entry / not from any FAQ entry.

The bank's blind part is never read here.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import defaultdict
from pathlib import Path
from typing import Any

from evaluation.bank.generate import load
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
ENGLISH_PROBES = ROOT / "evaluation" / "data" / "english_probes.jsonl"
FAQ_PROBES = ROOT / "evaluation" / "data" / "faq_probes.jsonl"


def _rate(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _faq_of(answer: Any) -> str | None:
    return getattr(answer, "faq_id", None)


def style_figures(engine: Any, styles: tuple[str, ...], failures: list[str]) -> dict[str, Any]:
    hits: dict[str, list[bool]] = defaultdict(list)
    for q in load("tuning"):
        if q.style not in styles:
            continue
        key = q.style
        kind, _, _ = engine.verdict(q.text)
        hits[f"{key} kind"].append(kind == q.kind)
        if q.kind == "in_domain":
            answer = engine.ask(q.text)
            ok = answer.kind == "answer" and answer.item is not None and answer.item.code == q.item
            hits[f"{key} item_top1"].append(ok)
            if q.aspects:
                labels = {a.value for a in q.aspects}
                good = answer.aspect is not None and answer.aspect.value in labels
                hits[f"{key} aspect"].append(good)
                if ok and not good:
                    failures.append(f"[{key} aspect] {q.text[:70]} | want {sorted(labels)} got {answer.aspect}")
            if not ok:
                got = answer.item.code if answer.item else "-"
                failures.append(f"[{key} item] {q.text[:70]} | want {q.item} got {answer.kind} {got} {answer.rule}")
            if q.style == "traditional":
                simple = engine.ask(normalise(q.text))
                same = (answer.kind, answer.item, answer.aspects, answer.rule) == (
                    simple.kind,
                    simple.item,
                    simple.aspects,
                    simple.rule,
                )
                hits["traditional same_as_simplified"].append(same)
        elif q.kind == "other_department":
            answer = engine.ask(q.text)
            hits[f"{key} other_department_answered"].append(answer.kind == "answer")
            if answer.kind == "answer":
                failures.append(f"[{key} other answered] {q.text[:70]} | {answer.item.code if answer.item else '-'}")
        elif q.kind == "policy":
            answer = engine.ask(q.text)
            hits[f"{key} policy_answered"].append(answer.kind == "answer")
    return {k: _rate(v) for k, v in sorted(hits.items())} | {"n": {k: len(v) for k, v in sorted(hits.items())}}


def probe_figures(engine: Any, failures: list[str]) -> dict[str, Any]:
    hits: dict[str, list[bool]] = defaultdict(list)
    for row in _rows(ENGLISH_PROBES):
        answer = engine.ask(row["text"])
        hits["english_probes answered"].append(answer.kind == "answer")
        if answer.kind == "answer":
            failures.append(f"[english probe answered] {row['text'][:70]} | {answer.item.code if answer.item else '-'}")
    for row in _rows(FAQ_PROBES):
        answer = engine.ask(row["text"])
        got = _faq_of(answer)
        if row.get("faq"):
            ok = got in row["faq"]
            hits["faq_probes answered from the FAQ"].append(ok)
            item_ok = answer.item is not None and answer.item.code == row["item"]
            hits["faq_probes item"].append(item_ok)
            if not ok:
                failures.append(f"[faq missed] {row['text'][:60]} | want {row['faq']} got {got} {answer.rule}")
        else:
            ok = got is None
            hits["faq_probes not from a FAQ"].append(ok)
            if not ok:
                failures.append(f"[faq wrongly] {row['text'][:60]} | got {got}")
    return {k: _rate(v) for k, v in sorted(hits.items())} | {"n": {k: len(v) for k, v in sorted(hits.items())}}


def faq_share(engine: Any) -> dict[str, Any]:
    """How many in-domain tuning rows (any style) about an item with FAQ entries are answered from one: a FAQ
    rule that fires on ordinary guide questions would show here (the rule never answers for other items)."""
    from knowledge.faq import faq_entries

    with_faq = {e.item_code for e in faq_entries(engine.catalog.items)}
    rows = [q for q in load("tuning") if q.kind == "in_domain" and q.item in with_faq]
    from_faq = [q for q in rows if _faq_of(engine.ask(q.text))]
    return {
        "in_domain rows": len(rows),
        "answered from a FAQ": len(from_faq),
        "of them FAQ-origin rows": sum(q.origin == "faq" for q in from_faq),
        "examples": [q.text[:50] for q in from_faq if q.origin != "faq"][:15],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--failures", type=int, default=40, help="print at most this many failures")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    parser.add_argument("--no-share", action="store_true", help="skip the FAQ share over all in-domain rows")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    from knowledge.service import get_engine

    engine: Any = get_engine()
    failures: list[str] = []
    report: dict[str, Any] = {
        "bank tuning": style_figures(engine, ("english", "traditional"), failures),
        "probes": probe_figures(engine, failures),
    }
    if not args.no_share:
        report["faq share"] = faq_share(engine)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    for line in failures[: args.failures]:
        print(line)
    if args.out:
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
