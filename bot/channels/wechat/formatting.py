"""Turning the assistant's replies into WeChat text: numbered choices, links, splitting at the limit."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from bot.channels.wechat import texts

logger = logging.getLogger(__name__)

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CHOICE_RE = re.compile(r"^\s*(\d{1,2})\s*[.、。．]?\s*$")


class Choice(BaseModel):
    title: str
    payload: str


class ReplyLike(BaseModel):
    """Any reply with ``text`` and ``buttons`` (``title``/``payload``)."""

    text: str
    buttons: list[Choice] = []


@dataclass(frozen=True)
class Rendered:
    text: str
    choices: list[Choice]


def _is_link(payload: str) -> bool:
    return payload.startswith(("https://", "http://"))


def render(replies: Sequence[ReplyLike]) -> Rendered:
    """All replies as one text; buttons become numbered lines (links stay links) and are returned as
    the choices a bare number picks next time."""
    blocks: list[str] = []
    choices: list[Choice] = []
    for reply in replies:
        lines = [reply.text.strip()] if reply.text.strip() else []
        numbered: list[str] = []
        for button in reply.buttons:
            if _is_link(button.payload):
                numbered.append(texts.LINK_LINE.format(n=len(choices) + 1, url=button.payload, title=button.title))
            else:
                numbered.append(texts.CHOICE_LINE.format(n=len(choices) + 1, title=button.title))
            choices.append(button)
        if numbered:
            lines.append(texts.CHOICE_HINT)
            lines.extend(numbered)
        if lines:
            blocks.append("\n".join(lines))
    return Rendered(text="\n\n".join(blocks), choices=choices)


def _bytes(s: str) -> int:
    return len(s.encode())


def _cut_long_line(line: str, max_bytes: int) -> list[str]:
    """A single line longer than the limit: cut after the last sentence end that fits, else at the limit."""
    pieces: list[str] = []
    rest = line
    while _bytes(rest) > max_bytes:
        end = 0
        size = 0
        for i, ch in enumerate(rest):
            size += _bytes(ch)
            if size > max_bytes:
                break
            end = i + 1
        head = rest[:end]
        for mark in ("。", "；", "！", "？", ".", ";", "，", ","):
            pos = head.rfind(mark)
            if pos >= len(head) // 2:
                head = head[: pos + 1]
                break
        pieces.append(head)
        rest = rest[len(head) :]
    if rest:
        pieces.append(rest)
    return pieces


def split_text(text: str, max_bytes: int) -> list[str]:
    """Parts of at most ``max_bytes`` UTF-8 bytes, cut between lines (a line is cut only when it alone
    is longer than the limit). Empty text gives no parts."""
    text = text.strip()
    if not text:
        return []
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        pieces = _cut_long_line(line, max_bytes) if _bytes(line) > max_bytes else [line]
        for piece in pieces:
            extra = _bytes(piece) + (1 if current else 0)
            if current and size + extra > max_bytes:
                parts.append("\n".join(current).strip("\n"))
                current, size = [], 0
                extra = _bytes(piece)
            current.append(piece)
            size += extra
    if current:
        parts.append("\n".join(current).strip("\n"))
    return [p for p in parts if p.strip()]


def pick_choice(text: str, choices: Sequence[Choice]) -> Choice | None:
    """The choice a bare number (half- or full-width, optional trailing dot) names, else None."""
    if not choices:
        return None
    match = _CHOICE_RE.match(text.translate(_FULLWIDTH_DIGITS))
    if match is None:
        return None
    n = int(match.group(1))
    return choices[n - 1] if 1 <= n <= len(choices) else None
