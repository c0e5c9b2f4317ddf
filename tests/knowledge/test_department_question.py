"""Which department a message asks about (`knowledge/query/department_question.py`) and the rule that refers it
(`turn_away.department_subject`): phrasings written here, none taken from an evaluation set."""

from __future__ import annotations

import pytest

from knowledge.answer import Context
from knowledge.decide import rules
from knowledge.decide.situation import Situation
from knowledge.decide.turn_away import department_subject
from knowledge.loader import load_referrals
from knowledge.query.complaint_target import ComplaintTargets
from knowledge.query.department_question import DepartmentQuestions
from knowledge.query.lexicon import load_lexicon
from knowledge.query.model import Referral
from knowledge.text_normalise import normalise
from tests.support.decide import facts_for, query, scores

TAX, CITY, POLICE = "税务部门", "城市管理部门", "公安机关"


@pytest.fixture(scope="module")
def hand() -> DepartmentQuestions:
    targets = ComplaintTargets(
        agencies=[("税务局", TAX), ("城管", CITY), ("派出所", POLICE), ("school", "教育")],
        services=[("退税", TAX), ("占道", CITY)],
        health=["医院", "护士"],
        complaint_words=["投诉", "反映"],
        health_matters=["疫苗", "卫健委"],
    )
    return DepartmentQuestions(
        cues=["找哪个部门"], targets=targets, agencies=["税务局", "城管", "派出所"], commission_names=["卫健委"]
    )


@pytest.mark.parametrize(
    "text",
    [
        "退税的事该向哪个部门咨询",
        "占道摆摊的事谁来管",
        "退税拖着不办应该找谁处理",
        "退税这块由谁负责",
        "退税的问题归不归卫健委管",
        "退税是不是归你们",
        "退税一直不到账，是不是应该直接找税务局",
        "退税不给办，投诉去那个部门",
        "my refund is late. which government office handles tax refunds?",
        "who oversees tax refunds?",
    ],
)
def test_many_phrasings_ask_for_a_department(hand: DepartmentQuestions, text: str) -> None:
    assert hand.cue(normalise(text)) is not None, text


@pytest.mark.parametrize(
    "text",
    ["退税要带什么材料", "我去了那个部门，他们说材料不全", "要去派出所开证明吗", "这个证谁都能办吗", "我找过税务局了"],
)
def test_statements_and_item_questions_ask_for_none(hand: DepartmentQuestions, text: str) -> None:
    assert hand.cue(normalise(text)) is None, text


def test_the_subject_is_the_office_or_service_the_asking_clause_names(hand: DepartmentQuestions) -> None:
    assert hand.subject(normalise("在医院门口被人推了一把，这种退税纠纷找谁处理")) == Referral("退税", TAX)
    assert hand.subject(normalise("摊子被收了，城管不给说法，该向哪个部门提")) == Referral("城管", CITY)
    # the asking clause names nothing: the clause right before it
    assert hand.subject(normalise("退税拖了三个月，这事找谁")) == Referral("退税", TAX)
    # the office the citizen wonders whether to go to
    assert hand.subject(normalise("有人在楼下打架，是不是应该直接找派出所")) == Referral("派出所", POLICE)
    # English names it after the cue
    assert hand.subject(normalise("The school refuses. Who oversees school rules?")) == Referral("school", "教育")
    # the commission asked about is not the subject
    assert hand.subject(normalise("这种退税问题归不归卫健委管")) == Referral("退税", TAX)


def test_a_health_word_beside_the_subject_makes_none(hand: DepartmentQuestions) -> None:
    assert hand.subject(normalise("医院让我去税务局来回跑，去哪找哪个部门")) is None
    assert hand.subject(normalise("护士说城管不让停，这事找谁")) is None  # the clause before names a nurse
    assert hand.subject(normalise("打了疫苗发烧了，找谁")) is None
    assert hand.subject(normalise("退税拖了三个月")) is None  # asks for no department


def test_the_curated_vocabulary_reads_invented_questions() -> None:
    lexicon = load_lexicon()
    referrals = load_referrals()
    targets = ComplaintTargets(
        agencies=[(a, r.department) for r in referrals for a in r.agencies],
        services=[(k, r.department) for r in referrals for k in r.keywords],
        health=lexicon.health_targets,
        complaint_words=lexicon.complaint_words,
        health_matters=lexicon.health_matters,
    )
    dq = DepartmentQuestions(
        lexicon.department_cues, targets, [a for r in referrals for a in r.agencies], lexicon.commission_names
    )

    def subject(text: str) -> str | None:
        found = dq.subject(normalise(text))
        return found.department if found else None

    assert subject("小区里有人贩毒，这种事应该向哪个机关举报") == "公安机关"
    assert subject("孩子学校的午饭总是凉的，学校也不改，这事归不归你们卫健委管") == "教育部门"
    assert subject("网上买的化妆品用了过敏，该找什么部门") == "药品监督管理部门"
    assert subject("医院的护士态度很差，该找哪个部门投诉") is None  # a complaint about our services
    assert subject("健康证去哪个部门办") is None  # where to apply for our paper: no department's subject


@pytest.fixture(scope="module")
def facts(catalog):  # type: ignore[no-untyped-def]
    return facts_for(catalog)


def test_the_rule_refers_a_department_question_about_another_departments_matter(facts) -> None:  # type: ignore[no-untyped-def]
    police = Referral("派出所", POLICE)
    q = query("有人在楼下打架，是不是应该直接找派出所", asks_which_department=True, department_subject=police)
    d = department_subject(Situation(q, scores({}), Context()), facts)
    assert d is not None and (d.kind, d.rule, d.referral) == ("no_answer", "department_subject", police)
    # a service named elsewhere in the story, the asking clause naming a hospital's door
    parking = Referral("禁停", "公安交通管理部门（交警）")
    q = query("医院门口天天堵车，想申请划禁停线，该向哪个部门提", asks_which_department=True, referral=parking)
    d = department_subject(Situation(q, scores({}), Context()), facts)
    assert d is not None and d.referral == parking
    # an item of ours named verbatim, or no department's subject: not this rule
    code = facts.catalog.items[0].code
    q = query("x", asks_which_department=True, department_subject=police)
    assert department_subject(Situation(q, scores({code: 0.9}, exact=(code,)), Context()), facts) is None
    assert (
        department_subject(
            Situation(query("这个去哪个部门办", asks_which_department=True), scores({}), Context()), facts
        )
        is None
    )
    assert "department_subject" in [r.__name__ for r in rules.RULES]
