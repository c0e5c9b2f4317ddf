"""Citizen-facing Chinese wording of the WeChat channel."""

from __future__ import annotations

WELCOME = (
    "您好，欢迎关注！我是卫生健康政务服务助手，可以帮您：\n"
    "· 查办事指南：直接输入事项，如“护士执业注册要什么材料”\n"
    "· 反映问题：输入“我要反映”\n"
    "· 查询工单：输入“查询工单”加工单号\n"
    "· 转人工：输入“转人工”"
)
GUIDE_PROMPT = "请直接输入您要办理的事项或问题，例如：“护士执业首次注册需要什么材料”。"
VOICE_UNSUPPORTED = "抱歉，暂时无法识别语音消息，请用文字输入您的问题。"
UNSUPPORTED_MEDIA = "收到，谢谢！目前只能处理文字消息，请用文字描述您的问题。"
UNKNOWN_MENU = "抱歉，这个菜单暂不可用，请直接输入您的问题。"
CHOICE_HINT = "请回复序号选择："
CHOICE_LINE = "{n}. {title}"
LINK_LINE = '{n}. <a href="{url}">{title}</a>'

# Menu CLICK keys → what the citizen would have typed (None: a fixed reply instead).
MENU_TEXTS: dict[str, str | None] = {
    "GUIDE": None,
    "COMPLAIN": "我要反映办不成的事",
    "TICKET_STATUS": "查询工单",
    "HUMAN": "转人工",
}

UNDELIVERABLE_WINDOW = "微信48小时客服消息时限已过，无法送达，请电话联系市民（见本工单联系电话）"
UNDELIVERABLE_QUOTA = "微信客服消息条数已用完，无法送达，请电话联系市民（见本工单联系电话）"
