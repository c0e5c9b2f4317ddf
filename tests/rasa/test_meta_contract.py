"""The reply meta is defined twice, because the two environments cannot share a module: `actions/meta.py`
(rasa-sdk, Python 3.10, pydantic 1) builds it, `bot/chat/schemas.py` (the app, Python 3.11, pydantic 2)
passes it on. The app's file is read as source here (its pydantic 2 cannot be imported in Rasa's
environment), and the two must agree: the same kinds, and every key the actions send is a field the
gateway keeps."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

from actions.meta import Kind, build_meta

SCHEMAS = Path(__file__).resolve().parents[2] / "bot" / "chat" / "schemas.py"


def _app_source() -> ast.Module:
    return ast.parse(SCHEMAS.read_text(encoding="utf-8"))


def _app_kinds(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "Kind" for t in node.targets):
            assert isinstance(node.value, ast.Subscript)
            elements = node.value.slice
            assert isinstance(elements, ast.Tuple)
            return [e.value for e in elements.elts if isinstance(e, ast.Constant)]
    raise AssertionError("bot/chat/schemas.py defines no Kind")


def _app_meta_fields(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Meta":
            return {s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)}
    raise AssertionError("bot/chat/schemas.py defines no Meta")


def test_both_sides_know_the_same_kinds() -> None:
    assert _app_kinds(_app_source()) == list(get_args(Kind))


def test_every_meta_key_the_actions_send_is_kept_by_the_gateway() -> None:
    sent = set(build_meta("answer")["meta"])
    fields = _app_meta_fields(_app_source())
    assert sent <= fields, sorted(sent - fields)
    assert fields - sent == {"turn_id"}  # set by the gateway once the turn is recorded


def test_the_gateway_reads_item_buttons_in_the_form_the_actions_write_them() -> None:
    """`bot/chat/pressed_words.py` (the app) keeps its own copy of the item button's payload prefix."""
    from actions.meta import ASK_ITEM_PAYLOAD

    source = ast.parse((SCHEMAS.parent / "pressed_words.py").read_text(encoding="utf-8"))
    copies = [
        node.value.value
        for node in source.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "ASK_ITEM_PAYLOAD" for t in node.targets)
        and isinstance(node.value, ast.Constant)
    ]
    assert copies == [ASK_ITEM_PAYLOAD]
