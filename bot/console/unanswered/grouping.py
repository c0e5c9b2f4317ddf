"""Grouping by similarity, incrementally: each open question, in arrival order, joins the group whose centroid is
nearest (cosine of the embedder's L2-normalised query vectors) when that is at or above the threshold, or starts
a group of its own, assigned to an office by ``Locate``. A group's centroid is the normalised mean of its members.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.unanswered.models import UnansweredGroup, UnansweredQuestion

logger = logging.getLogger(__name__)

# (question, the turn's item code or None) → (office, nearest item code or None)
Locate = Callable[[str, str | None], tuple[str, str | None]]


class QueryEmbedder(Protocol):
    name: str

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def merged_centroid(centroid: np.ndarray, members: int, vector: np.ndarray) -> np.ndarray:
    total = centroid * float(members) + vector
    norm = float(np.linalg.norm(total))
    return (total / norm).astype(np.float32) if norm else centroid


def nearest(matrix: np.ndarray, vector: np.ndarray) -> tuple[int, float]:
    """(row, cosine) of the row of ``matrix`` nearest ``vector``; (-1, -1.0) for an empty matrix."""
    if matrix.shape[0] == 0:
        return -1, -1.0
    sims = matrix @ vector
    best = int(np.argmax(sims))
    return best, float(sims[best])


def group_open_questions(
    db: Session,
    embedder: QueryEmbedder,
    locate: Locate,
    *,
    threshold: float,
    now: dt.datetime,
    limit: int = 500,
) -> int:
    """Place up to ``limit`` open questions into groups; returns how many were placed. Commits."""
    stmt = select(UnansweredQuestion).where(UnansweredQuestion.state == "open").order_by(UnansweredQuestion.id)
    if db.get_bind().dialect.name == "postgresql":  # two replicas never place the same question twice
        stmt = stmt.with_for_update(skip_locked=True)
    questions = list(db.scalars(stmt.limit(limit)))
    if not questions:
        return 0
    vectors = embedder.embed_queries([q.question_masked for q in questions])
    groups = list(db.scalars(select(UnansweredGroup).where(UnansweredGroup.embedder == embedder.name)))
    dim = int(vectors.shape[1])
    matrix = np.stack([from_bytes(g.centroid) for g in groups]) if groups else np.zeros((0, dim), dtype=np.float32)
    for question, vector in zip(questions, vectors, strict=True):
        row, score = nearest(matrix, vector)
        if row >= 0 and score >= threshold:
            group = groups[row]
            centroid = merged_centroid(matrix[row], group.questions, vector)
            matrix[row] = centroid
            group.centroid = to_bytes(centroid)
            group.questions += 1
            group.last_seen_at = max(group.last_seen_at, question.at)
        else:
            office, item_code = locate(question.question_masked, question.item_code)
            group = UnansweredGroup(
                created_at=now,
                last_seen_at=question.at,
                representative=question.question_masked,
                questions=1,
                embedder=embedder.name[:64],
                centroid=to_bytes(vector),
                office=office[:64],
                item_code=item_code,
                status="open",
            )
            db.add(group)
            db.flush()
            groups.append(group)
            matrix = np.vstack([matrix, vector[None, :].astype(np.float32)])
        question.state = "grouped"
        question.group_id = group.id
    db.commit()
    logger.info("unanswered: %d question(s) grouped, %d group(s) in all", len(questions), len(groups))
    return len(questions)
