"""The evaluation format: one conversation per JSON line, turns with expectations."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    item: str | None = None
    aspect: str | None = None
    contains_all: list[str] = Field(default_factory=list)
    contains_any: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)


class Turn(BaseModel):
    user: str
    expect: Expect = Field(default_factory=Expect)


class Conversation(BaseModel):
    id: str
    tags: list[str] = Field(default_factory=list)
    turns: list[Turn]


def load_conversations(path: Path) -> list[Conversation]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    out.append(Conversation.model_validate(json.loads(line)))
                except ValueError as exc:
                    raise ValueError(f"{path}:{n}: {exc}") from exc
    return out
