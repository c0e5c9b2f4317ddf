"""A local stand-in for WeChat's server API, for tests, the benchmark and the simulator.

Serves ``POST /cgi-bin/stable_token``, ``GET /cgi-bin/token`` and ``POST /cgi-bin/message/custom/send``
like WeChat (``errcode`` bodies, 40001 for a stale token) and lets a test script failures:
``POST /_fake/control {"fail_sends": 2, "invalidate_token": true}``; ``GET /_fake/messages?touser=…``
lists what was sent. ``python -m bot.channels.wechat.fake_api --port 18900`` runs it alone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)


@dataclass
class FakeState:
    app_id: str
    secret: str
    token_serial: int = 0
    token_requests: int = 0
    send_calls: int = 0
    fail_sends: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token(self) -> str:
        return f"fake-token-{self.token_serial}"


def _handler(state: FakeState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _json(self, body: Any, status: int = 200) -> None:
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            data = json.loads(self.rfile.read(length) or b"{}")
            return data if isinstance(data, dict) else {}

        def _issue(self, appid: str, secret: str, force: bool) -> None:
            with state.lock:
                state.token_requests += 1
                if appid != state.app_id or secret != state.secret:
                    self._json({"errcode": 40125, "errmsg": "invalid appsecret"})
                    return
                if force or state.token_serial == 0:
                    state.token_serial += 1
                self._json({"access_token": state.token, "expires_in": 7200})

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/cgi-bin/token":
                self._issue(q.get("appid", ""), q.get("secret", ""), False)
            elif url.path == "/_fake/messages":
                with state.lock:
                    msgs = [m for m in state.messages if "touser" not in q or m["touser"] == q["touser"]]
                self._json({"messages": msgs, "send_calls": state.send_calls, "token_requests": state.token_requests})
            else:
                self._json({"errcode": 404, "errmsg": "not found"}, 404)

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            body = self._body()
            if url.path == "/cgi-bin/stable_token":
                self._issue(str(body.get("appid", "")), str(body.get("secret", "")), bool(body.get("force_refresh")))
            elif url.path == "/cgi-bin/message/custom/send":
                with state.lock:
                    state.send_calls += 1
                    if state.fail_sends > 0:
                        state.fail_sends -= 1
                        self._json({"errcode": -1, "errmsg": "system error"}, 500)
                        return
                    if q.get("access_token") != state.token or state.token_serial == 0:
                        self._json({"errcode": 40001, "errmsg": "invalid credential"})
                        return
                    text = body.get("text") or {}
                    state.messages.append(
                        {"touser": body.get("touser"), "content": text.get("content"), "at": time.time()}
                    )
                self._json({"errcode": 0, "errmsg": "ok"})
            elif url.path == "/_fake/control":
                with state.lock:
                    state.fail_sends = int(body.get("fail_sends", state.fail_sends))
                    if body.get("invalidate_token"):
                        state.token_serial += 1  # the cached token is now stale
                    if body.get("clear"):
                        state.messages.clear()
                        state.send_calls = 0
                self._json({"ok": True})
            else:
                self._json({"errcode": 404, "errmsg": "not found"}, 404)

    return Handler


class FakeWeChatApi:
    def __init__(self, *, app_id: str, secret: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = FakeState(app_id=app_id, secret=secret)
        self._server = ThreadingHTTPServer((host, port), _handler(self.state))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeWeChatApi:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def messages(self, touser: str | None = None) -> list[dict[str, Any]]:
        with self.state.lock:
            return [dict(m) for m in self.state.messages if touser is None or m["touser"] == touser]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a local fake WeChat API.")
    parser.add_argument("--port", type=int, default=18900)
    parser.add_argument("--app-id", default="wx-sim-app")
    parser.add_argument("--secret", default="sim-secret")
    args = parser.parse_args(argv)
    fake = FakeWeChatApi(app_id=args.app_id, secret=args.secret, port=args.port)
    print(f"fake WeChat API on {fake.url} (appid {args.app_id})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        fake._server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
