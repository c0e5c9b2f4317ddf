"""Whom a complaint is about (`knowledge/query/complaint_target.py`): rules on a hand-built vocabulary, then the
curated vocabulary (`referrals.yaml` agencies, lexicon `health_targets` / `health_matters`) on phrasings written
here, none taken from an evaluation set."""

from __future__ import annotations

import pytest

from knowledge.loader import load_referrals
from knowledge.query.complaint_target import ComplaintTargets
from knowledge.query.lexicon import load_lexicon
from knowledge.query.model import Referral
from knowledge.text_normalise import normalise

TAX, CITY = "税务部门", "城市管理部门"


@pytest.fixture(scope="module")
def hand() -> ComplaintTargets:
    return ComplaintTargets(
        agencies=[("税务局", TAX), ("城管", CITY), ("这家店", "市场")],
        services=[("退税", TAX)],
        health=["医院", "护士"],
        complaint_words=["投诉", "反映", "申诉"],
        health_matters=["消毒", "疫苗"],
    )


def test_the_object_of_the_verb_is_the_target(hand: ComplaintTargets) -> None:
    assert hand.referral("医院让我找税务局，我要投诉税务局") == Referral("税务局", TAX)
    assert hand.referral("税务局让我找医院，我要投诉医院") is None  # a health institution: the complaint stands
    assert hand.referral("我要投诉一下城管") == Referral("城管", CITY)  # a few words between verb and object
    assert hand.referral("拖了半年，投诉退税") == Referral("退税", TAX)  # a service as the object


def test_without_an_object_the_last_office_named_before_the_verb(hand: ComplaintTargets) -> None:
    assert hand.referral("城管说找医院，医院说找税务局，我要申诉") == Referral("税务局", TAX)
    assert hand.referral("税务局说找城管，城管说找医院，我要投诉") is None
    assert hand.referral("退税拖了半年，我要投诉") == Referral("退税", TAX)  # no office named: the service
    assert hand.referral("退税拖了半年，医院也不管，我要投诉") is None  # an office or health word comes first
    assert hand.referral("我要投诉") is None


def test_an_object_stands_in_the_verbs_clause(hand: ComplaintTargets) -> None:
    # "反映，城管…" reports what the city management said; the target is the last office before the verb
    assert hand.referral("护士打针很疼，市民反映，城管说不归他们管") is None


def test_a_health_matter_anywhere_keeps_it_a_complaint(hand: ComplaintTargets) -> None:
    assert hand.referral("毛巾不消毒，我要投诉这家店") is None
    assert hand.referral("城管不让打疫苗的车停，我要投诉城管") is None


def test_a_health_matter_inside_another_departments_word_does_not_count() -> None:
    targets = ComplaintTargets([("畜牧站", "农业")], [("宠物疫苗", "农业")], ["医院"], ["投诉"], ["疫苗"])
    assert targets.referral("宠物疫苗打完狗就病了，我要投诉畜牧站") == Referral("畜牧站", "农业")


@pytest.fixture(scope="module")
def curated() -> ComplaintTargets:
    lexicon = load_lexicon()
    referrals = load_referrals()
    return ComplaintTargets(
        agencies=[(a, r.department) for r in referrals for a in r.agencies],
        services=[(k, r.department) for r in referrals for k in r.keywords],
        health=lexicon.health_targets,
        complaint_words=lexicon.complaint_words,
        health_matters=lexicon.health_matters,
    )


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("税务局的人态度很差，办个个税推三阻四，我要投诉税务局", "税务部门"),
        ("在医院住院花了两万，医保中心审了三个月都不给报，我要投诉医保中心", "医疗保障部门（医保局）"),
        ("孩子在医院出生后去派出所上户口，派出所让我们跑了五趟还没办好，我要反映", "公安机关"),
        ("退伍后去退役军人事务局问安置，一直说等通知，半年了，我要投诉", "退役军人事务部门"),
        ("我们是诊所，交警天天在门口贴罚单，病人都不敢来了，我要投诉交警", "公安交通管理部门（交警）"),
    ],
)
def test_complaints_about_another_department(curated: ComplaintTargets, text: str, department: str) -> None:
    target = curated.referral(normalise(text))
    assert target is not None and target.department == department


@pytest.mark.parametrize(
    "text",
    [
        "带孩子去社区医院打疫苗，护士态度恶劣，我要投诉",
        "医保局让我找医院，医院又让我找医保局，我要投诉医院",
        "这家理发店毛巾不消毒，我要投诉这家店",
        "公共场所卫生许可证交了材料两个月不批，窗口推来推去，我要投诉",
        "医院收费太贵，医保报销比例又低，请卫健委管一管，我要反映",
    ],
)
def test_complaints_about_health_matters_have_no_other_target(curated: ComplaintTargets, text: str) -> None:
    assert curated.referral(normalise(text)) is None
