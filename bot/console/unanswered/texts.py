"""User-facing wording of the unanswered-questions list (API messages; the page has its own labels)."""

from __future__ import annotations

SOURCES: dict[str, str] = {
    "no_answer": "知识库未收录",
    "other_department": "属其他部门",
    "low_confidence": "低置信度答复",
    "clarify_abandoned": "澄清后未选择",
    "handoff": "转人工",
    "thumbs_down": "群众点踩",
}
STATUSES: dict[str, str] = {
    "open": "待处理",
    "linked": "已关联事项",
    "other_department": "属其他部门",
    "dismissed": "已忽略",
}
NOT_FOUND = "找不到这个问题组，或它不属于您的科室。"
ALREADY_RESOLVED = "这个问题组已经处理过了。"
NOT_YOUR_ITEM = "您只能修改本科室的事项。"
UNKNOWN_ITEM = "找不到这个事项。"
UNKNOWN_GUIDE = "这个事项没有该办事指南。"
FAQ_NEEDS_ANSWER = "以常见问题关联时，请填写答案（须引用办事指南原文）。"
DUPLICATE_ALIAS = "该事项已有这个别名。"
DUPLICATE_KEYWORD = "转介关键词已存在。"
REFERRALS_REVIEWERS_ONLY = "转介清单只能由审核人员或管理员修改；可只标记为其他部门，不填关键词。"
CONFLICT = "该文档刚被其他人修改，请刷新后重试。"
ALREADY_OPEN = "这个问题组本来就是待处理状态。"
