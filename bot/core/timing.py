"""Per-request hop timings, for profiling the chat path: ``with hop("rasa"): …`` times one step.

``ServerTimingMiddleware`` starts a fresh list per HTTP request and, when ``SERVER_TIMING=1``, lists the
steps in the response's ``Server-Timing`` header (``rasa;dur=61.2, gate;dur=9.8``), which
``bench/hops.py`` reads. Off by default: how long internal steps take is nobody else's business. A step
timed outside a request (a test, a worker) is measured and dropped. The list is shared with worker
threads (``run_in_threadpool`` copies the context, and the list is the same object), so steps timed
inside the knowledge engine count too.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_steps: ContextVar[list[tuple[str, float]] | None] = ContextVar("server_timing_steps", default=None)


def enabled() -> bool:
    return os.environ.get("SERVER_TIMING", "").strip().lower() in ("1", "true", "yes")


@contextmanager
def hop(name: str) -> Iterator[None]:
    """Time the enclosed step under ``name`` (a token: letters, digits, ``_``)."""
    steps = _steps.get()
    if steps is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        steps.append((name, (time.perf_counter() - started) * 1000))


def header_value(steps: list[tuple[str, float]]) -> str:
    """``name;dur=ms`` per step, summed per name, in first-seen order."""
    totals: dict[str, float] = {}
    for name, ms in steps:
        totals[name] = totals.get(name, 0.0) + ms
    return ", ".join(f"{name};dur={ms:.1f}" for name, ms in totals.items())


class ServerTimingMiddleware:
    """Collects the steps of each HTTP request; adds ``Server-Timing`` when ``SERVER_TIMING=1``."""

    def __init__(self, app: ASGIApp, *, expose: bool | None = None) -> None:
        self.app = app
        self.expose = enabled() if expose is None else expose

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.expose:
            await self.app(scope, receive, send)
            return
        steps: list[tuple[str, float]] = []
        token = _steps.set(steps)
        started = time.perf_counter()

        async def send_with_timing(message: Message) -> None:
            if message["type"] == "http.response.start":
                total = ("app", (time.perf_counter() - started) * 1000)
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", header_value([*steps, total]).encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_timing)
        finally:
            _steps.reset(token)
