"""The one protocol for learned predictions the analyse stage accepts, and how they combine with the cues.

A predictor maps a question to label probabilities. Two are used:
- aspects: labels are the `Aspect` values (multi-label: every label above the threshold counts);
- kind: labels are `KIND_LABELS` (single label: the most probable, if above the threshold).

Combination (`combine_aspects`, `combine_kind`): cues decide when they are present (the lexicon is
explicit and reviewable); the predictor decides only where the cues say nothing. Both are recorded in
the `Query`, so a reader can see which one spoke. With no predictor the pipeline runs on cues alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from knowledge.schema import Aspect

logger = logging.getLogger(__name__)

KIND_LABELS = ("in_domain", "other_department", "complaint", "smalltalk", "policy")

ASPECT_THRESHOLD = 0.5  # a predicted aspect counts at this probability or above
KIND_THRESHOLD = 0.6  # a predicted kind counts at this probability or above
MAX_ASPECTS = 2


@runtime_checkable
class LabelPredictor(Protocol):
    def predict(self, text: str) -> dict[str, float]: ...  # label -> probability in [0, 1]


@dataclass(frozen=True)
class Predictors:
    """Optional learned predictors handed to the analyse stage (wired by knowledge/learned/wiring.py).

    `kind_thresholds`: per kind, the probability from which the kind prediction is trusted (calibrated
    on the question bank's tuning part; KIND_THRESHOLD for a kind not listed)."""

    aspects: LabelPredictor | None = None
    kind: LabelPredictor | None = None
    kind_thresholds: dict[str, float] = field(default_factory=dict)

    def confident_kinds(self, predicted: dict[str, float]) -> tuple[str, ...]:
        """The kinds predicted at or above their threshold (most probable first)."""
        above = [k for k, p in predicted.items() if p >= self.kind_thresholds.get(k, KIND_THRESHOLD)]
        return tuple(sorted(above, key=lambda k: -predicted[k]))


def _safe(predictor: LabelPredictor | None, text: str) -> dict[str, float]:
    if predictor is None:
        return {}
    try:
        raw = predictor.predict(text)
    except Exception:  # a broken model must not take the engine down: cues still work
        logger.exception("predictor %s failed; using cues alone", type(predictor).__name__)
        return {}
    return {str(k): min(1.0, max(0.0, float(v))) for k, v in raw.items()}


def predict_aspects(predictor: LabelPredictor | None, text: str) -> dict[Aspect, float]:
    valid = {a.value for a in Aspect}
    return {Aspect(k): v for k, v in _safe(predictor, text).items() if k in valid}


def predict_kind(predictor: LabelPredictor | None, text: str) -> dict[str, float]:
    return {k: v for k, v in _safe(predictor, text).items() if k in KIND_LABELS}


def combine_aspects(
    cue_aspects: tuple[Aspect, ...], predicted: dict[Aspect, float], threshold: float = ASPECT_THRESHOLD
) -> tuple[tuple[Aspect, ...], str]:
    """The aspects a question asks for and who said so: "cue", "predictor" or "none"."""
    if cue_aspects:
        return cue_aspects, "cue"
    above = sorted((a for a, p in predicted.items() if p >= threshold), key=lambda a: -predicted[a])
    if len(above) > 1:  # "overview" says nothing once a specific aspect is asked
        above = [a for a in above if a is not Aspect.overview]
    if above:
        return tuple(above[:MAX_ASPECTS]), "predictor"
    return (), "none"


def combine_kind(
    cue_kind: str | None, predicted: dict[str, float], threshold: float = KIND_THRESHOLD
) -> tuple[str | None, str]:
    """The question's kind and who said so. A cue (a referral keyword, a policy name) decides."""
    if cue_kind is not None:
        return cue_kind, "cue"
    if predicted:
        label, p = max(predicted.items(), key=lambda kv: kv[1])
        if p >= threshold:
            return label, "predictor"
    return None, "none"
