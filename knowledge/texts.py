"""Every Chinese sentence the knowledge engine writes, in one place, so a deployment can reword them."""

from __future__ import annotations

FIELD_LABELS = {
    "statutory_time_limit": "法定办结时限",
    "promised_time_limit": "承诺办结时限",
    "fee": "收费标准",
    "location": "办理地点",
    "hours": "办理时间",
    "phone": "咨询电话",
    "online": "网上办理",
    "result": "办理结果",
    "validity": "有效期",
    "legal_basis": "设定依据",
    "implementing_body": "实施机关",
    "item_type": "事项类型",
    "commitment": "告知承诺",
}

ASPECT_NAMES = {
    "materials": "申请材料",
    "time_limit": "办理时限",
    "fee": "收费",
    "conditions": "受理条件",
    "location": "办理地点",
    "online": "网上办理",
    "result": "办理结果",
    "validity": "有效期",
    "basis": "设定依据",
    "process": "办理流程",
    "overview": "事项概况",
}

HEADER = "【{title}】{aspect}（{region}）"
NOT_STATED = "本指南未载明{label}。"
ASK_HUMAN = "如需确认，请致电{phone}咨询。"
ASK_HUMAN_NO_PHONE = "如需确认，请拨打政务服务便民热线{helpline}或到当地政务服务中心咨询。"
MATERIALS_INCOMPLETE = "（公开来源的材料清单摘录不完整，请以当地政务服务网公布的为准。）"
MATERIAL_DETAIL = "（{detail}）"
SOURCE_LINE = "来源：{title}"
VERIFIED_LINE = "适用地区：{region}；资料核实日期：{date}"
LOCAL_NOTE = "说明：以上为{region}的办事指南，其他地区的要求可能不同。"
DRAFT_NOTE = "注意：此内容来自征求意见稿，不是正式施行的规定。"
SUPERSEDED_NOTE = "注意：此指南已不再适用，仅供参考。"
WEAK_SOURCE_NOTE = "提示：此信息来自非官方转载，请以官方渠道为准。"
OTHER_SUB_ITEMS = "该事项还有其他情形：{names}，可点击查看。"
GUIDE_NOTE = "备注：{note}"
RELATED_LINE = "另见本指南{label}{line}"
# a related line's label when it is no field's
RELATED_LABELS = {"note": "备注", "faq": "常见问题解答", "body": "实施机关"}

CLARIFY = "您想问的是哪一个事项？请选择："
CLARIFY_SUB_ITEM = "【{name}】分为几种情形，您办理的是哪一种？"
NO_ANSWER = "抱歉，知识库中没有找到关于“{question}”的办事指南，我不能凭猜测回答。"
REFERRAL = "“{keyword}”相关业务一般由{department}办理，不属于卫生健康部门的办事指南范围。"
COMPLAINT_REFERRAL = "对“{keyword}”的意见和投诉一般由{department}受理，不属于卫生健康部门的办事范围。"
NOT_HELD = "“{matter}”属于卫生健康领域的事项，但知识库中没有它的办事指南，不能用其他事项的指南代替回答。"
OTHER_DEPARTMENT = "这看起来不属于卫生健康部门的业务，卫生健康委的办事指南里没有相关内容。"
NO_ANSWER_HINT = "您可以拨打政务服务便民热线{helpline}，或到当地政务服务中心咨询。"

FAQ_HEADER = "【{name}】常见问题（{region}）"
FAQ_QUESTION = "问：{question}"
FAQ_ANSWER = "答：{answer}"
FAQ_LOCAL_NOTE = "说明：以上为{region}的常见问题解答，其他地区的规定可能不同。"
FAQ_REGION_UNSTATED = "说明：来源未载明这条问答适用的地区，请以当地规定为准。"
FAQ_VERIFIED_LINE = "资料核实日期：{date}"

POLICY_HEADER = "【{topic}】"
POLICY_SOURCE = "来源：{title}（{issuer}，{date}）"

OVERVIEW_SUB_ITEMS = "包括的情形：{names}"
OVERVIEW_ASK_MORE = "您可以继续问：需要什么材料、多久办好、收费吗、在哪里办。"

UNSTATED = "知识库中“{name}”的办事指南没有载明{what}，我不能凭猜测回答。"
REGION_NO_GUIDE = "知识库中没有{region}的“{name}”办事指南，我不能凭其他地区的指南代为回答。"
REGION_MISSING = "知识库中没有{region}的“{name}”办事指南，以下是{guide_region}的指南，供参考。"
COMMON_PART = "各情形都需要："
SIDE_BY_SIDE_HEADER = "【{name}】{aspect}（按情形）"
SIDE_BY_SIDE_ENTRY = "{label}（{region}）："
ASPECT_SECTION = "— {aspect} —"
