"""The first staff account, created at start-up (under the start-up lock) when no account exists.

- ``DESK_ADMIN_PASSWORD`` set: the admin ``DESK_ADMIN_USERNAME`` gets that password (it must pass the policy).
- Not set, in local development (``APP_ENV`` development/test, as under ``make run``) and with a terminal on
  the process's stdout or stderr: a random password is generated, the admin is created with its bcrypt hash
  only, and the password is written **once, straight to that terminal** — never through ``logging`` (whose
  handlers may write files), never to the database or ``var/``. A replica that starts at the same time waits
  for the lock, then finds the account and prints nothing.
- Otherwise (production, or no terminal, e.g. output piped to a file): nothing is created; a warning says how
  to create the admin (``DESK_ADMIN_PASSWORD`` or ``python -m bot.tickets.admin create-user``).
"""

from __future__ import annotations

import logging
import secrets
import sys
from typing import TextIO

from sqlalchemy import func, select

from bot.core.secrets import is_local
from bot.db import session_scope
from bot.tickets import texts
from bot.tickets.auth import create_user
from bot.tickets.config import get_ticket_settings
from bot.tickets.enums import Role
from bot.tickets.models import HandlerUser
from bot.tickets.passwords import WeakPasswordError

logger = logging.getLogger(__name__)

GENERATED_BYTES = 18  # 24 URL-safe characters: far above the policy's 12 characters and zxcvbn score 3


def terminal() -> TextIO | None:
    """This process's stdout or stderr if it is a terminal (``make run`` in a shell), else None."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and stream.isatty():
                return stream
        except (ValueError, OSError):  # closed or detached stream
            continue
    return None


def generate_password() -> str:
    return secrets.token_urlsafe(GENERATED_BYTES)


def announce(out: TextIO, username: str, password: str) -> None:
    out.write(texts.FIRST_ADMIN_BANNER.format(username=username, password=password))
    out.flush()


def ensure_first_admin(*, out: TextIO | None = None, local: bool | None = None) -> bool:
    """Create the first admin when no staff account exists; True if one was created. Call under the start-up
    lock. ``out`` and ``local`` default to :func:`terminal` and ``APP_ENV`` (tests pass their own)."""
    settings = get_ticket_settings()
    username = settings.desk_admin_username
    with session_scope() as db:
        if db.scalar(select(func.count()).select_from(HandlerUser)):
            return False
        if settings.desk_admin_password is not None:
            try:
                given = settings.desk_admin_password.get_secret_value()
                create_user(db, username, given, role=Role.admin, display_name="管理员")
            except WeakPasswordError as exc:
                logger.error("DESK_ADMIN_PASSWORD is refused by the password policy (%s): no admin created", exc)
                return False
            return True
        out = out if out is not None else terminal()
        local = is_local() if local is None else local
        if not local or out is None:
            logger.warning(
                "no staff account exists and none was generated (%s): set DESK_ADMIN_PASSWORD or run "
                "`python -m bot.tickets.admin create-user NAME --role admin`",
                "not local development" if not local else "no terminal to show a generated password on",
            )
            return False
        password = generate_password()
        create_user(db, username, password, role=Role.admin, display_name="管理员")
    announce(out, username, password)
    logger.warning("first admin %r created with a generated password (shown once on the terminal)", username)
    return True
