"""Settings of the console tools, read once from `CONSOLE_*` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleToolsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore")

    import_max_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    """Largest spreadsheet upload accepted (`CONSOLE_IMPORT_MAX_BYTES`); larger ones get 413 unread."""

    import_max_rows: int = Field(default=2000, ge=1)
    """Most data rows one spreadsheet may carry."""

    import_max_unzipped_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    """An xlsx whose parts unzip to more than this is refused (a zip bomb), before openpyxl opens it."""

    hit_test_top: int = Field(default=8, ge=1, le=50)
    """How many candidate items the hit test lists per side."""


@lru_cache(maxsize=1)
def get_tools_settings() -> ConsoleToolsSettings:
    return ConsoleToolsSettings()
