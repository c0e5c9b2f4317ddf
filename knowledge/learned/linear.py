"""Linear heads over sentence embeddings: trained with scikit-learn, stored as plain arrays.

Nothing is pickled: a head is its weight matrix, bias and label names (`.npz` + the manifest), and
prediction is a softmax (single-label) or per-label sigmoid (multi-label) computed here with numpy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinearHead:
    labels: tuple[str, ...]
    weights: np.ndarray  # (n_labels, dim)
    bias: np.ndarray  # (n_labels,)
    multi_label: bool

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        logits = vectors @ self.weights.T + self.bias
        if self.multi_label:
            return 1.0 / (1.0 + np.exp(-logits))
        logits = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"weights": self.weights.astype(np.float32), "bias": self.bias.astype(np.float32)}


def train_single_label(
    vectors: np.ndarray, labels: list[str], *, c: float = 4.0, sample_weight: np.ndarray | None = None
) -> LinearHead:
    """Multinomial logistic regression, classes balanced (small classes such as small talk count); each row's
    loss times its `sample_weight` when given (on top of the class balance)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit(vectors, labels, sample_weight=sample_weight)
    return LinearHead(tuple(str(x) for x in model.classes_), model.coef_.copy(), model.intercept_.copy(), False)


def train_multi_label(
    vectors: np.ndarray,
    label_sets: list[list[str]],
    names: list[str],
    *,
    c: float = 4.0,
    sample_weight: np.ndarray | None = None,
) -> LinearHead:
    """One logistic regression per label (one-vs-rest); a label never seen positive gets a -inf-like bias; each
    row's loss times its `sample_weight` when given."""
    from sklearn.linear_model import LogisticRegression

    weights = np.zeros((len(names), vectors.shape[1]), dtype=np.float64)
    bias = np.full(len(names), -20.0)
    for row, name in enumerate(names):
        y = np.array([name in labels for labels in label_sets], dtype=int)
        if y.sum() == 0 or y.sum() == len(y):
            logger.warning("label %s has no positive (or no negative) example; it is never predicted", name)
            continue
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        model.fit(vectors, y, sample_weight=sample_weight)
        weights[row] = model.coef_[0]
        bias[row] = model.intercept_[0]
    return LinearHead(tuple(names), weights, bias, True)
