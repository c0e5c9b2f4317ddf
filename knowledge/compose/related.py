"""A line of the answering guide, outside the fields the answer shows, that holds the question's own words.

A question often asks about something its guide states in another field than the asked aspect's: "还要登报吗"
(the materials' 登报声明), "材料不齐会怎么样" (a note on 一次性告知), "主检医师换人了要报吗" (a condition). The answer
for the asked aspect is kept; the one line of another field (or the guide's note) that shares the most of the
question's rare words is added under its field's name, verbatim. Words are Chinese character bigrams of what the
question says beyond cues, generic words, places and filler (`Query.residue`), less the lexicon's question words
and the item's names, and not common: in at most `RARE_SHARE` of the catalog's guides. Nothing is added when no
line holds enough of them, or when the shown fields already hold them all. (`knowledge/decide/guide_words.py`
uses the same words to choose the asked aspect when no cue names one; this adds a line when one does.)

Paraphrases share no characters with their line ("寄过来" against 邮寄, "撕坏" against 严重损坏): when the words
point to no line, the sentence of another field (or the note, or a FAQ answer) that matches the question's e5
vector clearly best is added instead (`knowledge/compose/sentences.py`, `stands_out`). `related` is the one place
that applies both.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.catalog import Catalog
from knowledge.compose.render import NOT_STATED_PREFIX, aspect_lines, shows_note
from knowledge.compose.sentences import (
    FAQ,
    FIELDS,
    NOTE,
    SentenceTable,
    Thresholds,
    best_outside,
    spread,
    stands_out,
    stands_out_in_guide,
)
from knowledge.decide.detail_words import paraphrased_line
from knowledge.documents import field_text
from knowledge.query.detail_words import DetailWords
from knowledge.schema import Aspect, Guide, ServiceItem
from knowledge.text_normalise import char_bigrams, normalise

_HAN = re.compile(r"[\u4e00-\u9fff]+")
RARE_SHARE = 0.05
"""A bigram in more than this share of the catalog's guides (at least 2) says nothing particular."""
_LABEL = re.compile(r"^[^：]{2,8}：")  # "办理结果：…": a field's own label, which every guide's line of it carries


def bigrams(text: str) -> set[str]:
    """The character bigrams of a text's Chinese runs (`char_bigrams` of each; a lone character counts as itself):
    field labels, numbers and Latin letters of a guide's line are no evidence of what a question asks."""
    out: set[str] = set()
    for run in _HAN.findall(text):
        out |= char_bigrams(run) if len(run) > 1 else {run}
    return out


def _guide_text(guide: Guide) -> str:
    parts: list[str | None] = [field_text(guide, a) for a in FIELDS]
    parts.append(guide.notes)
    return normalise("\n".join(p for p in parts if p))


class RareWords:
    """How many of the catalog's guides use each bigram."""

    def __init__(self, guides: Iterable[Guide]) -> None:
        counts: Counter[str] = Counter()
        n = 0
        for guide in guides:
            n += 1
            counts.update(bigrams(_guide_text(guide)))
        self._counts = counts
        self._limit = max(2, int(RARE_SHARE * n))

    @classmethod
    def of(cls, catalog: Catalog) -> RareWords:
        return cls(g for item in catalog.items for g in item.guides)

    def common(self, gram: str) -> bool:
        """Used by more than `RARE_SHARE` of the guides (at least 2)."""
        return self._counts.get(gram, 0) > self._limit


def _shown_and_outside(
    guide: Guide, asked: Sequence[Aspect], helpline: str, *, rendered: bool = False
) -> tuple[str, list[tuple[str, str]]]:
    """The (normalised) text an answer for these aspects shows, and the lines outside it as (key, line): the other
    fields' lines in field order, then the note when not shown. `rendered`: every field whose answer would state
    something, though its own field is empty (the location's 实施机关 of a guide stating no address)."""
    note_shown = shows_note(guide, asked)
    shown_text = normalise("".join(line for a in asked for line in aspect_lines(guide, a, helpline)))
    if note_shown:
        shown_text += normalise(guide.notes or "")
    candidates: list[tuple[str, str]] = [
        (a.value, line)
        for a in FIELDS
        if a not in asked and (rendered or field_text(guide, a))
        for line in aspect_lines(guide, a, helpline)
        if not line.startswith(NOT_STATED_PREFIX)
    ]
    if guide.notes and not note_shown:
        candidates.append((NOTE, guide.notes))
    return shown_text, candidates


