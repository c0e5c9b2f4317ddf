"""The WeChat ``ChannelAdapter``: an outbox message becomes customer-service text messages.

Outside the 48-hour window (or with the quota used up) the delivery fails for good with a message the
desk shows next to the citizen's phone; WeChat's busy/5xx answers are raised so the outbox retries.
"""

from __future__ import annotations

import logging

from bot.channels.base import OutgoingMessage
from bot.channels.wechat import texts
from bot.channels.wechat.api import OUTSIDE_WINDOW_CODE, QUOTA_EXHAUSTED_CODES, CustomerServiceApi, WeChatApiError
from bot.channels.wechat.formatting import Choice, ReplyLike, render, split_text
from bot.channels.wechat.quota import Verdict
from bot.channels.wechat.store import WeChatStore
from bot.chat.contracts import OfferedStore
from bot.tickets.outbox_delivery import PermanentError

logger = logging.getLogger(__name__)

SESSION_PREFIX = "wx-"


class UndeliverableError(PermanentError):
    """WeChat will not carry this message any more; a handler must call the citizen."""


def session_for(openid: str) -> str:
    return f"{SESSION_PREFIX}{openid}"


def openid_of(session_id: str) -> str:
    if not session_id.startswith(SESSION_PREFIX):
        raise PermanentError(f"not a WeChat session: {session_id!r}")
    return session_id[len(SESSION_PREFIX) :]


class WeChatAdapter:
    def __init__(
        self,
        *,
        store: WeChatStore,
        api: CustomerServiceApi,
        text_max_bytes: int,
        offered: OfferedStore | None = None,
    ) -> None:
        self._store = store
        self._api = api
        self._max = text_max_bytes
        self._offered = offered

    def deliver(self, session_id: str, message: OutgoingMessage) -> None:
        openid = openid_of(session_id)
        buttons = [Choice(title=b.title, payload=b.payload) for b in message.buttons]
        rendered = render([ReplyLike(text=message.text, buttons=buttons)])
        for part in split_text(rendered.text, self._max):
            self._send(openid, part)
        if rendered.choices:
            self._store.set_choices(openid, rendered.choices)
            if self._offered is not None:  # the gateway honours a press only of a payload it knows was offered
                self._offered.remember(session_id, [c.payload for c in rendered.choices if c.payload.startswith("/")])

    def _send(self, openid: str, part: str) -> None:
        verdict = self._store.reserve_send(openid)
        if verdict is Verdict.outside_window:
            raise UndeliverableError(texts.UNDELIVERABLE_WINDOW)
        if verdict is Verdict.exhausted:
            raise UndeliverableError(texts.UNDELIVERABLE_QUOTA)
        try:
            self._api.send_text(openid, part)
        except WeChatApiError as exc:
            self._store.release_send(openid)
            if exc.errcode == OUTSIDE_WINDOW_CODE:
                raise UndeliverableError(texts.UNDELIVERABLE_WINDOW) from None
            if exc.errcode in QUOTA_EXHAUSTED_CODES:
                raise UndeliverableError(texts.UNDELIVERABLE_QUOTA) from None
            raise
        except Exception:
            self._store.release_send(openid)
            raise
