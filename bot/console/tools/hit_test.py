"""The hit test (命中测试): what the engine's stages compute for one question, as data for the page.

Nothing is scored here: `Engine.trace` returns the analyse, retrieve, decide and compose stages' own
outputs, and this module only lays them out (top candidates with each channel's score and the fused
one, the rule that decided, the chosen guide, the rendered answer with its sources). When the engine
sits behind the learned gate, the gate's verdict is shown too, and the answer is the gated one.

Draft engines are built from the draft snapshot's catalog and kept by its content hash, so repeated
hit tests against unchanged drafts reuse one engine.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from knowledge.answer import Answer
from knowledge.catalog import Catalog

logger = logging.getLogger(__name__)


class Analysis(BaseModel):
    text: str
    norm: str
    language: str
    aspects: list[str]
    aspect_source: str
    aspect_cues: list[str]
    sub_item: str | None
    region: str | None
    region_hint: str | None
    policy_cues: list[str]
    kind: str | None
    kind_source: str
    referral: str | None
    residue: str
    generic: bool


class CandidateScore(BaseModel):
    code: str
    name: str
    fused: float
    channels: dict[str, float | None]  # channel name → its score for this item (None: not found by it)
    named_exactly: bool


class PointScore(BaseModel):
    id: str
    topic: str
    fused: float


class DecisionView(BaseModel):
    rule: str
    kind: str
    item_code: str | None
    aspects: list[str]
    sub_item: str | None
    region: str | None
    policy_id: str | None
    clarify_items: list[str]
    clarify_sub_items: list[str]
    confidence: float


class GuideView(BaseModel):
    id: str
    item_code: str
    sub_item: str | None
    region: str
    status: str
    last_verified: str


class GateView(BaseModel):
    kind: str | None
    confidence: float
    confident: bool
    intercepted: bool  # the gate answered instead of the engine


class HitTestSide(BaseModel):
    label: str
    knowledge_hash: str
    analysis: Analysis
    candidates: list[CandidateScore]
    points: list[PointScore]
    decision: DecisionView
    gate: GateView | None = None
    guides: list[GuideView] = Field(default_factory=list)
    answer: Answer


class HitTestResult(BaseModel):
    question: str
    region: str | None
    published: HitTestSide
    draft: HitTestSide
    draft_differs: bool  # the draft snapshot differs from the published one


def _r(x: float) -> float:
    return round(float(x), 4)


def run_side(engine: Any, question: str, region: str | None, *, label: str, top: int) -> HitTestSide:
    trace = engine.trace(question, None, region)
    q, scores, d = trace.query, trace.scores, trace.decision
    catalog: Catalog = engine.catalog
    analysis = Analysis(
        text=q.text,
        norm=q.norm,
        language=q.language,
        aspects=[a.value for a in q.aspects],
        aspect_source=q.aspect_source,
        aspect_cues=list(q.aspect_cues),
        sub_item=q.sub_item,
        region=q.region,
        region_hint=q.region_hint,
        policy_cues=list(q.policy_cues),
        kind=q.kind,
        kind_source=q.kind_source,
        referral=f"{q.referral.keyword} → {q.referral.department}" if q.referral else None,
        residue=q.residue,
        generic=q.generic,
    )
    candidates = [
        CandidateScore(
            code=code,
            name=catalog.item_by_code[code].name,
            fused=_r(fused),
            channels={
                name: (_r(view.items[code]) if code in view.items else None) for name, view in scores.channels.items()
            },
            named_exactly=code in scores.exact,
        )
        for code, fused in scores.ranked[:top]
    ]
    points = [
        PointScore(id=pid, topic=catalog.point_by_id[pid][1].topic, fused=_r(score))
        for pid, score in sorted(scores.points.items(), key=lambda kv: -kv[1])[:3]
        if pid in catalog.point_by_id
    ]
    decision = DecisionView(
        rule=d.rule,
        kind=d.kind,
        item_code=d.item_code,
        aspects=[a.value for a in d.aspects],
        sub_item=d.sub_item,
        region=d.region,
        policy_id=d.policy_id,
        clarify_items=list(d.clarify_items),
        clarify_sub_items=list(d.clarify_sub_items),
        confidence=d.confidence,
    )
    answer = trace.answer
    gate = None
    verdict = getattr(engine, "verdict", None)
    if callable(verdict):
        kind, confidence, confident = verdict(question)
        gated = engine.ask(question, None, region)
        intercepted = gated.text != answer.text
        gate = GateView(kind=kind, confidence=_r(confidence), confident=confident, intercepted=intercepted)
        answer = gated if intercepted else answer
    guides = [
        GuideView(
            id=gid,
            item_code=catalog.guide_by_id[gid][0].code,
            sub_item=catalog.guide_by_id[gid][1].sub_item,
            region=catalog.guide_by_id[gid][1].region,
            status=catalog.guide_by_id[gid][1].status.value,
            last_verified=catalog.guide_by_id[gid][1].last_verified.isoformat(),
        )
        for gid in (answer.guide_ids or ([answer.guide_id] if answer.guide_id else []))
        if gid in catalog.guide_by_id
    ]
    return HitTestSide(
        label=label,
        knowledge_hash=catalog.content_hash,
        analysis=analysis,
        candidates=candidates,
        points=points,
        decision=decision,
        gate=gate,
        guides=guides,
        answer=answer,
    )


class DraftEngines:
    """Engines built from draft catalogs, kept by content hash (the most recent few)."""

    def __init__(self, build: Callable[[Catalog], Any], *, keep: int = 2) -> None:
        self._build = build
        self._keep = keep
        self._engines: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0

    def get(self, catalog: Catalog) -> Any:
        key = catalog.content_hash
        with self._lock:
            engine = self._engines.get(key)
            if engine is not None:
                self._engines.move_to_end(key)
                return engine
            logger.info("building a draft engine for knowledge %s", key[:12])
            engine = self._build(catalog)
            self.builds += 1
            self._engines[key] = engine
            while len(self._engines) > self._keep:
                self._engines.popitem(last=False)
            return engine
