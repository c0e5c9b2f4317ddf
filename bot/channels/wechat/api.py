"""WeChat's server API: the shared access token (``stable_token``) and customer-service messages.

The token lives in one database row shared by all replicas; it is refreshed ``token_refresh_margin_s``
before it expires and at once when WeChat calls it invalid. ``stable_token`` hands every caller the
same token while it is valid, so replicas refreshing at the same moment do not invalidate each other.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.wechat.config import WeChatSettings
from bot.channels.wechat.models import WeChatToken

logger = logging.getLogger(__name__)

INVALID_TOKEN_CODES = frozenset({40001, 40014, 42001})
OUTSIDE_WINDOW_CODE = 45015
QUOTA_EXHAUSTED_CODES = frozenset({45047})
BUSY_CODE = -1


class WeChatApiError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"wechat errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TokenCache:
    def __init__(
        self,
        settings: WeChatSettings,
        session_factory: Callable[[], sessionmaker[Session]],
        client: httpx.Client,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._settings = settings
        self._factory = session_factory
        self._client = client
        self._clock = clock

    def get(self, *, force_refresh: bool = False) -> str:
        now = self._clock()
        margin = dt.timedelta(seconds=self._settings.token_refresh_margin_s)
        if not force_refresh:
            with self._factory()() as db:
                row = db.get(WeChatToken, self._settings.app_id)
                if row is not None and row.expires_at - margin > now:
                    return row.access_token
        token, expires_in = self._fetch(force_refresh)
        with self._factory()() as db:
            row = db.get(WeChatToken, self._settings.app_id)
            expires_at = now + dt.timedelta(seconds=expires_in)
            if row is None:
                db.add(WeChatToken(app_id=self._settings.app_id, access_token=token, expires_at=expires_at))
            else:
                row.access_token, row.expires_at = token, expires_at
            db.commit()
        logger.info("wechat access token refreshed (valid %ss, forced=%s)", expires_in, force_refresh)
        return token

    def _fetch(self, force_refresh: bool) -> tuple[str, int]:
        secret = self._settings.app_secret.get_secret_value() if self._settings.app_secret else ""
        resp = self._client.post(
            f"{self._settings.api_base.rstrip('/')}/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self._settings.app_id,
                "secret": secret,
                "force_refresh": force_refresh,
            },
        )
        resp.raise_for_status()
        body: dict[str, Any] = resp.json()
        if "access_token" not in body:
            raise WeChatApiError(int(body.get("errcode", -1)), str(body.get("errmsg", "")))
        return str(body["access_token"]), int(body.get("expires_in", 7200))


class CustomerServiceApi:
    """``POST /cgi-bin/message/custom/send`` with one retry after an invalid-token error."""

    def __init__(self, settings: WeChatSettings, tokens: TokenCache, client: httpx.Client) -> None:
        self._settings = settings
        self._tokens = tokens
        self._client = client

    def send_text(self, openid: str, content: str) -> None:
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        for attempt in (1, 2):
            token = self._tokens.get(force_refresh=attempt == 2)
            resp = self._client.post(
                f"{self._settings.api_base.rstrip('/')}/cgi-bin/message/custom/send",
                params={"access_token": token},
                json=body,
            )
            resp.raise_for_status()
            result: dict[str, Any] = resp.json()
            code = int(result.get("errcode", 0))
            if code == 0:
                return
            if code in INVALID_TOKEN_CODES and attempt == 1:
                logger.warning("wechat says the access token is invalid (%s); refreshing", code)
                continue
            raise WeChatApiError(code, str(result.get("errmsg", "")))
