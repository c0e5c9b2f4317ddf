"""Grouping by similarity, incrementally: each open question, in arrival order, joins the group whose centroid is
nearest (cosine of the embedder's L2-normalised query vectors) when that is at or above the threshold, or starts
a group of its own, assigned to an office by ``Locate``. A group's centroid is the normalised mean of its members.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

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
    """Place up to ``limit`` open questions into groups; returns how many were placed. Commits.

    Embedding and the office look-up run outside any transaction (SQLite's write lock is never held while the
    model works); the placement is then written in one transaction, each question only if it is still open
    (another replica may have placed it meanwhile)."""
    rows = db.execute(
        select(UnansweredQuestion.id, UnansweredQuestion.question_masked, UnansweredQuestion.item_code)
        .where(UnansweredQuestion.state == "open")
        .order_by(UnansweredQuestion.id)
        .limit(limit)
    ).all()
    existing = db.execute(
        select(UnansweredGroup.id, UnansweredGroup.centroid, UnansweredGroup.questions).where(
            UnansweredGroup.embedder == embedder.name
        )
    ).all()
    db.commit()
    if not rows:
        return 0
    vectors = embedder.embed_queries([text for _, text, _ in rows])
    dim = int(vectors.shape[1])
    matrix = np.stack([from_bytes(c) for _, c, _ in existing]) if existing else np.zeros((0, dim), dtype=np.float32)
    members = [int(n) for _, _, n in existing]
    # Where each question goes: an existing group's row, or a new group (with its office) made for it.
    placement: list[int] = []
    new_groups: dict[int, tuple[str, str | None]] = {}  # row → (office, item) for groups started here
    for (_, text, item_code), vector in zip(rows, vectors, strict=True):
        row, score = nearest(matrix, vector)
        if row >= 0 and score >= threshold:
            matrix[row] = merged_centroid(matrix[row], members[row], vector)
            members[row] += 1
        else:
            row = matrix.shape[0]
            matrix = np.vstack([matrix, vector[None, :].astype(np.float32)])
            members.append(1)
            new_groups[row] = locate(text, item_code)
        placement.append(row)
    return _write(db, embedder.name, rows, placement, matrix, existing, new_groups, now)


def _write(
    db: Session,
    embedder_name: str,
    rows: Sequence[Any],
    placement: list[int],
    matrix: np.ndarray,
    existing: Sequence[Any],
    new_groups: dict[int, tuple[str, str | None]],
    now: dt.datetime,
) -> int:
    group_ids = [int(gid) for gid, _, _ in existing]
    groups: dict[int, UnansweredGroup] = {}
    placed = 0
    for (qid, text, _), row in zip(rows, placement, strict=True):
        question = db.get(UnansweredQuestion, qid)
        if question is None or question.state != "open":
            continue  # placed by another replica meanwhile
        if row >= len(group_ids) and row not in groups:
            office, item_code = new_groups[row]
            groups[row] = UnansweredGroup(
                created_at=now,
                last_seen_at=question.at,
                representative=text,
                questions=0,
                embedder=embedder_name[:64],
                centroid=to_bytes(matrix[row]),
                office=office[:64],
                item_code=item_code,
                status="open",
            )
            db.add(groups[row])
            db.flush()
        group = groups.get(row) or db.get(UnansweredGroup, group_ids[row])
        if group is None:
            continue
        groups[row] = group
        group.questions += 1
        group.last_seen_at = max(group.last_seen_at, question.at)
        question.state, question.group_id = "grouped", group.id
        placed += 1
    for row, group in groups.items():
        group.centroid = to_bytes(matrix[row])
    db.commit()
    logger.info("unanswered: %d question(s) grouped into %d group(s)", placed, len(groups))
    return placed
