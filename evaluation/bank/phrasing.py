"""Phrasing material for the generated in-domain questions: aspect templates per register, narrative
frames, English item names, a small simplified-to-traditional map and deterministic typos.

Each template's index in its list is part of its family name, so every question a template yields
lands on the same side of the split.
"""

from __future__ import annotations

import random

# {n}: an item name or alias. Several templates per aspect and register; English uses {en}.
ASPECT_TEMPLATES: dict[str, dict[str, list[str]]] = {
    "materials": {
        "colloquial": [
            "办{n}要带啥东西？",
            "{n}需要准备哪些材料啊",
            "想办个{n}，得交什么资料",
            "{n}要提交哪些证件，有清单吗",
            "去弄{n}的话身份证户口本要带吗",
            "{n}材料清单发我一下",
        ],
        "formal": [
            "请问申请{n}应当提交哪些申请材料？",
            "办理{n}所需材料包括哪些，原件还是复印件？",
            "{n}的申报材料目录是什么",
        ],
        "terse": ["{n}材料", "{n} 所需资料"],
        "english": ["What documents do I need for {en}?", "Which papers must I submit to apply for {en}?"],
    },
    "time_limit": {
        "colloquial": [
            "{n}多久能办下来？",
            "{n}要等几天才有结果",
            "交了材料后{n}大概多长时间批",
            "{n}几个工作日能拿到",
            "办{n}是不是要等一个月那么久",
        ],
        "formal": ["{n}的法定办结时限和承诺办结时限分别是多少？", "请问{n}的审批时限为多少个工作日"],
        "terse": ["{n}时限", "{n} 办理期限"],
        "english": ["How long does {en} take?", "How many working days until {en} is approved?"],
    },
    "fee": {
        "colloquial": [
            "{n}要钱吗",
            "办{n}得花多少钱",
            "{n}收不收费啊",
            "{n}是免费的还是要交工本费",
        ],
        "formal": ["请问办理{n}是否收取费用，收费标准是什么？", "{n}的收费依据和标准"],
        "terse": ["{n}收费", "{n}费用"],
        "english": ["Is there a fee for {en}?", "How much does {en} cost?"],
    },
    "conditions": {
        "colloquial": [
            "什么人能申请{n}",
            "我这种情况能办{n}吗，需要满足啥条件",
            "{n}对申请人有什么要求",
            "{n}门槛高不高，要什么资格",
        ],
        "formal": ["申请{n}应当具备哪些条件？", "{n}的受理条件是什么"],
        "terse": ["{n}条件", "{n}申请条件"],
        "english": ["Who is eligible for {en}?", "What are the requirements to get {en}?"],
    },
    "location": {
        "colloquial": [
            "{n}去哪里办",
            "{n}在哪个窗口办理啊",
            "办{n}要跑到哪个部门",
            "{n}的办公地址在哪儿",
        ],
        "formal": ["请问{n}的办理地点和办公时间", "{n}应向哪个地点提交申请"],
        "terse": ["{n}地点", "{n}在哪办"],
        "english": ["Where do I apply for {en}?", "Which office handles {en}?"],
    },
    "online": {
        "colloquial": [
            "{n}能在网上办吗",
            "{n}可以手机上申请不，不想跑腿",
            "{n}有没有线上办理的入口",
            "{n}能不能全程网办",
        ],
        "formal": ["{n}是否支持网上办理，办理网址是什么？"],
        "terse": ["{n}网上办理", "{n}线上申请"],
        "english": ["Can I apply for {en} online?", "Is there a website to apply for {en}?"],
    },
    "result": {
        "colloquial": ["{n}办下来给个啥证", "{n}办完能拿到什么", "{n}批了以后发什么文件"],
        "formal": ["{n}的办理结果名称是什么", "{n}审批通过后颁发何种证件"],
        "terse": ["{n}结果"],
        "english": ["What do I receive when {en} is approved?"],
    },
    "validity": {
        "colloquial": ["{n}能管几年", "{n}有效期多长时间", "{n}过几年要重新办吗", "{n}会过期吗"],
        "formal": ["{n}证件的有效期限是多久？"],
        "terse": ["{n}有效期"],
        "english": ["How long is {en} valid?", "Does {en} expire?"],
    },
    "basis": {
        "colloquial": ["{n}是根据哪条法规规定的", "{n}有什么法律依据"],
        "formal": ["{n}的设定依据是什么", "请问{n}依据哪部法律法规实施"],
        "terse": ["{n}依据"],
        "english": ["What is the legal basis for {en}?"],
    },
    "process": {
        "colloquial": ["{n}怎么个流程", "{n}分几步办，先干嘛后干嘛", "{n}是怎么办的，步骤说一下"],
        "formal": ["请介绍{n}的办理流程", "{n}的审批程序有哪些环节"],
        "terse": ["{n}流程", "{n}办理步骤"],
        "english": ["What are the steps to apply for {en}?", "How does the {en} process work?"],
    },
    "overview": {
        "colloquial": ["{n}是啥", "我想了解一下{n}", "{n}怎么办", "跟我说说{n}"],
        "formal": ["请介绍一下{n}这项业务", "{n}办事指南"],
        "terse": ["{n}"],
        "english": ["Tell me about {en}.", "I need information on {en}."],
    },
}

