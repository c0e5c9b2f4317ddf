"""The analyse stage and the learned-predictor hook: cues decide where present, the predictor elsewhere."""

from __future__ import annotations

import pytest

from knowledge.query.analyse import Analyser
from knowledge.query.lexicon import load_lexicon
from knowledge.query.predictors import LabelPredictor, Predictors, combine_aspects, combine_kind
from knowledge.schema import Aspect, Referral


class FixedPredictor:
    """A stand-in model: the same probabilities for every text (the thing under test is the combination)."""

    def __init__(self, probs: dict[str, float]) -> None:
        self.probs = probs
        self.seen: list[str] = []

    def predict(self, text: str) -> dict[str, float]:
        self.seen.append(text)
        return self.probs


class BrokenPredictor:
    def predict(self, text: str) -> dict[str, float]:
        raise RuntimeError("model file missing")


def _analyser(predictors: Predictors | None = None) -> Analyser:
    referrals = [Referral(department="住房公积金管理中心", keywords=["公积金"])]
    return Analyser(load_lexicon(), region_words=["山东", "深圳"], referrals=referrals, predictors=predictors)


def test_protocol_is_the_one_in_predictors() -> None:
    assert isinstance(FixedPredictor({}), LabelPredictor)


def test_query_fields_from_cues() -> None:
    q = _analyser().analyse("我的工单 BBC-20261122-0007，深圳護士延續註冊要什麼材料和費用？")
    assert q.language == "zh-hant"
    assert q.aspects == (Aspect.materials, Aspect.fee) and q.aspect_source == "cue"
    assert q.sub_item == "延续" and q.region == "深圳"
    assert q.ticket_numbers == ("BBC-20261122-0007",)
    assert q.kind is None and q.kind_source == "none"


def test_language_referral_and_policy_words() -> None:
    a = _analyser()
    assert a.analyse("How long does it take?").language == "en"
    q = a.analyse("公积金提取要什么材料")
    assert q.referral is not None and q.referral.department == "住房公积金管理中心"
    assert q.kind == "other_department" and q.kind_source == "cue"
    p = a.analyse("告知承诺制是什么意思")
    assert "告知承诺" in p.policy_names and p.asks_policy


@pytest.mark.parametrize(
    ("text", "beyond"),
    [
        ("好的没有问题了再见", ""),  # acknowledgements and a goodbye are small talk, however many
        ("謝謝，沒事了！", ""),  # traditional is the same
        ("Thanks a lot, bye", ""),
        ("你好，中考志愿填报归谁管", "中考志愿填报归谁管"),
        ("好的，那护士证要多久", "那护士证要多久"),
        ("hi, nurse registration fee?", "nurseregistrationfee"),  # English words count whole
    ],
)
def test_what_a_message_says_beyond_small_talk(text: str, beyond: str) -> None:
    assert _analyser().analyse(text).beyond_smalltalk == beyond


def test_a_vague_how_is_marked_for_the_followup_rule() -> None:
    a = _analyser()
    vague = a.analyse("我是山东的，那边怎么办")
    assert vague.region == "山东" and vague.aspects == (Aspect.process,) and vague.vague_aspect
    clear = a.analyse("山东那边怎么申请")
    assert clear.aspects == (Aspect.process,) and not clear.vague_aspect
    assert not a.analyse("要多久").vague_aspect


def test_without_predictors_cues_alone() -> None:
    q = _analyser().analyse("这个东西怎么整")
    assert q.aspects == () and q.aspect_source == "none" and q.aspect_probs == {}


def test_predictor_fills_in_where_cues_are_silent() -> None:
    aspects = FixedPredictor({"time_limit": 0.8, "fee": 0.55, "overview": 0.7, "location": 0.2, "bogus": 0.99})
    kind = FixedPredictor({"complaint": 0.9, "in_domain": 0.1})
    q = _analyser(Predictors(aspects=aspects, kind=kind)).analyse("这个证要等到猴年马月吗")
    assert q.aspects == (Aspect.time_limit, Aspect.fee) and q.aspect_source == "predictor"
    assert q.aspect_probs[Aspect.overview] == 0.7  # recorded, even where it did not decide
    assert q.kind == "complaint" and q.kind_source == "predictor"
    assert aspects.seen == ["这个证要等到猴年马月吗"]


def test_cues_win_over_the_predictor_and_both_are_recorded() -> None:
    aspects = FixedPredictor({"location": 0.95})
    q = _analyser(Predictors(aspects=aspects)).analyse("护士注册要多久")
    assert q.aspects == (Aspect.time_limit,) and q.aspect_source == "cue"
    assert q.aspect_probs == {Aspect.location: 0.95}


def test_a_broken_predictor_falls_back_to_cues() -> None:
    q = _analyser(Predictors(aspects=BrokenPredictor(), kind=BrokenPredictor())).analyse("护士注册要多久")
    assert q.aspects == (Aspect.time_limit,) and q.kind is None


