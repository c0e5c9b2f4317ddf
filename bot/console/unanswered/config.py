"""Settings of the unanswered-questions loop, read once from the environment."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class UnansweredSettings(BaseSettings):
    """``UNANSWERED_SIMILARITY``: cosine (e5 query embeddings) at or above which a question joins the nearest
    group; ``UNANSWERED_LOW_CONFIDENCE``: answers below this confidence are kept too;
    ``UNANSWERED_CLARIFY_ABANDON_MINUTES``: a clarification with no choice after this long is abandoned;
    ``UNANSWERED_RETEST_BATCH``: resolved groups re-tested per pass; ``UNANSWERED_RETEST_QUESTIONS``:
    representative questions asked per group; ``UNANSWERED_WATCH_S``: how often the served knowledge version
    is checked (a new one starts a re-test pass)."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    unanswered_similarity: float = Field(default=0.92, gt=0, le=1)
    unanswered_low_confidence: float = Field(default=0.55, ge=0, le=1)
    unanswered_clarify_abandon_minutes: float = Field(default=30.0, gt=0)
    unanswered_retest_batch: int = Field(default=50, ge=1)
    unanswered_retest_questions: int = Field(default=3, ge=1, le=10)
    unanswered_watch_s: float = Field(default=5.0, gt=0)


@lru_cache(maxsize=1)
def get_unanswered_settings() -> UnansweredSettings:
    return UnansweredSettings()
