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
SELECT t.day, t.kind, COALESCE(t.answer_source, ''), COALESCE(t.no_answer_reason, ''), COALESCE(t.item_code, ''),
       COUNT(*), SUM(CASE WHEN f.first_id IS NULL THEN 0 ELSE 1 END)
FROM chat_turns t
LEFT JOIN (SELECT MIN(id) AS first_id FROM chat_turns GROUP BY session_hash) f ON f.first_id = t.id
GROUP BY t.day, t.kind, COALESCE(t.answer_source, ''), COALESCE(t.no_answer_reason, ''), COALESCE(t.item_code, '')
"""


def rebuild(db: Session) -> None:
    db.execute(text("DELETE FROM chat_turn_rollup"))
    db.execute(text(REBUILD_SQL))
    db.commit()
