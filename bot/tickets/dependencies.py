"""FastAPI dependencies shared by the internal and desk routers (override them in tests)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated

from fastapi import Depends, Header, HTTPException, status
from sqlalchemy.orm import Session

from bot.db import get_session
from bot.tickets.clock import Clockwork
from bot.tickets.config import get_ticket_settings


def get_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def get_clock() -> Clockwork:
    return Clockwork.default()


def require_internal_token(x_internal_token: Annotated[str | None, Header()] = None) -> None:
    """The internal API always needs ``X-Internal-Token``; with no token configured it is closed (503)."""
    expected = get_ticket_settings().internal_api_token
    if expected is None or not expected.get_secret_value():
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "internal API not configured")
    if x_internal_token is None or not secrets.compare_digest(
        x_internal_token.encode(), expected.get_secret_value().encode()
    ):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "internal token required")


SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
ClockDep = Annotated[Clockwork, Depends(get_clock)]
