"""What a message typed into the 办不成事 intake may fill (pure rules, used by ``actions.complaint_form``): the
channel it names, the phone number in it, whether it echoes a payload or tells the story while naming the item."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)

NARRATIVE_ITEM_ANSWER_CHARS = 30
"""An answer to "which item?" this long tells what happened too (`narrative_item_answer`): it fills the description as
well as the item, so the intake does not ask again for a story it was just told. Naming an item takes far fewer
characters ("放射工作人员证", "就是护士执业注册那个")."""


def intent_names(domain: Mapping[str, Any]) -> frozenset[str]:
    """The domain's intent names (entries are names, or one-key mappings of a name to its options)."""
    names: set[str] = set()
    for entry in domain.get("intents") or []:
        if isinstance(entry, str):
            names.add(entry)
        elif isinstance(entry, dict):
            names.update(str(key) for key in entry)
    return frozenset(names)


def echoes_payload(text: str, domain: Mapping[str, Any]) -> bool:
    """Rule `payload_is_no_text`: a text that is a button payload — a slash command, or the bare name of one of the
    domain's intents ("affirm": a stale confirm button the gateway had not offered, sent on as typed words with its
    slash removed) — never fills a free-text slot (the item, the description, the place)."""
    stripped = text.strip()
    word = stripped.lstrip("/／").split("{", 1)[0].strip()
    return stripped.startswith(("/", "／")) or word in intent_names(domain)


def narrative_item_answer(text: str, *, kept: bool) -> bool:
    """Rule `narrative_item_answer`: an answer to "which item?" of at least NARRATIVE_ITEM_ANSWER_CHARS characters
    ("就是在卫健局窗口办放射工作人员证说我们单位的申请表盖章不对…已经拖了二十多天了") tells what happened as well: it is
    the description too, unless one is already `kept`."""
    return not kept and len(text.strip()) >= NARRATIVE_ITEM_ANSWER_CHARS


MASKED_MOBILE = re.compile(r"(?<![\d*])1[3-9]\d\*{4}(\d{4})(?![\d*])")
"""A mobile number masked as the privacy layer masks it (139****5678); group 1 is its last four digits."""
RAW_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
"""A mainland mobile number as typed (11 digits, 1[3-9]…); the one definition the actions use."""

PLACE_WINDOW = "窗口"
PLACE_ONLINE = "网上"
PLACE_OTHER = "其他"
_WINDOW_WORDS = ("窗口", "大厅", "现场", "柜台", "服务中心", "办事处")
_ONLINE_WORDS = ("网上", "线上", "网站", "网页", "app", "小程序", "政务服务网", "公众号", "粤省事", "手机上")
SKIP_WORDS = ("跳过", "不想说", "不清楚", "不记得", "忘了", "不说")


def detect_place(text: str) -> str | None:
    """窗口 / 网上 when the text names the channel, else None."""
    low = text.lower()
    if any(w in low for w in _ONLINE_WORDS):
        return PLACE_ONLINE
    if any(w in low for w in _WINDOW_WORDS):
        return PLACE_WINDOW
    return None


CONTACT_ONLY_RESIDUE = 6
"""A message giving a mobile number says at most this many characters beside it (punctuation aside: "联系电话",
"我的手机号是") when it answers nothing but the contact (`contact_only`)."""
_CONTACT_NOISE = re.compile(r"[\s\W_]")


def contact_only(text: str) -> bool:
    """Rule `contact_is_no_place`: a message giving a mobile number and saying next to nothing else ("139****5678",
    "联系电话186****1234") answers the contact, not "where did you apply?": it never fills the place with the number,
    the place is then unknown (the citizen skipped it)."""
    found = find_contact(text)
    if found is None or detect_place(text) is not None:
        return False
    rest = MASKED_MOBILE.sub("", RAW_MOBILE.sub("", text))
    return len(_CONTACT_NOISE.sub("", rest)) <= CONTACT_ONLY_RESIDUE


def find_contact(text: str) -> str | None:
    """The masked mobile in a text; a raw number (gateway bypassed) is masked here."""
    found = MASKED_MOBILE.search(text)
    if found:
        return found.group(0)
    raw = RAW_MOBILE.search(text)
    if raw:
        return f"{raw.group(1)}****{raw.group(3)}"
    return None
