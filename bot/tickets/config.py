"""Settings of the tickets domain, read once from the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.secrets import LOCAL_ENVS

MAX_WINDOW_S = 7 * 86400.0
"""The longest window a rate limit may be set to (`bot/tickets/rate_limit.py` keeps attempts a day longer)."""

DATA_DIR = Path(__file__).resolve().parent / "data"
REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class TicketSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    # 12345 hotline forwarding: unset → deliveries stay pending and show as 未配置 on the desk.
    hotline_12345_url: str | None = Field(default=None, validation_alias=_env("HOTLINE_12345_URL"))
    hotline_12345_token: SecretStr | None = Field(default=None, validation_alias=_env("HOTLINE_12345_TOKEN"))
    hotline_send_raw_contact: bool = Field(default=False, validation_alias=_env("HOTLINE_SEND_RAW_CONTACT"))
    # Notifications to handlers (new ticket, delivery failure…): unset → not sent.
    notify_webhook_url: str | None = Field(default=None, validation_alias=_env("TICKETS_NOTIFY_URL"))
    http_timeout_s: float = Field(default=5.0, validation_alias=_env("TICKETS_HTTP_TIMEOUT_S"))

    # Retry schedule: backoff base·2^(n-1) with jitter, capped at OUTBOX_BACKOFF_MAX_S (an hour), for
    # OUTBOX_RETRY_WINDOW_S (a working day by default); then the delivery is failed and the desk alerts.
    outbox_max_attempts: int | None = Field(default=None, ge=1, validation_alias=_env("OUTBOX_MAX_ATTEMPTS"))
    outbox_backoff_base_s: float = Field(default=10.0, gt=0, validation_alias=_env("OUTBOX_BACKOFF_BASE_S"))
    outbox_backoff_max_s: float = Field(default=3600.0, gt=0, validation_alias=_env("OUTBOX_BACKOFF_MAX_S"))
    outbox_retry_window_s: float = Field(default=9 * 3600.0, gt=0, validation_alias=_env("OUTBOX_RETRY_WINDOW_S"))
    outbox_poll_interval_s: float = Field(default=2.0, gt=0, validation_alias=_env("OUTBOX_POLL_INTERVAL_S"))
    # A claim covers one message; it must outlast the slowest attempt (httpx applies the timeout to
    # connect, write, read and pool separately), so it is checked against 4 × the HTTP timeout.
    outbox_lease_s: float = Field(default=60.0, gt=0, validation_alias=_env("OUTBOX_LEASE_S"))
    outbox_batch: int = Field(default=20, ge=1, validation_alias=_env("OUTBOX_BATCH"))

    # Start-up: how long a replica waits for its database (exponential backoff) before giving up.
    db_wait_timeout_s: float = Field(default=300.0, gt=0, validation_alias=_env("DB_WAIT_TIMEOUT_S"))

    internal_api_token: SecretStr | None = Field(default=None, validation_alias=_env("INTERNAL_API_TOKEN"))

    desk_secret_key: SecretStr | None = Field(default=None, validation_alias=_env("DESK_SECRET_KEY"))
    desk_admin_password: SecretStr | None = Field(default=None, validation_alias=_env("DESK_ADMIN_PASSWORD"))
    desk_admin_username: str = Field(default="admin", validation_alias=_env("DESK_ADMIN_USERNAME"))
    desk_session_max_age_s: int = Field(default=8 * 3600, validation_alias=_env("DESK_SESSION_MAX_AGE_S"))
    # None: Secure outside local development (APP_ENV), off on plain-http localhost.
    desk_cookie_secure: bool | None = Field(default=None, validation_alias=_env("DESK_COOKIE_SECURE"))
    # Login throttling: free failures per account / per client address, then exponential back-off.
    desk_login_free_per_account: int = Field(default=5, ge=1, validation_alias=_env("DESK_LOGIN_FREE_PER_ACCOUNT"))
    desk_login_free_per_address: int = Field(default=20, ge=1, validation_alias=_env("DESK_LOGIN_FREE_PER_ADDRESS"))
    desk_login_backoff_base_s: float = Field(default=2.0, gt=0, validation_alias=_env("DESK_LOGIN_BACKOFF_BASE_S"))
    desk_login_backoff_max_s: float = Field(default=900.0, gt=0, validation_alias=_env("DESK_LOGIN_BACKOFF_MAX_S"))
    # Redis (redis://host:6379/0): the login throttle's failures are shared by every replica; unset: per process.
    redis_url: SecretStr | None = Field(default=None, validation_alias=_env("REDIS_URL"))
    # Password policy: minimum length and zxcvbn score (0–4; 3 = "safely unguessable").
    desk_password_min_length: int = Field(default=12, ge=8, validation_alias=_env("DESK_PASSWORD_MIN_LENGTH"))
    desk_password_min_score: int = Field(default=3, ge=0, le=4, validation_alias=_env("DESK_PASSWORD_MIN_SCORE"))
    # Origins (scheme://host[:port]) besides the app's own that may send state-changing desk requests.
    desk_allowed_origins: str = Field(default="", validation_alias=_env("DESK_ALLOWED_ORIGINS"))
    app_env: str = Field(default="development", validation_alias=_env("APP_ENV"))
    bcrypt_rounds: int = Field(default=12, ge=4, le=16, validation_alias=_env("DESK_BCRYPT_ROUNDS"))

    ticket_prefix: str = Field(default="BBC", validation_alias=_env("TICKET_PREFIX"))
    timezone: str = Field(default="Asia/Shanghai", validation_alias=_env("TICKETS_TIMEZONE"))
    contact_vault_ttl_hours: float = Field(default=2.0, gt=0, validation_alias=_env("CONTACT_VAULT_TTL_HOURS"))
    # Closed tickets' personal data (contact, description, place, excerpt, session link) is removed
    # this many days after closure; 0 keeps it (not recommended).
    retention_days: int = Field(default=180, ge=0, validation_alias=_env("TICKETS_RETENTION_DAYS"))
    retention_interval_s: float = Field(default=3600.0, gt=0, validation_alias=_env("TICKETS_RETENTION_INTERVAL_S"))
    # Ticket lookups by citizens: at most this many per window, per chat session and per client address. An
    # address is shared by many citizens (a portal's reverse proxy, an office's or a carrier's NAT), so its limit
    # is generous; guessing a ticket's phone digits is bounded per ticket instead (below).
    lookup_limit_per_session: int = Field(default=5, ge=1, validation_alias=_env("TICKET_LOOKUP_LIMIT_PER_SESSION"))
    lookup_limit_per_address: int = Field(default=120, ge=1, validation_alias=_env("TICKET_LOOKUP_LIMIT_PER_ADDRESS"))
    lookup_window_s: float = Field(
        default=600.0, gt=0, le=MAX_WINDOW_S, validation_alias=_env("TICKET_LOOKUP_WINDOW_S")
    )
    # Wrong last-four digits given for one ticket: past this many a day, the digits are no longer checked for it
    # (from any session or address) until the day's window has passed; the filing conversation still sees it.
    phone_checks_per_ticket: int = Field(default=10, ge=1, validation_alias=_env("TICKET_PHONE_CHECKS_PER_TICKET"))
    phone_check_window_s: float = Field(
        default=86400.0, gt=0, le=MAX_WINDOW_S, validation_alias=_env("TICKET_PHONE_CHECK_WINDOW_S")
    )

    holidays_file: Path = Field(default=DATA_DIR / "holidays_cn.yaml", validation_alias=_env("TICKETS_HOLIDAYS_FILE"))
    routing_file: Path = Field(default=DATA_DIR / "routing.yaml", validation_alias=_env("TICKETS_ROUTING_FILE"))
    deadlines_file: Path = Field(default=DATA_DIR / "deadlines.yaml", validation_alias=_env("TICKETS_DEADLINES_FILE"))
    items_dir: Path = Field(
        default=REPO_ROOT / "knowledge" / "data" / "items", validation_alias=_env("KNOWLEDGE_ITEMS_DIR")
    )

    @property
    def cookie_secure(self) -> bool:
        if self.desk_cookie_secure is not None:
            return self.desk_cookie_secure
        return self.app_env.strip().lower() not in LOCAL_ENVS

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> TicketSettings:
        if self.outbox_lease_s < 4 * self.http_timeout_s:
            raise ValueError(
                f"OUTBOX_LEASE_S ({self.outbox_lease_s}) must be at least 4 × TICKETS_HTTP_TIMEOUT_S "
                f"({self.http_timeout_s}), or a slow send could outlive its lease and be sent twice"
            )
        return self


@lru_cache(maxsize=1)
def get_ticket_settings() -> TicketSettings:
    return TicketSettings()
