"""The daily rollups of ``chat_turns``: the recorder adds each turn to its day's counts (``chat_turn_rollup``, per
item, and ``chat_turn_daily``, without the item) in the same transaction as the raw row; ``rebuild`` recomputes
both from ``chat_turns`` (after a bulk load, or to repair them)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, select, text
from sqlalchemy.orm import Session

from bot.analytics.models import ChatTurn, ChatTurnDaily, ChatTurnRollup


@lru_cache(maxsize=8)
def _upsert_statement(table: Table, dialect: str, key_columns: tuple[str, ...]) -> Any:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET turns = turns + 1, sessions = sessions + :opens``, built
    once per table and dialect (building and coercing it took milliseconds of CPU on every chat turn)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    values: dict[str, Any] = {c: bindparam(c) for c in key_columns}
    stmt = insert(table).values(**values, turns=1, sessions=bindparam("opens"))
    return stmt.on_conflict_do_update(
        index_elements=list(key_columns),
        set_={"turns": table.c.turns + 1, "sessions": table.c.sessions + bindparam("opens")},
    )


def _upsert(db: Session, table: Any, key: dict[str, Any], opens: int) -> None:
    stmt = _upsert_statement(table.__table__, db.get_bind().dialect.name, tuple(key))
    db.connection().execute(stmt, {**key, "opens": opens})


def add_turn(db: Session, row: ChatTurn) -> None:
    opens = int(db.scalar(select(ChatTurn.id).where(ChatTurn.session_hash == row.session_hash).limit(1)) is None)
    db.add(row)
    key = {
        "day": row.day,
        "kind": row.kind,
        "answer_source": row.answer_source or "",
        "no_answer_reason": row.no_answer_reason or "",
    }
    _upsert(db, ChatTurnRollup, {**key, "item_code": row.item_code or ""}, opens)
    _upsert(db, ChatTurnDaily, key, opens)


REBUILD_SQL = """
INSERT INTO chat_turn_rollup (day, kind, answer_source, no_answer_reason, item_code, turns, sessions)
SELECT day, kind, src, reason, item, COUNT(*), SUM(opens)
FROM (
    SELECT day, kind, COALESCE(answer_source, '') AS src, COALESCE(no_answer_reason, '') AS reason,
           COALESCE(item_code, '') AS item,
           CASE WHEN id = MIN(id) OVER (PARTITION BY session_hash) THEN 1 ELSE 0 END AS opens
    FROM chat_turns
) AS t
GROUP BY day, kind, src, reason, item
"""

DAILY_FROM_ROLLUP_SQL = """
INSERT INTO chat_turn_daily (day, kind, answer_source, no_answer_reason, turns, sessions)
SELECT day, kind, answer_source, no_answer_reason, SUM(turns), SUM(sessions)
FROM chat_turn_rollup
GROUP BY day, kind, answer_source, no_answer_reason
"""


def rebuild(db: Session) -> None:
    db.execute(text("DELETE FROM chat_turn_rollup"))
    db.execute(text("DELETE FROM chat_turn_daily"))
    db.execute(text(REBUILD_SQL))
    db.execute(text(DAILY_FROM_ROLLUP_SQL))
    db.commit()
