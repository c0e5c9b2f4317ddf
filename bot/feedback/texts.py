"""User-facing wording of answer feedback (the widget has its own copy of the reason labels)."""

from __future__ import annotations

# reason key → label shown in the widget, the console and the CSV export
REASONS: dict[str, str] = {
    "off_topic": "答非所问",
    "outdated": "内容过时",
    "unclear": "看不懂",
    "other": "其他",
}
VOTES: dict[str, str] = {"up": "👍 有帮助", "down": "👎 没帮助"}

NOT_FOUND = "找不到这条答复（只能评价本次对话中助手的答复）。"
RATE_LIMITED = "评价次数过多，请稍后再试。"
