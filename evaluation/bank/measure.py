"""Honest figures on the question bank (tuning and blind parts reported apart) and on heldout.jsonl.

    python -m evaluation.bank.measure [--parts tuning blind heldout] [--chat URL] [--limit N] [--out FILE]

Engine level (always): the knowledge engine as `knowledge.service.get_engine()` builds it, learned
gate included, and the learned predictors on their own:
- item top-1: in-domain questions answered (kind answer) with the labelled item;
- aspect accuracy: the learned aspect predictor's label set equals the labelled set (exact, multi-label),
  and, for comparison, the engine's rule cue (`detect_aspects`, primary) is one of the labelled aspects;
- kind accuracy: the learned gate's top kind equals the label;
- false-answer rate on other departments' questions: the engine answered them with a guide or policy;
- complaint recall: narrative complaints the gate takes for complaints.
Chat level (`--chat URL`, a running app with Rasa): every question as a fresh session through
`POST /api/chat`; other departments must get no_answer/out_of_scope/handoff (never an answer, the
complaint intake, small talk or a ticket question), complaints escalate or handoff, small talk smalltalk.

heldout.jsonl is a TUNING set now (its no-answer threshold and cues were fitted to it); only the bank's
blind part, which nothing is tuned on, measures generalisation. This script is the only reader of it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evaluation.bank.generate import load
from evaluation.bank.schema import BankQuestion
from knowledge.query.lexicon import detect_aspects

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "evaluation" / "data" / "heldout.jsonl"
ASPECT_THRESHOLD = 0.5
NO_ANSWER_KINDS = {"no_answer", "out_of_scope", "handoff"}
COMPLAINT_KINDS = {"escalate", "handoff"}
BAD_REPLIES = ("好的，再见", "工单号", "工单编号")


def _rate(hits: list[bool]) -> float | None:
    return round(sum(hits) / len(hits), 4) if hits else None


def predicted_aspects(prediction: dict[str, float]) -> set[str]:
    """Labels over the threshold; the most probable one when none is."""
    chosen = {k for k, p in prediction.items() if p >= ASPECT_THRESHOLD}
    if not chosen and prediction:
        chosen = {max(prediction, key=lambda k: prediction[k])}
    return chosen


def engine_figures(engine: Any, questions: Iterable[BankQuestion]) -> dict[str, Any]:
    hits: dict[str, list[bool]] = defaultdict(list)
    by_style: dict[str, list[bool]] = defaultdict(list)
    for q in questions:
        kind, _, _ = engine.verdict(q.text)
        hits["kind_accuracy"].append(kind == q.kind)
        by_style[q.style].append(kind == q.kind)
        if q.kind == "in_domain":
            answer = engine.ask(q.text)
            hits["item_top1"].append(answer.kind == "answer" and answer.item is not None and answer.item.code == q.item)
            if q.aspects:
                labels = {a.value for a in q.aspects}
                learned = predicted_aspects(engine.aspect_predictor.predict(q.text))
                hits["aspect_exact_learned"].append(learned == labels)
                hits["aspect_top1_learned"].append(
                    max(engine.aspect_predictor.predict(q.text).items(), key=lambda kv: kv[1])[0] in labels
                )
                rule = next(iter(detect_aspects(q.text)), None)
                hits["aspect_top1_rules"].append((rule.value if rule else "overview") in labels)
                hits["aspect_engine_answer"].append(answer.aspect is not None and answer.aspect.value in labels)
        elif q.kind == "other_department":
            answer = engine.ask(q.text)
            hits["other_department_false_answer"].append(answer.kind == "answer")
            raw = engine.engine.ask(q.text) if hasattr(engine, "engine") else answer
            hits["other_department_false_answer_without_gate"].append(raw.kind == "answer")
        elif q.kind == "complaint":
            hits["complaint_recall_gate"].append(kind == "complaint")
    out: dict[str, Any] = {name: _rate(values) for name, values in sorted(hits.items())}
    out["n"] = {name: len(values) for name, values in sorted(hits.items())}
    out["kind_accuracy_by_style"] = {s: _rate(v) for s, v in sorted(by_style.items())}
    return out


def heldout_figures(engine: Any) -> dict[str, Any]:
    """First turns of heldout.jsonl with an expected answer / clarify / no_answer (a TUNING set)."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for line in HELDOUT.read_text(encoding="utf-8").splitlines():
        conv = json.loads(line)
        first = conv["turns"][0]
        expect, text = first.get("expect") or {}, first["user"]
        if not text or text.startswith("/") or expect.get("kind") not in ("answer", "clarify", "no_answer"):
            continue
        answer = engine.ask(text)
        hits["answer_kind_accuracy"].append(answer.kind == expect["kind"])
        if expect["kind"] == "answer" and expect.get("item"):
            hits["item_top1"].append(answer.item is not None and expect["item"] in answer.item.name)
        if expect["kind"] == "answer" and expect.get("aspect"):
            hits["aspect_engine_answer"].append(answer.aspect is not None and answer.aspect.value == expect["aspect"])
            learned = engine.aspect_predictor.predict(text)
            hits["aspect_top1_learned"].append(max(learned.items(), key=lambda kv: kv[1])[0] == expect["aspect"])
    out: dict[str, Any] = {name: _rate(values) for name, values in sorted(hits.items())}
    out["n"] = {name: len(values) for name, values in sorted(hits.items())}
    return out


