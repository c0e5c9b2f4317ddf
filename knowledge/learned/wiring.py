"""Wire the learned predictors into an engine (called once from knowledge/service.py): the kind predictor
goes to the analyse stage, and the returned wrapper gives the chat gateway its verdict."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.config import KnowledgeSettings
from knowledge.embedding.embedders import Embedder
from knowledge.learned.cue_evidence import CueEvidence, remembered_cue_evidence
from knowledge.learned.gate import GatedEngine
from knowledge.learned.item_head import ITEM_HEAD_FILE, item_resolver, load_or_fit_item_head
from knowledge.learned.predictors import CachedQueryEmbedder, HeadPredictor, build_predictors
from knowledge.learned.store import (
    ASPECT_SURE_PRECISION,
    Heads,
    TrainingRow,
    all_training_rows,
    aspect_rows,
    load_or_train,
)
from knowledge.query.predictors import Predictors

logger = logging.getLogger(__name__)


def with_learned(engine: Any, embedder: Embedder, settings: KnowledgeSettings) -> Any:
    """The engine behind the learned gate, or the engine itself when disabled or untrainable."""
    if not settings.learned:
        return engine
    if not settings.learned_training.exists():
        logger.warning("no training rows at %s: the learned gate is off", settings.learned_training)
        return engine
    heads = load_or_train(
        embedder, settings.learned_training, settings.learned_dir / embedder.name, settings.learned_hand
    )
    rows, _ = all_training_rows(settings.learned_training, settings.learned_hand)
    return attach(engine, heads, embedder, settings, rows)


def attach(
    engine: Any, heads: Heads, embedder: Embedder, settings: KnowledgeSettings, rows: Sequence[TrainingRow]
) -> GatedEngine:
    """The engine behind the gate of `heads` (trained on `rows`), its analyse stage given their predictors."""
    kind, aspects = build_predictors(heads, embedder)
    item = item_predictor(engine, heads, kind.embed, rows, settings.learned_dir / embedder.name / ITEM_HEAD_FILE)
    logger.info(
        "learned gate on (%d training rows, %s features, thresholds %s, sure question from %s)",
        heads.manifest.count,
        heads.manifest.kind_features,
        heads.manifest.kind_thresholds,
        heads.manifest.question_threshold,
    )
    thresholds = heads.manifest.kind_thresholds
    # The analyse stage takes both predictors: the kind for the decision rules, the aspects combined with the
    # lexicon's cues as `settings.aspect_strategy` says, each aspect from its calibrated threshold (both chosen on
    # the bank's tuning part, `evaluation/aspect_calibration.py`; docs/design/understanding.md, round 5).
    set_predictors = getattr(engine, "set_predictors", None)
    analyser = getattr(engine, "analyser", None)
    evidence = CueEvidence()
    if analyser is not None:  # how far the tuning rows bear out each cue (knowledge/learned/cue_evidence.py)
        labelled = [(r.text, r.aspects or ()) for r in aspect_rows(rows)]
        evidence = remembered_cue_evidence(labelled, analyser.cues, ASPECT_SURE_PRECISION)
    if set_predictors is not None:
        set_predictors(
            Predictors(
                kind=kind,
                kind_thresholds=thresholds,
                aspects=aspects,
                aspect_thresholds=heads.manifest.aspect_thresholds,
                aspect_strategy=settings.aspect_strategy,
                aspect_sure_thresholds=heads.manifest.aspect_sure_thresholds,
                confirmed_cues=evidence.confirmed,
                contradicted_cues=evidence.contradicted,
                item=item,
            )
        )
    return GatedEngine(engine, kind, aspects, thresholds, heads.manifest.question_threshold)


def item_predictor(
    engine: Any, heads: Heads, embed: CachedQueryEmbedder, rows: Sequence[TrainingRow], path: Path | None = None
) -> HeadPredictor | None:
    """The item head (`item_head.py`) over the kind head's stored row vectors, its labels resolved against the
    engine's catalogue; None without a catalogue or stored vectors (then `described_item` never decides)."""
    catalog = getattr(engine, "catalog", None)
    references = heads.kind.references
    kind_rows = [r for r in rows if r.for_kind]
    if catalog is None or references is None or len(references) != len(kind_rows):
        logger.warning("no item head: no catalogue or no stored row vectors")
        return None
    resolve = item_resolver([(i.code, [i.name, *i.aliases]) for i in catalog.items])
    vectors = np.asarray(references, dtype=np.float64)
    head = load_or_fit_item_head(path, vectors, kind_rows, resolve, heads.manifest.content_hash)
    return None if head is None else HeadPredictor(head, embed)
