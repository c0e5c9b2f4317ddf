"""``POST /api/chat/feedback``: the widget's 👍/👎 on one answer (citizens, no login; rate-limited per session
and per client address like the chat's ticket lookups).

The app may put ``on_thumbs_down`` (a list of ``OnThumbsDown``) on ``app.state``: the app factory wires the
unanswered-questions capture there.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from bot.feedback import service, texts
from bot.feedback.config import get_feedback_settings
from bot.feedback.schemas import FeedbackIn, FeedbackOut
from bot.tickets import rate_limit
from bot.tickets.dependencies import NowDep, SessionDep

logger = logging.getLogger(__name__)

router = APIRouter(tags=["chat"])


@router.post("/api/chat/feedback", response_model=FeedbackOut, responses={404: {}, 429: {}})
def chat_feedback(body: FeedbackIn, request: Request, db: SessionDep, now: NowDep) -> JSONResponse:
    settings = get_feedback_settings()
    address = request.client.host if request.client else "unknown"
    allowed = rate_limit.hit(
        db,
        rate_limit.limit_key("feedback-session", body.session_id),
        limit=settings.feedback_limit_per_session,
        window_s=settings.feedback_window_s,
        now=now,
    ) and rate_limit.hit(
        db,
        rate_limit.limit_key("feedback-addr", address),
        limit=settings.feedback_limit_per_address,
        window_s=settings.feedback_window_s,
        now=now,
    )
    db.commit()
    if not allowed:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, texts.RATE_LIMITED, headers={"Retry-After": "60"})
    listeners = list(getattr(request.app.state, "on_thumbs_down", None) or [])
    for attempt in (1, 2):  # two first votes on one turn at once: the loser replaces the winner's
        try:
            out = service.submit(
                db, body, now=now, comment_max_chars=settings.feedback_comment_max_chars, on_thumbs_down=listeners
            )
            break
        except service.TurnNotFoundError:
            db.rollback()
            raise HTTPException(status.HTTP_404_NOT_FOUND, texts.NOT_FOUND) from None
        except IntegrityError:
            db.rollback()
            if attempt == 2:
                raise
    return JSONResponse(out.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
