"""A button press the session was not offered, read as the words the button stands for.

The gateway sends Rasa only the payloads it offered to this session (`OfferedPayloadStore`); anything else is
typed text. A press of an item's sub-item button that was not offered (a stale page, another channel, a client
that builds the button itself) is still a plain question: `/ask_item{"item_code": c, "sub_item": s}` becomes
"<item name> <sub-item>" as typed text, which the gate and the engine read like any question. Only an item the
live knowledge base holds and a short sub-item word are turned into words; nothing else is.
"""

from __future__ import annotations

import json
from collections.abc import Callable

# actions/meta.py's ASK_ITEM_PAYLOAD: the Rasa environment's copy (tests/rasa/test_meta_contract.py proves they
# agree). The payload is `/ask_item{"item_code": …, "sub_item": …}` (actions/answer.py's button_payload).
ASK_ITEM_PAYLOAD = "/ask_item"
_SUB_ITEM_MAX_CHARS = 8

ItemName = Callable[[str], "str | None"]


def words_of_press(payload: str, item_name: ItemName) -> str | None:
    """The question an item button stands for ("护士执业注册 注销"), or None when `payload` is not such a button
    or names no item of the knowledge base."""
    if not payload.startswith(ASK_ITEM_PAYLOAD + "{"):
        return None
    try:
        entities = json.loads(payload[len(ASK_ITEM_PAYLOAD) :])
    except ValueError:
        return None
    if not isinstance(entities, dict):
        return None
    code = entities.get("item_code")
    name = item_name(code) if isinstance(code, str) and code else None
    if name is None:
        return None
    sub_item = entities.get("sub_item")
    if isinstance(sub_item, str) and 0 < len(sub_item.strip()) <= _SUB_ITEM_MAX_CHARS:
        return f"{name} {sub_item.strip()}"
    return name
