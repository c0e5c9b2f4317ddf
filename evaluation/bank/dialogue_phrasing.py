"""Phrasing material for the generated multi-turn conversations (evaluation/bank/dialogues.py).

Each list entry is one *template*; its index is part of the conversation's family, so a template (a way
of asking a follow-up, of naming a region mid-way …) lands wholly in the tuning or wholly in the blind
part. Follow-ups carry no item name: they ask only for an aspect, in the ways citizens type them.
"""

from __future__ import annotations

# First turns: a plain question naming the item ({n}) and one aspect.
FIRST: dict[str, list[str]] = {
    "materials": ["{n}需要哪些材料", "办{n}要准备什么资料？", "请问{n}的申请材料有哪些"],
    "time_limit": ["{n}多久能办好", "{n}的办理时限是多少？", "{n}审批要几天"],
    "fee": ["{n}收费吗", "办{n}要多少钱？"],
    "location": ["{n}在哪里办", "{n}去哪个地方办理？"],
    "conditions": ["办{n}需要什么条件", "{n}的申请条件是什么？"],
    "overview": ["我想了解一下{n}", "{n}是什么事项，怎么办"],
}

# Follow-ups asking only for an aspect: with and without 那/呢, colloquial, terse, formal.
FOLLOWUP: dict[str, list[str]] = {
    "time_limit": [
        "那要多久？",
        "多久",
        "要几天",
        "几天能办好呢",
        "大概多长时间能批下来",
        "那得等多久啊",
        "办下来要几个工作日",
        "时限呢",
        "多长时间出结果",
        "那审批周期是多少",
        "需要等很久吗",
        "一般几天",
    ],
    "fee": [
        "要钱吗",
        "那收费吗？",
        "费用呢",
        "要交多少钱",
        "收不收费啊",
        "是免费的吗",
        "得花多少钱",
        "有没有工本费",
        "那办这个要交钱不",
        "收费标准是啥",
    ],
    "location": [
        "去哪办",
        "在哪里办理",
        "那地点呢",
        "要去哪个窗口",
        "办理地址在哪",
        "到哪儿去交材料",
        "去哪个部门办",
        "线下在哪办呢",
        "受理窗口在什么地方",
    ],
    "online": [
        "网上能办吗",
        "可以在网上申请吗？",
        "能不能线上办",
        "手机上能办不",
        "有没有网上办理的渠道",
        "不用跑腿可以办吗",
        "那网上怎么办呢",
        "能在政务服务网办吗",
    ],
    "materials": [
        "需要带啥",
        "要带什么材料",
        "那材料呢",
        "得准备哪些东西",
        "要交哪些资料啊",
        "需要提供什么证件",
        "要带身份证吗",
        "材料清单有吗",
        "那要准备什么",
    ],
    "conditions": [
        "什么条件能办",
        "有什么要求吗",
        "那申请条件呢",
        "我够不够条件",
        "需要满足啥条件",
        "谁可以申请",
    ],
    "process": [
        "流程是怎样的",
        "怎么个办法，步骤呢",
        "办理流程呢",
        "具体怎么操作",
        "先干啥后干啥",
    ],
    "validity": ["有效期多久", "证能用几年", "那有效期呢", "过几年要换吗"],
}

# A region named mid-way ({r}: a place), with the aspect kept from the conversation.
REGION: list[str] = [
    "那{r}呢",
    "{r}的呢？",
    "我在{r}",
    "我是{r}的，那边怎么办",
    "如果在{r}办呢",
    "换成{r}的",
    "{r}那边是什么情况",
    "我人在{r}，一样吗",
]

# Places the knowledge base holds no guide for (any item): the answer must say so, not pretend.
UNKNOWN_REGIONS = ["南京", "哈尔滨", "厦门", "天津", "贵阳", "呼和浩特", "苏州", "大连"]

# General questions on an item with sub-items, asking a list aspect without saying which sub-item.
GENERAL_LIST: dict[str, list[str]] = {
    "materials": ["{n}要什么材料", "办{n}得交哪些资料", "{n}申请材料清单"],
    "conditions": ["{n}需要满足什么条件", "什么情况下能办{n}"],
    "process": ["{n}的流程是怎样的", "{n}怎么办理，步骤有哪些"],
}

# Policy questions in the middle of a conversation ({p}: the policy's name as citizens say it).
POLICY_MID: list[str] = [
    "{p}是怎么回事",
    "听说有{p}，是什么意思",
    "那{p}是什么政策",
    "{p}具体是指什么",
    "顺便问下，{p}怎么理解",
]
POLICIES: dict[str, list[str]] = {  # ASCII key (part of the conversation id) -> names citizens use
    "commitment": ["告知承诺", "告知承诺"],
    "first-offence": ["首违不罚", "首违不罚"],
    "one-thing": ["一件事一次办", "一件事"],
    "clinic-filing": ["诊所备案制", "备案制"],
    "two-exemptions": ["两个免于提交", "免于提交"],
    "rating": ["好差评", "好差评"],
}

# What the answer to a policy question must contain (the cited point's own words).
POLICY_EXPECT: dict[str, list[str]] = {
    "commitment": ["告知承诺"],
    "first-offence": ["首违不罚", "不予行政处罚", "包容审慎"],
    "one-thing": ["一件事"],
    "clinic-filing": ["备案"],
    "two-exemptions": ["免于提交"],
    "rating": ["好差评", "差评"],
}

# A complaint right after a question about an item ("这个" is the item discussed).
COMPLAINT_AFTER: list[str] = [
    "我去窗口办这个被推来推去，办不成",
    "这个我已经交了材料两个月了没人理，要投诉",
    "窗口说材料不全又不说缺什么，跑了三趟了，我要反映",
    "办这个的工作人员态度很差，我想投诉",
    "网上提交了一直显示审核中，打电话也没人接，怎么投诉",
    "我要反映问题：这个事项在你们这办不下来",
]

# Ticket numbers in several forms; none exists, so the answer must be 未找到该工单.
TICKET: list[str] = [
    "查一下工单 {t}",
    "我的工单{t}处理到哪了",
    "工单号{t}，进度怎么样",
    "{t} 这个工单有结果了吗",
    "帮我查查 {t_lower}",
    "投诉单{t_spaced}现在什么状态",
]
TICKET_NUMBERS = ["BBC-20261122-0007", "BBC-20260315-0412", "BBC-20251230-0099", "BBC-20260901-1234"]

# English and traditional-Chinese conversations: first turn and a follow-up.
ENGLISH_FIRST = [
    "What documents do I need for {en}?",
    "How do I apply for {en}?",
    "Tell me about {en}",
]
ENGLISH_FOLLOWUP: dict[str, list[str]] = {
    "time_limit": ["How long does it take?", "how many days?"],
    "fee": ["Is there a fee?", "how much does it cost"],
    "location": ["Where do I apply?", "where should I go to submit it"],
}
TRADITIONAL_FOLLOWUP: dict[str, list[str]] = {
    "time_limit": ["那要多久？", "審批要幾天"],
    "fee": ["要錢嗎", "收費嗎？"],
    "location": ["去哪裡辦", "在哪個窗口辦理"],
}
