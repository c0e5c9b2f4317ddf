"""What every retrieval channel returns, and the fused `Scores` the decision stage reads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Protocol

import numpy as np

from knowledge.documents import Chunk
from knowledge.query.model import Query


class ItemScores(Mapping[str, float]):
    """Item scores kept as one array in a fixed order of item codes. The dict is made only when someone
    reads it: fusion adds the arrays (3,000 items at 100× the curated size) and never does."""

    def __init__(self, codes: list[str], vector: np.ndarray) -> None:
        self.codes = codes
        self.vector = vector

    @cached_property
    def _dict(self) -> dict[str, float]:
        return dict(zip(self.codes, self.vector.tolist(), strict=True))

    def __getitem__(self, code: str) -> float:
        return self._dict[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        return repr(self._dict)


@dataclass(frozen=True)
class ChannelScores:
    """One channel's view: a score per item code and per policy point id (higher is better)."""

    items: Mapping[str, float] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)
    exact: frozenset[str] = frozenset()  # item codes named exactly (names channel only)
    faqs: Mapping[str, float] = field(default_factory=dict)  # FAQ entry id -> score (FAQ channel only; lazy)
    # the question's e5 vector (dense channel only): the compose stage reuses it, never re-embeds; not compared
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)


class Channel(Protocol):
    name: str

    def score(self, query: Query) -> ChannelScores: ...


@dataclass(frozen=True)
class Scores:
    """Fused scores for one query, plus each channel's own view (for the rules and for debugging)."""

    items: dict[str, float]
    points: dict[str, float] = field(default_factory=dict)
    named: dict[str, float] = field(default_factory=dict)  # names-channel score per item it found
    exact: frozenset[str] = frozenset()  # items whose name or alias the question contains verbatim
    faqs: Mapping[str, float] = field(default_factory=dict)  # FAQ entry id -> how closely the question asks it
    channels: dict[str, ChannelScores] = field(default_factory=dict)
    # the dense channel's best item and its lead over the dense runner-up (`retrieve/fuse.py` `meaning_lead`), kept
    # out of `items`: the decision stage adds it for ranking only (`decide/meaning_rank.py`)
    meaning_lead: tuple[str, float] | None = None

    @cached_property
    def ranked(self) -> list[tuple[str, float]]:
        """Items best first (equal scores in `items` order); sorted once per query, read by several rules."""
        return sorted(self.items.items(), key=itemgetter(1), reverse=True)

    @property
    def best_point(self) -> tuple[str, float] | None:
        return max(self.points.items(), key=lambda kv: kv[1], default=None)


def max_by_owner(chunks: Sequence[Chunk], chunk_scores: Sequence[float]) -> ChannelScores:
    """A chunk-level channel's scores as the best chunk per item and per policy point."""
    items: dict[str, float] = {}
    points: dict[str, float] = {}
    for chunk, score in zip(chunks, chunk_scores, strict=True):
        if chunk.policy_id:
            points[chunk.policy_id] = max(points.get(chunk.policy_id, 0.0), score)
        elif chunk.item_code:
            items[chunk.item_code] = max(items.get(chunk.item_code, 0.0), score)
    return ChannelScores(items=items, points=points)


class Owners:
    """`max_by_owner` for a fixed list of chunks, in numpy: the chunks are grouped by owner once, so a
    query's scores become the best chunk per item and per point with one `maximum.reduceat` (or, for a
    few scored chunks, one `maximum.at`).

    Gives the same `ChannelScores` as `max_by_owner` (same values, same key order: owners in the order
    of their first chunk; no score below 0)."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        items: dict[str, list[int]] = {}
        points: dict[str, list[int]] = {}
        for n, chunk in enumerate(chunks):
            if chunk.policy_id:
                points.setdefault(chunk.policy_id, []).append(n)
            elif chunk.item_code:
                items.setdefault(chunk.item_code, []).append(n)
        self.size = len(chunks)
        self.item_codes = list(items)
        self.point_ids = list(points)
        groups = [*items.values(), *points.values()]
        order = np.array([n for group in groups for n in group], dtype=np.int64)
        # Chunks are built owner by owner, so usually no reordering is needed.
        self._order = None if np.array_equal(order, np.arange(self.size)) else order
        self._starts = np.cumsum([0, *(len(g) for g in groups[:-1])], dtype=np.int64)[: len(groups)]
        self._owner_of_chunk = np.full(self.size + 1, len(groups), dtype=np.int64)  # last: no owner
        for slot, group in enumerate(groups):
            self._owner_of_chunk[group] = slot

    def best(self, chunk_scores: np.ndarray) -> ChannelScores:
        """The best score per owner, given every chunk's score (in chunk order)."""
        if not len(self._starts):
            return ChannelScores()
        ordered = chunk_scores if self._order is None else chunk_scores[self._order]
        return self._views(np.maximum(np.maximum.reduceat(ordered, self._starts), 0.0))

    def best_of(self, chunks: np.ndarray, scores: np.ndarray) -> ChannelScores:
        """`best` when only `chunks` (positions) have a score and every other chunk counts 0."""
        if not len(self._starts):
            return ChannelScores()
        vector = np.zeros(len(self._starts) + 1)  # the last slot collects chunks without an owner
        np.maximum.at(vector, self._owner_of_chunk[chunks], scores)
        return self._views(vector[:-1])

    def _views(self, vector: np.ndarray) -> ChannelScores:
        n = len(self.item_codes)
        return ChannelScores(
            items=ItemScores(self.item_codes, vector[:n]),
            points=dict(zip(self.point_ids, vector[n:].tolist(), strict=True)),
        )