@pytest.mark.parametrize(
    ("cues", "predicted", "expected"),
    [
        ((Aspect.fee,), {Aspect.location: 0.99}, ((Aspect.fee,), "cue")),
        ((), {Aspect.location: 0.49}, ((), "none")),
        ((), {Aspect.overview: 0.9}, ((Aspect.overview,), "predictor")),
        ((), {Aspect.overview: 0.9, Aspect.fee: 0.6}, ((Aspect.fee,), "predictor")),
    ],
)
def test_combine_aspects(cues, predicted, expected) -> None:  # type: ignore[no-untyped-def]
    assert combine_aspects(cues, predicted) == expected


def test_combine_kind() -> None:
    assert combine_kind("other_department", {"smalltalk": 0.99}) == ("other_department", "cue")
    assert combine_kind(None, {"smalltalk": 0.59, "in_domain": 0.41}) == (None, "none")
    assert combine_kind(None, {"policy": 0.7}) == ("policy", "predictor")


def test_policy_aliases_stand_for_a_policy_name() -> None:
    a = _analyser()
    assert a.analyse("第一次违规被查到会不会直接罚款").policy_names == ("首违不罚",)
    assert "首违不罚" in a.analyse("Will a first minor violation be fined?").policy_names
    assert a.analyse("首违不罚是什么").policy_names == ("首违不罚",)  # a name counts once


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("is it true that first-time minor violations are not fined", "首违不罚"),
        ("I heard I can just sign a promise and get the permit on the spot", "告知承诺"),
        ("What is the notification and commitment system?", "告知承诺"),
        ("can i just show the electronic license on my phone instead of the paper one", "电子证照"),
        ("how do i rate the service after finishing my application", "好差评"),
        ("Can health matters be handled across provinces?", "跨省通办"),
        ("is there a single combined license for opening a dental clinic", "一业一证"),
        ("开小旅馆的，头一回被卫生监督查到毛巾没消毒，会直接罚款吗", "首违不罚"),
        ("生孩子以后要办好多证，有没有一次办完的", "一件事"),
        ("卫生监督来店里检查是怎么挑中的，会不会老查我一家", "双随机"),
        ("宾馆的卫生许可证是不是签个承诺书当场就能发证", "告知承诺"),
    ],
)
def test_english_names_of_the_policies(question: str, name: str) -> None:
    names = _analyser().analyse(question).policy_names
    assert name in names and len(names) == len(set(names))  # several aliases of one name count once


def test_every_policy_alias_cites_a_point(catalog) -> None:  # type: ignore[no-untyped-def]
    """An alias is only useful if the name it stands for is a point's topic or keyword (what the policy rule cites)."""
    from knowledge.text_normalise import normalise

    words = [normalise(w) for d in catalog.policies for p in d.points for w in (p.topic, *p.keywords)]
    names = set(load_lexicon().policy_cues.aliases.values())
    assert [n for n in names if not any(n in w for w in words)] == []


def test_a_policy_alias_must_stand_for_a_name() -> None:
    from pydantic import ValidationError

    from knowledge.query.lexicon import PolicyCues

    with pytest.raises(ValidationError):
        PolicyCues(names=["首违不罚"], aliases={"第一次违规": "不存在的政策"})


def test_the_asking_clause_decides_the_aspect_when_another_clause_only_tells() -> None:
    a = _analyser()
    q = a.analyse("hi, I'm a nurse and my registration expires next month. what do i need to renew it?")
    assert q.aspects == (Aspect.materials,) and q.sub_item == "延续"
    both = a.analyse("供水单位卫生许可需要哪些材料，收不收费")  # the second clause asks without a question word
    assert both.aspects == (Aspect.materials, Aspect.fee)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("他们多少天内给审核结果", True),
        ("收不收费啊", True),  # A-not-A
        ("我够不够条件", True),
        ("收钱不", True),  # a trailing 不
        ("办好了是寄过来还是自己去拿", True),  # A or B
        ("does he need a visa first", True),  # an English auxiliary
        ("and how many days for the review", True),
        ("本人于2026年8月提交设置申请，至今已逾法定时限仍未收到任何书面答复，特此反映", False),
        ("我去窗口办这个被推来推去，办不成", False),
        ("我在西安", False),
    ],
)
def test_whether_a_message_asks_something(text: str, asks: bool) -> None:
    from knowledge.query.analyse import asks_something
    from knowledge.text_normalise import normalise

    assert asks_something(normalise(text), load_lexicon().question_words) is asks


def test_pointing_back_and_complaining_are_read_from_the_lexicon() -> None:
    a = _analyser()
    assert a.analyse("办这个的时候需要本人到场吗").refers_back
    assert not a.analyse("护士执业注册需要本人到场吗").refers_back
    assert a.analyse("窗口推来推去，我要投诉").complains and not a.analyse("要多久").complains


