"""`POST /api/search` and `POST /api/items/match`: the knowledge engine over HTTP (used by the actions).

Citizen text travels in POST bodies only, never in a URL (URLs end up in access logs)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from bot.core.timing import hop
from knowledge.answer import Answer, Context, ItemMatch
from knowledge.service import current, get_engine

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["search"])


class SearchRequest(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    context: Context = Field(default_factory=Context)
    region: str | None = Field(default=None, max_length=50)


@router.post("/search", response_model=Answer)
async def search(request: SearchRequest) -> Answer:
    live = await run_in_threadpool(current)  # one engine for the whole request, even if a publish swaps it
    with hop("engine"):
        answer = await run_in_threadpool(live.engine.ask, request.text, request.context, request.region)
    answer = answer.model_copy(update={"knowledge_version": live.version})
    logger.info(
        "search kind=%s item=%s aspect=%s confidence=%.2f version=%s",
        answer.kind,
        answer.item.code if answer.item else None,
        answer.aspect,
        answer.confidence,
        live.version,
    )
    return answer


class MatchRequest(BaseModel):
    text: str = Field(min_length=1, max_length=500)


@router.post("/items/match", response_model=ItemMatch)
async def match_item(request: MatchRequest) -> ItemMatch:
    return await run_in_threadpool(get_engine().match_item, request.text)
