"""The line of the answering guide stating a particular the citizen asks about in words of their own.

    paraphrased_line   among the guide's lines outside the shown fields, the first holding a guide term of a
                       particular the message asks about (lexicon `detail_words`), when the shown answer states
                       none of that particular's terms already

The composer adds that line under its field's name, verbatim (`knowledge/compose/related.py`), as it adds the
line sharing the question's rare words; this rule speaks when the words are the citizen's and the term the guide's.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.query.cues import contains
from knowledge.query.detail_words import DetailWords
from knowledge.text_normalise import normalise


def asked_details(message: str, details: Sequence[DetailWords]) -> list[DetailWords]:
    """The particulars whose ways of asking the (normalised) message uses, in the lexicon's order."""
    return [d for d in details if any(contains(message, w) for w in d.asks)]


def paraphrased_line(
    message: str,
    candidates: Sequence[tuple[str, str]],
    shown_text: str,
    details: Sequence[DetailWords],
) -> tuple[str, str] | None:
    """(key, line) of the first candidate (a line outside the shown fields, in field order) holding a guide word of
    a particular the message asks about, or None: none asked, the shown text already holds one of its guide words
    (the answer states it), or no line outside holds one."""
    shown = normalise(shown_text)
    for detail in asked_details(message, details):
        if any(w in shown for w in detail.guide_words):
            continue
        for key, line in candidates:
            text = normalise(line)
            if any(w in text for w in detail.guide_words):
                return key, line
    return None
