"""Encryption at rest of contact numbers (the ticket's phone, the contact vault).

Key: ``PII_ENCRYPTION_KEY``, a Fernet key (``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"``). Several comma-separated keys rotate: the first encrypts,
all decrypt. There is no default key: without one, storing or reading a contact fails with
``PiiKeyMissingError`` and the app refuses to start.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

logger = logging.getLogger(__name__)

ENV_NAME = "PII_ENCRYPTION_KEY"


class PiiKeyMissingError(RuntimeError):
    """No usable ``PII_ENCRYPTION_KEY``."""


class PiiDecryptError(RuntimeError):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    raw = os.environ.get(ENV_NAME, "").strip()
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise PiiKeyMissingError(
            f"{ENV_NAME} is not set: contact numbers are stored encrypted and there is no default key. "
            "Generate one with: python -c "
            '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
        )
    try:
        return MultiFernet([Fernet(k.encode("ascii")) for k in keys])
    except (ValueError, UnicodeEncodeError) as exc:
        raise PiiKeyMissingError(f"{ENV_NAME} is not a valid Fernet key (32 url-safe base64-encoded bytes)") from exc


def reset_key_cache() -> None:
    _fernet.cache_clear()


def check_key() -> None:
    """Raise ``PiiKeyMissingError`` now (at start-up) rather than on the first ticket."""
    _fernet()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        logger.error("a stored contact could not be decrypted (key rotated away?)")
        raise PiiDecryptError("stored contact cannot be decrypted with the configured keys") from exc
