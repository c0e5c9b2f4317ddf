"""Desk password policy: a minimum length and a zxcvbn strength score.

zxcvbn matches common-password lists (its frequency dictionaries hold tens of thousands of leaked
passwords), names, keyboard patterns, dates and repeats, and scores 0–4; the username and display
name are passed as user inputs so a password built from them scores low.
"""

from __future__ import annotations

import logging

from zxcvbn import zxcvbn

from bot.tickets import texts
from bot.tickets.config import get_ticket_settings

logger = logging.getLogger(__name__)


class WeakPasswordError(Exception):
    """The password does not meet the policy; the message is the user-facing reason."""


def check_password(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    settings = get_ticket_settings()
    if len(password) < settings.desk_password_min_length:
        raise WeakPasswordError(texts.PASSWORD_TOO_SHORT.format(n=settings.desk_password_min_length))
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if int(result["score"]) < settings.desk_password_min_score:
        raise WeakPasswordError(texts.PASSWORD_TOO_WEAK)
