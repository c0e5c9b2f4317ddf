"""The learned question gate: the kind verdict for the chat gateway, around an engine that decides.

`GatedEngine` wraps an engine (anything with `ask`) whose analyse stage already holds the learned
predictors (`Engine.set_predictors`, done by `wiring.with_learned`). It adds only `verdict(text)`, the
(kind, confidence, confident) the chat gateway sends to Rasa as metadata; answering — including turning
another department's question away — is the engine's decision rules' alone
(`knowledge/decide/rules.py`: `referral`, `other_department`), so one place decides.
"""

from __future__ import annotations

import logging
from typing import Any

from knowledge.learned.predictors import top
from knowledge.learned.protocol import LabelPredictor
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)


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

    def __getattr__(self, name: str) -> Any:  # ask, analyse, catalog … are the engine's
        return getattr(self.engine, name)

    def verdict(self, text: str) -> tuple[str | None, float, bool]:
        """(kind, confidence, confident) for a text.

        The head's verdict, made consistent with what the engine will decide: a question the engine
        refers to another department by keyword (`referrals.yaml`, no item of ours named) is a confident
        `other_department` unless the head confidently sees a complaint or small talk — so Rasa does not
        send "医保卡还没激活，在医院刷不了" to the complaint intake while the engine would refer it."""
        kind, p = top(self.kind_predictor.predict(text))
        confident = kind is not None and p >= self.thresholds.get(kind, 1.0)
        head_sure = confident and kind in ("complaint", "smalltalk")
        if kind != "other_department" and not head_sure and self._referred(text):
            return "other_department", p, True
        return kind, p, confident

    def _referred(self, text: str) -> bool:
        analyse = getattr(self.engine, "analyse", None)
        catalog = getattr(self.engine, "catalog", None)
        if analyse is None or catalog is None:
            return False
        query = analyse(text)
        if query.referral is None:
            return False
        return not any(normalise(n) in query.norm for item in catalog.items for n in (item.name, *item.aliases))
