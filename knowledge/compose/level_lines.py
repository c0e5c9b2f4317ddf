"""Which level approves: the guide's lines that say so, beside the overview's 实施机关.

"是省里批还是市里批", "审批归哪一级": the overview names the office of the guide's own level, while the guide often
states the split between levels elsewhere — in its conditions ("省级设置审批：…300张以上的专科医院…"; "市级：…"),
its legal basis ("…独资医院审批下放至省级") or its note. A question asking which level (lexicon `levels.questions`)
gets, after the overview, every line of those fields that names a level (lexicon `levels.words`: 省级, 市级, 县级,
下放 …), verbatim, as "另见本指南<field>：<line>". Nothing is added for a question not asking the level, for a field
already shown, or for a guide stating no level outside its overview.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from knowledge.compose.render import NOT_STATED_PREFIX, aspect_lines, shows_note
from knowledge.compose.sentences import NOTE
from knowledge.documents import field_text
from knowledge.schema import Aspect, Guide
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

_FIELDS = (Aspect.conditions, Aspect.basis)  # where guides state the split between levels
MAX_LINES = 4  # a guide listing many levels: the first few, in the guide's order


def asks_level(norm: str, questions: Sequence[str]) -> bool:
    """Whether the (normalised) question asks which level approves or handles the item."""
    return any(normalise(q) in norm for q in questions)


def level_lines(guide: Guide, asked: Sequence[Aspect], words: Sequence[str], *, helpline: str) -> list[tuple[str, str]]:
    """(aspect name key or `NOTE`, line) for the guide's lines outside the asked fields that name a level."""
    found: list[tuple[str, str]] = []
    for aspect in _FIELDS:
        if aspect in asked or not field_text(guide, aspect):
            continue
        for line in aspect_lines(guide, aspect, helpline):
            if not line.startswith(NOT_STATED_PREFIX) and any(w in line for w in words):
                found.append((aspect.value, line))
    if guide.notes and not shows_note(guide, asked) and any(w in guide.notes for w in words):
        found.append((NOTE, guide.notes))
    return found[:MAX_LINES]
