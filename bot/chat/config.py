"""Settings of the chat gateway, read once from the environment."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ChatSettings(BaseSettings):
    """Environment variables: ``RASA_URL``, ``ACTION_SERVER_URL``, ``RASA_TOKEN``,
    ``CHAT_MAX_CHARS``, ``CHAT_RASA_TIMEOUT_SECONDS``, ``CHAT_HEALTH_TIMEOUT_SECONDS``,
    ``CHAT_ALLOWED_ORIGINS`` (comma-separated origins allowed to embed the widget),
    ``CHAT_OFFERED_TTL_MINUTES``, ``CHAT_OFFERED_MAX_PER_SESSION`` (offered button payloads)."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    rasa_token: SecretStr | None = None
    chat_max_chars: int = Field(default=2000, ge=1)
    chat_rasa_timeout_seconds: float = Field(default=20.0, gt=0)
    chat_health_timeout_seconds: float = Field(default=2.0, gt=0)
    chat_allowed_origins: str = ""
    # Offered button payloads, remembered per session: how long a press stays valid, how many are kept.
    chat_offered_ttl_minutes: float = Field(default=240.0, gt=0)
    chat_offered_max_per_session: int = Field(default=50, ge=1)

    @property
    def allowed_origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.chat_allowed_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_chat_settings() -> ChatSettings:
    return ChatSettings()
