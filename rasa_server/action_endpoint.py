"""Rasa's calls to the action server over one kept-alive connection pool, retried once when the
connection failed.

Rasa 3.6's `EndpointConfig.request` opens a new aiohttp session (and TCP connection) for every call.
In the 30-minute soak of the previous round four turns failed with Rasa's log saying `Couldn't connect
to the server … Cannot write to closing transport`: the fresh connection was closed under the request
before its headers were written, and Rasa gave up at once (the citizen got 系统繁忙). Installed by our
launcher (`scripts/rasa_server.py`), `EndpointConfig.request` here:

- keeps one `aiohttp.ClientSession` per endpoint and event loop, its idle connections kept
  ``KEEPALIVE_S`` (4 s, under Sanic's 5 s keep-alive, so the action server never closes a connection
  the client is about to reuse);
- retries a call **once** when it failed with a connection error (`aiohttp.ClientConnectionError`:
  refused, reset, closed before or without an answer), not on an HTTP error status and not on a
  timeout (the action may still be running). A connection error can in principle come after the
  action server received the request; a second run is harmless for this assistant's actions: answers
  and lookups only read, the complaint submit is idempotent per complaint (`complaint_key`,
  `actions/complaint_form.py`, checked by the tickets API) and a repeated rating returns the first.

Everything else is Rasa's: headers, token parameter, CA file, the `ClientResponseError` on status
≥ 400, the JSON (or None) returned.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

KEEPALIVE_S = 4.0
_POOL_ATTR = "_pooled_session"


def _session(endpoint: Any) -> aiohttp.ClientSession:
    """The endpoint's session for the running event loop (made on first use, as Rasa's ``session()``)."""
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    pooled = endpoint.__dict__.get(_POOL_ATTR)
    if pooled is not None and pooled[0] is loop and not pooled[1].closed:
        return pooled[1]
    auth = (
        aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
        if endpoint.basic_auth
        else None
    )
    session = aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
    )
    endpoint.__dict__[_POOL_ATTR] = (loop, session)
    return session


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, aiohttp.ClientConnectionError) and not isinstance(exc, asyncio.TimeoutError)


async def pooled_request(
    self: Any,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any:
    """`EndpointConfig.request` with a kept session and one retry on a connection error."""
    from rasa.shared.exceptions import FileNotFoundException
    from rasa.utils.endpoints import ClientResponseError, concat_url

    headers: dict[str, str] = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs.pop("headers"))
    if self.headers:
        headers.update(self.headers)
    url = concat_url(self.url, subpath)
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(
                f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist."
            ) from e
    params = self.combine_parameters(kwargs)  # removes "params" from kwargs, as Rasa's does

    for attempt in (1, 2):
        try:
            async with _session(self).request(
                method, url, headers=headers, params=params, compress=compress, ssl=sslcontext, **kwargs
            ) as response:
                if response.status >= 400:
                    raise ClientResponseError(response.status, response.reason, await response.content.read())
                try:
                    return await response.json()
                except aiohttp.ContentTypeError:
                    return None
        except aiohttp.ClientConnectionError as exc:
            if attempt == 2 or not _retryable(exc):
                raise
            logger.warning("%s %s: connection failed (%s: %s); retrying once", method, url, type(exc).__name__, exc)
    raise AssertionError("unreachable")  # pragma: no cover


def install_pooled_endpoint_requests() -> None:
    """Replace `EndpointConfig.request` (Rasa's only HTTP client for the action server)."""
    from rasa.utils.endpoints import EndpointConfig

    EndpointConfig.request = pooled_request  # type: ignore[method-assign]
