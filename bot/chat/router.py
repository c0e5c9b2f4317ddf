"""HTTP endpoints of the chat gateway: ``POST /api/chat``, ``GET /api/chat/inbox``, ``GET /api/health``.

The app may put these on ``app.state`` before serving (tests do):
- ``chat_service``: a ``ChatService``; built from ``ChatSettings`` on first use otherwise.
- ``health_checks``: ``{name: callable returning bool or awaitable bool}``; the default adds
  ``knowledge`` = ``knowledge.service.is_ready``.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.background import BackgroundTask

from bot.chat.config import get_chat_settings
from bot.chat.contracts import RecordTurn
from bot.chat.offered_payloads import OfferedPayloadStore
from bot.chat.rasa_client import RasaClient
from bot.chat.schemas import ChatRequest, ChatResponse, HealthResponse, InboxResponse
from bot.chat.service import ChatService
from bot.tickets.privacy import lookup_address_allowed, mentions_ticket_number

logger = logging.getLogger(__name__)

router = APIRouter(tags=["chat"])


def build_default_service(*, record_turn: RecordTurn | None = None) -> ChatService:
    from bot.channels.web_inbox import fetch_undelivered
    from bot.tickets.contact_vault import remember
    from knowledge.service import gate_verdict, item_name, query_vector_cached

    settings = get_chat_settings()
    return ChatService(
        settings=settings,
        backend=RasaClient(settings),
        remember_contact=remember,
        fetch_inbox=fetch_undelivered,
        offered=OfferedPayloadStore(
            ttl_minutes=settings.chat_offered_ttl_minutes, max_per_session=settings.chat_offered_max_per_session
        ),
        allow_lookup=lookup_address_allowed,
        mentions_ticket=mentions_ticket_number,
        record_turn=record_turn,
        gate=gate_verdict,
        gate_is_cheap=query_vector_cached,
        item_name=item_name,
    )


def get_chat_service(request: Request) -> ChatService:
    service: ChatService | None = getattr(request.app.state, "chat_service", None)
    if service is None:
        service = build_default_service()
        request.app.state.chat_service = service
    return service


ServiceDep = Annotated[ChatService, Depends(get_chat_service)]


@router.post(
    "/api/chat",
    response_model=ChatResponse,
    responses={503: {"model": ChatResponse, "description": "Rasa is down: apology, helpline, kind handoff"}},
)
async def chat(body: ChatRequest, service: ServiceDep, request: Request) -> JSONResponse:
    client_address = request.client.host if request.client else None
    started = time.perf_counter()
    outcome = await service.respond(body, client_address=client_address)
    headers = {"Cache-Control": "no-store"}
    if outcome.status_code == 503:
        headers["Retry-After"] = "30"
    # The turn is recorded (analytics row, metrics) once the reply is on its way: the citizen does not
    # wait for that database write.
    record = BackgroundTask(service.record, body, outcome, time.perf_counter() - started)
    return JSONResponse(
        outcome.response.model_dump(mode="json"), status_code=outcome.status_code, headers=headers, background=record
    )


@router.get("/api/chat/inbox", response_model=InboxResponse)
async def inbox(
    service: ServiceDep,
    response: Response,
    session_id: Annotated[str, Query(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")],
) -> InboxResponse:
    response.headers["Cache-Control"] = "no-store"
    return await service.poll_inbox(session_id)


async def _run_check(name: str, check: Callable[[], Any]) -> bool:
    try:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        return bool(result)
    except Exception as exc:
        logger.warning("health check %s failed: %s", name, type(exc).__name__)
        return False


@router.get("/api/health", response_model=HealthResponse, responses={503: {"model": HealthResponse}})
async def health(request: Request) -> JSONResponse:
    settings = get_chat_settings()
    service: ChatService | None = getattr(request.app.state, "chat_service", None)
    backend = getattr(service, "backend", None) if service is not None else None
    rasa = backend if isinstance(backend, RasaClient) else RasaClient(settings)
    checks: dict[str, bool] = dict(await rasa.ready())

    extra: dict[str, Callable[[], Any]] = dict(getattr(request.app.state, "health_checks", None) or {})
    if "knowledge" not in extra:
        from knowledge.service import is_ready

        extra["knowledge"] = is_ready
    for name, check in extra.items():
        checks[name] = await _run_check(name, check)

    ok = all(checks.values())
    # Advisory checks (``app.state.advisory_checks``, e.g. the holiday calendar) degrade, never fail, readiness.
    advisory = {
        name: await _run_check(name, check)
        for name, check in (getattr(request.app.state, "advisory_checks", None) or {}).items()
    }
    state = "unavailable" if not ok else ("degraded" if not all(advisory.values()) else "ok")
    body = HealthResponse(status=state, checks=checks, advisory=advisory)
    return JSONResponse(
        body.model_dump(mode="json", exclude_defaults=not advisory),
        status_code=200 if ok else 503,
        headers={"Cache-Control": "no-store"},
    )


def install_chat_cors(app: FastAPI, origins: list[str] | None = None) -> None:
    """Let the sites in ``CHAT_ALLOWED_ORIGINS`` (or ``origins``) call the chat API from the
    embedded widget. Call in the app factory, before the app starts. No origins: no-op."""
    allowed = origins if origins is not None else get_chat_settings().allowed_origins
    if not allowed:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=allowed,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        allow_credentials=False,
        max_age=600,
    )
