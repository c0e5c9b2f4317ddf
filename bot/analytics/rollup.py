"""``chat_turn_rollup``: the recorder adds each turn to its day's counts in the same transaction as the raw
row; ``rebuild`` recomputes the rollup from ``chat_turns`` (after a bulk load, or to repair it)."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.analytics.models import ChatTurn, ChatTurnRollup


def add_turn(db: Session, row: ChatTurn) -> None:
    opens = db.scalar(select(ChatTurn.id).where(ChatTurn.session_hash == row.session_hash).limit(1)) is None
    db.add(row)
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    key = {
        "day": row.day,
        "kind": row.kind,
        "answer_source": row.answer_source or "",
        "no_answer_reason": row.no_answer_reason or "",
        "item_code": row.item_code or "",
    }
    stmt = insert(ChatTurnRollup).values(**key, turns=1, sessions=int(opens))
    db.execute(
        stmt.on_conflict_do_update(
            index_elements=list(key),
            set_={"turns": ChatTurnRollup.turns + 1, "sessions": ChatTurnRollup.sessions + int(opens)},
        )
    )


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


def rebuild(db: Session) -> None:
    db.execute(text("DELETE FROM chat_turn_rollup"))
    db.execute(text(REBUILD_SQL))
    db.commit()
