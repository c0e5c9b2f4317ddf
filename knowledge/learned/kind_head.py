"""The kind head: a linear head over the message's embedding features and its neighbour similarities
(`kind_features.py`), trained on the tuning part, with thresholds calibrated out of fold (`calibration.py`).

The neighbours are the training rows' whole-message vectors (stored beside the head as plain arrays); a
training row's own family never counts among its neighbours, neither in the final fit nor in the folds of the
calibration, so the head learns how much to trust a neighbour as it will meet them on a new message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.learned import calibration
from knowledge.learned.kind_features import neighbour_features, uses_neighbours
from knowledge.learned.linear import LinearHead, train_single_label

logger = logging.getLogger(__name__)

FOLDS = 5


@dataclass(frozen=True)
class KindHead:
    """The linear head, and for a `+knn` feature map the reference vectors and their kinds (index into labels)."""

    head: LinearHead
    features: str
    references: np.ndarray | None = None  # (n, dim) float32, L2-normalised
    reference_kinds: np.ndarray | None = None  # (n,) int

    @property
    def labels(self) -> tuple[str, ...]:
        return self.head.labels

    def full_features(self, base: np.ndarray, exclude: np.ndarray | None = None) -> np.ndarray:
        """The head's input from the embedding features `base` (the whole-message vector first)."""
        if not uses_neighbours(self.features) or self.references is None or self.reference_kinds is None:
            return base
        dim = self.references.shape[1]
        near = neighbour_features(base[:, :dim], self.references, self.reference_kinds, len(self.labels), exclude)
        return np.hstack([base, near])

    def probabilities(self, base: np.ndarray) -> np.ndarray:
        return self.head.probabilities(self.full_features(base))


def fit(
    base: np.ndarray,
    labels: Sequence[str],
    families: Sequence[str],
    features: str,
    c: float,
    dim: int,
    weights: np.ndarray | None = None,
) -> KindHead:
    """Train the head on embedding features `base` (rows' whole-message vectors, `dim` wide, first), each row's
    loss times its weight when `weights` are given."""
    kinds = tuple(sorted(set(labels)))
    if not uses_neighbours(features):
        return KindHead(train_single_label(base, list(labels), c=c, sample_weight=weights), features)
    references = np.ascontiguousarray(base[:, :dim], dtype=np.float32)
    reference_kinds = np.array([kinds.index(k) for k in labels])
    fam = np.array(families)
    same_family = fam[:, None] == fam[None, :]
    near = neighbour_features(references, references, reference_kinds, len(kinds), same_family)
    head = train_single_label(np.hstack([base, near]), list(labels), c=c, sample_weight=weights)
    if head.labels != kinds:
        raise RuntimeError(f"kind labels {head.labels} differ from {kinds}")
    return KindHead(head, features, references, reference_kinds)


def out_of_fold(
    base: np.ndarray,
    labels: Sequence[str],
    families: Sequence[str],
    features: str,
    c: float,
    dim: int,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Out-of-fold probabilities (rows × kinds, kinds sorted), folds grouped by family, each fold fitted with
    its rows' `weights`."""
    from sklearn.model_selection import GroupKFold

    y = np.array(labels)
    groups = np.array(families)
    kinds = sorted(set(labels))
    oof = np.zeros((len(y), len(kinds)))
    for train_idx, test_idx in GroupKFold(n_splits=FOLDS).split(base, y, groups):
        fold_weights = None if weights is None else weights[train_idx]
        head = fit(base[train_idx], list(y[train_idx]), list(groups[train_idx]), features, c, dim, fold_weights)
        probs = head.probabilities(base[test_idx])
        for col, label in enumerate(head.labels):
            oof[test_idx, kinds.index(label)] = probs[:, col]
    return oof, kinds


def calibrate(
    base: np.ndarray,
    labels: Sequence[str],
    families: Sequence[str],
    *,
    features: str,
    c: float,
    dim: int,
    strategy: str,
    weights: np.ndarray | None = None,
) -> tuple[dict[str, float], float]:
    """Per-kind thresholds and the sure-question threshold, from out-of-fold predictions on the given rows (the
    folds fitted as the head is, with `weights`; the thresholds count every row once)."""
    oof, kinds = out_of_fold(base, labels, families, features, c, dim, weights)
    y = np.array(labels)
    thresholds = calibration.calibrate(oof, y, kinds, strategy=strategy)
    asks_at = calibration.question_threshold(oof, y, kinds)
    logger.info("gate thresholds (out-of-fold, tuning part): %s; sure question from %.3f", thresholds, asks_at)
    return thresholds, asks_at
