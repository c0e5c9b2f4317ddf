"""From an inbound WeChat message to the answer, within WeChat's 5-second rule.

WeChat waits about 5 s for a reply and then retries the same message (three tries in all). The first
delivery of a message claims it in the database (so one replica handles it), starts the turn and waits
``reply_budget_s``: a one-part answer ready by then is the passive reply (and is kept, so a retry gets
the same one). Otherwise the request answers ``success`` and the answer follows as customer-service
messages through the outbox. A retry waits for the first delivery's outcome for the same budget and
returns the stored reply or ``success``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from anyio.to_thread import run_sync

from bot.channels.wechat import quota, texts
from bot.channels.wechat.adapter import session_for
from bot.channels.wechat.formatting import Choice, ReplyLike, pick_choice, render, split_text
from bot.channels.wechat.store import ANSWERED, DEFERRED, WeChatStore
from bot.channels.wechat.xmlmsg import Inbound
from bot.chat.contracts import TurnOutcome
from bot.chat.schemas import ChatRequest

logger = logging.getLogger(__name__)

Turn = Callable[[ChatRequest], Awaitable[TurnOutcome]]
EnqueueParts = Callable[[str, list[str]], None]

POLL_S = 0.1
PURGE_EVERY = 500  # claims between two deletions of inbound records older than the dedupe TTL


def choice_request(session_id: str, choice: Choice) -> ChatRequest:
    """A numbered choice answered: the button's payload, as the web widget sends it."""
    return ChatRequest(session_id=session_id, text=choice.payload, payload=choice.payload)


class WeChatConversation:
    def __init__(
        self,
        *,
        turn: Turn,
        store: WeChatStore,
        enqueue_parts: EnqueueParts,
        reply_budget_s: float,
        text_max_bytes: int,
        dedupe_ttl_s: int = 24 * 3600,
    ) -> None:
        self._turn = turn
        self._store = store
        self._enqueue = enqueue_parts
        self._budget = reply_budget_s
        self._max = text_max_bytes
        self._tasks: set[asyncio.Task[str | None]] = set()
        self._ttl = dt.timedelta(seconds=dedupe_ttl_s)
        self._claims = 0

    async def respond(self, msg: Inbound) -> str | None:
        """The passive reply text, or None for an empty ``success``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._budget
        key = msg.dedupe_key
        unsubscribed = msg.msg_type == "event" and msg.event == "unsubscribe"
        allowance = None if unsubscribed else (quota.MESSAGE if msg.msg_type != "event" else quota.SHORT_ACTION)
        offered = await run_sync(self._store.begin, key, msg.from_user, allowance)
        if offered is None:
            return await self._await_first(key, deadline)
        self._claims += 1
        if self._claims % PURGE_EVERY == 0:
            purged = await run_sync(self._store.purge, self._ttl)
            logger.info("wechat: %d old inbound record(s) purged", purged)
        task = asyncio.create_task(self._answer(msg, key, offered), name=f"wechat-{key}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        done, _ = await asyncio.wait({task}, timeout=max(deadline - loop.time(), 0.0))
        if task in done:
            return task.result()
        if await run_sync(self._store.mark_deferred, key):
            logger.info("wechat %s: not ready in %.1fs; it follows by customer-service message", key, self._budget)
            return None
        state = await run_sync(self._store.state, key)  # stored just as we gave up
        return state.reply_text if state and state.status == ANSWERED else None

    async def _await_first(self, key: str, deadline: float) -> str | None:
        loop = asyncio.get_running_loop()
        while True:
            state = await run_sync(self._store.state, key)
            if state is None or state.status == DEFERRED:
                return None
            if state.status == ANSWERED:
                logger.info("wechat %s: retry gets the stored reply", key)
                return state.reply_text
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(POLL_S)

    async def _answer(self, msg: Inbound, key: str, offered: list[Choice]) -> str | None:
        try:
            parts = await self._parts(msg, offered)
        except Exception:
            logger.exception("wechat %s: the turn failed", key)
            parts = []
        if not parts:
            await run_sync(self._store.mark_deferred, key)
            return None
        if len(parts) == 1 and await run_sync(self._store.mark_answered, key, parts[0]):
            return parts[0]
        await run_sync(self._store.mark_deferred, key)
        await run_sync(self._enqueue, session_for(msg.from_user), parts)
        logger.info("wechat %s: %d part(s) queued as customer-service messages", key, len(parts))
        return None

    async def _parts(self, msg: Inbound, offered: list[Choice]) -> list[str]:
        openid = msg.from_user
        if msg.msg_type == "event" and msg.event == "unsubscribe":
            logger.info("wechat: a citizen unsubscribed")
            return []
        request = self._request(msg, offered)
        if isinstance(request, str):
            return split_text(request, self._max)
        outcome = await self._turn(request)
        replies = [
            ReplyLike(text=r.text, buttons=[Choice(title=b.title, payload=b.payload) for b in r.buttons])
            for r in outcome.response.replies
        ]
        rendered = render(replies)
        if rendered.choices:
            await run_sync(self._store.set_choices, openid, rendered.choices)
        return split_text(rendered.text, self._max)

    def _request(self, msg: Inbound, offered: list[Choice]) -> ChatRequest | str:
        """The chat turn to run, or a fixed reply."""
        session_id = session_for(msg.from_user)
        if msg.msg_type == "text":
            text = (msg.content or "").strip()
            choice = pick_choice(text, offered)
            if choice is not None:
                return choice_request(session_id, choice)
            return ChatRequest(session_id=session_id, text=text)
        if msg.msg_type == "voice":
            if msg.recognition:
                return ChatRequest(session_id=session_id, text=msg.recognition)
            return texts.VOICE_UNSUPPORTED
        if msg.msg_type == "event":
            if msg.event == "subscribe":
                return texts.WELCOME
            if msg.event == "click":
                typed = texts.MENU_TEXTS.get(msg.event_key or "", texts.UNKNOWN_MENU)
                if typed is None:
                    return texts.GUIDE_PROMPT
                if typed == texts.UNKNOWN_MENU:
                    return typed
                return ChatRequest(session_id=session_id, text=typed)
            return ""
        return texts.UNSUPPORTED_MEDIA
