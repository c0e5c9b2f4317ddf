"""Multi-turn conversations against the knowledge engine alone, carrying the context as the answer action does.

    python -m evaluation.engine_dialogue FILE

A quick check of the engine's dialogue rules without Rasa (seconds instead of minutes): each typed
turn is asked with the context the previous answer left (item, sub-item, aspect — `actions/answer.py`'s
slots, and a clarifying question's choices, which the action reads back from the reply's buttons); a button
turn (`/ask_item{…}`) re-asks the last typed question with the chosen item and
sub-item. Turns the engine does not handle (complaints, tickets: expected kinds other than answer,
clarify and no_answer) are skipped, and the conversation's context is kept across them. The chat
level (`evaluation.run --mode chat`) stays the measure that counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evaluation.conversations import Turn, load_conversations
from evaluation.scoring import Observed, check_turn

ENGINE_KINDS = {"answer", "clarify", "no_answer"}


def run(
    engine: Any, path: Path, on_turn: Callable[[str, Turn, Observed, list[str]], None] | None = None
) -> dict[str, Any]:
    """Every conversation of `path` through `engine.ask`; `on_turn(turn id, turn, observed, problems)` is called after
    each scored turn (the calibration tools read the engine's trace beside it)."""
    from knowledge.answer import Context

    turns = passed = convs = conv_passed = aspect_turns = aspect_passed = 0
    failures: list[str] = []
    for conv in load_conversations(path):
        ctx = Context()
        region: str | None = None  # the `region` slot: the place the user named (actions/answer.py keeps it)
        last_question = ""
        ok_conv = True
        counted = False
        for n, turn in enumerate(conv.turns):
            if turn.expect.kind not in ENGINE_KINDS:
                continue
            counted = True
            if turn.user.startswith("/"):
                entities = json.loads(turn.user[turn.user.index("{") :])
                ask_ctx = Context(
                    item_code=entities.get("item_code"),
                    sub_item=entities.get("sub_item"),
                    aspect=ctx.aspect,
                    chosen=True,
                )
                answer = engine.ask(last_question, ask_ctx, region)
            else:
                last_question = turn.user
                answer = engine.ask(turn.user, ctx, region)
            region = answer.region_asked or region
            seen = Observed(
                kind=answer.kind,
                item_name=answer.item.name if answer.item else None,
                aspect=answer.aspect.value if answer.aspect else None,
                text=answer.text,
                candidate_names=[c.name for c in answer.candidates],
            )
            problems = check_turn(turn.expect, seen)
            if on_turn is not None:
                on_turn(f"{conv.id}#{n}", turn, seen, problems)
            if turn.expect.kind == "answer" and turn.expect.aspect:
                aspect_turns += 1
                aspect_passed += seen.aspect == turn.expect.aspect
            turns += 1
            passed += not problems
            if problems:
                ok_conv = False
                failures.append(
                    f"{conv.id}#{n} {turn.user[:30]!r}: {'; '.join(problems)} | rule={answer.rule} "
                    f"got {answer.kind} {seen.item_name} {seen.aspect}"
                )
            if answer.item is not None and answer.kind in ("answer", "no_answer"):
                ctx = Context(item_code=answer.item.code, sub_item=answer.sub_item, aspect=answer.aspect)
                ctx = ctx.model_copy(update={"policy_id": answer.policy_id, "guide_id": answer.guide_id})
            elif answer.item is not None:  # a clarify about one item's sub-items: a typed reply may pick one
                ctx = Context(item_code=answer.item.code, aspect=answer.aspect, choices=answer.choices)
            elif answer.kind == "clarify":  # which item: the item slots stay, the aspect asked is remembered
                ctx = ctx.model_copy(update={"aspect": answer.aspect or ctx.aspect, "choices": answer.choices})
            elif answer.kind == "no_answer":
                ctx = Context(aspect=answer.aspect)
            elif answer.policy_id is not None:  # a policy answer: the item slots stay, the topic is the policy
                ctx = ctx.model_copy(update={"policy_id": answer.policy_id})
            if answer.policy_id is None and answer.kind != "clarify":
                ctx = ctx.model_copy(update={"policy_id": None})
            if answer.kind != "clarify":  # only a clarifying question's choices can be picked by typing
                ctx = ctx.model_copy(update={"choices": []})
        if counted:
            convs += 1
            conv_passed += ok_conv
    return {
        "turns": turns,
        "turn_pass": round(passed / turns, 4) if turns else None,
        "conversations": convs,
        "conversation_pass": round(conv_passed / convs, 4) if convs else None,
        "aspect_turns": aspect_turns,
        "aspect_pass": round(aspect_passed / aspect_turns, 4) if aspect_turns else None,
        "failures": failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    from knowledge.service import get_engine

    report = run(get_engine(), args.file)
    for line in report.pop("failures"):
        print("FAIL", line)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
