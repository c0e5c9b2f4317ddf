"""What the analyse stage accepts from a learned predictor."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class LabelPredictor(Protocol):
    def predict(self, text: str) -> dict[str, float]:
        """Label -> probability in [0, 1] (kinds sum to 1; aspects are independent, multi-label)."""
        ...
