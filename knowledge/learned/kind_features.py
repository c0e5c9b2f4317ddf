"""What the kind head sees of a message: its e5 query embedding, and for a long message also the part that asks.

e5 reads at most 512 tokens, and a long narrative puts its question at the end ("……孩子出生证明上名字打错了……
是这样吗"): the whole text's vector is mostly the story. The head therefore also sees the embedding of the
message's *asking part* — its last sentences, preferring the ones that ask (a question mark or a lexicon
question word), at most ASK_CHARS characters. For a short message the asking part is the message itself,
so its second half is the same vector (one embedding, served by the query cache).

The head also sees its *neighbours*: per kind, the mean cosine of the KNN_K training questions of that kind
most similar to the message (`neighbour_features`). A linear head over e5 alone draws one plane between "X证怎么换"
for our X and for another department's X; the nearest written questions tell them apart far better (grouped
cross-validation, `evaluation.kind_head_cv`). In training, a row's neighbours never come from its own family
(its near-duplicates), as in prediction a new message has none.

Feature maps by name (stored in the heads' manifest, so prediction builds what training built):
- `e5`: the message's vector (384 dims);
- `e5+ask`: the message's vector and its asking part's vector side by side (768 dims);
- `e5+ask+knn`: those and the neighbour similarities, one per kind (773 dims).
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


KNN_K = 3
KNN_SCALE = 4.0
"""Neighbour similarities are multiplied by this, so the regularised head can weigh them as much as it needs."""
KNN_SUFFIX = "+knn"


def uses_neighbours(name: str) -> bool:
    return name.endswith(KNN_SUFFIX)


def embedding_map(name: str) -> str:
    """The embedding part of a feature map's name (`e5+ask+knn` -> `e5+ask`)."""
    return name.removesuffix(KNN_SUFFIX)


def neighbour_features(
    vectors: np.ndarray,
    references: np.ndarray,
    reference_kinds: np.ndarray,
    n_kinds: int,
    exclude: np.ndarray | None = None,
) -> np.ndarray:
    """(n, n_kinds): per kind, KNN_SCALE × the mean cosine of the KNN_K most similar references of that kind.

    `vectors` and `references` are L2-normalised whole-message vectors; `reference_kinds` the kind index of
    each reference; `exclude` (n × references, bool) the pairs that may not be neighbours (a row's own family)."""
    sims = vectors @ references.T
    if exclude is not None:
        sims = np.where(exclude, -1.0, sims)
    out = np.zeros((len(vectors), n_kinds), dtype=np.float64)
    for kind in range(n_kinds):
        column = sims[:, reference_kinds == kind]
        if column.shape[1] == 0:
            continue
        k = min(KNN_K, column.shape[1])
        out[:, kind] = np.partition(column, -k, axis=1)[:, -k:].mean(axis=1)
    return out * KNN_SCALE


def featurize(name: str, texts: Sequence[str], embed: EmbedFn, question_words: Sequence[str] = ()) -> np.ndarray:
    """The kind head's embedding features for raw texts under the named feature map (without the neighbour
    similarities, which need the training rows: `neighbour_features`)."""
    name = embedding_map(name)
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


FEATURE_MAP_NAMES = ("e5", "e5+ask", "e5+knn", "e5+ask+knn")