# Phrases to append an aspect to a narrative or to a second aspect ("…，另外{x}").
ASPECT_PHRASES: dict[str, list[str]] = {
    "materials": ["要准备哪些材料", "需要带什么证件", "得交哪些资料"],
    "time_limit": ["多久能办好", "要等几天", "审批要多长时间"],
    "fee": ["收不收费", "要交多少钱", "有没有费用"],
    "conditions": ["需要什么条件", "我符合条件吗", "对人有什么要求"],
    "location": ["去哪里办", "在哪个窗口交", "地址在哪"],
    "online": ["能不能网上办", "可以线上申请吗", "有网办入口吗"],
    "validity": ["有效期几年", "多久要续", "能用多长时间"],
    "process": ["流程是怎样的", "具体步骤是什么", "怎么一步步办"],
    "result": ["最后发什么证", "办完拿到什么"],
    "basis": ["依据是哪条法规"],
}

NARRATIVE_FRAMES: list[str] = [
    "我是{place}的，{date}在{place2}一家医院上班，最近单位让我们把手续补齐，想问一下{n}{a}？",
    "你好，我{date}刚从外地搬到{place}，之前在老家办过一些手续，现在要重新弄{n}，请问{a}，谢谢。",
    "麻烦问下，我们{place}这边准备{date}开业，负责人让我来咨询{n}的事情，{a}",
    "家里老人让我帮忙问的：{n}现在{a}？他们在{place}，年纪大了不太会用手机，想先弄清楚再去。",
    "{date}我去{place2}窗口问过一次没问清楚，所以在这里再问一下，{n}到底{a}？",
    "本人{place}人，{date}毕业，目前在一家民营机构工作，想了解{n}，{a}，有没有需要注意的地方？",
]
PLACES = [
    "杭州市",
    "成都",
    "厦门",
    "重庆江津",
    "北京朝阳区",
    "郴州苏仙区",
    "青海西宁",
    "云南禄丰",
    "四平",
    "德化县",
    "雅安",
]
DATES = ["今年3月", "2024年5月", "去年年底", "上个月", "前天", "2023年9月1日", "下周一", "国庆节后"]

# Two-aspect questions: "{n}{a1}，另外{a2}？"
JOINERS = ["{n}{a1}？还有{a2}", "{n}{a1}，另外{a2}？", "问两个事：{n}{a1}，{a2}", "{n}{a1}、{a2}"]