def chat_figures(url: str, questions: Iterable[BankQuestion], timeout: float = 60.0) -> dict[str, Any]:
    import httpx

    hits: dict[str, list[bool]] = defaultdict(list)
    failures: list[dict[str, str]] = []
    with httpx.Client(base_url=url, timeout=timeout) as client:
        for q in questions:
            body = client.post("/api/chat", json={"session_id": f"bank-{uuid.uuid4().hex[:12]}", "text": q.text}).json()
            meta = body.get("meta") or {}
            kind = meta.get("kind")
            text = "\n".join(r.get("text") or "" for r in body.get("replies") or [])
            if q.kind == "other_department":
                ok = kind in NO_ANSWER_KINDS and not any(b in text for b in BAD_REPLIES)
                hits["other_department_no_answer"].append(ok)
                hits["other_department_false_answer"].append(kind == "answer")
            elif q.kind == "complaint":
                ok = kind in COMPLAINT_KINDS
                hits["complaint_recall"].append(ok)
            elif q.kind == "smalltalk":
                ok = kind == "smalltalk"
                hits["smalltalk"].append(ok)
            elif q.kind == "in_domain":
                item = (meta.get("item") or {}).get("code")
                ok = kind == "answer" and item == q.item
                hits["item_top1"].append(ok)
            else:
                ok = kind == "answer"
                hits["policy_answered"].append(ok)
            if not ok and len(failures) < 40:
                failures.append({"kind": q.kind, "got": str(kind), "text": q.text[:80], "reply": text[:80]})
    out: dict[str, Any] = {name: _rate(values) for name, values in sorted(hits.items())}
    out["n"] = {name: len(values) for name, values in sorted(hits.items())}
    out["failures"] = failures
    return out


def _sample(questions: list[BankQuestion], limit: int | None) -> list[BankQuestion]:
    if not limit or len(questions) <= limit:
        return questions
    by_kind: dict[str, list[BankQuestion]] = defaultdict(list)
    for q in sorted(questions, key=lambda q: q.id):
        by_kind[q.kind].append(q)
    share = limit / len(questions)
    return [q for group in by_kind.values() for q in group[: max(1, round(len(group) * share))]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", nargs="+", default=["tuning", "blind", "heldout"])
    parser.add_argument("--chat", help="base URL of a running app: also measure through POST /api/chat")
    parser.add_argument("--limit", type=int, help="at most this many questions per part (stratified by kind)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from knowledge.service import get_engine

    engine = get_engine()
    if not hasattr(engine, "verdict"):
        logger.error("the learned gate is off (KNOWLEDGE_LEARNED=false or no training rows)")
        return 2
    report: dict[str, Any] = {}
    for part in args.parts:
        started = time.perf_counter()
        if part == "heldout":
            report["heldout (a tuning set)"] = {"engine": heldout_figures(engine)}
        else:
            questions = _sample(load(part), args.limit)
            entry: dict[str, Any] = {"questions": len(questions), "engine": engine_figures(engine, questions)}
            if args.chat:
                entry["chat"] = chat_figures(args.chat, questions)
            report[part] = entry
        logger.info("%s measured in %.0f s", part, time.perf_counter() - started)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
