"""Chinese wording the tickets side shows to citizens and handlers (change wording here, not in logic)."""

from __future__ import annotations

REPLY_TO_CITIZEN = "【办不成事反映 {number}】{office}答复：{text}"
CLOSED_NOTICE = "您反映的问题（编号 {number}）已办结。"
RATING_REQUEST = "请对本次办理结果进行评价（编号 {number}）："
RATING_THANKS = "感谢您的评价！"
RATING_BAD_FOLLOWUP = "我们已将您的评价转为整改事项，将在{due}前回访您。"
FORWARDED_NOTICE = "您反映的问题（编号 {number}）已转12345政务服务便民热线办理。"

HOTLINE_UNCONFIGURED = "未配置"
DELIVERY_STATUS = {"pending": "待发送", "delivered": "已送达", "failed": "发送失败"}

EVENT_KIND = {
    "created": "提交",
    "status": "状态变更",
    "assign": "分派",
    "note": "内部备注",
    "reply": "答复群众",
    "forward": "转12345",
    "reroute": "改派科室",
    "rating": "群众评价",
    "rectification_opened": "启动整改",
    "rectification_note": "整改回访记录",
    "rectification_closed": "整改办结",
    "delivery_failed": "投递失败",
    "delivered": "投递成功",
    "contact_viewed": "查看联系电话",
    "personal_data_removed": "个人信息到期删除",
}

ROUTED_BY = {"item": "按事项", "name": "按事项名称", "category": "按事项类别", "triage": "待分拣", "manual": "人工改派"}

ACTOR_SYSTEM = "系统"
ACTOR_CITIZEN = "群众"
PERSONAL_DATA_REMOVED = "（已超过保存期限，个人信息已删除）"

CSV_HEADER = [
    "编号",
    "事项",
    "事项编码",
    "承办科室",
    "状态",
    "渠道",
    "提交时间",
    "受理期限",
    "办结期限",
    "是否超期",
    "承办人",
    "答复时间",
    "办结时间",
    "评价",
    "整改状态",
    "联系方式（脱敏）",
    "问题描述",
    "发生地点",
]
YES = "是"
NO = "否"

# Desk login and accounts (bot/tickets/router_desk.py, router_accounts.py, passwords.py).
LOGIN_FAILED = "用户名或密码错误"
LOGIN_THROTTLED = "登录尝试过于频繁，请 {s} 秒后再试"
PASSWORD_TOO_SHORT = "密码至少需要 {n} 个字符"
PASSWORD_TOO_WEAK = "密码太容易被猜到（常见密码、键盘序列或包含用户名），请换一个更长、更不规律的密码"
ORIGIN_REFUSED = "请求来源不被允许"
DESK_ROLE_REFUSED = "工单处理台仅供处理人员和管理员使用；编辑、审核人员请使用知识库控制台 /console"

# First start without any staff account (bot/tickets/first_admin.py): written once to the terminal, never logged.
FIRST_ADMIN_BANNER = (
    "\n==================== 首个管理员账号（仅显示这一次） ====================\n"
    "用户名：{username}\n"
    "密码：  {password}\n"
    "用它登录工单后台 /desk（知识库控制台 /console 同一账号），登录后请在“账号管理”中为自己重设密码、\n"
    "为同事建号。此密码不会写入日志或文件；遗失后用 python -m bot.tickets.admin set-password {username} 重设。\n"
    "======================================================================\n\n"
)