@pytest.mark.parametrize(
    ("strategy", "cues", "predicted", "expected"),
    [
        # the head decides where it is confident (each aspect from its own threshold), the cues elsewhere
        ("head_first", (Aspect.materials,), {Aspect.process: 0.8}, ((Aspect.process,), "predictor")),
        ("head_first", (Aspect.materials,), {Aspect.process: 0.5}, ((Aspect.materials,), "cue")),
        ("cues_first", (Aspect.materials,), {Aspect.process: 0.8}, ((Aspect.materials,), "cue")),
        ("cues_first", (), {Aspect.process: 0.8}, ((Aspect.process,), "predictor")),
        # both: the first named first, at most two, and the overview only alone
        ("cue_then_head", (Aspect.fee,), {Aspect.materials: 0.9}, ((Aspect.fee, Aspect.materials), "both")),
        ("head_then_cue", (Aspect.fee,), {Aspect.materials: 0.9}, ((Aspect.materials, Aspect.fee), "both")),
        ("cue_then_head", (Aspect.fee,), {Aspect.overview: 0.9}, ((Aspect.fee,), "both")),
        ("cues_only", (), {Aspect.process: 0.99}, ((), "none")),
        ("head_only", (Aspect.fee,), {Aspect.process: 0.3, Aspect.fee: 0.2}, ((Aspect.process,), "predictor")),
    ],
)
def test_aspect_strategies(strategy, cues, predicted, expected) -> None:  # type: ignore[no-untyped-def]
    thresholds = {"process": 0.7, "materials": 0.6, "overview": 0.5}
    assert combine_aspects(cues, predicted, thresholds=thresholds, strategy=strategy) == expected


def test_calibrated_thresholds_reach_the_analyse_stage() -> None:
    aspects = FixedPredictor({"location": 0.55, "fee": 0.3})
    strict = _analyser(Predictors(aspects=aspects, aspect_thresholds={"location": 0.6}, aspect_strategy="head_first"))
    assert strict.analyse("护士注册要多久").aspects == (Aspect.time_limit,)  # the head is not sure: the cue
    loose = _analyser(Predictors(aspects=aspects, aspect_thresholds={"location": 0.5}, aspect_strategy="head_first"))
    q = loose.analyse("护士注册要多久")
    assert q.aspects == (Aspect.location,) and q.aspect_source == "predictor"


def test_the_heads_guess_on_a_message_that_asks_nothing_is_dropped() -> None:
    a = _analyser(Predictors(aspects=FixedPredictor({"location": 0.9}), aspect_thresholds={"location": 0.5}))
    # the conversation's question, about something else
    for elliptical in ("那医师呢", "深圳的话", "我们公司注册在深圳"):
        q = a.analyse(elliptical)
        assert q.aspects == () and q.aspect_source == "none" and q.aspect_probs == {Aspect.location: 0.9}
    for asking in ("找谁补", "节假日受理吗", "who signs it off"):
        assert a.analyse(asking).aspects == (Aspect.location,)


def test_a_complaint_about_another_department_carries_its_target() -> None:
    referrals = [Referral(department="城市管理部门", keywords=["占道经营"], agencies=["城管"])]
    a = Analyser(load_lexicon(), region_words=[], referrals=referrals)
    target = a.analyse("城管把我的摊子收了，东西到现在都不还，我要投诉城管").complaint_target
    assert target is not None and target.department == "城市管理部门"
    assert a.analyse("城管把我的摊子收了，东西到现在都不还，怎么要回来").complaint_target is None  # no complaint verb
    assert a.analyse("社区医院的护士态度很差，我要投诉").complaint_target is None  # a health institution


def test_the_head_never_overrides_a_firm_cue() -> None:
    sure = Predictors(
        aspects=FixedPredictor({"time_limit": 0.99, "conditions": 0.1}),
        aspect_thresholds={"time_limit": 0.5, "conditions": 0.5},
        aspect_sure_thresholds={"time_limit": 0.9},
        aspect_strategy="cues_unless_head_sure",
    )
    a = _analyser(sure)
    firm = a.analyse("护士证快到期了 提前多少天去续")  # the applicant's deadline: the group is firm
    assert firm.aspects == (Aspect.conditions,) and firm.aspect_source == "cue"
    assert a.analyse("护士注册在哪里办").aspects == (Aspect.time_limit,)  # an ordinary cue yields when it is sure


def test_a_vague_how_about_a_named_case_asks_for_its_materials_then_steps() -> None:
    q = _analyser().analyse("小孩出生证明弄丢了咋办")
    assert q.sub_item == "补发" and q.aspects == (Aspect.materials, Aspect.process) and q.aspect_source == "cue"
    assert _analyser().analyse("出生证明怎么办").aspects == (Aspect.process,)  # no case named: how it goes