ENGLISH_NAMES: dict[str, str] = {
    "birth-medical-certificate": "a birth medical certificate",
    "clinic-filing": "clinic filing (registering a small clinic)",
    "disinfection-product-manufacturer-permit": "a hygiene permit for a disinfection product factory",
    "drinking-water-product-permit": "a hygiene permit for drinking-water products",
    "family-planning-reward-assistance": "the rural family-planning reward subsidy",
    "family-planning-special-assistance": "the special family-planning assistance",
    "food-safety-enterprise-standard-filing": "food safety enterprise standard filing",
    "foreign-physician-short-term-practice": "a short-term practice permit for a foreign doctor",
    "free-contraceptives": "free contraceptives",
    "internet-hospital": "setting up an internet hospital",
    "maternal-infant-health-technical-service-permit": "a maternal and infant health technical service license",
    "medical-advertisement-review": "medical advertisement review",
    "medical-cosmetology": "opening a medical cosmetology clinic",
    "medical-institution-practice-registration": "a medical institution practice license",
    "medical-institution-setup-approval": "approval to set up a hospital",
    "narcotic-drug-purchase-seal-card": "the narcotic drug purchase seal card",
    "nurse-practice-registration": "nurse registration",
    "occupational-disease-diagnosis-institution-filing": "filing as an occupational disease diagnosis institution",
    "occupational-health-exam-institution-filing": "filing as an occupational health examination institution",
    "only-child-parents-honor-certificate": "the only-child parents' honor certificate",
    "physician-multi-site-practice": "multi-site practice for doctors",
    "physician-practice-registration": "physician practice registration",
    "premarital-medical-exam": "the premarital medical examination",
    "public-place-health-permit": "a public place hygiene permit",
    "radiation-diagnosis-treatment-permit": "a radiation diagnosis and treatment license",
    "radiation-project-health-review": "the radiation project pre-assessment review",
    "radiation-worker-certificate": "a radiation worker certificate",
    "tcm-clinic-filing": "filing a traditional Chinese medicine clinic",
    "vector-control-service-filing": "pest control service filing",
    "water-supply-unit-permit": "a water supply hygiene permit",
}

SUB_ITEM_WORDS: dict[str, list[str]] = {
    "延续": ["延续", "到期了要续", "续证"],
    "变更": ["变更", "换单位了要改", "变更执业地点"],
    "注销": ["注销", "不干了要注销"],
    "补发": ["补办", "丢了要补"],
    "换发": ["换发", "信息写错了要换"],
    "首次": ["第一次", "首次", "新办"],
}

_TRAD = str.maketrans(
    "们这个么证书办时长开门间问题医护执业许卫业场务审请应该专经费发网线结过还说让对为会东车机学国实区县单单"
    "页条级准备样报岗种与关检测验资产产药疗诊疗难预约码写刚养户录续换变补转给买卖头体后区试无边现电话总样"
    "营这时过见讲员师广贵乡镇门诊术术验处听认识读记设计话请谁调变迁",
    "們這個麼證書辦時長開門間問題醫護執業許衛業場務審請應該專經費發網線結過還說讓對為會東車機學國實區縣單單"
    "頁條級準備樣報崗種與關檢測驗資產產藥療診療難預約碼寫剛養戶錄續換變補轉給買賣頭體後區試無邊現電話總樣"
    "營這時過見講員師廣貴鄉鎮門診術術驗處聽認識讀記設計話請誰調變遷",
)


def to_traditional(text: str) -> str:
    """A rough simplified-to-traditional rendering (character by character, common characters only)."""
    return text.translate(_TRAD)


_HOMOPHONES = {
    "材": "才",
    "料": "了",
    "证": "正",
    "续": "序",
    "注": "住",
    "册": "测",
    "费": "废",
    "许": "需",
    "可": "课",
    "办": "半",
    "多": "夺",
    "久": "就",
    "哪": "那",
    "理": "里",
    "请": "情",
    "医": "依",
    "师": "是",
    "卫": "为",
    "生": "声",
    "期": "其",
}


def with_typos(text: str, rng: random.Random) -> str:
    """One or two deterministic slips: a homophone, a dropped or doubled character."""
    chars = list(text)
    slots = [i for i, ch in enumerate(chars) if ch in _HOMOPHONES]
    if slots:
        i = rng.choice(slots)
        chars[i] = _HOMOPHONES[chars[i]]
    if len(chars) > 6 and rng.random() < 0.5:
        j = rng.randrange(1, len(chars) - 1)
        if rng.random() < 0.5:
            del chars[j]
        else:
            chars.insert(j, chars[j])
    return "".join(chars)