def detail_line(
    guide: Guide, asked: Sequence[Aspect], message: str, details: Sequence[DetailWords], *, helpline: str
) -> tuple[str, str] | None:
    """(key, line) outside the asked aspects' fields stating a particular the message asks about in the citizen's
    own words (lexicon `detail_words`; the rule is `decide/detail_words.py` `paraphrased_line`), or None. After the
    fields and the note, the legal basis ("放射证是要我自己去办吗" → "…放射工作单位负责…申请") and the guide's FAQ
    answers are candidates too (`FAQ`: "婚检需要提前预约吗" → the entry on booking), verbatim."""
    if not details or not message:
        return None
    shown_text, candidates = _shown_and_outside(guide, asked, helpline, rendered=True)
    if Aspect.basis not in asked and field_text(guide, Aspect.basis):  # "放射工作单位负责…申请" stands in the basis
        candidates += [(Aspect.basis.value, line) for line in aspect_lines(guide, Aspect.basis, helpline)]
    candidates += [(FAQ, entry.answer) for entry in guide.faq]
    return paraphrased_line(message, candidates, shown_text, details)


def related_line(
    item: ServiceItem,
    guide: Guide,
    asked: Sequence[Aspect],
    residue: str,
    words: RareWords,
    *,
    helpline: str,
    skip: Sequence[str] = (),
) -> tuple[str, str] | None:
    """(aspect name key or `NOTE`, the guide's line) for the line outside the asked aspects' fields that shares the
    most of the question's particular words, or None: words of the residue (less `skip`, the question words) that
    are not common in guides — rare in them, or in none —, not the item's names and not already shown. A line
    must share three of them, or at least half of them ("还要登报吗"; not "要等几天才有结果": 结果 of three)."""
    for word in sorted(skip, key=len, reverse=True):  # 怎么 before 么
        residue = residue.replace(normalise(word), " ")
    names = set().union(*(bigrams(normalise(n)) for n in (item.name, *item.aliases)))
    shown_text, candidates = _shown_and_outside(guide, asked, helpline)
    wanted = {g for g in bigrams(residue) if not words.common(g)} - names - bigrams(shown_text)
    if not wanted:
        return None
    best: tuple[int, str, str] | None = None
    for key, line in candidates:
        if line.startswith(NOT_STATED_PREFIX):
            continue
        hits = len(wanted & bigrams(normalise(_LABEL.sub("", line))))
        if hits and (best is None or hits > best[0]):
            best = (hits, key, line)
    if best is None:
        return None
    hits, key, line = best
    if hits >= 3 or 2 * hits >= len(wanted):
        return key, line
    return None


@dataclass(frozen=True)
class Meaning:
    """What the meaning rule needs beyond the question's vector: the guides' sentences and when one stands out."""

    table: SentenceTable
    thresholds: Thresholds


def shown_keys(guide: Guide, asked: Sequence[Aspect]) -> set[str]:
    """The sentence keys (`sentences.Sentence.key`) of the fields an answer for these aspects shows."""
    keys = {a.value for a in asked}
    if shows_note(guide, asked):
        keys.add(NOTE)
    return keys


def meaning_line(
    guide: Guide, asked: Sequence[Aspect], vector: np.ndarray, meaning: Meaning, *, followup: bool = False
) -> tuple[str, str] | None:
    """(key, sentence) for the sentence outside the shown fields that the question's vector matches clearly best
    (`stands_out`; for a follow-up about the conversation's item also `stands_out_in_guide`), or None."""
    scored = meaning.table.scored(guide.id, vector)
    sentence, best, best_shown = best_outside(scored, shown_keys(guide, asked))
    if sentence is None or best is None:
        return None
    if stands_out(best, best_shown, meaning.thresholds):
        return sentence.key, sentence.text
    if followup and stands_out_in_guide(best, best_shown, *spread(scored), meaning.thresholds):
        return sentence.key, sentence.text
    return None


def related(
    item: ServiceItem,
    guide: Guide,
    asked: Sequence[Aspect],
    residue: str,
    words: RareWords,
    *,
    helpline: str,
    skip: Sequence[str] = (),
    vector: np.ndarray | None = None,
    meaning: Meaning | None = None,
    followup: bool = False,
    message: str = "",
    details: Sequence[DetailWords] = (),
) -> tuple[str, str] | None:
    """The line of another field to add to an answer, or None: the line holding the question's particular words
    (`related_line`, precise), else the sentence that stands out by meaning (`meaning_line`, when the question's
    vector and the guides' sentences are at hand; `followup`: the question follows up the conversation's item).
    Between the two, the line stating a particular the `message` asks about in its own words (`detail_line`)."""
    found = related_line(item, guide, asked, residue, words, helpline=helpline, skip=skip) if residue else None
    if found is None:
        found = detail_line(guide, asked, message, details, helpline=helpline)
    if found is None and vector is not None and meaning is not None:
        found = meaning_line(guide, asked, vector, meaning, followup=followup)
    return found


FOLLOWUP_RULES = frozenset({"followup", "clarify_reply"})
"""The decision rules that keep the conversation's item for a later message (`knowledge/decide/followup.py`,
`clarify_reply.py`)."""


def follows_up(rule: str) -> bool:
    """Whether a decision's rule ("followup+guide_words" …) answered a follow-up about the conversation's item."""
    return rule.split("+", 1)[0] in FOLLOWUP_RULES
