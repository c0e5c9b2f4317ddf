"""The Rasa action server, closed: bound to loopback and accepting only calls that carry the token.

rasa-sdk 3.6's CLI has no interface flag and no authentication, so this launcher builds the same
Sanic app (``rasa_sdk.endpoint.create_app``) and adds one request middleware: every route but
``/health`` needs the header ``X-Action-Token`` equal to ``ACTION_SERVER_TOKEN`` (compared in
constant time), which Rasa sends from ``endpoints.yml``. Without the variable nothing is accepted.

Runs in the Rasa environment: ``.venv-rasa/bin/python -m scripts.action_server --port 5055``.
Environment: ``ACTION_SERVER_TOKEN`` (required), ``ACTION_SERVER_HOST`` (default ``127.0.0.1``).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
from typing import Any

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = frozenset({"/health"})


def token_ok(given: str | None, expected: str) -> bool:
    """Constant-time comparison; an empty expected token accepts nothing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def build_app(token: str, actions_package: str = "actions") -> Any:
    from rasa_sdk.endpoint import create_app
    from sanic import response

    app = create_app(actions_package, cors_origins=[])

    @app.middleware("request")
    async def require_token(request: Any) -> Any:
        if request.path in OPEN_PATHS:
            return None
        if not token_ok(request.headers.get(TOKEN_HEADER), token):
            logger.warning("action server: refused %s %s without a valid token", request.method, request.path)
            return response.json({"error": "unauthorized"}, status=401)
        return None

    return app


def main(argv: list[str] | None = None) -> None:
    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    token = os.environ.get("ACTION_SERVER_TOKEN", "").strip()
    if not token:
        raise SystemExit("ACTION_SERVER_TOKEN is not set: the action server would accept nothing")
    host = os.environ.get("ACTION_SERVER_HOST", "127.0.0.1")
    app = build_app(token, args.actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("action server on http://%s:%d (token required)", host, args.port)
    app.run(host, args.port, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
