"""The protocol checks of ``GET/POST /wechat``, independent of FastAPI: signature, freshness, size,
decryption, parsing, and the (optionally encrypted) reply."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.channels.wechat.config import WeChatSettings
from bot.channels.wechat.crypto import CryptoError, MessageCrypto, signature, signature_matches
from bot.channels.wechat.xmlmsg import Inbound, encrypted_envelope, parse_fields, text_reply, to_inbound

logger = logging.getLogger(__name__)


class RefusedError(Exception):
    """A request WeChat did not send (or sent too late): answered with ``status`` and no detail."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Query:
    signature: str
    timestamp: str
    nonce: str
    encrypt_type: str | None = None
    msg_signature: str | None = None


@dataclass(frozen=True)
class Parsed:
    message: Inbound
    encrypted: bool
    key_index: int


class WeChatProtocol:
    def __init__(self, settings: WeChatSettings, clock: Callable[[], float] = time.time) -> None:
        if settings.token is None:
            raise ValueError("WECHAT_TOKEN is not set")
        self._settings = settings
        self._token = settings.token.get_secret_value()
        self._clock = clock
        keys = settings.aes_keys
        self._crypto = MessageCrypto(settings.app_id, keys) if keys else None

    def check_query(self, q: Query) -> None:
        if not signature_matches(q.signature, self._token, q.timestamp, q.nonce):
            raise RefusedError(403, "bad signature")
        try:
            ts = int(q.timestamp)
        except ValueError:
            raise RefusedError(403, "bad timestamp") from None
        if abs(self._clock() - ts) > self._settings.timestamp_tolerance_s:
            raise RefusedError(403, "stale timestamp")

    def parse(self, q: Query, body: bytes) -> Parsed:
        self.check_query(q)
        limit = self._settings.max_body_bytes
        if len(body) > limit:
            raise RefusedError(413, "body too large")
        fields = parse_fields(body, max_bytes=limit)
        if (q.encrypt_type or "raw").lower() != "aes":
            return Parsed(to_inbound(fields), encrypted=False, key_index=0)
        if self._crypto is None:
            raise RefusedError(400, "encrypted message but no EncodingAESKey configured")
        encrypt = fields.get("Encrypt", "").strip()
        if not encrypt or not q.msg_signature:
            raise RefusedError(400, "encrypted message without Encrypt or msg_signature")
        if not signature_matches(q.msg_signature, self._token, q.timestamp, q.nonce, encrypt):
            raise RefusedError(403, "bad msg_signature")
        try:
            dec = self._crypto.decrypt(encrypt)
        except CryptoError as exc:
            raise RefusedError(403, str(exc)) from None
        inner = parse_fields(dec.text.encode(), max_bytes=limit)
        return Parsed(to_inbound(inner), encrypted=True, key_index=dec.key_index)

    def reply(self, parsed: Parsed, content: str, nonce: str | None = None) -> str:
        msg = parsed.message
        xml = text_reply(to_user=msg.from_user, from_user=msg.to_user, content=content, now=int(self._clock()))
        if not parsed.encrypted or self._crypto is None:
            return xml
        ts = str(int(self._clock()))
        nonce = nonce or str(secrets.randbelow(10**10))
        encrypt = self._crypto.encrypt(xml, key_index=parsed.key_index)
        return encrypted_envelope(
            encrypt=encrypt, msg_signature=signature(self._token, ts, nonce, encrypt), timestamp=ts, nonce=nonce
        )
