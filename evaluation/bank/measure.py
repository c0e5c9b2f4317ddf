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
from evaluation.bank.split import TUNING_ONLY
from knowledge.query.cues import detect_aspects

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "evaluation" / "data" / "heldout.jsonl"
MULTITURN = ROOT / "evaluation" / "data" / "multiturn"
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
            hits["other_department_false_answer_without_gate"].append(_without_learned_kind(engine, q.text) == "answer")
        elif q.kind == "complaint":
            hits["complaint_recall_gate"].append(kind == "complaint")
    out: dict[str, Any] = {name: _rate(values) for name, values in sorted(hits.items())}
    out["n"] = {name: len(values) for name, values in sorted(hits.items())}
    out["kind_accuracy_by_style"] = {s: _rate(v) for s, v in sorted(by_style.items())}
    return out


def _without_learned_kind(engine: Any, text: str) -> str:
    """The engine's answer kind with the learned kind predictor taken out of its analyse stage (its
    referral keyword list still works); single-threaded measurement only."""
    from knowledge.query.predictors import Predictors

    inner = getattr(engine, "engine", engine)
    analyser = getattr(inner, "analyser", None)
    if analyser is None:
        return str(engine.ask(text).kind)
    kept = analyser.predictors
    analyser.predictors = Predictors()
    try:
        return str(inner.ask(text).kind)
    finally:
        analyser.predictors = kept


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


def _post(client: Any, session: str, text: str, payload: str | None = None) -> tuple[dict[str, Any], float]:
    body: dict[str, Any] = {"session_id": session, "text": text}
    if payload:
        body["payload"] = payload
    started = time.perf_counter()
    resp = client.post("/api/chat", json=body)
    return resp.json(), time.perf_counter() - started


def _reply_text(body: dict[str, Any]) -> str:
    return "\n".join(r.get("text") or "" for r in body.get("replies") or [])


def chosen_button(body: dict[str, Any], item: str | None, sub_item: str | None) -> str | None:
    """The payload of the offered button for the labelled item (and sub-item, when labelled), if any."""
    buttons = [b for r in body.get("replies") or [] for b in r.get("buttons") or []]
    if item is None:
        return None
    for_item = [b["payload"] for b in buttons if f'"{item}"' in b.get("payload", "")]
    for_sub = [p for p in for_item if sub_item and sub_item in p]
    return (for_sub or for_item or [None])[0]


