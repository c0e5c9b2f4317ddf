"""Internal secrets: generated once for local development, required outside it.

Every internal surface is authenticated with one of these secrets. ``ensure_secrets`` is called by
the stack launcher (``scripts/stack.py``: ``make run``, eval, bench, end-to-end tests): an
explicitly set environment variable wins; otherwise, in local development, the value kept in
``var/secrets/<NAME>`` (mode 0600, created on first start) is used. Outside local development
(``APP_ENV`` other than ``development``/``test``) nothing is generated and a missing secret is a
start-up error (:class:`MissingSecretError`).
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

LOCAL_ENVS = frozenset({"development", "dev", "local", "test"})


def _token() -> str:
    return secrets.token_urlsafe(32)


def _fernet_key() -> str:
    # The format of cryptography's Fernet.generate_key(): 32 random bytes, URL-safe base64.
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


# name → generator. The app reads INTERNAL_API_TOKEN, DESK_SECRET_KEY, PII_ENCRYPTION_KEY and RASA_TOKEN
# (the health canary's key to Rasa's HTTP API); the action server reads INTERNAL_API_TOKEN (to call the
# app) and ACTION_SERVER_TOKEN (to accept Rasa); Rasa sends ACTION_SERVER_TOKEN (endpoints.yml) and
# takes RASA_TOKEN as its --auth-token.
SECRETS: dict[str, Callable[[], str]] = {
    "INTERNAL_API_TOKEN": _token,
    "ACTION_SERVER_TOKEN": _token,
    "DESK_SECRET_KEY": _token,
    "PII_ENCRYPTION_KEY": _fernet_key,
    "RASA_TOKEN": _token,
}
# The secrets the app process itself must have outside local development.
APP_SECRETS = ("INTERNAL_API_TOKEN", "DESK_SECRET_KEY", "PII_ENCRYPTION_KEY", "RASA_TOKEN")


class MissingSecretError(RuntimeError):
    """A required secret is not set outside local development."""


def app_env(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return (env.get("APP_ENV") or "development").strip().lower()


def is_local(environ: Mapping[str, str] | None = None) -> bool:
    return app_env(environ) in LOCAL_ENVS


def require(names: tuple[str, ...] | list[str], environ: Mapping[str, str] | None = None) -> None:
    """Raise :class:`MissingSecretError` naming every unset secret, unless in local development."""
    env = os.environ if environ is None else environ
    if is_local(env):
        return
    missing = [n for n in names if not (env.get(n) or "").strip()]
    if missing:
        raise MissingSecretError(
            f"APP_ENV={app_env(env)}: set {', '.join(missing)} (secrets are generated only in local development)"
        )


def _read_or_create(path: Path, make: Callable[[], str]) -> str:
    if path.exists():
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    os.chmod(path, 0o600)
    logger.info("generated %s in %s", path.name, path.parent)
    return value


def ensure_secrets(secrets_dir: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every internal secret: the environment's value, else (local only) the kept or a new one."""
    env = os.environ if environ is None else environ
    require(list(SECRETS), env)
    out: dict[str, str] = {}
    for name, make in SECRETS.items():
        explicit = (env.get(name) or "").strip()
        if explicit:
            out[name] = explicit
            continue
        secrets_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(secrets_dir, 0o700)
        out[name] = _read_or_create(secrets_dir / name, make)
    return out
