"""Tables of the WeChat channel: handled messages (dedupe across replicas), citizens, the access token."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class WeChatInbound(Base):
    """One inbound message or event, claimed by the first replica that sees it."""

    __tablename__ = "wechat_inbound"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # processing | answered | deferred
    reply_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class WeChatUser(Base):
    """A citizen on the official account: customer-service quota and the choices last offered."""

    __tablename__ = "wechat_users"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    kf_remaining: Mapped[int] = mapped_column(Integer, default=0)
    kf_valid_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class WeChatToken(Base):
    """The access token shared by all replicas."""

    __tablename__ = "wechat_tokens"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(String(512))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
