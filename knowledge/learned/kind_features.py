"""What the kind head sees of a message: its e5 query embedding, and for a long message also the part that asks.

e5 reads at most 512 tokens, and a long narrative puts its question at the end ("……孩子出生证明上名字打错了……
是这样吗"): the whole text's vector is mostly the story. The head therefore also sees the embedding of the
message's *asking part* — its last sentences, preferring the ones that ask (a question mark or a lexicon
question word), at most ASK_CHARS characters. For a short message the asking part is the message itself,
so its second half is the same vector (one embedding, served by the query cache).

Feature maps by name (stored in the heads' manifest, so prediction builds what training built):
- `e5`: the message's vector (384 dims);
- `e5+ask`: the message's vector and its asking part's vector side by side (768 dims).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

import numpy as np

from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

MAX_CHARS = 2000
ASK_CHARS = 80
"""The asking part is at most this long: a sentence or two, short enough for e5 to weigh every word."""
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=[.])\s")
_ASKS = re.compile(r"[?？]")

EmbedFn = Callable[[Sequence[str]], np.ndarray]
"""Prepared texts -> (n, dim) L2-normalised query vectors."""


def prepare(text: str) -> str:
    """The text the head embeds (the same in training and in prediction): normalised, at most MAX_CHARS."""
    return normalise(text.strip()[:MAX_CHARS])


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def asking_part(prepared: str, question_words: Sequence[str] = ()) -> str:
    """The last sentences of a (prepared) message, at most ASK_CHARS characters, preferring sentences that ask
    (a question mark or one of `question_words`) when there are any; the message itself when short."""
    if len(prepared) <= ASK_CHARS:
        return prepared
    parts = sentences(prepared)
    asking = [s for s in parts if _ASKS.search(s) or any(w in s for w in question_words)]
    pool = asking or parts
    chosen: list[str] = []
    for sentence in reversed(pool):
        if chosen and sum(len(s) for s in chosen) + len(sentence) > ASK_CHARS:
            break
        chosen.insert(0, sentence)
    tail = "".join(chosen)
    return tail[-ASK_CHARS:] if len(tail) > ASK_CHARS else tail


def featurize(name: str, texts: Sequence[str], embed: EmbedFn, question_words: Sequence[str] = ()) -> np.ndarray:
    """The kind head's features for raw texts under the named feature map."""
    prepared = [prepare(t) for t in texts]
    whole = embed(prepared)
    if name == "e5":
        return whole
    if name == "e5+ask":
        asks = [asking_part(p, question_words) for p in prepared]
        differ = [n for n, (a, p) in enumerate(zip(asks, prepared, strict=True)) if a != p]
        tail = whole.copy()
        if differ:
            tail[differ] = embed([asks[n] for n in differ])
        return np.hstack([whole, tail])
    raise ValueError(f"unknown kind feature map {name!r}")


FEATURE_MAP_NAMES = ("e5", "e5+ask")
