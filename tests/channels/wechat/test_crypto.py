"""The message encryption against WeChat's own published sample (WXBizMsgCrypt), and key rotation."""

from __future__ import annotations

import pytest

from bot.channels.wechat.crypto import (
    CryptoError,
    MessageCrypto,
    WrongAppIdError,
    decode_aes_key,
    signature,
    signature_matches,
)

# WeChat's published sample (WXBizMsgCrypt samples: token, EncodingAESKey, appid, and a pushed message).
SAMPLE_TOKEN = "QDG6eK"
SAMPLE_APP_ID = "wx5823bf96d3bd56c7"
SAMPLE_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
SAMPLE_MSG_SIGNATURE = "477715d11cdb4164915debcba66cb864d751f3e6"
SAMPLE_TIMESTAMP = "1409659813"
SAMPLE_NONCE = "1372623149"
SAMPLE_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUU"
    "kSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0e"
    "kUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMN"
    "S0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2p"
    "DBS8R07+qN+E7Q=="
)
# The URL-verification sample of the same set: echostr decrypts to this.
SAMPLE_VERIFY_SIGNATURE = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
SAMPLE_VERIFY_TIMESTAMP = "1409659589"
SAMPLE_VERIFY_NONCE = "263014780"
SAMPLE_ECHOSTR = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
SAMPLE_ECHO_PLAIN = "1616140317555161061"

OTHER_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def test_official_sample_signature_matches() -> None:
    assert signature(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT) == SAMPLE_MSG_SIGNATURE
    assert signature_matches(SAMPLE_MSG_SIGNATURE, SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT)
    forged = "0" + SAMPLE_MSG_SIGNATURE[1:]
    assert not signature_matches(forged, SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT)


def test_official_sample_decrypts_and_reencrypts_to_the_same_ciphertext() -> None:
    crypto = MessageCrypto(SAMPLE_APP_ID, [SAMPLE_KEY])
    dec = crypto.decrypt(SAMPLE_ENCRYPT)
    assert dec.key_index == 0
    assert dec.text.startswith("<xml>") and "<ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>" in dec.text
    assert "<MsgType><![CDATA[text]]></MsgType>" in dec.text
    # Same random prefix, same key, same appid: byte-for-byte the sample's ciphertext.
    assert crypto.encrypt(dec.text, random=dec.random) == SAMPLE_ENCRYPT


def test_official_verification_sample_echostr() -> None:
    assert signature(SAMPLE_TOKEN, SAMPLE_VERIFY_TIMESTAMP, SAMPLE_VERIFY_NONCE, SAMPLE_ECHOSTR) == (
        SAMPLE_VERIFY_SIGNATURE
    )
    assert MessageCrypto(SAMPLE_APP_ID, [SAMPLE_KEY]).decrypt(SAMPLE_ECHOSTR).text == SAMPLE_ECHO_PLAIN


def test_wrong_appid_is_refused() -> None:
    with pytest.raises(WrongAppIdError):
        MessageCrypto("wx0000000000000000", [SAMPLE_KEY]).decrypt(SAMPLE_ENCRYPT)


def test_previous_key_is_accepted_during_rotation_and_unknown_keys_are_not() -> None:
    old = MessageCrypto(SAMPLE_APP_ID, [SAMPLE_KEY])
    rotated = MessageCrypto(SAMPLE_APP_ID, [OTHER_KEY, SAMPLE_KEY])
    assert rotated.decrypt(SAMPLE_ENCRYPT).key_index == 1
    fresh = rotated.encrypt("<xml>新消息</xml>")
    assert rotated.decrypt(fresh).key_index == 0
    with pytest.raises(CryptoError):
        old.decrypt(fresh)
    with pytest.raises(CryptoError):
        MessageCrypto(SAMPLE_APP_ID, [OTHER_KEY]).decrypt(SAMPLE_ENCRYPT)


@pytest.mark.parametrize("bad", ["", "not base64 !!", "QUJD", "A" * 44])
def test_garbage_ciphertext_is_refused(bad: str) -> None:
    with pytest.raises(CryptoError):
        MessageCrypto(SAMPLE_APP_ID, [SAMPLE_KEY]).decrypt(bad)


def test_encoding_aes_key_must_be_43_characters() -> None:
    with pytest.raises(ValueError):
        decode_aes_key(SAMPLE_KEY[:-1])
    assert len(decode_aes_key(SAMPLE_KEY)) == 32
