"""Which part of a guide a question asks for, and which sub-item (首次/延续/变更…) it names.

Plain cue lists, checked in priority order: the embedding cannot tell "多久能办好" (time limit)
from "有效期多久" (validity), and the cue order is where that distinction lives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.schema import Aspect
from knowledge.text_normalise import normalise

# Order matters: the first aspect whose cue matches wins.
_ASPECT_CUES: list[tuple[Aspect, tuple[str, ...]]] = [
    # "提前多久申请" is a condition of the application, not its processing time.
    (Aspect.conditions, ("提前多久", "提前几天", "提前多少天", "提前多长")),
    (Aspect.validity, ("有效期", "有效多久", "有效几年", "管几年", "管多久", "能用几年", "能用多久",
                       "几年有效", "多久有效", "多久过期", "过期", "到期时间", "期满")),
    (Aspect.fee, ("收费", "费用", "多少钱", "要钱", "花钱", "免费", "交钱", "缴费", "价格", "钱吗", "给钱",
                  "收钱", "工本费", "付费")),
    (Aspect.time_limit, ("多久", "多长时间", "几天", "多少天", "几个工作日", "多少个工作日", "时限", "办结",
                         "多快", "什么时候能拿", "啥时候能拿", "什么时候拿", "啥时候拿", "时间要多长",
                         "要多长", "天数", "答复", "期限", "多少日", "几日", "审批时间", "办理时间多长",
                         "当天能", "当场能", "能不能当天", "即办")),
    (Aspect.materials, ("材料", "资料", "带什么", "带啥", "带哪些", "准备什么", "准备啥", "准备哪些",
                        "要什么东西", "要啥东西", "哪些东西", "什么东西", "提交什么", "提交哪些", "要哪些证",
                        "要什么证件", "证件", "文件", "表格", "申请表", "复印件", "原件", "要带", "需要带",
                        "提供什么", "提供哪些", "交什么", "交哪些")),
    (Aspect.online, ("网上", "线上", "网办", "在线", "手机上", "手机办", "app", "小程序", "不用跑",
                     "政务服务网", "掌上办", "跑一次", "跑几次", "邮寄", "快递", "网站")),
    (Aspect.location, ("在哪", "哪里办", "哪儿办", "去哪", "地点", "地址", "哪个窗口", "窗口在", "哪个部门",
                       "找谁办", "哪里领", "哪里拿", "到哪", "在什么地方", "哪个单位", "谁来办", "谁办",
                       "哪里申请", "去哪里", "办公时间", "几点上班", "上班时间", "工作时间", "几点")),
    (Aspect.basis, ("依据", "法律", "法规", "根据什么", "哪条规定", "哪个文件规定", "条例", "规定是什么",
                    "政策依据", "设定依据")),
    (Aspect.result, ("发什么证", "拿到什么", "给什么证", "办结果", "结果是什么", "出什么证", "领到什么",
                     "证书叫什么", "结果名称", "拿什么证")),
    (Aspect.process, ("流程", "步骤", "程序", "怎么走", "环节", "哪几步", "怎么申请", "如何申请",
                      "怎么办理", "如何办理", "办理方式", "怎么领", "如何领取", "怎么预约", "怎么操作")),
    (Aspect.conditions, ("条件", "资格", "要求", "哪些人", "谁可以", "谁能", "能不能办", "可以办吗",
                         "符合", "哪些场所", "什么场所", "哪些单位", "需要办吗", "要办吗", "用不用办",
                         "需不需要", "要不要办", "必须办", "情形", "什么情况", "哪种情况", "能申请吗",
                         "可以申请吗", "还能办吗", "还能新办", "标准")),
]

# Sub-item cues, mapped to the canonical word the curated sub_item names contain.
_SUB_ITEM_CUES: list[tuple[str, tuple[str, ...]]] = [
    ("延续", ("延续", "续期", "续证", "续注册", "到期了", "快到期", "年审", "再注册")),
    ("变更", ("变更", "换单位", "换医院", "调动", "换执业地点", "变更执业", "改地址", "改名称",
              "换地方", "跳槽", "改执业")),
    ("注销", ("注销", "不干了", "退出执业", "撤销注册")),
    ("补发", ("补办", "补发", "补领", "丢了", "丢失", "遗失", "弄丢", "找不到了")),
    ("换发", ("换发", "换领", "换证", "写错", "信息错", "损坏", "涂改", "破损")),
    ("首次", ("首次", "第一次", "初次", "新办", "新申请", "刚考完", "刚考过", "刚毕业", "刚出生", "新生儿",
              "首办", "头一次", "新开", "刚通过")),
]

_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class AspectGuess:
    aspect: Aspect | None  # None: the question names no aspect (a follow-up keeps the previous one)
    cue: str | None


def detect_aspect(question: str) -> AspectGuess:
    text = normalise(question)
    for aspect, cues in _ASPECT_CUES:
        for cue in cues:
            if cue in text:
                return AspectGuess(aspect, cue)
    return AspectGuess(None, None)


def detect_sub_item(question: str) -> str | None:
    text = normalise(question)
    for canonical, cues in _SUB_ITEM_CUES:
        if any(cue in text for cue in cues):
            return canonical
    return None


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
