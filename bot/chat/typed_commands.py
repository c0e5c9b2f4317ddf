"""Typed text that looks like a command: never an intent for Rasa (``neutralise_command``), and the one payload the
gateway itself sends to leave an intake (``CANCEL_PAYLOAD``)."""

from __future__ import annotations

from bot.chat import texts

_SLASHES = "/／"
CANCEL_PAYLOAD = "/cancel"
"""Rasa's `cancel` intent (domain.yml; data/rules/complaint.yml ends the intake on it): sent by the gateway to leave
an intake opened for a question (tests/chat/test_leave_intake.py checks both files)."""


def neutralise_command(text: str) -> str:
    """Typed text is never an intent: leading slashes go (``/greet`` → ``greet``; ``/`` alone → ``／``).

    A typed reset command (``/restart``, ``/cancel``, ``/stop``…) becomes the words a citizen would use
    (``取消``): the assistant understands those in any state, so a citizen who types it is never stuck in
    an intake — but the command itself never reaches Rasa.
    """
    stripped = text.lstrip(_SLASHES + " \t")
    if stripped == text:
        return text
    word = stripped.split("{", 1)[0].strip().lower()
    if word in texts.TYPED_RESET_COMMANDS:
        return texts.TYPED_RESET_WORDS
    return stripped or "／"
