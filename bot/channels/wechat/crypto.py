"""Signatures and the message encryption of compatible/safe mode (AES-256-CBC, PKCS#7 to 32 bytes).

Plaintext layout (WeChat's WXBizMsgCrypt): 16 random bytes ‖ 4-byte big-endian length ‖ message ‖ appid,
padded, encrypted with the 32-byte key decoded from the 43-character EncodingAESKey, IV = key[:16].
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

logger = logging.getLogger(__name__)

BLOCK = 32


class CryptoError(Exception):
    """The message could not be decrypted with any configured key, or it names another appid."""


class WrongAppIdError(CryptoError):
    pass


def signature(*parts: str) -> str:
    """SHA-1 of the sorted parts concatenated (WeChat's ``signature`` and ``msg_signature``)."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signature_matches(given: str, *parts: str) -> bool:
    """Constant-time comparison of a received signature with the expected one."""
    return hmac.compare_digest(given.lower().encode(), signature(*parts).encode())


def decode_aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise ValueError("EncodingAESKey must be 43 characters")
    key = base64.b64decode(encoding_aes_key + "=")
    if len(key) != 32:
        raise ValueError("EncodingAESKey does not decode to 32 bytes")
    return key


def _pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def _unpad(data: bytes) -> bytes:
    if not data:
        raise CryptoError("empty plaintext")
    n = data[-1]
    if not 1 <= n <= BLOCK or data[-n:] != bytes([n]) * n:
        raise CryptoError("bad padding")
    return data[:-n]


@dataclass(frozen=True)
class Decrypted:
    text: str
    key_index: int  # 0: current key, 1: previous key
    random: bytes


class MessageCrypto:
    """Encrypts with the current key; decrypts with the current key, then the previous one."""

    def __init__(self, app_id: str, encoding_aes_keys: list[str]) -> None:
        if not encoding_aes_keys:
            raise ValueError("at least one EncodingAESKey is needed")
        self._app_id = app_id
        self._keys = [decode_aes_key(k) for k in encoding_aes_keys]

    def encrypt(self, text: str, *, key_index: int = 0, random: bytes | None = None) -> str:
        key = self._keys[key_index]
        rnd = random if random is not None else os.urandom(16)
        body = text.encode()
        plain = _pad(rnd + struct.pack(">I", len(body)) + body + self._app_id.encode())
        enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(enc.update(plain) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> Decrypted:
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise CryptoError("ciphertext is not base64") from None
        if not raw or len(raw) % 16:
            raise CryptoError("ciphertext length is not a multiple of the block size")
        wrong_app = False
        for index, key in enumerate(self._keys):
            dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
            try:
                plain = _unpad(dec.update(raw) + dec.finalize())
            except CryptoError:
                continue
            if len(plain) < 20:
                continue
            (length,) = struct.unpack(">I", plain[16:20])
            if 20 + length > len(plain):
                continue
            app_id = plain[20 + length :]
            if not hmac.compare_digest(app_id, self._app_id.encode()):
                wrong_app = True
                continue
            try:
                text = plain[20 : 20 + length].decode()
            except UnicodeDecodeError:
                continue
            if index:
                logger.info("wechat message decrypted with the previous EncodingAESKey")
            return Decrypted(text=text, key_index=index, random=plain[:16])
        if wrong_app:
            raise WrongAppIdError("the message is for another appid")
        raise CryptoError("no configured key decrypts the message")
