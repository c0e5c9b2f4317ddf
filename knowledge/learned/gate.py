"""The learned question gate in front of the engine: other departments' questions get a no-answer.

`GatedEngine` wraps an engine (anything with `ask`) and consults the kind predictor first. When the
predictor is confident (its calibrated threshold, `HeadsManifest.kind_thresholds`) that a question
belongs to another department and the question names no item of this knowledge base exactly, the
answer is a no-answer naming the department when the referral list knows it, else the helpline
(12345). Everything else goes to the engine unchanged. Until the staged pipeline's analyse stage
takes the predictors itself, this wrapper is the one place they are wired in (knowledge/service.py).
"""

from __future__ import annotations

import logging
from typing import Any

from knowledge.answer import Answer, Context
from knowledge.learned import texts
from knowledge.learned.predictors import top
from knowledge.learned.protocol import LabelPredictor
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

SHOWN_CHARS = 30
FOLLOWUP_MAX_CHARS = 14
"""A message this short inside a conversation about an item is a follow-up: the engine decides."""


class GatedEngine:
    def __init__(
        self,
        engine: Any,
        kind_predictor: LabelPredictor,
        aspect_predictor: LabelPredictor,
        thresholds: dict[str, float],
    ) -> None:
        self.engine = engine
        self.kind_predictor = kind_predictor
        self.aspect_predictor = aspect_predictor
        self.thresholds = dict(thresholds)

    def __getattr__(self, name: str) -> Any:  # everything else is the engine's
        return getattr(self.engine, name)

    def verdict(self, text: str) -> tuple[str | None, float, bool]:
        """(kind, confidence, confident) for a text."""
        kind, p = top(self.kind_predictor.predict(text))
        return kind, p, kind is not None and p >= self.thresholds.get(kind, 1.0)

    def ask(self, question: str, context: Context | None = None, region: str | None = None) -> Answer:
        followup = context is not None and context.item_code is not None and len(question) <= FOLLOWUP_MAX_CHARS
        if followup:
            return self.engine.ask(question, context, region)
        kind, p, confident = self.verdict(question)
        if kind == "other_department" and confident and not self._names_an_item(question):
            logger.info("gate: other department (%.2f)", p)
            return self._other_department(question)
        return self.engine.ask(question, context, region)

    def _names_an_item(self, question: str) -> bool:
        """Whether the question names one of our items exactly (the engine's names channel decides)."""
        query = self.engine.analyse(question)
        return bool(self.engine.retrieve(query).exact)

    def _other_department(self, question: str) -> Answer:
        helpline = getattr(self.engine, "helpline", "12345")
        shown = question.strip()[:SHOWN_CHARS] + ("…" if len(question.strip()) > SHOWN_CHARS else "")
        parts = [texts.OTHER_DEPARTMENT.format(question=shown)]
        catalog = getattr(self.engine, "catalog", None)
        referral = catalog.referral_for(normalise(question)) if catalog is not None else None
        if referral:
            parts.append(texts.OTHER_DEPARTMENT_NAMED.format(department=referral[1]))
        parts.append(texts.OTHER_DEPARTMENT_HINT.format(helpline=helpline))
        return Answer(kind="no_answer", text="".join(parts), confidence=0.0)
