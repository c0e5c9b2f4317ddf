"""The generated multi-turn conversations: valid format, deterministic, split by family, ids usable as sessions."""

from __future__ import annotations

import json
import re

from evaluation.bank.dialogues import OUT_DIR, generate, split_of
from evaluation.conversations import Conversation


def test_conversations_follow_the_format_and_the_written_files() -> None:
    convs = generate()
    assert convs == generate()  # deterministic
    for conv in convs:
        Conversation.model_validate(conv)  # FORMAT.md (extra keys are ignored by the harness)
        assert re.fullmatch(r"[A-Za-z0-9_.:\-]+", conv["id"]), conv["id"]  # a chat session id
        assert conv["split"] == split_of(conv["family"])
    sides: dict[str, set[str]] = {}
    for conv in convs:
        sides.setdefault(conv["family"], set()).add(conv["split"])
    assert all(len(s) == 1 for s in sides.values()), "a family straddles the split"
    assert {c["split"] for c in convs} == {"tuning", "blind"}
    for part in ("tuning", "blind"):
        written = [json.loads(line) for line in (OUT_DIR / f"{part}.jsonl").read_text(encoding="utf-8").splitlines()]
        assert written == [c for c in convs if c["split"] == part], f"run `make bank`: {part} differs"


def test_every_kind_of_conversation_is_there() -> None:
    tags = {t for c in generate() for t in c["tags"]}
    assert {"followup", "region_known", "region_unknown", "sub_item", "policy", "prefill", "ticket"} <= tags
    assert {"english", "traditional"} <= tags
