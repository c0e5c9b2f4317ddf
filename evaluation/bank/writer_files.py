"""The hand-written writers' files of the question bank (`evaluation/data/bank/hand/writers/*.yaml`): their schema,
validated on load (`evaluation.bank.generate.writers` turns their rows into bank questions)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from evaluation.bank.schema import Kind, Register
from knowledge.schema import Aspect

WRITERS_DIR = Path(__file__).resolve().parents[2] / "evaluation" / "data" / "bank" / "hand" / "writers"


class WriterRow(BaseModel):
    """One row of a writer's file (`hand/writers/*.yaml`): a question and its labels, written by hand."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, max_length=2000)
    kind: Kind
    item: str | None = None
    aspects: list[Aspect] | None = None
    sub_item: str | None = None
    region: str | None = None  # the place the question names, if any (not a bank label; kept for readers)
    department: str | None = None
    topic: str | None = None
    style: Register | None = None


class WriterFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    writer: str = Field(min_length=1)
    questions: list[WriterRow]


def load_writer_files(folder: Path = WRITERS_DIR) -> list[WriterFile]:
    return [
        WriterFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(folder.glob("*.yaml"))
    ]
