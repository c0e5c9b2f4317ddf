"""HTTP hardening of the app: response headers, a guard on request bodies, short validation errors.

- Every response gets ``X-Content-Type-Options: nosniff`` and a ``Content-Security-Policy`` with
  ``frame-ancestors`` limited to the app itself and ``CHAT_ALLOWED_ORIGINS`` (a page that already
  sets ``frame-ancestors``, like the desk's ``'none'``, keeps its own); HSTS when served over TLS
  (the request's scheme is ``https``, directly or through uvicorn's trusted proxy headers).
- Request bodies larger than ``APP_MAX_BODY_BYTES`` get 413; a JSON body that is not UTF-8 or
  carries a lone surrogate (``"\\ud800"``) gets 400 with a short reason, before any route runs.
- Validation errors (422) list type, location and message only: never the input back.
- ``/docs`` and ``/openapi.json`` exist only with ``APP_DOCS_ENABLED=true`` (see ``bot/app.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

STAFF_PAGE_CSP = "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'"


def staff_page_headers() -> dict[str, str]:
    """The staff pages and their assets (desk, console, dashboard): never cached, never framed, own scripts only."""
    return {
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": STAFF_PAGE_CSP,
    }


class SecuritySettings(BaseSettings):
    """``APP_ENV``, ``APP_DOCS_ENABLED``, ``APP_MAX_BODY_BYTES``, ``CHAT_ALLOWED_ORIGINS``, ``HSTS_MAX_AGE_S``."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    app_env: str = "development"
    app_docs_enabled: bool = False
    app_max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    chat_allowed_origins: str = ""
    hsts_max_age_s: int = Field(default=31_536_000, ge=0)

    @property
    def frame_ancestors(self) -> str:
        origins = [o.strip().rstrip("/") for o in self.chat_allowed_origins.split(",") if o.strip()]
        # Only well-formed origins reach the header (no quotes, semicolons or spaces from the setting).
        safe = [o for o in origins if o.startswith(("https://", "http://")) and not any(c in o for c in " ;,'\"")]
        return " ".join(["'self'", *safe])


@lru_cache(maxsize=1)
def get_security_settings() -> SecuritySettings:
    return SecuritySettings()


async def _reject(send: Send, status: int, reason: str) -> None:
    body = json.dumps({"detail": reason}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def json_body_problem(content_type: str, body: bytes) -> str | None:
    """A short reason why this body cannot be taken as JSON text, or None (malformed JSON is left to 422)."""
    if not body or ("json" not in content_type and content_type):
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "request body is not valid UTF-8"
    try:
        data = json.loads(text)
    except RecursionError:
        return "request body is nested too deeply"
    except ValueError:
        return None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "request body contains a lone surrogate (invalid Unicode text)"
    except RecursionError:
        return "request body is nested too deeply"
    return None


class BodyGuardMiddleware:
    """Reads a request body once (bounded), refuses oversize or undecodable JSON, then replays it."""

    def __init__(self, app: ASGIApp, max_bytes: int, own_limit_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.own_limit_paths = frozenset(own_limit_paths)  # routes that bound their own (larger) uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS or scope["path"] in self.own_limit_paths:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _reject(send, 413, "request body too large")
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _reject(send, 413, "request body too large")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        problem = json_body_problem(headers.get("content-type", "").lower(), body)
        if problem is not None:
            await _reject(send, 400, problem)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: SecuritySettings) -> None:
        self.app = app
        self.frame_ancestors = f"frame-ancestors {settings.frame_ancestors}"
        self.hsts = f"max-age={settings.hsts_max_age_s}; includeSubDomains".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                csp_i = next((i for i, (k, _) in enumerate(headers) if k.lower() == b"content-security-policy"), None)
                if csp_i is None:
                    headers.append((b"content-security-policy", self.frame_ancestors.encode()))
                elif b"frame-ancestors" not in headers[csp_i][1]:
                    value = headers[csp_i][1].rstrip(b"; ") + b"; " + self.frame_ancestors.encode()
                    headers[csp_i] = (headers[csp_i][0], value)
                if tls and b"strict-transport-security" not in names:
                    headers.append((b"strict-transport-security", self.hsts))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _short(value: Any, limit: int = 64) -> Any:
    if isinstance(value, int):
        return value
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """422 with what was wrong and where, never the input (it may be large or personal)."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [
        {
            "type": _short(e.get("type", "")),
            "loc": [_short(p) for p in list(e.get("loc", ()))[:8]],
            "msg": _short(e.get("msg", ""), 200),
        }
        for e in list(errors)[:20]
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def install_security(
    app: FastAPI, settings: SecuritySettings | None = None, *, own_limit_paths: Iterable[str] = ()
) -> None:
    """Wire the hardening into an app (the app factory calls it once). ``own_limit_paths``: upload routes
    that enforce their own size limit (413 before reading past it), exempt from ``APP_MAX_BODY_BYTES``."""
    settings = settings or get_security_settings()
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_middleware(
        BodyGuardMiddleware, max_bytes=settings.app_max_body_bytes, own_limit_paths=tuple(own_limit_paths)
    )
    app.add_middleware(SecurityHeadersMiddleware, settings=settings)
