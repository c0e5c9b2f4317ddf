"""All Chinese wording the custom actions send. A deployment changes wording here, not in logic.

Plain constants and small formatting helpers only; nothing is read at import.
"""

from __future__ import annotations

HOTLINE_12345 = "12345 政务服务便民热线"


def helpline_channels(phone: str) -> str:
    """ "咨询电话 0755-…，或 12345 政务服务便民热线"; just the hotline when the phone is 12345."""
    phone = phone.strip()
    if not phone or phone == "12345":
        return " " + HOTLINE_12345
    return f"咨询电话 {phone}，或 {HOTLINE_12345}"


# --- app unreachable -------------------------------------------------------------------------
APP_DOWN = "抱歉，系统暂时无法查询，请稍后再试。急事可拨打{channels}。"

# --- answers ---------------------------------------------------------------------------------
NO_ANSWER_HELPLINE = "如需进一步咨询，可拨打{channels}，也可以说“转人工”。"
SOURCES_PREFIX = "来源："
SOURCES_SEPARATOR = "；"
# The question sent when a choice button arrives with no earlier question (an overview is asked).
CHOICE_WITHOUT_QUESTION = "办事指南"
CLARIFY_FALLBACK = "您想问的是哪一项？请点选或说得具体一些。"

# --- handoff ---------------------------------------------------------------------------------
HANDOFF = (
    "好的，为您转人工服务：\n"
    "· 拨打{channels}\n"
    "· 遇到“办不成事”，也可以直接说“我要反映问题”，我帮您登记，由专人跟进回复。"
)

# --- complaint (办不成事) intake -------------------------------------------------------------
_INTAKE_OPENING = "很抱歉给您添麻烦了。我来帮您登记“办不成事”反映，由专人跟进答复（也可以拨打 12345 热线反映）。"
ASK_ITEM = _INTAKE_OPENING + "请问您办理的是哪个事项？"
ASK_ITEM_WITH_GUESS = _INTAKE_OPENING + "请问您办理的是哪个事项？是下面这个吗？也可以直接输入事项名称。"
ASK_DESCRIPTION = "请简单说说遇到了什么情况（比如在哪个环节卡住、工作人员怎么说的）。"
DESCRIPTION_TOO_SHORT = "描述有点简单，请再具体说说遇到的情况，方便工作人员核实处理。"
ASK_PLACE = "您是在哪里办理的？"
PLACE_BUTTONS: tuple[tuple[str, str], ...] = (
    ("窗口办理", "窗口办理"),
    ("网上办理", "网上办理"),
    ("其他", "其他"),
    ("跳过", "跳过"),
)
ASK_CONTACT = "请留一个手机号码，方便工作人员联系您反馈处理结果（仅用于本次反映）。"
CONTACT_NOT_RECEIVED = (
    "没有收到完整的手机号码（带 * 号的号码无法联系到您）。请直接输入完整的 11 位手机号码，例如 13800138000，"
    "系统会自动保护您的号码。"
)
CONTACT_INVALID = "这个号码好像不对：请输入 11 位中国大陆手机号码（1 开头，第二位是 3–9），例如 13800138000。"
SUMMARY = (
    "请核对您要反映的内容：\n"
    "· 事项：{item}\n"
    "· 情况：{description}\n"
    "· 办理渠道：{place}\n"
    "· 联系电话：{contact}\n"
    "确认无误请点“确认提交”，不提交请点“取消”。"
)
CONFIRM_BUTTON = "确认提交"
CANCEL_BUTTON = "取消"
CONFIRM_REPROMPT = "请点“确认提交”提交反映，或点“取消”放弃。"
PLACE_UNKNOWN = "未说明"
NOTHING_TO_CANCEL = "好的。还有其他需要可以随时问我。"
COMPLAINT_CANCELLED = "好的，已取消本次反映，没有提交任何信息。还有其他需要可以随时问我。"
TICKET_CREATED = (
    "已为您登记反映，工单编号：{number}（请保存，可凭编号查询进度）。\n"
    "承办单位：{office}\n"
    "我们会在 {ack_due} 前与您联系，{resolve_due} 前办结并答复。"
)
TICKET_SUBMIT_BUSY = (
    "系统繁忙，您的反映暂时没有提交成功，已填写的内容都为您保留着。请稍后点“确认提交”再次提交，或拨打{channels}反映。"
)
TICKET_CREATE_FAILED = "抱歉，登记时系统出了点问题，反映没有提交成功。请稍后再试，或拨打{channels}反映。"

# --- ticket status ---------------------------------------------------------------------------
ASK_TICKET_NUMBER = "请告诉我工单编号（形如 BBC-20261122-0007-KXQRT），我帮您查询办理进度。"
TICKET_STATUS = "工单 {number}（{item}）当前状态：{status}。\n承办单位：{office}；办结时限：{resolve_due}。"
TICKET_REPLY = "处理答复：{reply}"
# Same words, byte for byte, for an unknown number and for someone else's ticket (the number typed is not
# echoed): a lookup never tells them apart.
TICKET_NOT_FOUND = (
    "未找到该工单，请核对编号（形如 BBC-20261122-0007-KXQRT）。"
    "如果工单不是在本次对话中提交的，请把工单编号和联系电话后四位一起发给我，例如“BBC-20261122-0007-KXQRT 尾号1234”。"
)
TICKET_LOOKUP_LIMITED = "查询次数过多，请稍后再试，或拨打{channels}咨询。"

# --- rating ----------------------------------------------------------------------------------
RATING_THANKS = "感谢您的评价（{rating}）！"
RATING_RECTIFY = "对您的不满意评价，我们会督促承办单位整改，并再次与您联系。"
RATING_FAILED = "抱歉，评价暂时没有提交成功，请稍后再试。"
RATING_FORBIDDEN = "只有提交该工单的对话可以评价这张工单。"
RATING_ALREADY = "这张工单已经评价过了，感谢您的反馈。"
RATING_UNKNOWN_TICKET = "没有找到要评价的工单，请核对工单编号。"
