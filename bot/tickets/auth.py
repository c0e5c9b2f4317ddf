"""Handler accounts and desk sessions: bcrypt hashes and server-side sessions behind an HttpOnly cookie.

A login creates a ``desk_sessions`` row keyed by the SHA-256 of a random token; the cookie holds
that token signed with ``DESK_SECRET_KEY`` (forgeries are refused before any database work).
Logout revokes the row; deactivating a user or changing a password revokes all of theirs. The
token is never in a response body and is accepted only from the cookie.

Roles: ``handler`` works tickets; ``admin`` also manages accounts; ``editor`` and ``reviewer`` log in here too
but work in the knowledge console (the desk's ticket routes refuse them). No default password exists: the first
admin is created at start-up (``bot.tickets.first_admin``) or with ``python -m bot.tickets.admin create-user``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import urlsplit

import bcrypt
from fastapi import Depends, HTTPException, Request, Response, status
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db import get_session
from bot.tickets import texts
from bot.tickets.clock import utcnow
from bot.tickets.config import get_ticket_settings
from bot.tickets.enums import Role
from bot.tickets.login_throttle import LoginThrottle, redis_store
from bot.tickets.models import HandlerUser
from bot.tickets.passwords import check_password
from bot.tickets.staff_models import DeskSession

logger = logging.getLogger(__name__)

COOKIE_NAME = "desk_session"


def set_session_cookie(response: Response, token: str) -> None:
    """The desk session cookie: HTTP-only, SameSite=Strict, Secure outside local development, as long as the session."""
    settings = get_ticket_settings()
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=settings.desk_session_max_age_s,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )


def hash_password(password: str, *, rounds: int | None = None) -> str:
    rounds = rounds or get_ticket_settings().bcrypt_rounds
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))
    except ValueError:
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(8))


@lru_cache(maxsize=1)
def _serializer() -> URLSafeTimedSerializer:
    settings = get_ticket_settings()
    if settings.desk_secret_key is not None:
        key = settings.desk_secret_key.get_secret_value()
    else:
        key = secrets.token_urlsafe(32)
        logger.warning("DESK_SECRET_KEY is not set: desk sessions end when this process restarts")
    return URLSafeTimedSerializer(key, salt="desk-session")


@lru_cache(maxsize=1)
def get_login_throttle() -> LoginThrottle:
    """Shared by every replica through Redis when ``REDIS_URL`` is set, else per process."""
    settings = get_ticket_settings()
    store = redis_store(settings.redis_url.get_secret_value()) if settings.redis_url is not None else None
    return LoginThrottle(
        base_s=settings.desk_login_backoff_base_s, max_s=settings.desk_login_backoff_max_s, store=store
    )


def reset_auth_cache() -> None:
    _serializer.cache_clear()
    _dummy_hash.cache_clear()
    get_login_throttle.cache_clear()


def create_user(
    db: Session,
    username: str,
    password: str,
    *,
    role: Role = Role.handler,
    display_name: str = "",
    office: str | None = None,
) -> HandlerUser:
    """Raises ``ValueError`` if the user exists, ``WeakPasswordError`` if the password fails the policy."""
    if db.scalar(select(HandlerUser).where(HandlerUser.username == username)) is not None:
        raise ValueError(f"user {username} exists")
    check_password(password, user_inputs=(username, display_name))
    user = HandlerUser(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role.value,
        office=office,
        active=True,
    )
    db.add(user)
    db.commit()
    logger.info("desk user %s created (%s)", username, role.value)
    return user


def set_password(db: Session, username: str, password: str) -> None:
    user = db.scalar(select(HandlerUser).where(HandlerUser.username == username))
    if user is None:
        raise LookupError(username)
    check_password(password, user_inputs=(username, user.display_name))
    user.password_hash = hash_password(password)
    db.commit()
    revoke_user_sessions(db, user.id)


def authenticate(db: Session, username: str, password: str) -> HandlerUser | None:
    user = db.scalar(select(HandlerUser).where(HandlerUser.username == username))
    if user is None or not user.active:
        verify_password(password, _dummy_hash())  # same work either way
        return None
    return user if verify_password(password, user.password_hash) else None


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def issue_session(db: Session, user: HandlerUser, *, client: str | None = None) -> str:
    """A new server-side session for ``user``; returns the signed token for the cookie."""
    raw = secrets.token_urlsafe(32)
    max_age = get_ticket_settings().desk_session_max_age_s
    db.add(
        DeskSession(
            token_hash=_hash(raw),
            user_id=user.id,
            expires_at=utcnow() + dt.timedelta(seconds=max_age),
            client=client,
        )
    )
    db.commit()
    return _serializer().dumps(raw)


def _session_of(db: Session, token: str) -> DeskSession | None:
    try:
        raw: Any = _serializer().loads(token, max_age=get_ticket_settings().desk_session_max_age_s)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(raw, str):
        return None
    return db.get(DeskSession, _hash(raw))


def _user_from_token(db: Session, token: str) -> HandlerUser | None:
    row = _session_of(db, token)
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = db.get(HandlerUser, row.user_id)
    if user is None or not user.active:
        return None
    return user


def revoke_session(db: Session, token: str) -> HandlerUser | None:
    """Revoke the session behind ``token`` (logout); returns its user, if it was a live session."""
    row = _session_of(db, token)
    if row is None or row.revoked_at is not None:
        return None
    row.revoked_at = utcnow()
    db.commit()
    return db.get(HandlerUser, row.user_id)


def revoke_user_sessions(db: Session, user_id: int) -> int:
    """End every live session of a user; returns how many."""
    result = db.execute(
        update(DeskSession)
        .where(DeskSession.user_id == user_id, DeskSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    db.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def current_handler(request: Request, db: Annotated[Session, Depends(get_session)]) -> HandlerUser:
    token = request.cookies.get(COOKIE_NAME)
    user = _user_from_token(db, token) if token else None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "login required")
    request.state.desk_user = user.username  # for the audit trail (bot/tickets/audit.py)
    return user


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def require_same_origin(request: Request) -> None:
    """State-changing desk requests from a browser must come from the desk itself.

    The ``Origin`` header (or, without it, the ``Referer``) must name this host or one of
    ``DESK_ALLOWED_ORIGINS``. Requests with neither header (non-browser clients) pass: they
    cannot ride on a citizen's or handler's browser cookie, and the cookie is SameSite=Strict.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    given = request.headers.get("origin") or request.headers.get("referer")
    if not given:
        return
    origin = _origin_of(given)
    host = (request.headers.get("host") or "").lower()
    allowed = {o.strip().rstrip("/").lower() for o in get_ticket_settings().desk_allowed_origins.split(",") if o}
    if origin is not None and (urlsplit(origin).netloc == host or origin in allowed):
        return
    raise HTTPException(status.HTTP_403_FORBIDDEN, texts.ORIGIN_REFUSED)


def require_admin(user: Annotated[HandlerUser, Depends(current_handler)]) -> HandlerUser:
    if user.role != Role.admin.value:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admin only")
    return user


DESK_ROLES = frozenset({Role.handler.value, Role.admin.value})


def require_desk_user(user: Annotated[HandlerUser, Depends(current_handler)]) -> HandlerUser:
    """The desk's ticket routes: handlers and admins. Editors and reviewers log in with the same login but work in
    the knowledge console (``/console``)."""
    if user.role not in DESK_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, texts.DESK_ROLE_REFUSED)
    return user


CurrentHandler = Annotated[HandlerUser, Depends(current_handler)]  # any active staff login (every role)
CurrentDeskUser = Annotated[HandlerUser, Depends(require_desk_user)]  # handler or admin
CurrentAdmin = Annotated[HandlerUser, Depends(require_admin)]
