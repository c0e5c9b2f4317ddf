"""The vocabulary file (knowledge/data/lexicon.yaml): its schema, its checks, and the matching it drives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from knowledge.loader import KnowledgeDataError, knowledge_root
from knowledge.query.cues import CueMatcher, contains, detect_aspects
from knowledge.query.lexicon import LEXICON_FILE, Lexicon, load_lexicon, load_lexicon_file
from knowledge.schema import Aspect
from knowledge.text_normalise import normalise
from knowledge.validate import validate


def _raw() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((knowledge_root() / LEXICON_FILE).read_text(encoding="utf-8"))


def test_shipped_lexicon_loads_with_explicit_priorities() -> None:
    lexicon = load_lexicon()
    priorities = [g.priority for g in lexicon.aspect_cues]
    assert len(set(priorities)) == len(priorities)
    assert {g.aspect for g in lexicon.aspect_cues} == set(Aspect)
    assert {s.canonical for s in lexicon.sub_items} == {"首次", "延续", "变更", "注销", "补发", "换发"}
    assert "许可证" in lexicon.generic_terms and "告知承诺" in lexicon.policy_cues.names
    assert lexicon.medical_advice is not None and "发烧" in lexicon.medical_advice.symptoms


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["aspect_cues"][1].update(priority=d["aspect_cues"][0]["priority"]), "distinct priorities"),
        (lambda d: d["aspect_cues"][0]["cues"].append("有效期"), "given to both"),
        (lambda d: d["aspect_cues"][0]["cues"].append("條件"), "normalised"),
        (lambda d: d["aspect_cues"][0].update(aspect="speed"), "aspect"),
        (lambda d: d["sub_items"][0].update(canonical="续签"), "canonical"),
        (lambda d: d.update(unknown_key=1), "unknown_key"),
        (lambda d: d["medical_advice"].update(symptoms=[]), "symptoms"),
        (lambda d: d["medical_advice"]["asks"].append("嚴重嗎"), "normalised"),
        (lambda d: d["medical_advice"].update(max_chars=5), "max_chars"),
        (lambda d: d["medical_advice"]["medicine"].append("吃甚麼藥"), "normalised"),
        # told situations (round 14, `knowledge/decide/told_case.py`)
        (lambda d: d["situations"][0].update(sub_item="续签"), "sub_item"),
        (lambda d: d["situations"][0]["all_of"].append([]), "empty word group"),
        (lambda d: d["situations"][0]["all_of"][0].append("考試"), "normalised"),
        (lambda d: d["situations"].append(dict(d["situations"][0])), "listed twice"),
    ],
)
def test_bad_lexicon_is_rejected_with_the_reason(tmp_path: Path, change, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _raw()
    change(data)
    path = tmp_path / LEXICON_FILE
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeDataError) as err:
        load_lexicon_file(path)
    assert message in str(err.value)


def test_make_validate_reports_a_broken_lexicon_and_a_split_referral(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(knowledge_root(), root)
    data = _raw()
    data["aspect_cues"][0]["cues"].append("有效期")
    (root / LEXICON_FILE).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    referrals = yaml.safe_load((root / "referrals.yaml").read_text(encoding="utf-8"))
    referrals.append({"department": "某某部门", "keywords": [referrals[0]["keywords"][0]]})
    (root / "referrals.yaml").write_text(yaml.safe_dump(referrals, allow_unicode=True), encoding="utf-8")
    report = validate(root)
    where = {i.where for i in report.errors}
    assert LEXICON_FILE in where and "referrals.yaml" in where


def test_sub_item_cues() -> None:
    from knowledge.query.cues import detect_sub_item

    assert detect_sub_item("护士延续注册要什么") == "延续"
    assert detect_sub_item("出生证明丢了怎么补办") == "补发"
    assert detect_sub_item("我刚考完护士资格证") == "首次"
    assert detect_sub_item("护士证快到期了，第一次办延续吗") == "延续"  # the higher priority wins
    assert detect_sub_item("护士注册要什么材料") is None


def test_shipped_vocabulary_validates() -> None:
    report = validate()
    assert not [i for i in report.errors if i.where in (LEXICON_FILE, "referrals.yaml")]


def test_priority_decides_between_cues_not_file_order() -> None:
    data = _raw()
    data["aspect_cues"].reverse()  # same groups, listed the other way round
    matcher = CueMatcher(Lexicon.model_validate(data))
    assert matcher.aspect_hits(normalise("有效期多久"))[0].aspect is Aspect.validity
    assert matcher.aspect_hits(normalise("护士延续注册要提前多久申请"))[0].aspect is Aspect.conditions


@pytest.mark.parametrize(
    ("question", "aspects"),
    [
        ("护士执业注册需要什么材料和费用", (Aspect.materials, Aspect.fee)),
        ("要什么材料，收费吗", (Aspect.materials, Aspect.fee)),
        ("放射工作人员证多久能办好，在哪里办", (Aspect.time_limit, Aspect.location)),
        ("从交材料到办下来要多久？我问的不是有效期", (Aspect.time_limit,)),  # no connector: one question
        ("免费婚检需要什么条件", (Aspect.conditions,)),  # "免费" names the item, it is not a second question
        ("多久有效", (Aspect.validity,)),  # "多久" belongs to the validity cue
        ("医疗机构设置审批一般要多长时间才能批下来", (Aspect.time_limit,)),
        ("执业医师资格考试通过好几年了还能注册吗", (Aspect.conditions,)),
        ("医师执业证书由谁颁发", (Aspect.overview,)),  # the issuer is in the overview, not the address
        ("出生医学证明要在多少天内去办", (Aspect.conditions,)),  # the applicant's deadline
        ("How long does it take and how much does it cost?", (Aspect.time_limit, Aspect.fee)),
        ("how to apply", (Aspect.process,)),  # "app" (online) is not a word in "apply"
        ("what documents do i need", (Aspect.materials,)),
        # the office's time limit in days (its answer) against the applicant's own deadline (a condition)
        ("批不批多少天内给答复", (Aspect.time_limit,)),
        ("请问放射工作人员证自受理之日起多少日内发放？", (Aspect.time_limit,)),
        ("护士证快到期了 提前多少天去续", (Aspect.conditions,)),
        ("公司地址变了多少天内要去改", (Aspect.conditions,)),
        # who issues or approves: the implementing body (overview), not the address
        ("这个证是哪一级卫健委发的", (Aspect.overview,)),
        ("放射工作人员证是市卫健委发还是区卫健委发", (Aspect.overview,)),
        ("is the permit issued by the province", (Aspect.overview,)),
        # passed years ago, can I still …: a condition
        ("I passed the nurse exam years ago, can I still register?", (Aspect.conditions,)),
        ("how far in advance do I have to renew my nurse licence", (Aspect.conditions,)),
        ("where do i go to get a premarital check", (Aspect.location,)),
        ("How long does approval take?", (Aspect.time_limit,)),
        # Cantonese, written in traditional characters as people type it
        ("醫療機構設置審批要幾耐先批落嚟？", (Aspect.time_limit,)),
        ("喺上海邊度可以做婚前檢查？收唔收錢？", (Aspect.fee, Aspect.location)),
        ("開中醫診所備案要帶咩文件？", (Aspect.materials,)),
        ("出生醫學證明係邊個機構簽發？", (Aspect.overview,)),
        ("婚檢使唔使錢", (Aspect.fee,)),
        ("美甲店要唔要申請公共場所衞生許可證", (Aspect.conditions,)),
        ("醫師多機構執業點樣辦理？", (Aspect.process,)),
        ("護士證有效期幾耐", (Aspect.validity,)),  # 幾耐 belongs to the validity cue here
        ("在陕西设置中医医院，审批要多少个工作日，去哪里交材料", (Aspect.time_limit, Aspect.location)),  # where
        ("问下放射工作人员证年审多久一次", (Aspect.validity,)),  # how often: the validity
        ("那多久之前要去申请", (Aspect.conditions,)),  # the applicant's deadline
        # two questions without a connector: a space between Chinese clauses, or a question word of each cue's own
        ("深圳办医疗机构执业许可证要多长时间 在哪里交材料", (Aspect.time_limit, Aspect.location)),
        ("光荣证在哪办要交钱吗", (Aspect.fee, Aspect.location)),
        ("需要什么材料多少钱", (Aspect.materials, Aspect.fee)),
        ("在哪里交材料", (Aspect.location,)),  # the papers are what is handed in: one question
        ("有效期是多久", (Aspect.validity,)),  # 多久 asks about the validity
        ("办理流程需要多长时间", (Aspect.time_limit,)),
        # the scope: whether a kind of place needs the permit, which ones do
        ("游泳馆要办公共场所卫生许可吗", (Aspect.conditions,)),
        ("公共场所卫生许可证哪些地方要办", (Aspect.conditions,)),
        ("医院开始做职业健康检查要去备案吗 多久之内", (Aspect.conditions,)),  # the applicant's deadline
        ("我想在两家医院多点执业 咋弄", (Aspect.process,)),
        # a figure heard and checked: its aspect ("执业地点" only tells what changes)
        ("今年3月调到我们市XX医院上班，要变更执业地点，听说要7天？", (Aspect.time_limit, Aspect.location)),
        ("孩子出生7天了还能办吗", (Aspect.conditions,)),  # tells, does not check the figure
        ("婚检是不是要300元？", (Aspect.fee,)),  # 是不是 asks; it is no negation
        ("是不是要交钱", (Aspect.fee,)),
    ],
)
def test_aspect_cues(question: str, aspects: tuple[Aspect, ...]) -> None:
    assert detect_aspects(question) == aspects


def test_cantonese_groups_sit_just_below_their_mandarin_group() -> None:
    lexicon = load_lexicon()
    yue = [g for g in lexicon.aspect_cues if g.dialect == "yue"]
    assert {g.aspect for g in yue} >= {Aspect.time_limit, Aspect.fee, Aspect.location, Aspect.materials, Aspect.process}
    mandarin = {g.priority: g.aspect for g in lexicon.aspect_cues if g.dialect is None}
    assert all(mandarin[g.priority + 1] is g.aspect for g in yue)
    data = _raw()
    group = next(g for g in data["aspect_cues"] if g.get("dialect") == "yue")
    group["priority"] = 5  # no Mandarin group of its aspect just above
    with pytest.raises(ValueError, match="one step below"):
        Lexicon.model_validate(data)


def test_a_gap_in_a_cue_spans_a_few_words_of_one_clause() -> None:
    assert contains("游泳馆要办公共场所卫生许可吗", "要办*吗")
    assert contains("要办吗", "要办*吗")
    assert not contains("我要办证，多少钱吗", "要办*吗")  # a clause break stands in the gap
    assert not contains("要办" + "一" * 13 + "吗", "要办*吗")  # too far apart
    assert contains("听说要7天?", "#天?") and contains("要二十个工作日吗", "#个工作日吗")
    assert not contains("出生7天了", "#天?")


def test_firm_groups_are_listed_for_the_analyse_stage() -> None:
    firm = load_lexicon().firm_cues()
    assert "提前多少天" in firm and "要办*吗" in firm and "多久" not in firm
