"""Which part of a guide a question asks for, and which sub-item (首次/延续/变更…) it names.

Plain cue lists, checked in priority order: the embedding cannot tell "多久能办好" (time limit)
from "有效期多久" (validity), and the cue order is where that distinction lives. Explicit field
words ("条件", "材料", "流程") are checked before incidental ones ("免费婚检" names an item, it does
not ask about fees). What the question says it is NOT asking ("不是问有效期") is removed first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.schema import Aspect
from knowledge.text_normalise import normalise

# Order matters: the first aspect whose cue matches wins.
_ASPECT_CUES: list[tuple[Aspect, tuple[str, ...]]] = [
    # Explicit names of a guide's fields.
    (
        Aspect.conditions,
        (
            "提前多久",
            "提前几天",
            "提前多少天",
            "提前多长",
            "多久以后才能",
            "多久之后才能",
            "几年后才能",
            "几年以后才能",
            "受理条件",
            "申请条件",
            "什么条件",
            "哪些条件",
            "条件",
            "资格要求",
            "什么资格",
        ),
    ),
    (
        Aspect.validity,
        (
            "有效期",
            "有效多久",
            "有效几年",
            "管几年",
            "管多久",
            "能用几年",
            "能用多久",
            "几年有效",
            "多久有效",
            "多久过期",
            "过期",
            "到期时间",
            "期满",
            "多久校验",
            "校验一次",
            "多久审一次",
            "审一次",
            "多久复核",
            "多久年检",
            "年检",
            "多久换一次",
            "几年换",
        ),
    ),
    (
        Aspect.time_limit,
        (
            "时限",
            "办结",
            "多久",
            "多长时间",
            "几天",
            "多少天",
            "几个工作日",
            "多少个工作日",
            "多快",
            "什么时候能拿",
            "啥时候能拿",
            "什么时候拿",
            "啥时候拿",
            "要多长",
            "天数",
            "答复",
            "多少日",
            "几日",
            "审批时间",
            "当天能",
            "当场能",
            "能不能当天",
            "即办",
            "批下来要",
        ),
    ),
    (Aspect.process, ("流程", "步骤", "程序", "哪几步", "环节")),
    (Aspect.materials, ("申请材料", "材料", "资料", "申请表", "复印件", "原件")),
    (
        Aspect.fee,
        (
            "收费",
            "费用",
            "多少钱",
            "要钱",
            "花钱",
            "交钱",
            "缴费",
            "价格",
            "钱吗",
            "给钱",
            "收钱",
            "工本费",
            "付费",
            "要不要钱",
            "免费吗",
            "是免费",
            "免不免费",
        ),
    ),
    (Aspect.basis, ("依据", "法律", "法规", "根据什么", "哪条规定", "哪个文件规定", "条例", "规定是什么")),
    (
        Aspect.result,
        (
            "拿到的是什么",
            "拿到什么",
            "发什么证",
            "给什么证",
            "出什么证",
            "领到什么",
            "是什么文件",
            "什么证书",
            "结果是什么",
            "办结果",
            "结果名称",
            "拿什么证",
            "发的是什么",
            "颁发什么",
            "办完给什么",
            "办完发什么",
            "办完拿到",
            "最后拿到",
            "给什么",
            "发什么",
        ),
    ),
    (
        Aspect.overview,
        ("是个什么", "是个啥", "怎么回事", "介绍一下", "什么意思", "是干什么的", "干嘛的", "是什么东西", "大概讲讲"),
    ),
    # Incidental wording.
    (
        Aspect.materials,
        (
            "带什么",
            "带啥",
            "带哪些",
            "准备什么",
            "准备啥",
            "准备哪些",
            "要什么东西",
            "要啥东西",
            "哪些东西",
            "提交什么",
            "提交哪些",
            "要哪些证",
            "什么证件",
            "证件",
            "文件",
            "表格",
            "要带",
            "需要带",
            "提供什么",
            "提供哪些",
            "交什么",
            "交哪些",
            "交啥",
            "要啥",
            "需要啥",
            "需要什么",
            "需要哪些",
            "要什么",
            "要哪些",
        ),
    ),
    (
        Aspect.online,
        (
            "网上",
            "线上",
            "网办",
            "在线",
            "手机上",
            "手机办",
            "app",
            "小程序",
            "不用跑",
            "政务服务网",
            "掌上办",
            "跑一次",
            "跑几次",
            "邮寄",
            "快递",
            "网站",
        ),
    ),
    (
        Aspect.location,
        (
            "在哪",
            "哪里办",
            "哪儿办",
            "去哪",
            "地点",
            "地址",
            "哪个窗口",
            "窗口在",
            "哪个部门",
            "找谁办",
            "哪里领",
            "哪里拿",
            "到哪",
            "在什么地方",
            "哪个单位",
            "谁来办",
            "谁办",
            "哪里申请",
            "去哪里",
            "办公时间",
            "几点上班",
            "上班时间",
            "工作时间",
            "几点",
            "电话",
            "咨询",
        ),
    ),
    (
        Aspect.process,
        (
            "怎么走",
            "怎么申请",
            "如何申请",
            "怎么办理",
            "如何办理",
            "办理方式",
            "怎么领",
            "如何领取",
            "怎么预约",
            "怎么操作",
            "怎么弄",
            "咋办",
            "怎么办",
        ),
    ),
    (
        Aspect.conditions,
        (
            "资格",
            "要求",
            "哪些人",
            "谁可以",
            "谁能",
            "能不能办",
            "可以办吗",
            "符合",
            "哪些场所",
            "什么场所",
            "哪些单位",
            "需要办吗",
            "要办吗",
            "用不用办",
            "需不需要",
            "要不要办",
            "必须办",
            "情形",
            "什么情况",
            "哪种情况",
            "能申请吗",
            "可以申请吗",
            "还能办吗",
            "还能新办",
            "标准",
            "多大",
            "年龄",
            "岁",
            "经验",
            "学历",
            "得有",
            "可以同时",
            "能同时",
            "还行吗",
            "可以吗",
            "行不行",
            "能不能",
            "可不可以",
        ),
    ),
    (Aspect.fee, ("免费",)),
]

# Sub-item cues, mapped to the canonical word the curated sub_item names contain.
_SUB_ITEM_CUES: list[tuple[str, tuple[str, ...]]] = [
    ("延续", ("延续", "续期", "续证", "续注册", "到期了", "快到期", "年审", "再注册")),
    (
        "变更",
        (
            "变更",
            "换单位",
            "换医院",
            "换了家",
            "调动",
            "换执业地点",
            "变更执业",
            "改地址",
            "改名称",
            "换地方",
            "跳槽",
            "改执业",
        ),
    ),
    ("注销", ("注销", "不干了", "退出执业", "撤销注册")),
    ("补发", ("补办", "补发", "补领", "丢了", "丢失", "遗失", "弄丢", "找不到了")),
    ("换发", ("换发", "换领", "换证", "写错", "信息错", "损坏", "涂改", "破损")),
    (
        "首次",
        (
            "首次",
            "第一次",
            "初次",
            "新办",
            "新申请",
            "刚考完",
            "刚考过",
            "刚毕业",
            "刚出生",
            "新生儿",
            "首办",
            "头一次",
            "新开",
            "刚通过",
        ),
    ),
]

# "我问的不是有效期", "不是问审批要几天": the negated part names what is NOT asked.
_NEGATED = re.compile(r"(我问的)?不是(问|说)?[^，。,.？?！!]*")


@dataclass(frozen=True)
class AspectGuess:
    aspect: Aspect | None  # None: the question names no aspect (a follow-up keeps the previous one)
    cue: str | None


def _without_negation(text: str) -> str:
    stripped = _NEGATED.sub("", text)
    return stripped if stripped.strip() else text


def detect_aspect(question: str) -> AspectGuess:
    text = _without_negation(normalise(question))
    for aspect, cues in _ASPECT_CUES:
        for cue in cues:
            if cue in text:
                return AspectGuess(aspect, cue)
    return AspectGuess(None, None)


def detect_sub_item(question: str) -> str | None:
    text = _without_negation(normalise(question))
    for canonical, cues in _SUB_ITEM_CUES:
        if any(cue in text for cue in cues):
            return canonical
    return None


def cue_words() -> list[str]:
    """Every aspect and sub-item cue, longest first (to strip them when judging what else a question says)."""
    words = {c for _, cues in _ASPECT_CUES for c in cues} | {c for _, cues in _SUB_ITEM_CUES for c in cues}
    return sorted(words, key=len, reverse=True)


SUB_ITEM_SYNONYMS: dict[str, tuple[str, ...]] = {
    "首次": ("首次", "新办", "初次", "办证", "签发"),
    "延续": ("延续", "年审"),
    "变更": ("变更",),
    "注销": ("注销",),
    "补发": ("补发", "补办"),
    "换发": ("换发", "换领"),
}


def sub_item_matches(guide_sub_item: str | None, wanted: str) -> bool:
    """Whether a guide's sub_item text covers the wanted canonical sub-item."""
    if not guide_sub_item:
        return False
    return any(word in guide_sub_item for word in SUB_ITEM_SYNONYMS.get(wanted, (wanted,)))


def canonical_sub_item(guide_sub_item: str | None) -> str | None:
    """The canonical sub-item (首次/延续/…) a guide's sub_item text covers, else the text itself."""
    if not guide_sub_item:
        return None
    for canonical in ("延续", "变更", "注销", "补发", "换发", "首次"):
        if sub_item_matches(guide_sub_item, canonical):
            return canonical
    return guide_sub_item
