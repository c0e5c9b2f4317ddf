"""Settings of the knowledge console, from the environment (safe defaults)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    poll_s: float = Field(default=2.0, gt=0, le=300, validation_alias=AliasChoices("KNOWLEDGE_POLL_S", "poll_s"))
    """How often each app process reads the published-version pointer (seconds)."""

    store_enabled: bool = Field(default=True, validation_alias=AliasChoices("KNOWLEDGE_STORE", "store_enabled"))
    """Serve the knowledge from the database (false: from the data folder, as before the console)."""


@lru_cache(maxsize=1)
def get_console_settings() -> ConsoleSettings:
    return ConsoleSettings()
