"""Which level approves: the guide's lines that say so, beside the overview's 实施机关.

"是省里批还是市里批", "审批归哪一级": the overview names the office of the guide's own level, while the guide often
states the split between levels elsewhere — in its conditions ("省级设置审批：…300张以上的专科医院…"; "市级：…"),
its legal basis ("…独资医院审批下放至省级"), its process ("…县级审查确认") or its note. A question asking which level
(lexicon `levels.questions`) gets, after the answer, every line of those fields that names a level (lexicon
`levels.words`: 省级, 市级, 县级, 下放 …), verbatim, as "另见本指南<field>：<line>". The guide's 实施机关 comes
first when it names a level and the answer does not show it (only the overview and the location do):
"做放疗的话该向哪一级申请" answered with the conditions still says "实施机关：向省级卫生行政部门申请" (rule
`body_names_the_level`). Nothing is added for a question not asking the level, for a field already shown, or for a
guide stating no level outside its overview.
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

_FIELDS = (Aspect.conditions, Aspect.basis, Aspect.process)  # where guides state the split between levels
BODY = "body"
"""The key of the 实施机关's line (`texts.RELATED_LABELS`)."""
_SHOWS_BODY = (Aspect.overview, Aspect.location)  # the answers that show the 实施机关 already (`render.aspect_lines`)
MAX_LINES = 4  # a guide listing many levels: the first few, in the guide's order


def asks_level(norm: str, questions: Sequence[str]) -> bool:
    """Whether the (normalised) question asks which level approves or handles the item."""
    return any(normalise(q) in norm for q in questions)


def level_lines(guide: Guide, asked: Sequence[Aspect], words: Sequence[str], *, helpline: str) -> list[tuple[str, str]]:
    """(aspect name key or `NOTE`, line) for the guide's lines outside the asked fields that name a level."""
    found: list[tuple[str, str]] = []
    if body_names_the_level(guide, asked, words):
        found.append((BODY, guide.implementing_body or ""))
    for aspect in _FIELDS:
        if aspect in asked or not field_text(guide, aspect):
            continue
        for line in aspect_lines(guide, aspect, helpline):
            if not line.startswith(NOT_STATED_PREFIX) and any(w in line for w in words):
                found.append((aspect.value, line))
    if guide.notes and not shows_note(guide, asked) and any(w in guide.notes for w in words):
        found.append((NOTE, guide.notes))
    return found[:MAX_LINES]


def body_names_the_level(guide: Guide, asked: Sequence[Aspect], words: Sequence[str]) -> bool:
    """Rule `body_names_the_level`: the guide's 实施机关 names a level (lexicon `levels.words`) and the answer for the
    asked aspects does not show it (neither the overview nor the location is asked)."""
    body = guide.implementing_body
    if not body or any(a in _SHOWS_BODY for a in asked):
        return False
    return any(w in body for w in words)
