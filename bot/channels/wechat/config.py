"""Settings of the WeChat channel, read from the environment. No defaults for secrets."""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class WeChatSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    token: SecretStr | None = Field(default=None, validation_alias=_env("WECHAT_TOKEN"))
    app_id: str = Field(default="", validation_alias=_env("WECHAT_APP_ID"))
    app_secret: SecretStr | None = Field(default=None, validation_alias=_env("WECHAT_APP_SECRET"))
    # Empty: plaintext mode. Set: compatible/safe mode (AES-256-CBC).
    encoding_aes_key: SecretStr | None = Field(default=None, validation_alias=_env("WECHAT_ENCODING_AES_KEY"))
    # During a key rotation the key just replaced; messages encrypted with it are still accepted.
    previous_aes_key: SecretStr | None = Field(default=None, validation_alias=_env("WECHAT_PREVIOUS_ENCODING_AES_KEY"))
    api_base: str = Field(default="https://api.weixin.qq.com", validation_alias=_env("WECHAT_API_BASE"))

    timestamp_tolerance_s: int = Field(default=300, ge=1, validation_alias=_env("WECHAT_TIMESTAMP_TOLERANCE_S"))
    reply_budget_s: float = Field(default=4.0, gt=0, le=4.8, validation_alias=_env("WECHAT_REPLY_BUDGET_S"))
    max_body_bytes: int = Field(default=32 * 1024, ge=1024, validation_alias=_env("WECHAT_MAX_BODY_BYTES"))
    text_max_bytes: int = Field(default=2048, ge=64, validation_alias=_env("WECHAT_TEXT_MAX_BYTES"))
    http_timeout_s: float = Field(default=5.0, gt=0, validation_alias=_env("WECHAT_HTTP_TIMEOUT_S"))
    token_refresh_margin_s: int = Field(default=300, ge=0, validation_alias=_env("WECHAT_TOKEN_REFRESH_MARGIN_S"))
    dedupe_ttl_s: int = Field(default=24 * 3600, ge=60, validation_alias=_env("WECHAT_DEDUPE_TTL_S"))

    @property
    def enabled(self) -> bool:
        return self.token is not None and bool(self.token.get_secret_value())

    @property
    def aes_keys(self) -> list[str]:
        """Current key first, then the previous one (empty list: plaintext mode)."""
        keys = [k.get_secret_value() for k in (self.encoding_aes_key, self.previous_aes_key) if k is not None]
        return [k for k in keys if k]


@lru_cache(maxsize=1)
def get_wechat_settings() -> WeChatSettings:
    return WeChatSettings()
