"""The evaluation harness sends `/…` turns as button presses (payload and text), other turns as text."""

from __future__ import annotations

from evaluation.run import chat_body


def test_slash_turn_is_a_button_press() -> None:
    press = '/ask_item{"item_code": "nurse-practice-registration"}'
    assert chat_body("s", press) == {"session_id": "s", "text": press, "payload": press}


def test_typed_turn_is_text_only() -> None:
    assert chat_body("s", "护士执业注册要什么材料") == {"session_id": "s", "text": "护士执业注册要什么材料"}
