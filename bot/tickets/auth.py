"""Handler accounts and desk sessions: bcrypt hashes, a signed session cookie (or the same token as Bearer).

Roles: ``handler`` works tickets; ``admin`` also manages accounts. No default password exists: the first
admin comes from ``DESK_ADMIN_PASSWORD`` at startup (only while no account exists) or from
``python -m bot.tickets.admin create-user NAME --role admin``.
"""

from __future__ import annotations

import logging
import secrets
from functools import lru_cache
from typing import Annotated, Any

import bcrypt
from fastapi import Depends, HTTPException, Request, status
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import get_session, session_scope
from bot.tickets.config import get_ticket_settings
from bot.tickets.enums import Role
from bot.tickets.models import HandlerUser

logger = logging.getLogger(__name__)

COOKIE_NAME = "desk_session"


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


def reset_auth_cache() -> None:
    _serializer.cache_clear()
    _dummy_hash.cache_clear()


def create_user(
    db: Session,
    username: str,
    password: str,
    *,
    role: Role = Role.handler,
    display_name: str = "",
    office: str | None = None,
) -> HandlerUser:
    if db.scalar(select(HandlerUser).where(HandlerUser.username == username)) is not None:
        raise ValueError(f"user {username} exists")
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
    user.password_hash = hash_password(password)
    db.commit()


def authenticate(db: Session, username: str, password: str) -> HandlerUser | None:
    user = db.scalar(select(HandlerUser).where(HandlerUser.username == username))
    if user is None or not user.active:
        verify_password(password, _dummy_hash())  # same work either way
        return None
    return user if verify_password(password, user.password_hash) else None


def issue_token(user: HandlerUser) -> str:
    # The hash prefix ties a session to the current password: changing it ends old sessions.
    return _serializer().dumps({"u": user.id, "h": user.password_hash[-12:]})


def _user_from_token(db: Session, token: str) -> HandlerUser | None:
    try:
        data: Any = _serializer().loads(token, max_age=get_ticket_settings().desk_session_max_age_s)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = db.get(HandlerUser, data.get("u"))
    if user is None or not user.active or user.password_hash[-12:] != data.get("h"):
        return None
    return user


def current_handler(request: Request, db: Annotated[Session, Depends(get_session)]) -> HandlerUser:
    token = request.cookies.get(COOKIE_NAME)
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    user = _user_from_token(db, token) if token else None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "login required")
    return user


def require_admin(user: Annotated[HandlerUser, Depends(current_handler)]) -> HandlerUser:
    if user.role != Role.admin.value:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "admin only")
    return user


CurrentHandler = Annotated[HandlerUser, Depends(current_handler)]
CurrentAdmin = Annotated[HandlerUser, Depends(require_admin)]


def ensure_first_admin() -> bool:
    """Create the first admin from ``DESK_ADMIN_PASSWORD`` when no account exists. True if created."""
    settings = get_ticket_settings()
    with session_scope() as db:
        count = db.scalar(select(func.count()).select_from(HandlerUser)) or 0
        if count:
            return False
        if settings.desk_admin_password is None:
            logger.warning("no desk user exists; set DESK_ADMIN_PASSWORD or run bot.tickets.admin create-user")
            return False
        password = settings.desk_admin_password.get_secret_value()
        if len(password) < 8:
            logger.error("DESK_ADMIN_PASSWORD is shorter than 8 characters: no admin created")
            return False
        create_user(db, settings.desk_admin_username, password, role=Role.admin, display_name="管理员")
    return True
