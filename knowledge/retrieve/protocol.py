"""What every retrieval channel returns, and the fused `Scores` the decision stage reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from knowledge.documents import Chunk
from knowledge.query.model import Query


@dataclass(frozen=True)
class ChannelScores:
    """One channel's view: a score per item code and per policy point id (higher is better)."""

    items: dict[str, float] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)
    exact: frozenset[str] = frozenset()  # item codes named exactly (names channel only)


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
    channels: dict[str, ChannelScores] = field(default_factory=dict)

    @property
    def ranked(self) -> list[tuple[str, float]]:
        return sorted(self.items.items(), key=lambda kv: -kv[1])

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
