"""Numbered choices, splitting at WeChat's text limit, and the customer-service quota."""

from __future__ import annotations

import datetime as dt

from bot.channels.wechat import quota
from bot.channels.wechat.formatting import Choice, ReplyLike, pick_choice, render, split_text

T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_buttons_become_numbered_choices_and_links_stay_links() -> None:
    two = [Choice(title="甲", payload="/a"), Choice(title="乙", payload="/b")]
    rendered = render(
        [
            ReplyLike(text="您想办理哪一项？", buttons=two),
            ReplyLike(text="详见指南", buttons=[Choice(title="指南", payload="https://zwfw.example.gov.cn/g")]),
        ]
    )
    assert rendered.text.splitlines() == [
        "您想办理哪一项？",
        "请回复序号选择：",
        "1. 甲",
        "2. 乙",
        "",
        "详见指南",
        "请回复序号选择：",
        '3. <a href="https://zwfw.example.gov.cn/g">指南</a>',
    ]
    assert [c.payload for c in rendered.choices] == ["/a", "/b", "https://zwfw.example.gov.cn/g"]


def test_pick_choice_accepts_bare_numbers_only() -> None:
    choices = [Choice(title="甲", payload="/a"), Choice(title="乙", payload="/b")]
    assert pick_choice("2", choices) == choices[1]
    assert pick_choice(" １ ", choices) == choices[0]
    assert pick_choice("1.", choices) == choices[0]
    assert pick_choice("3", choices) is None
    assert pick_choice("0", choices) is None
    assert pick_choice("1号窗口在哪", choices) is None
    assert pick_choice("1", []) is None


def test_split_keeps_lines_whole_and_parts_within_the_byte_limit() -> None:
    lines = [f"第{i}条：" + "材料说明" * 10 for i in range(40)]
    text = "\n".join(lines)
    parts = split_text(text, 600)
    assert len(parts) > 1
    assert all(len(p.encode()) <= 600 for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines  # no line cut, none lost, order kept


def test_a_single_overlong_line_is_cut_at_a_sentence_end() -> None:
    line = "。".join(["一句话的内容" * 5] * 30) + "。"
    parts = split_text(line, 300)
    assert all(len(p.encode()) <= 300 for p in parts)
    assert "".join(parts) == line
    assert all(p.endswith("。") for p in parts[:-1])


def test_short_text_is_one_part_and_empty_text_none() -> None:
    assert split_text("您好", 2048) == ["您好"]
    assert split_text("  \n ", 2048) == []


def test_quota_message_opens_48_hours_with_five_messages() -> None:
    q = quota.after_action(None, quota.MESSAGE, T0)
    assert q == quota.Quota(5, T0 + dt.timedelta(hours=48))
    assert quota.check(q, T0 + dt.timedelta(hours=47)) is quota.Verdict.ok
    assert quota.check(q, T0 + dt.timedelta(hours=48, seconds=1)) is quota.Verdict.outside_window
    assert quota.check(quota.Quota(0, q.valid_until), T0) is quota.Verdict.exhausted
    assert quota.check(None, T0) is quota.Verdict.outside_window


def test_quota_does_not_add_up_but_takes_the_larger() -> None:
    after_msg = quota.Quota(1, T0 + dt.timedelta(hours=48))
    after_click = quota.after_action(after_msg, quota.SHORT_ACTION, T0 + dt.timedelta(minutes=5))
    assert after_click == quota.Quota(3, T0 + dt.timedelta(hours=48))
    again = quota.after_action(after_click, quota.MESSAGE, T0 + dt.timedelta(hours=1))
    assert again == quota.Quota(5, T0 + dt.timedelta(hours=49))
    expired = quota.after_action(quota.Quota(4, T0), quota.SHORT_ACTION, T0 + dt.timedelta(hours=1))
    assert expired == quota.Quota(3, T0 + dt.timedelta(hours=1, minutes=1))
