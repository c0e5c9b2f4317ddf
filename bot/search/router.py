"""`POST /api/search` and `POST /api/items/match`: the knowledge engine over HTTP (used by the actions).

Citizen text travels in POST bodies only, never in a URL (URLs end up in access logs)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from bot.core.timing import hop
from knowledge.answer import Answer, Context, ItemMatch
from knowledge.service import answer_runs_no_model, current, get_engine, is_ready

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["search"])


class SearchRequest(BaseModel):
    text: str = Field(min_length=1, max_length=500)
    context: Context = Field(default_factory=Context)
    region: str | None = Field(default=None, max_length=50)


@router.post("/search", response_model=Answer)
async def search(request: SearchRequest) -> Answer:
    # One engine for the whole request, even if a publish swaps it; built in a thread only on first use.
    live = current() if is_ready() else await run_in_threadpool(current)
    with hop("engine"):
        if answer_runs_no_model(request.text):
            # The chat gateway's gate embedded this question in this process: what is left (analyse,
            # channels, decision, wording) is a few milliseconds of CPU under the GIL, cheaper here than
            # two thread hand-offs. A question not embedded yet (an e5 forward pass, also the FAQ channel's
            # for a question naming an item with FAQ entries) goes to a thread.
            answer = live.engine.ask(request.text, request.context, request.region)
        else:
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