def chat_figures(url: str, questions: Iterable[BankQuestion], timeout: float = 60.0) -> dict[str, Any]:
    """Each question as a fresh session through POST /api/chat. An in-domain question answered with a
    clarifying question gets one more turn: the offered button for the labelled item (and sub-item)
    is pressed (sent as `payload`), and the answer after it is scored too (`item_after_choice`)."""
    import httpx

    hits: dict[str, list[bool]] = defaultdict(list)
    failures: list[dict[str, str]] = []
    latencies: list[float] = []
    with httpx.Client(base_url=url, timeout=timeout) as client:
        for q in questions:
            session = f"bank-{uuid.uuid4().hex[:12]}"
            body, took = _post(client, session, q.text)
            latencies.append(took)
            meta = body.get("meta") or {}
            kind = meta.get("kind")
            text = _reply_text(body)
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
                after = ok
                if kind == "clarify":
                    payload = chosen_button(body, q.item, q.sub_item)
                    if payload:
                        body2, took = _post(client, session, payload, payload)
                        latencies.append(took)
                        meta2 = body2.get("meta") or {}
                        after = meta2.get("kind") == "answer" and (meta2.get("item") or {}).get("code") == q.item
                hits["item_after_choice"].append(after)
            else:
                ok = kind == "answer"
                hits["policy_answered"].append(ok)
            if not ok and len(failures) < 60:
                failures.append({"kind": q.kind, "got": str(kind), "text": q.text[:80], "reply": text[:80]})
    out: dict[str, Any] = {name: _rate(values) for name, values in sorted(hits.items())}
    out["n"] = {name: len(values) for name, values in sorted(hits.items())}
    if latencies:
        ordered = sorted(latencies)
        out["latency_s"] = {
            "p50": round(ordered[len(ordered) // 2], 3),
            "p95": round(ordered[int(len(ordered) * 0.95)], 3),
        }
    out["failures"] = failures
    return out


def dialogue_figures(url: str, path: Path) -> dict[str, Any]:
    """Multi-turn conversations (FORMAT.md) through POST /api/chat, scored like `make eval`."""
    from evaluation.conversations import load_conversations
    from evaluation.run import _chat_turns
    from evaluation.scoring import TurnResult, check_turn, summarise

    convs = load_conversations(path)
    results = [
        TurnResult(c, n, seen, check_turn(c.turns[n].expect, seen)) for c, n, seen in _chat_turns(convs, url, 60.0)
    ]
    out = summarise(results)
    out["failures"] = [
        f"{r.conversation.id}#{r.index} {r.conversation.turns[r.index].user[:40]!r}: {'; '.join(r.problems)}"
        f" | got {r.seen.kind} {r.seen.item_name} {r.seen.aspect} | {r.seen.text[:60]!r}"
        for r in results
        if r.problems
    ][:80]
    return out


def _load_part(part: str) -> list[BankQuestion]:
    """A bank part; `realworld` is the hand-written real-world rows of the tuning part (split.TUNING_ONLY);
    `hand-<split>` the hand-written other departments' and complaint rows (`evaluation/data/handwritten/`)."""
    if part == "realworld":
        return [q for q in load("tuning") if q.family.startswith(TUNING_ONLY)]
    if part.startswith("hand-"):
        from evaluation.handwritten import files, load_rows

        paths = files(part.removeprefix("hand-"))
        return load_rows(paths["other_departments"]) + load_rows(paths["complaints"])
    return load(part)


def is_blind(part: str) -> bool:
    """The bank's blind part, a blind hand-written split (`hand-blind`, `hand-blind6`) or blind dialogues."""
    if part.startswith("hand-"):
        from evaluation.handwritten import ROW_SPLIT

        return ROW_SPLIT.get(part.removeprefix("hand-")) == "blind"
    return part == "blind"


def withhold_failures(figures: Any) -> Any:
    """A blind part's figures with every failure list replaced by its length: measuring a blind part must not
    turn into reading which of its questions failed."""
    if isinstance(figures, dict):
        return {
            (f"{key}_withheld" if key == "failures" else key): (
                len(value) if key == "failures" and isinstance(value, list) else withhold_failures(value)
            )
            for key, value in figures.items()
        }
    return figures


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
    parser.add_argument(
        "--dialogues",
        nargs="*",
        default=[],
        choices=["tuning", "blind"],
        help="with --chat: also the multi-turn conversations (evaluation/data/multiturn/<part>.jsonl)",
    )
    parser.add_argument("--no-engine", action="store_true", help="skip the engine-level figures (chat only)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    report: dict[str, Any] = {}
    if args.chat:
        for part in args.dialogues:
            started = time.perf_counter()
            figures = dialogue_figures(args.chat, MULTITURN / f"{part}.jsonl")
            report[f"multiturn {part}"] = {"chat": withhold_failures(figures) if is_blind(part) else figures}
            logger.info("multi-turn %s measured in %.0f s", part, time.perf_counter() - started)
    from knowledge.service import get_engine

    engine: Any = None if args.no_engine else get_engine()
    if engine is not None and not hasattr(engine, "verdict"):
        logger.error("the learned gate is off (KNOWLEDGE_LEARNED=false or no training rows)")
        return 2
    for part in args.parts:
        started = time.perf_counter()
        if part == "heldout" and args.no_engine:
            continue
        if part == "heldout":
            report["heldout (a tuning set)"] = {"engine": heldout_figures(engine)}
        else:
            whole = part == "realworld" or part.startswith("hand-")
            questions = _sample(_load_part(part), None if whole else args.limit)
            entry: dict[str, Any] = {"questions": len(questions)}
            if not args.no_engine:
                entry["engine"] = engine_figures(engine, questions)
            if args.chat:
                entry["chat"] = chat_figures(args.chat, questions)
            report[part] = withhold_failures(entry) if is_blind(part) else entry
        logger.info("%s measured in %.0f s", part, time.perf_counter() - started)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
