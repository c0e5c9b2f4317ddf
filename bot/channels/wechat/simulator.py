"""Chat with the ``/wechat`` endpoint exactly as WeChat would: signed (optionally encrypted) XML pushes,
retried on a 5-second timeout with the same ``MsgId``, replies verified and decrypted.

    python -m bot.channels.wechat.simulator --url http://127.0.0.1:8000/wechat [--fake-api URL]
    python -m bot.channels.wechat.simulator --start-stack   # `make wechat-sim`: everything on one machine

Token, appid and EncodingAESKey default to ``WECHAT_TOKEN``, ``WECHAT_APP_ID`` and
``WECHAT_ENCODING_AES_KEY``; with ``--fake-api`` the customer-service messages the app sends to the
simulated citizen (slow answers, handlers' replies) are printed too. ``--start-stack`` starts a fake
WeChat API and the whole assistant (Rasa, actions, app on ``APP_PORT``) with the channel configured
for it (encrypted mode, development credentials), chats, and stops them at the end.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import random
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from bot.channels.wechat.crypto import MessageCrypto, signature, signature_matches
from bot.channels.wechat.xmlmsg import parse_fields

logger = logging.getLogger(__name__)

WECHAT_TIMEOUT_S = 5.0
WECHAT_TRIES = 3


@dataclass(frozen=True)
class SimReply:
    text: str | None  # None: "success" or empty (the answer, if any, follows by customer-service message)
    attempts: int
    status: int
    raw: str


def _cdata(s: str) -> str:
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class WeChatSimulator:
    def __init__(
        self,
        url: str,
        *,
        token: str,
        app_id: str,
        aes_key: str | None = None,
        openid: str | None = None,
        account: str = "gh_simulated",
        client: httpx.Client | None = None,
        timeout_s: float = WECHAT_TIMEOUT_S,
        tries: int = WECHAT_TRIES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url
        self.token = token
        self.openid = openid or "oSim" + secrets.token_hex(12)
        self.account = account
        self._crypto = MessageCrypto(app_id, [aes_key]) if aes_key else None
        self._client = client or httpx.Client(timeout=timeout_s)
        self._tries = tries
        self._clock = clock
        self._ids = itertools.count(random.randrange(10**15, 10**16))

    # ---- what a citizen does ----

    def send_text(self, text: str) -> SimReply:
        return self.push("text", f"<Content>{_cdata(text)}</Content>", msg_id=next(self._ids))

    def send_voice(self, recognition: str | None) -> SimReply:
        extra = "<MediaId><![CDATA[media-1]]></MediaId><Format><![CDATA[amr]]></Format>"
        if recognition is not None:
            extra += f"<Recognition>{_cdata(recognition)}</Recognition>"
        return self.push("voice", extra, msg_id=next(self._ids))

    def send_image(self) -> SimReply:
        extra = "<PicUrl><![CDATA[http://example.invalid/a.jpg]]></PicUrl><MediaId><![CDATA[m]]></MediaId>"
        return self.push("image", extra, msg_id=next(self._ids))

    def send_event(self, event: str, key: str | None = None) -> SimReply:
        extra = f"<Event>{_cdata(event)}</Event>" + (f"<EventKey>{_cdata(key)}</EventKey>" if key else "")
        return self.push("event", extra, msg_id=None)

    # ---- the protocol ----

    def message_xml(self, msg_type: str, extra: str, msg_id: int | None, create_time: int | None = None) -> str:
        ts = int(self._clock()) if create_time is None else create_time
        xml = (
            f"<xml><ToUserName>{_cdata(self.account)}</ToUserName><FromUserName>{_cdata(self.openid)}</FromUserName>"
            f"<CreateTime>{ts}</CreateTime><MsgType>{_cdata(msg_type)}</MsgType>{extra}"
        )
        return xml + (f"<MsgId>{msg_id}</MsgId></xml>" if msg_id is not None else "</xml>")

    def signed_request(self, inner_xml: str) -> tuple[dict[str, str], bytes]:
        """Query parameters and body of one push, as WeChat builds them."""
        ts, nonce = str(int(self._clock())), str(random.randrange(10**9, 10**10))
        params = {"signature": signature(self.token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": self.openid}
        if self._crypto is None:
            return params, inner_xml.encode()
        encrypt = self._crypto.encrypt(inner_xml)
        params.update(encrypt_type="aes", msg_signature=signature(self.token, ts, nonce, encrypt))
        body = f"<xml><ToUserName>{_cdata(self.account)}</ToUserName><Encrypt>{_cdata(encrypt)}</Encrypt></xml>"
        return params, body.encode()

    def push(self, msg_type: str, extra: str, msg_id: int | None) -> SimReply:
        inner = self.message_xml(msg_type, extra, msg_id)
        params, body = self.signed_request(inner)
        last_error: Exception | None = None
        for attempt in range(1, self._tries + 1):
            try:
                resp = self._client.post(self.url, params=params, content=body, headers={"Content-Type": "text/xml"})
            except httpx.TimeoutException as exc:  # WeChat gives up after 5 s and retries the same message
                last_error = exc
                continue
            if resp.status_code >= 500:
                last_error = RuntimeError(f"HTTP {resp.status_code}")
                continue
            return SimReply(self.read_reply(resp.text), attempts=attempt, status=resp.status_code, raw=resp.text)
        logger.warning("no answer after %d tries: %s", self._tries, last_error)
        return SimReply(None, attempts=self._tries, status=0, raw="")

    def read_reply(self, raw: str) -> str | None:
        if not raw.strip() or raw.strip() == "success":
            return None
        fields = parse_fields(raw.encode(), max_bytes=1 << 20)
        if "Encrypt" in fields:
            if self._crypto is None:
                raise ValueError("encrypted reply but no EncodingAESKey")
            ok = signature_matches(
                fields.get("MsgSignature", ""),
                self.token,
                fields.get("TimeStamp", ""),
                fields.get("Nonce", ""),
                fields["Encrypt"],
            )
            if not ok:
                raise ValueError("reply msg_signature does not match")
            fields = parse_fields(self._crypto.decrypt(fields["Encrypt"]).text.encode(), max_bytes=1 << 20)
        if fields.get("ToUserName") != self.openid:
            raise ValueError("reply addressed to someone else")
        return fields.get("Content")


def _fake_messages(client: httpx.Client, fake_api: str, openid: str) -> list[str]:
    resp = client.get(f"{fake_api.rstrip('/')}/_fake/messages", params={"touser": openid})
    return [str(m["content"]) for m in resp.json().get("messages", [])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chat with /wechat as WeChat does.")
    parser.add_argument("--url", default=os.environ.get("WECHAT_SIM_URL", "http://127.0.0.1:8000/wechat"))
    parser.add_argument("--token", default=os.environ.get("WECHAT_TOKEN", ""))
    parser.add_argument("--app-id", default=os.environ.get("WECHAT_APP_ID", ""))
    parser.add_argument("--aes-key", default=os.environ.get("WECHAT_ENCODING_AES_KEY") or None)
    parser.add_argument("--openid", default=None)
    parser.add_argument("--fake-api", default=os.environ.get("WECHAT_SIM_FAKE_API"), help="print CS messages from it")
    parser.add_argument("--start-stack", action="store_true", help="start a fake WeChat API and the assistant")
    args = parser.parse_args(argv)
    if args.start_stack:
        return _with_stack(args)
    if not args.token:
        parser.error("set WECHAT_TOKEN or pass --token (the same as the app's)")
    return _chat(args)


DEV_TOKEN, DEV_APP_ID, DEV_SECRET = "dev-wechat-token", "wxdevsimulator01", "dev-wechat-secret"
DEV_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


def _with_stack(args: argparse.Namespace) -> int:
    from bot.channels.wechat.fake_api import FakeWeChatApi
    from scripts.stack import Stack, StackConfig

    fake = FakeWeChatApi(app_id=DEV_APP_ID, secret=DEV_SECRET).start()
    config = StackConfig(
        extra_env={
            "WECHAT_TOKEN": DEV_TOKEN,
            "WECHAT_APP_ID": DEV_APP_ID,
            "WECHAT_APP_SECRET": DEV_SECRET,
            "WECHAT_ENCODING_AES_KEY": DEV_AES_KEY,
            "WECHAT_API_BASE": fake.url,
        }
    )
    stack = Stack(config)
    print(f"starting the assistant on {config.app_url} with a fake WeChat API on {fake.url} …", flush=True)
    stack.start()
    try:
        stack.wait_ready()
        args.url, args.token, args.app_id, args.aes_key = f"{config.app_url}/wechat", DEV_TOKEN, DEV_APP_ID, DEV_AES_KEY
        args.fake_api = fake.url
        return _chat(args)
    finally:
        stack.stop()
        fake.stop()


def _chat(args: argparse.Namespace) -> int:
    sim = WeChatSimulator(args.url, token=args.token, app_id=args.app_id, aes_key=args.aes_key, openid=args.openid)
    seen = 0
    print(f"simulated citizen {sim.openid}; mode {'encrypted' if args.aes_key else 'plaintext'}. Empty line quits.")
    print("Commands: /subscribe, /menu KEY (GUIDE, COMPLAIN, TICKET_STATUS, HUMAN), /voice TEXT, /image")
    with httpx.Client(timeout=5) as side:
        for line in sys.stdin:
            text = line.strip()
            if not text:
                break
            if text == "/subscribe":
                reply = sim.send_event("subscribe")
            elif text.startswith("/menu "):
                reply = sim.send_event("CLICK", text.split(" ", 1)[1])
            elif text.startswith("/voice"):
                reply = sim.send_voice(text[6:].strip() or None)
            elif text == "/image":
                reply = sim.send_image()
            else:
                reply = sim.send_text(text)
            print(f"[passive reply, {reply.attempts} tr{'y' if reply.attempts == 1 else 'ies'}]")
            print(reply.text if reply.text is not None else "(success: the answer follows as a CS message)")
            if args.fake_api:
                time.sleep(3 if reply.text is None else 0.5)
                msgs = _fake_messages(side, args.fake_api, sim.openid)
                for m in msgs[seen:]:
                    print(f"[客服消息]\n{m}")
                seen = len(msgs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
