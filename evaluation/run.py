"""`make eval FILE=… [MODE=chat|retrieval]`: evaluates the assistant on conversations.

chat mode sends every turn of every conversation through `POST /api/chat` (a fresh session each);
retrieval mode asks the knowledge engine alone the first turn of each conversation expected to be an
answer. Failures are printed first; the last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from evaluation.conversations import Conversation, load_conversations
from evaluation.scoring import Observed, TurnResult, check_turn, summarise


def _retrieval_turns(convs: list[Conversation], kinds: set[str]) -> Iterator[tuple[Conversation, int, Observed]]:
    from knowledge.service import get_engine

    engine = get_engine()
    for conv in convs:
        first = conv.turns[0]
        if first.expect.kind not in kinds:
            continue
        answer = engine.ask(first.user)
        names = [c.name for c in answer.candidates]
        yield (
            conv,
            0,
            Observed(
                kind=answer.kind,
                item_name=answer.item.name if answer.item else None,
                aspect=answer.aspect.value if answer.aspect else None,
                text=answer.text,
                candidate_names=names,
            ),
        )


def chat_body(session: str, user: str) -> dict[str, str]:
    """A turn starting with ``/`` is a pressed button: sent as ``payload`` (and as ``text`` for servers that
    predate the field); anything else is typed text (see ../shared/eval/FORMAT.md)."""
    if user.startswith("/"):
        return {"session_id": session, "text": user, "payload": user}
    return {"session_id": session, "text": user}


def _chat_turns(convs: list[Conversation], url: str, timeout: float) -> Iterator[tuple[Conversation, int, Observed]]:
    import httpx

    with httpx.Client(base_url=url, timeout=timeout) as client:
        for conv in convs:
            session = f"eval-{conv.id}-{uuid.uuid4().hex[:8]}"
            for n, turn in enumerate(conv.turns):
                resp = client.post("/api/chat", json=chat_body(session, turn.user))
                try:
                    body = resp.json()
                except ValueError:
                    body = {}
                meta = body.get("meta") or {}
                replies = body.get("replies") or []
                text = "\n".join(r.get("text") or "" for r in replies)
                item = meta.get("item") or {}
                yield (
                    conv,
                    n,
                    Observed(
                        kind=meta.get("kind") or ("rejected" if 400 <= resp.status_code < 500 else None),
                        item_name=item.get("name"),
                        aspect=meta.get("aspect"),
                        text=text,
                        candidate_names=[c.get("name", "") for c in meta.get("candidates") or []],
                    ),
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--mode", choices=["chat", "retrieval"], default="chat")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument(
        "--kinds", default="answer", help="retrieval mode: expected first-turn kinds to include (comma-separated)"
    )
    parser.add_argument("--out", type=Path, help="also write the summary JSON here")
    args = parser.parse_args(argv)

    convs = load_conversations(args.file)
    if args.mode == "retrieval":
        turns = _retrieval_turns(convs, set(args.kinds.split(",")))
    else:
        turns = _chat_turns(convs, args.url, args.timeout)
    results = [TurnResult(conv, n, seen, check_turn(conv.turns[n].expect, seen)) for conv, n, seen in turns]
    for r in results:
        if r.problems:
            user = r.conversation.turns[r.index].user
            print(
                f"FAIL {r.conversation.id}#{r.index} {user[:40]!r}: {'; '.join(r.problems)}"
                f" | got kind={r.seen.kind} item={r.seen.item_name} aspect={r.seen.aspect}"
                f" | reply={r.seen.text[:80]!r}"
            )
    summary = summarise(results)
    summary["file"] = str(args.file)
    summary["mode"] = args.mode
    line = json.dumps(summary, ensure_ascii=False)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(line + "\n", encoding="utf-8")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
