"""Policy points found by meaning: the dense channel's best policy point against its best item.

A citizen rarely names a policy ("政府发的证照还要我复印了交上去吗" is 两个免于提交). The dense channel scores every
policy point's text (topic, keywords, the point itself) beside the guides' chunks; a question whose best point
outscores every item's best chunk by `Tuning.policy_dense_lead`, at a score of at least `Tuning.policy_dense_min`,
asks about the policy. Both were calibrated on the question bank's tuning part (policy rows against in-domain and
other departments' rows) with `python -m evaluation.policy_calibration`.
"""

from __future__ import annotations

from knowledge.retrieve.protocol import ItemScores, Scores


def dense_policy_lead(scores: Scores) -> tuple[tuple[str, float] | None, float]:
    """The dense channel's best policy point (id, score) and its lead over the best item; (None, -1) without one."""
    dense = scores.channels.get("dense")
    if dense is None or not dense.points:
        return None, -1.0
    best = max(dense.points.items(), key=lambda kv: kv[1])
    items = dense.items
    top_item = (
        float(items.vector.max()) if isinstance(items, ItemScores) and len(items) else max(items.values(), default=0.0)
    )
    return (best[0], round(best[1], 4)), round(best[1] - top_item, 4)


def dense_lead_over(scores: Scores, point_id: str, code: str) -> float:
    """How far the dense channel puts a policy point above one item's best chunk (-1 when it scored neither)."""
    dense = scores.channels.get("dense")
    if dense is None or point_id not in dense.points or code not in dense.items:
        return -1.0
    return round(dense.points[point_id] - dense.items[code], 4)
