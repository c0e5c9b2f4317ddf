"""What the endpoint refuses (without crashing) and what it accepts: signatures, freshness, appid,
malformed/oversized XML, entity declarations; URL verification; plaintext and encrypted replies."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.channels.wechat.crypto import MessageCrypto, signature
from tests.channels.wechat.conftest import AES_KEY, OLD_AES_KEY, TOKEN, WeChatHarness


def _params(ts: str | None = None, nonce: str = "12345") -> dict[str, str]:
    ts = ts or str(int(time.time()))
    return {"signature": signature(TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}


def test_url_verification_echoes_only_with_a_valid_signature(build_harness: Callable[..., WeChatHarness]) -> None:
    h = build_harness()
    ok = h.client.get("/wechat", params={**_params(), "echostr": "echo-123"})
    assert ok.status_code == 200 and ok.text == "echo-123"
    bad = h.client.get("/wechat", params={**_params(), "signature": "f" * 40, "echostr": "echo-123"})
    assert bad.status_code == 403 and "echo-123" not in bad.text


def test_forged_signature_and_replayed_timestamp_are_refused(build_harness: Callable[..., WeChatHarness]) -> None:
    h = build_harness(aes=False)
    sim = h.simulator(aes=False)
    body = sim.message_xml("text", "<Content>你好</Content>", msg_id=1).encode()
    forged = {**_params(), "signature": "0" * 40}
    assert h.client.post("/wechat", params=forged, content=body).status_code == 403
    old = _params(ts=str(int(time.time()) - 3600))  # correctly signed, an hour old
    assert h.client.post("/wechat", params=old, content=body).status_code == 403
    assert h.assistant.received == []
    fresh = h.client.post("/wechat", params=_params(), content=body)
    assert fresh.status_code == 200 and "您说的是：你好" in fresh.text


def test_encrypted_message_with_bad_msg_signature_or_wrong_appid_is_refused(
    build_harness: Callable[..., WeChatHarness],
) -> None:
    h = build_harness()
    sim = h.simulator()
    params, body = sim.signed_request(sim.message_xml("text", "<Content>你好</Content>", msg_id=2))
    tampered = {**params, "msg_signature": "1" * 40}
    assert h.client.post("/wechat", params=tampered, content=body).status_code == 403

    other_app = MessageCrypto("wxsomebodyelse01", [AES_KEY])
    encrypt = other_app.encrypt(sim.message_xml("text", "<Content>你好</Content>", msg_id=3))
    p = _params()
    p.update(encrypt_type="aes", msg_signature=signature(TOKEN, p["timestamp"], p["nonce"], encrypt))
    wrong = f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    assert h.client.post("/wechat", params=p, content=wrong.encode()).status_code == 403
    assert h.assistant.received == []


def test_malformed_oversized_and_entity_xml_is_refused(build_harness: Callable[..., WeChatHarness]) -> None:
    h = build_harness(aes=False)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "哈哈哈哈哈哈哈哈"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<xml><ToUserName>gh</ToUserName><FromUserName>oAbc</FromUserName><CreateTime>1</CreateTime>"
        "<MsgType>text</MsgType><Content>&b;</Content><MsgId>9</MsgId></xml>"
    )
    external = (
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<xml><FromUserName>oAbc</FromUserName><MsgType>text</MsgType><Content>&x;</Content></xml>"
    )
    bodies = {
        "malformed": (b"<xml><FromUserName>oAbc</FromUserName><MsgType>text", 400),
        "not xml": (b"\x00\xff garbage", 400),
        "missing fields": (b"<xml><Content>hi</Content></xml>", 400),
        "bad openid": (b"<xml><FromUserName>../../x</FromUserName><MsgType>text</MsgType></xml>", 400),
        "entities": (bomb.encode(), 400),
        "external entity": (external.encode(), 400),
        "oversized": (b"<xml><Content>" + b"a" * (40 * 1024) + b"</Content></xml>", 413),
    }
    for name, (body, status) in bodies.items():
        resp = h.client.post("/wechat", params=_params(), content=body)
        assert resp.status_code == status, name
    assert h.assistant.received == []
    # still serving
    ok = h.simulator(aes=False).send_text("在吗")
    assert ok.text == "您说的是：在吗"


def test_encrypted_round_trip_and_previous_key(build_harness: Callable[..., WeChatHarness]) -> None:
    h = build_harness(previous=OLD_AES_KEY)
    reply = h.simulator().send_text("你好")
    assert reply.text == "您说的是：你好" and "<Encrypt>" in reply.raw and "您说的是" not in reply.raw
    # WeChat still on the old key: accepted, and the reply comes back under the old key.
    old = h.simulator(aes=False)
    old._crypto = MessageCrypto(h.settings.app_id, [OLD_AES_KEY])
    assert old.send_text("旧密钥").text == "您说的是：旧密钥"
