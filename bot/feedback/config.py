"""Settings of answer feedback, read once from the environment."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FeedbackSettings(BaseSettings):
    """``FEEDBACK_LIMIT_PER_SESSION``, ``FEEDBACK_LIMIT_PER_ADDRESS`` (votes within ``FEEDBACK_WINDOW_S``
    seconds, counted in the database like the chat's ticket lookups), ``FEEDBACK_COMMENT_MAX_CHARS``."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    feedback_limit_per_session: int = Field(default=30, ge=1)
    feedback_limit_per_address: int = Field(default=120, ge=1)
    feedback_window_s: float = Field(default=600.0, gt=0)
    feedback_comment_max_chars: int = Field(default=300, ge=1, le=2000)


@lru_cache(maxsize=1)
def get_feedback_settings() -> FeedbackSettings:
    return FeedbackSettings()
