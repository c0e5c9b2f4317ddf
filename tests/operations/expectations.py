"""The dashboard's figures as the seeding test computed them, for the API test and the browser test."""

from __future__ import annotations

from typing import Any

from .seed import Expected


def ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def expected_figures(exp: Expected) -> dict[str, Any]:
    q = exp.questions
    bad = exp.ratings["不满意"] + exp.ratings["非常不满意"]
    rated = sum(exp.ratings.values())
    on_time = sum(closed <= due for _, closed, due in exp.closed)
    return {
        "conversations": len(exp.sessions),
        "questions": q["问答"] + q["问政"] + q["问澄"] + q["问无"] + q["问外"],
        "answered_guide": q["问答"],
        "answered_policy": q["问政"],
        "clarified": q["问澄"],
        "no_answer_kb": q["问无"],
        "no_answer_other_dept": q["问外"],
        "handoff": q["问人"],
        "tickets_received": len(exp.tickets),
        "on_time_rate": ratio(on_time, len(exp.closed)),
        "avg_handling_days": round(exp.avg_days, 2) if exp.avg_days is not None else None,
        "forwarded_12345": exp.forwarded,
        "reopened": exp.reopened,
        "ratings_received": rated,
        "good_rate": ratio(rated - bad, rated),
        "bad_count": bad,
        "rectification_on_time": ratio(exp.rect_on_time, exp.rect_counted),
        "callback_rate": ratio(exp.called_back, exp.bad_real_name),
    }


def actual_figures(data: dict[str, Any]) -> dict[str, Any]:
    merged = {**data["questions"], **data["tickets"], **data["ratings"]}
    return {k: merged[k] for k in KEYS}


KEYS = (
    "conversations",
    "questions",
    "answered_guide",
    "answered_policy",
    "clarified",
    "no_answer_kb",
    "no_answer_other_dept",
    "handoff",
    "tickets_received",
    "on_time_rate",
    "avg_handling_days",
    "forwarded_12345",
    "reopened",
    "ratings_received",
    "good_rate",
    "bad_count",
    "rectification_on_time",
    "callback_rate",
)
