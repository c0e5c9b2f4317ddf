"""Chinese wording of the chat gateway. Change the words here, not in the logic."""

from __future__ import annotations

HELPLINE = "12345 政务服务便民热线"

REJECT_EMPTY = "您还没有输入内容，请输入您想咨询的问题。"
REJECT_TOO_LONG = "您输入的内容太长了（最多 {limit} 个字，您输入了 {length} 个字），请精简后分几次发送。"
REJECT_CONTROL_CHARS = "您的输入中含有无法识别的特殊字符，请删除后重新发送。"

RASA_UNAVAILABLE = f"非常抱歉，智能助手暂时无法提供服务，我们正在尽快恢复。如需帮助，请拨打{HELPLINE}，或稍后再试。"

LOOKUP_RATE_LIMITED = f"查询工单的次数过多，请稍后再试；如需帮助，请拨打{HELPLINE}。"

# Typed reset commands (``/restart`` …) reach Rasa as these words, never as a command.
TYPED_RESET_COMMANDS = frozenset({"restart", "reset", "cancel", "stop", "quit", "exit"})
TYPED_RESET_WORDS = "取消"

# A dependency of the turn failed (action server, database): nothing the citizen said is filed; they resend.
SYSTEM_BUSY = f"系统繁忙，您刚才的消息没有处理成功，请稍后重新发送（已填写的反映内容会保留）；也可以拨打{HELPLINE}。"
_CONTACT_NOT_SAVED = "系统繁忙，您发送的手机号码暂时无法保存，这条消息没有提交，以免工作人员联系不到您。"
CONTACT_NOT_SAVED = _CONTACT_NOT_SAVED + f"请稍后重新发送，或拨打{HELPLINE}。"
