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

ITEM_NONE = "none"  # the item head's label for a message about no item of ours (another department's, a complaint …)
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
    # which item a message describes, or none of ours (knowledge/learned/item_head.py; decide/described_item.py)
    item: LabelPredictor | None = None
    kind_thresholds: dict[str, float] = field(default_factory=dict)
    aspect_thresholds: dict[str, float] = field(default_factory=dict)
    aspect_strategy: str = "cues_first"  # one of ASPECT_STRATEGIES
    aspect_sure_thresholds: dict[str, float] = field(default_factory=dict)
    # cues the tuning rows bear out (never overridden) or contradict (the head's ordinary threshold replaces them):
    # knowledge/learned/cue_evidence.py
    confirmed_cues: frozenset[str] = frozenset()
    contradicted_cues: frozenset[str] = frozenset()

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


def predict_items(predictor: LabelPredictor | None, text: str) -> dict[str, float]:
    """The item head's probabilities (item code or ITEM_NONE -> probability); {} without one."""
    return _safe(predictor, text)


def predict_kind(predictor: LabelPredictor | None, text: str) -> dict[str, float]:
    return {k: v for k, v in _safe(predictor, text).items() if k in KIND_LABELS}


ASPECT_STRATEGIES = (
    "cues_only",
    "cues_first",
    "cues_unless_head_sure",
    "head_first",
    "cue_then_head",
    "head_then_cue",
    "head_only",
)
"""How cue aspects and the head's combine (chosen on the bank's tuning part, `evaluation/aspect_calibration.py`):
- cues_only: the lexicon alone; cues_first: the cues, the head only where they say nothing;
- cues_unless_head_sure: cues_first, except where the head is sure of other aspects (each at or above its "sure"
  threshold, calibrated for high precision) and does not even reach the threshold of the cue's aspect; a cue the
  tuning rows confirm is never overridden, one they contradict yields to the head's ordinary (best-F1) labels
  (`confirmed` / `contradicted`, knowledge/learned/cue_evidence.py);
- head_first: the head's confident labels, the cues only where the head is not confident;
- cue_then_head / head_then_cue: both, the first named first (at most MAX_ASPECTS);
- head_only: the head's confident labels, else its most probable one."""


def confident_aspects(
    predicted: dict[Aspect, float], thresholds: dict[str, float] | None = None, threshold: float = ASPECT_THRESHOLD
) -> tuple[Aspect, ...]:
    """The predicted aspects at or above their (calibrated) threshold, most probable first; "overview" only alone
    (it says nothing once a specific aspect is asked)."""
    limits = thresholds or {}
    above = sorted(
        (a for a, p in predicted.items() if p >= limits.get(a.value, threshold)), key=lambda a: -predicted[a]
    )
    if len(above) > 1:
        above = [a for a in above if a is not Aspect.overview]
    return tuple(above[:MAX_ASPECTS])


def _merge(first: tuple[Aspect, ...], second: tuple[Aspect, ...]) -> tuple[Aspect, ...]:
    merged = list(dict.fromkeys((*first, *second)))
    if len(merged) > 1:
        merged = [a for a in merged if a is not Aspect.overview]
    return tuple(merged[:MAX_ASPECTS])


def combine_aspects(
    cue_aspects: tuple[Aspect, ...],
    predicted: dict[Aspect, float],
    threshold: float = ASPECT_THRESHOLD,
    *,
    thresholds: dict[str, float] | None = None,
    strategy: str = "cues_first",
    sure_thresholds: dict[str, float] | None = None,
    cue_word: str | None = None,
    confirmed: frozenset[str] = frozenset(),
    contradicted: frozenset[str] = frozenset(),
) -> tuple[tuple[Aspect, ...], str]:
    """The aspects a question asks for and who said so: "cue", "predictor", "both" or "none". `cue_word`: the primary
    cue's word, looked up in the tuning rows' evidence (`confirmed`, `contradicted`)."""
    head = confident_aspects(predicted, thresholds, threshold)
    if strategy == "cues_only" or not predicted:
        return (cue_aspects, "cue") if cue_aspects else ((), "none")
    if strategy == "cues_unless_head_sure":
        cue = cue_aspects[0] if cue_aspects else None
        if cue is not None and cue_word in contradicted and cue_word not in confirmed and head and cue not in head:
            return head, "predictor"  # the rows seldom give this cue's aspect: the head's own labels (not a firm cue's)
        sure = confident_aspects(predicted, sure_thresholds or {}, 1.01)
        cue_limit = (thresholds or {}).get(cue.value, threshold) if cue is not None else threshold
        overridable = cue_word not in confirmed
        if sure and cue is not None and cue not in sure and predicted.get(cue, 0.0) < cue_limit and overridable:
            return sure, "predictor"
        strategy = "cues_first"
    if strategy == "head_only":
        if not head:
            head = (max(predicted, key=lambda a: predicted[a]),)
        return head, "predictor"
    if strategy == "head_first":
        first, second, names = head, cue_aspects, ("predictor", "cue")
    elif strategy == "cues_first":
        first, second, names = cue_aspects, head, ("cue", "predictor")
    elif strategy == "cue_then_head":
        merged = _merge(cue_aspects, head)
        return merged, ("both" if cue_aspects and head else "cue" if cue_aspects else "predictor" if head else "none")
    elif strategy == "head_then_cue":
        merged = _merge(head, cue_aspects)
        return merged, ("both" if cue_aspects and head else "predictor" if head else "cue" if cue_aspects else "none")
    else:
        raise ValueError(f"unknown aspect strategy {strategy!r}")
    if first:
        return first, names[0]
    if second:
        return second, names[1]
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
