"""Settings of the running service: deadlines that override the data file, the scheduler, the calendar
warning horizon and the metrics endpoint. Read once from the environment; no default secret."""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class OperationsSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    # Deadlines in working days; unset → deadlines.yaml. The rectification deadline differs by province (5, 7, 15).
    rectification_days: int | None = Field(
        default=None, ge=1, le=60, validation_alias=_env("TICKETS_RECTIFICATION_DAYS")
    )
    due_soon_days: int | None = Field(default=None, ge=0, le=30, validation_alias=_env("TICKETS_DUE_SOON_DAYS"))
    rectification_due_soon_days: int = Field(
        default=1, ge=0, le=30, validation_alias=_env("TICKETS_RECTIFICATION_REMIND_DAYS")
    )

    scheduler_enabled: bool = Field(default=True, validation_alias=_env("SCHEDULER_ENABLED"))
    scheduler_interval_s: float = Field(default=300.0, gt=0, validation_alias=_env("SCHEDULER_INTERVAL_S"))
    scheduler_lease_s: float = Field(default=240.0, gt=0, validation_alias=_env("SCHEDULER_LEASE_S"))
    # Local hour from which the day's reminders go out (working days only).
    scheduler_start_hour: int = Field(default=8, ge=0, le=23, validation_alias=_env("SCHEDULER_START_HOUR"))
    triage_admin: str = Field(default="分拣管理员", validation_alias=_env("TICKETS_TRIAGE_ADMIN"))

    calendar_horizon_days: int = Field(default=90, ge=1, validation_alias=_env("CALENDAR_HORIZON_DAYS"))
    calendar_cache_s: float = Field(default=60.0, ge=0, validation_alias=_env("CALENDAR_CACHE_S"))

    # /metrics: unset → answered to loopback clients only; set → a Bearer token is required from anywhere.
    metrics_token: SecretStr | None = Field(default=None, validation_alias=_env("METRICS_TOKEN"))
    analytics_salt: SecretStr | None = Field(default=None, validation_alias=_env("ANALYTICS_SALT"))


@lru_cache(maxsize=1)
def get_operations_settings() -> OperationsSettings:
    return OperationsSettings()
