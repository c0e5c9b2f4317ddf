"""Names and definitions of the dashboard's figures (shown beside each figure and in the README)."""

from __future__ import annotations

# figure key → (label, definition)
FIGURES: dict[str, tuple[str, str]] = {
    "conversations": (
        "会话数",
        "期间内开始的会话：第一轮对话落在期间内的会话标识数（跨期间的会话只计入开始的那一天）。",
    ),
    "questions": ("提问数", "期间内答复类型为答复、澄清、无答案或超出范围的对话轮次（不含寒暄、被拒输入、工单操作）。"),
    "answered_guide": ("依据办事指南答复", "答复类型为“答复”且来源为办事指南的轮次。"),
    "answered_policy": ("依据政策文件答复", "答复类型为“答复”且来源为政策文件（工作方案要点）的轮次。"),
    "clarified": ("澄清", "请群众在多个事项或情形中选择的轮次。"),
    "no_answer_kb": ("无答案：知识库未收录", "知识库没有相应办事指南、如实告知并给出咨询电话的轮次。"),
    "no_answer_other_dept": ("无答案：属其他部门", "问题属于其他部门业务（如公积金、护照），答复中指明该部门的轮次。"),
    "handoff": ("转人工", "答复类型为转人工或升级（handoff、escalate）的轮次，包括对话服务不可用时的转人工。"),
    "feedback": (
        "👍/👎 比例（好评占比）",
        "期间内群众在网页对话中对助手答复（答复、澄清、无答案）所投的 👍 数占 👍 与 👎 总数的比例；"
        "同一条答复只计最后一次评价，按评价日计；期间内无人评价时显示“—”。",
    ),
    "feedback_up": ("👍 有帮助", "期间内对助手答复投 👍 的次数（同一条答复只计最后一次评价）。"),
    "feedback_down": ("👎 没帮助", "期间内对助手答复投 👎 的次数（同一条答复只计最后一次评价），原因分布见导出。"),
    "top_unanswered": ("未答复问题排行", "无答案轮次的问题文本（已脱敏）按出现次数排序，前 10 条。"),
    "tickets_received": ("收到办不成事反映", "期间内提交的办不成事工单数。"),
    "tickets_in_progress": (
        "办理中",
        ("当前未办结的工单（含已受理、办理中、已转12345、已退回/改派、已答复未办结、挂起）。"),
    ),
    "tickets_overdue": ("已超期", "当前未办结且已过办结期限（或未受理且已过受理期限）的工单，挂起的不计。"),
    "tickets_due_soon": ("即将到期", "当前未办结、未超期，办结期限在即将到期提醒天数（工作日）之内的工单。"),
    "on_time_rate": ("按期办结率", "期间内办结的工单中，办结日不晚于办结期限（工作日计，挂起顺延）的比例。"),
    "avg_handling_days": ("平均办理时长（工作日）", "期间内办结的工单，从提交日到办结日之间的工作日数的平均值。"),
    "forwarded_12345": ("转12345", "期间内提交、且曾转12345的工单数。"),
    "reopened": ("重新办理", "期间内由已办结重新转为办理中的次数。"),
    "ratings_received": ("收到评价", "期间内群众提交的好差评数。"),
    "rating_distribution": ("评价分布", "非常满意、满意、基本满意、不满意、非常不满意五档的评价数。"),
    "good_rate": ("好评率", "非常满意、满意、基本满意三档之和占评价数的比例。"),
    "bad_count": ("差评数", "不满意与非常不满意的评价数。"),
    "rectification_on_time": (
        "差评整改按期率",
        ("期间内差评所启动的整改中，在整改期限内办结的比例（未到期且未办结的不计入分母）。"),
    ),
    "callback_rate": ("回访率", "期间内实名差评（留有联系电话）中已记录回访的比例；目标 100%。"),
}

SERIES: dict[str, str] = {
    "questions": "提问",
    "answered": "已答复（指南+政策）",
    "no_answer": "无答案",
    "handoff": "转人工",
    "tickets_received": "收到工单",
    "tickets_closed": "办结工单",
}


# 👎 reasons as the widget offers them ("" = no reason given)
FEEDBACK_REASONS: dict[str, str] = {
    "off_topic": "答非所问",
    "outdated": "内容过时",
    "unclear": "看不懂",
    "other": "其他",
    "": "未选原因",
}
