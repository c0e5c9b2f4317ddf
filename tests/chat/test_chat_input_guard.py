"""Input limits of the chat gateway."""

from __future__ import annotations

import pytest

from bot.chat.input_guard import RejectReason, check_input, normalise_input


@pytest.mark.parametrize("text", ["", " ", "\n\t  ", "\u3000\u3000"])  # incl. full-width spaces
def test_empty_or_whitespace_is_rejected(text: str) -> None:
    rejection = check_input(text, max_chars=500)
    assert rejection is not None and rejection.reason is RejectReason.EMPTY
    assert "请输入" in rejection.message


def test_length_limit_is_inclusive_and_counts_characters() -> None:
    assert check_input("问" * 500, max_chars=500) is None
    rejection = check_input("问" * 501, max_chars=500)
    assert rejection is not None and rejection.reason is RejectReason.TOO_LONG
    assert "500" in rejection.message and "501" in rejection.message


def test_surrounding_whitespace_does_not_count() -> None:
    assert check_input("  " + "问" * 500 + "\n", max_chars=500) is None


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\x07", "\x7f", "\u0085", "\u2028", "\r", "\ud800"])
def test_control_characters_are_rejected(bad: str) -> None:
    rejection = check_input(f"护士注册{bad}材料", max_chars=500)
    assert rejection is not None and rejection.reason is RejectReason.CONTROL_CHARS


@pytest.mark.parametrize("ok", ["第一行\n第二行", "a\tb", "windows\r\nline", "emoji 😀", "<b>html</b>"])
def test_allowed_text(ok: str) -> None:
    assert check_input(ok, max_chars=500) is None


def test_normalise_folds_crlf_and_trims() -> None:
    assert normalise_input("  a\r\nb  ") == "a\nb"
