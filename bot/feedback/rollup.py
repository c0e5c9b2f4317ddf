"""``rebuild`` recomputes ``answer_feedback_rollup`` from ``answer_feedback`` (after a bulk load, or to repair it);
the vote's transaction keeps it up to date one vote at a time (``bot.feedback.service``)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

REBUILD_SQL = """
INSERT INTO answer_feedback_rollup (day, item_code, vote, reason, votes)
SELECT day, COALESCE(item_code, ''), vote, COALESCE(reason, ''), COUNT(*)
FROM answer_feedback
GROUP BY day, COALESCE(item_code, ''), vote, COALESCE(reason, '')
"""


def rebuild(db: Session) -> None:
    db.execute(text("DELETE FROM answer_feedback_rollup"))
    db.execute(text(REBUILD_SQL))
    db.commit()
