"""Train, persist and load the learned heads, rebuilding them when their training data or model changed.

On disk (one folder per embedder, replaced atomically):
    heads.npz       kind_weights, kind_bias, aspect_weights, aspect_bias
    manifest.json   `HeadsManifest`: embedder name, content hash of the training rows, labels, the kind head's
                    feature map (`kind_features.py`) and its calibrated thresholds (`calibration.py`)

The training rows are the question bank's tuning part (`evaluation/data/bank/tuning.jsonl`) and, when a folder
of hand-written sets is given, the rows of its TUNING splits (`hand_rows.py`: citizens' registers by independent
writers; chosen by leave-one-writer-out, `evaluation.hand_rows_lowo`); no blind part is ever read here.
`load_or_train` returns heads matching the current data and model,
training them (about a minute with the real model on one core) when the manifest differs.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from knowledge.embedding.embedders import Embedder
from knowledge.learned import calibration, kind_head
from knowledge.learned.kind_features import featurize, uses_neighbours
from knowledge.learned.kind_head import KindHead
from knowledge.learned.linear import LinearHead, train_multi_label
from knowledge.schema import Aspect
from knowledge.vector_index import content_hash

logger = logging.getLogger(__name__)

FORMAT_VERSION = 5
HEADS_FILE = "heads.npz"
MANIFEST_FILE = "manifest.json"
KINDS: tuple[str, ...] = ("in_domain", "other_department", "complaint", "smalltalk", "policy")
ASPECTS: tuple[str, ...] = tuple(a.value for a in Aspect)
REGULARISATION_C = 4.0
KIND_REGULARISATION_C = 4.0
HAND_WEIGHT = 1.0
"""How much a hand-written row (`hand_rows.py`: citizens' own words) weighs in the kind head's fit, and in its
calibration folds, against one of the bank's generated rows (which outnumber them 2.5 to 1); 1 is the plain fit.
Round 13: ×2 lifted the held-out writer's kind accuracy 94.1 → 95.1% in leave-one-writer-out, but through /api/chat it
cancelled a complaint intake on `tuning13` (a set nothing was fitted to), opened the intake for
"要是办不下来该找谁反映", gave "帮我查下工单进度" the no-answer and cost one blind complaint; so 1 ships
(docs/design/understanding.md, round 13)."""
ASPECT_HAND_WEIGHT = 1.0
"""The same for the aspect head's fit (not measured beyond 1 yet)."""
MAX_HAND_WEIGHT = 10.0
KIND_FEATURES = "e5+knn"
"""The kind head's feature map (`kind_features.py`), chosen by grouped cross-validation (`evaluation.kind_head_cv`)."""
CALIBRATION = "loss"
"""How the kind thresholds are chosen (`calibration.py`)."""
TARGET_PRECISION = calibration.TARGET_PRECISION
ASPECT_SURE_PRECISION = 0.95
CALIBRATION_FOLDS = 5
_GRID = calibration.GRID


@dataclass(frozen=True)
class TrainingRow:
    text: str
    kind: str
    aspects: tuple[str, ...] | None  # None: aspects not labelled (not used for the aspect head)
    family: str = ""  # the bank's group key: calibration folds never split a family
    for_kind: bool = True  # False: an aspect-head row only (the kind head does not learn from it)
    hand: bool = False  # a hand-written row (`hand_rows.py`), weighed by HAND_WEIGHT / ASPECT_HAND_WEIGHT
    # the item the row asks about: the bank's item code, or a hand-written first turn's expected item (a part of the
    # item's name, `expect.item`); only the item head reads it (`item_head.py`), so it is not part of `rows_hash`
    item: str | None = None


class HeadsManifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    dim: int
    content_hash: str
    kind_labels: list[str]
    aspect_labels: list[str]
    count: int
    kind_thresholds: dict[str, float]
    """Per kind, the confidence from which the gate acts (calibrated out of fold, `calibration.calibrate`)."""
    question_threshold: float | None = None
    """The probability of a question from which the gate is sure a message asks (`calibration.question_threshold`)."""
    kind_features: str = KIND_FEATURES
    calibration: str = CALIBRATION
    aspect_thresholds: dict[str, float] = {}
    """Per aspect, the probability from which the aspect head's label counts (best F1 out of fold)."""
    aspect_sure_thresholds: dict[str, float] = {}
    """Per aspect, the probability from which the head is sure (precision >= ASPECT_SURE_PRECISION out of fold)."""
    regularisation_c: float = REGULARISATION_C
    hand_weight: float = 1.0
    """The weight of a hand-written row in the kind head's fit (`HAND_WEIGHT`)."""
    aspect_hand_weight: float = 1.0
    """The weight of a hand-written row in the aspect head's fit (`ASPECT_HAND_WEIGHT`)."""
    hand_splits: list[str] = []
    """The hand-written tuning splits whose rows the heads were trained on besides the bank's (`hand_rows.py`)."""
    hand_rows: int = 0
    format_version: int = FORMAT_VERSION


@dataclass(frozen=True)
class Heads:
    kind: KindHead
    aspects: LinearHead
    manifest: HeadsManifest


def read_training_rows(path: Path) -> list[TrainingRow]:
    """Rows of a bank part (JSON lines with text, kind and optional aspects)."""
    if path.name.startswith("blind"):
        raise ValueError("the blind part of the question bank is never used for training")
    rows: list[TrainingRow] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        data = json.loads(line)
        aspects = data.get("aspects")
        rows.append(
            TrainingRow(
                data["text"],
                data["kind"],
                tuple(aspects) if aspects is not None else None,
                data.get("family", ""),
                item=data.get("item"),
            )
        )
    return rows


def check_hand_weight(weight: float) -> float:
    """A hand-written row's weight, refused unless a finite number from 1 (the plain fit) to MAX_HAND_WEIGHT."""
    if not (isinstance(weight, int | float) and 1.0 <= float(weight) <= MAX_HAND_WEIGHT):
        raise ValueError(f"a hand-written row's weight must be from 1 to {MAX_HAND_WEIGHT}, not {weight!r}")
    return float(weight)


def row_weights(rows: Sequence[TrainingRow], hand_weight: float) -> np.ndarray | None:
    """Each row's weight in a fit: `hand_weight` for a hand-written row, 1 for the bank's (None: all 1)."""
    if check_hand_weight(hand_weight) == 1.0 or not any(r.hand for r in rows):
        return None
    return np.array([hand_weight if r.hand else 1.0 for r in rows])


def rows_hash(
    rows: Sequence[TrainingRow], hand_weight: float | None = None, aspect_hand_weight: float | None = None
) -> str:
    """The content hash of the training rows and of how the heads are built from them (a change of either
    retrains the heads). The hand-written rows' weights (None: HAND_WEIGHT, ASPECT_HAND_WEIGHT) count when not 1
    (a plain fit keeps its hash)."""
    hand_weight = HAND_WEIGHT if hand_weight is None else hand_weight
    aspect_hand_weight = ASPECT_HAND_WEIGHT if aspect_hand_weight is None else aspect_hand_weight
    weighted = (check_hand_weight(hand_weight), check_hand_weight(aspect_hand_weight)) != (1.0, 1.0)
    parts: list[str] = [KIND_FEATURES, CALIBRATION, str(KIND_REGULARISATION_C), *question_words()]
    if weighted:
        parts += [f"hand_weight={hand_weight}", f"aspect_hand_weight={aspect_hand_weight}"]
    for row in rows:
        parts += [row.text, row.kind, ",".join(row.aspects) if row.aspects is not None else "-"]
        if not row.for_kind:
            parts.append("aspects-only")
        if weighted and row.hand:
            parts.append("hand")
    return content_hash(parts)


def question_words() -> tuple[str, ...]:
    from knowledge.query.lexicon import load_lexicon

    return tuple(load_lexicon().question_words)


def kind_features(texts: Sequence[str], embedder: Embedder, name: str = KIND_FEATURES) -> np.ndarray:
    """The kind head's embedding features for raw texts (`kind_features.featurize`)."""
    return featurize(name, texts, embedder.embed_queries, question_words())


def train(
    rows: Sequence[TrainingRow],
    embedder: Embedder,
    hand_weight: float | None = None,
    aspect_hand_weight: float | None = None,
) -> Heads:
    """The heads fitted on `rows`, a hand-written row weighing `hand_weight` (None: HAND_WEIGHT) in the kind
    head's fit and its calibration folds, `aspect_hand_weight` (None: ASPECT_HAND_WEIGHT) in the aspect head's."""
    hand_weight = check_hand_weight(HAND_WEIGHT if hand_weight is None else hand_weight)
    aspect_hand_weight = check_hand_weight(ASPECT_HAND_WEIGHT if aspect_hand_weight is None else aspect_hand_weight)
    features = kind_features([r.text for r in rows], embedder)
    vectors = features[:, : embedder.dim]  # every feature map starts with the whole message's vector
    kind_rows = [n for n, r in enumerate(rows) if r.for_kind]
    base = features[kind_rows]
    labels = [rows[n].kind for n in kind_rows]
    families = [rows[n].family or rows[n].text for n in kind_rows]
    weights = row_weights([rows[n] for n in kind_rows], hand_weight)
    kind = kind_head.fit(base, labels, families, KIND_FEATURES, KIND_REGULARISATION_C, embedder.dim, weights)
    labelled = [n for n, r in enumerate(rows) if r.aspects is not None and r.kind == "in_domain"]
    labelled_rows = [rows[n] for n in labelled]
    aspect_weights = row_weights(labelled_rows, aspect_hand_weight)
    aspects = train_multi_label(
        vectors[labelled],
        [list(r.aspects or ()) for r in labelled_rows],
        list(ASPECTS),
        c=REGULARISATION_C,
        sample_weight=aspect_weights,
    )
    thresholds, asks_at = kind_head.calibrate(
        base,
        labels,
        families,
        features=KIND_FEATURES,
        c=KIND_REGULARISATION_C,
        dim=embedder.dim,
        strategy=CALIBRATION,
        weights=weights,
    )
    aspect_oof = oof_aspects(vectors[labelled], labelled_rows, aspect_weights)
    manifest = HeadsManifest(
        kind_thresholds=thresholds,
        question_threshold=asks_at,
        aspect_thresholds=calibrate_aspect_thresholds(aspect_oof, labelled_rows),
        aspect_sure_thresholds=calibrate_aspect_thresholds(aspect_oof, labelled_rows, ASPECT_SURE_PRECISION),
        model=embedder.name,
        dim=embedder.dim,
        content_hash=rows_hash(rows, hand_weight, aspect_hand_weight),
        kind_labels=list(kind.labels),
        aspect_labels=list(aspects.labels),
        count=len(rows),
        hand_weight=hand_weight,
        aspect_hand_weight=aspect_hand_weight,
    )
    return Heads(kind, aspects, manifest)


def aspect_rows(rows: Sequence[TrainingRow]) -> list[TrainingRow]:
    """The rows the aspect head learns from: in-domain questions with labelled aspects."""
    return [r for r in rows if r.aspects is not None and r.kind == "in_domain"]


def oof_aspects(vectors: np.ndarray, rows: Sequence[TrainingRow], weights: np.ndarray | None = None) -> np.ndarray:
    """Out-of-fold aspect probabilities (rows × ASPECTS), folds grouped by family (GroupKFold), each fold fitted
    with its rows' `weights`."""
    from sklearn.model_selection import GroupKFold

    groups = np.array([r.family or r.text for r in rows])
    oof = np.zeros((len(rows), len(ASPECTS)))
    for train_idx, test_idx in GroupKFold(n_splits=CALIBRATION_FOLDS).split(vectors, groups=groups):
        head = train_multi_label(
            vectors[train_idx],
            [list(rows[n].aspects or ()) for n in train_idx],
            list(ASPECTS),
            c=REGULARISATION_C,
            sample_weight=None if weights is None else weights[train_idx],
        )
        oof[test_idx] = head.probabilities(vectors[test_idx])
    return oof


def calibrate_aspect_thresholds(
    oof: np.ndarray, rows: Sequence[TrainingRow], precision: float | None = None
) -> dict[str, float]:
    """Per aspect, the threshold on the out-of-fold probability with the best F1 (ties: the higher threshold), or,
    with `precision`, the lowest at which the head's label is right that often; an aspect with no labelled row (or
    never that precise) keeps the top of the grid."""
    thresholds: dict[str, float] = {}
    for col, aspect in enumerate(ASPECTS):
        truth = np.array([aspect in (r.aspects or ()) for r in rows])
        best, chosen = -1.0, _GRID[-1]
        if truth.any() and precision is not None:
            chosen = next(
                (t for t in _GRID if (oof[:, col] >= t).sum() and truth[oof[:, col] >= t].mean() >= precision),
                _GRID[-1],
            )
        elif truth.any():
            for t in _GRID:
                said = oof[:, col] >= t
                tp = float((said & truth).sum())
                f1 = 2 * tp / (said.sum() + truth.sum()) if said.sum() + truth.sum() else 0.0
                if f1 >= best:
                    best, chosen = f1, t
        thresholds[aspect] = chosen
    logger.info("aspect thresholds (out-of-fold, tuning part, precision %s): %s", precision, thresholds)
    return thresholds


def save(heads: Heads, folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}")
    tmp.mkdir()
    arrays = {f"kind_{k}": v for k, v in heads.kind.head.to_arrays().items()}
    if heads.kind.references is not None and heads.kind.reference_kinds is not None:
        arrays["kind_references"] = heads.kind.references.astype(np.float32)
        arrays["kind_reference_kinds"] = heads.kind.reference_kinds.astype(np.int16)
    arrays |= {f"aspect_{k}": v for k, v in heads.aspects.to_arrays().items()}
    np.savez(tmp / HEADS_FILE, **arrays)  # type: ignore[arg-type]  # numpy stubs type **kwds as allow_pickle
    (tmp / MANIFEST_FILE).write_text(heads.manifest.model_dump_json(indent=2), encoding="utf-8")
    old = folder.with_name(f".{folder.name}.old.{uuid.uuid4().hex}")
    if folder.exists():
        os.replace(folder, old)
    os.replace(tmp, folder)
    shutil.rmtree(old, ignore_errors=True)


def load(folder: Path, expected_model: str, expected_hash: str) -> Heads | None:
    """The saved heads, or None (with a log line) when missing or built from other data or another model."""
    try:
        manifest = HeadsManifest.model_validate_json((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        arrays = np.load(folder / HEADS_FILE, allow_pickle=False)
    except FileNotFoundError:
        logger.info("no learned heads at %s", folder)
        return None
    except (ValidationError, ValueError, OSError) as exc:
        logger.warning("learned heads at %s unreadable (%s); retraining", folder, type(exc).__name__)
        return None
    if manifest.format_version != FORMAT_VERSION or manifest.model != expected_model:
        logger.info(
            "learned heads at %s are for %s (format %d); retraining", folder, manifest.model, manifest.format_version
        )
        return None
    if manifest.content_hash != expected_hash:
        logger.info("learned heads at %s were trained on other data; retraining", folder)
        return None
    linear = LinearHead(tuple(manifest.kind_labels), arrays["kind_weights"], arrays["kind_bias"], False)
    references = arrays["kind_references"] if "kind_references" in arrays.files else None
    reference_kinds = arrays["kind_reference_kinds"] if "kind_reference_kinds" in arrays.files else None
    if uses_neighbours(manifest.kind_features) and (references is None or reference_kinds is None):
        logger.warning("learned heads at %s lack the kind head's neighbours; retraining", folder)
        return None
    kind = KindHead(linear, manifest.kind_features, references, reference_kinds)
    aspects = LinearHead(tuple(manifest.aspect_labels), arrays["aspect_weights"], arrays["aspect_bias"], True)
    return Heads(kind, aspects, manifest)


def all_training_rows(training_file: Path, hand_folder: Path | None = None) -> tuple[list[TrainingRow], list[str]]:
    """The bank part's rows, then the hand-written tuning splits' rows of `hand_folder` (none without one), and
    the splits read."""
    rows = read_training_rows(training_file)
    if hand_folder is None:
        return rows, []
    from knowledge.learned.hand_rows import TUNING_SPLITS, read_hand_rows

    return rows + read_hand_rows(TUNING_SPLITS, hand_folder), list(TUNING_SPLITS)


def load_or_train(embedder: Embedder, training_file: Path, folder: Path, hand_folder: Path | None = None) -> Heads:
    rows, splits = all_training_rows(training_file, hand_folder)
    expected = rows_hash(rows)
    heads = load(folder, embedder.name, expected)
    if heads is None:
        logger.info(
            "training learned heads on %d rows of %s (+ %s) with %s", len(rows), training_file, splits, embedder.name
        )
        heads = train(rows, embedder)
        hand = len(rows) - len(read_training_rows(training_file))
        heads = Heads(
            heads.kind, heads.aspects, heads.manifest.model_copy(update={"hand_splits": splits, "hand_rows": hand})
        )
        save(heads, folder)
    return heads
