"""Per-kind confidence thresholds of the kind head, chosen on out-of-fold predictions of the tuning part.

The gate acts on a kind (turns a question away, opens the complaint intake, overrides DIET) only at or above
that kind's threshold. Two ways to choose it (`strategy`):

- `precision`: the lowest threshold at which the kind's precision reaches TARGET_PRECISION (the first rounds);
- `loss`: for the kinds that take a question away from its answer (`other_department`, `complaint`), the
  lowest threshold at which at most MAX_QUESTION_LOSS of the questions (in-domain and policy rows) are acted
  on as that kind and precision still reaches LOSS_MIN_PRECISION; for the others as `precision`. A turned-away
  question costs about as much as an answered other department's question, and there are two to three times
  more questions than other departments' questions in real traffic, so the loss is bounded on questions.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

logger = logging.getLogger(__name__)

TARGET_PRECISION = 0.97
LOSS_MIN_PRECISION = 0.90
MAX_QUESTION_LOSS = 0.01
QUESTION_KINDS = ("in_domain", "policy")
TAKING_KINDS = ("other_department", "complaint")
GRID = tuple(round(0.30 + 0.025 * i, 3) for i in range(27))  # 0.30 .. 0.95
STRATEGIES = ("precision", "loss")


def _precision_threshold(predicted: np.ndarray, confidence: np.ndarray, labels: np.ndarray, kind: str) -> float:
    for t in GRID:
        acted = (predicted == kind) & (confidence >= t)
        if acted.sum() and (labels[acted] == kind).mean() >= TARGET_PRECISION:
            return t
    return GRID[-1]


def _loss_threshold(predicted: np.ndarray, confidence: np.ndarray, labels: np.ndarray, kind: str) -> float:
    questions = np.isin(labels, QUESTION_KINDS)
    for t in GRID:
        acted = (predicted == kind) & (confidence >= t)
        if not acted.sum():
            continue
        loss = float(acted[questions].mean()) if questions.any() else 0.0
        if loss <= MAX_QUESTION_LOSS and (labels[acted] == kind).mean() >= LOSS_MIN_PRECISION:
            return t
    return GRID[-1]


def calibrate(
    probabilities: np.ndarray, labels: np.ndarray, kinds: Sequence[str], *, strategy: str = "loss"
) -> dict[str, float]:
    """Per kind, the threshold from out-of-fold `probabilities` (rows x `kinds`) and the true `labels`."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown calibration strategy {strategy!r}")
    predicted = np.array(kinds)[probabilities.argmax(axis=1)]
    confidence = probabilities.max(axis=1)
    thresholds: dict[str, float] = {}
    for kind in kinds:
        if strategy == "loss" and kind in TAKING_KINDS:
            thresholds[kind] = _loss_threshold(predicted, confidence, labels, kind)
        else:
            thresholds[kind] = _precision_threshold(predicted, confidence, labels, kind)
    return thresholds


MAX_COMPLAINT_LOSS = 0.01
"""At most this share of the tuning part's complaints (out of fold) may be taken for a sure question."""


def question_threshold(probabilities: np.ndarray, labels: np.ndarray, kinds: Sequence[str]) -> float:
    """The lowest probability of a question (in-domain + policy) from which a message whose top kind is a
    question is *sure* to ask rather than complain: out of fold, at most MAX_COMPLAINT_LOSS of the complaints
    reach it with a question as their top kind (they would lose the intake to DIET's override)."""
    columns = [n for n, k in enumerate(kinds) if k in QUESTION_KINDS]
    asked = probabilities[:, columns].sum(axis=1)
    top_question = np.isin(np.array(kinds)[probabilities.argmax(axis=1)], QUESTION_KINDS)
    complaints = labels == "complaint"
    if not complaints.any():
        return GRID[-1]
    for t in (*GRID, 0.975, 0.99):
        if float((top_question & (asked >= t))[complaints].mean()) <= MAX_COMPLAINT_LOSS:
            return t
    return 1.0
