"""The learned predictors: training, persistence, staleness, protocol, and the gate around the engine."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge.answer import Answer
from knowledge.embedding.embedders import HashingEmbedder
from knowledge.learned import store
from knowledge.learned.gate import GatedEngine
from knowledge.learned.predictors import build_predictors, top
from knowledge.learned.protocol import LabelPredictor
from knowledge.schema import Aspect

ROWS = [
    *(
        {"text": t, "kind": "in_domain", "aspects": ["materials"], "family": f"m{i % 3}"}
        for i, t in enumerate(
            [
                "护士执业注册需要什么材料",
                "护士注册要带哪些材料",
                "医师注册材料清单",
                "出生医学证明要什么材料",
                "卫生许可证申请材料有哪些",
                "诊所备案需要提交什么材料",
            ]
        )
    ),
    *(
        {"text": t, "kind": "in_domain", "aspects": ["fee"], "family": f"f{i % 3}"}
        for i, t in enumerate(
            [
                "护士执业注册收费吗",
                "护士注册要交多少钱",
                "医师注册收不收费",
                "出生医学证明要钱吗",
                "卫生许可证收费标准",
                "诊所备案费用多少",
            ]
        )
    ),
    *(
        {"text": t, "kind": "other_department", "family": f"o{i % 3}"}
        for i, t in enumerate(
            [
                "驾驶证到期怎么换证",
                "公积金怎么提取",
                "社保卡丢了怎么补",
                "营业执照在哪里办",
                "护照去哪里办理",
                "户口迁移要什么手续",
            ]
        )
    ),
    *(
        {"text": t, "kind": "smalltalk", "family": f"s{i % 3}"}
        for i, t in enumerate(["你好", "谢谢", "再见", "您好呀", "多谢了", "拜拜"])
    ),
]


@pytest.fixture()
def training_file(tmp_path: Path) -> Path:
    path = tmp_path / "tuning.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS), encoding="utf-8")
    return path


def test_predictors_follow_the_protocol_and_learn(training_file: Path, tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    heads = store.load_or_train(embedder, training_file, tmp_path / "heads")
    kind, aspects = build_predictors(heads, embedder)
    assert isinstance(kind, LabelPredictor) and isinstance(aspects, LabelPredictor)
    p = kind.predict("护士注册需要带什么材料")
    assert set(p) == {"in_domain", "other_department", "smalltalk"}
    assert abs(sum(p.values()) - 1.0) < 1e-6 and all(0.0 <= v <= 1.0 for v in p.values())
    assert top(p)[0] == "in_domain"
    assert top(kind.predict("驾驶证怎么换证"))[0] == "other_department"
    a = aspects.predict("护士注册需要什么材料")
    assert set(a) == {x.value for x in Aspect}
    assert a["materials"] > a["fee"] and a["fee"] < 0.5
    assert aspects.predict("医师注册要交多少钱")["fee"] > 0.5
    assert a["result"] < 1e-6  # never seen positive: never predicted
    assert kind.predict("  ") == {}


def test_heads_are_saved_reused_and_rebuilt_when_stale(training_file: Path, tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    folder = tmp_path / "heads"
    first = store.load_or_train(embedder, training_file, folder)
    manifest = json.loads((folder / store.MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["model"] == embedder.name and manifest["count"] == len(ROWS)
    assert set(manifest["kind_thresholds"]) == {"in_domain", "other_department", "smalltalk"}
    rows = store.read_training_rows(training_file)
    assert store.load(folder, embedder.name, store.rows_hash(rows)) is not None
    assert store.load(folder, "another-model", store.rows_hash(rows)) is None
    training_file.write_text(
        training_file.read_text(encoding="utf-8")
        + "\n"
        + json.dumps({"text": "结婚登记去哪里办", "kind": "other_department", "family": "o9"}, ensure_ascii=False),
        encoding="utf-8",
    )
    assert store.load(folder, embedder.name, store.rows_hash(store.read_training_rows(training_file))) is None
    second = store.load_or_train(embedder, training_file, folder)
    assert second.manifest.count == first.manifest.count + 1
    assert second.manifest.content_hash != first.manifest.content_hash


def test_the_blind_part_is_refused_as_training_data(tmp_path: Path) -> None:
    path = tmp_path / "blind_copy.jsonl"
    path.write_text(json.dumps(ROWS[0], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="blind"):
        store.read_training_rows(path)


class _FixedKind:
    def __init__(self, kind: str, p: float) -> None:
        self.kind, self.p = kind, p

    def predict(self, text: str) -> dict[str, float]:
        return {self.kind: self.p, "in_domain": 1.0 - self.p}


def _engine_with_kind(fake_engine, kind: str, p: float):  # type: ignore[no-untyped-def]
    """A fresh engine over the fake engine's catalog and index, its analyse stage holding a fixed kind."""
    from knowledge.engine import Engine
    from knowledge.query.predictors import Predictors

    engine = Engine(fake_engine.catalog, fake_engine.dense, helpline="12345")
    engine.set_predictors(Predictors(kind=_FixedKind(kind, p), kind_thresholds={"other_department": 0.8}))
    return GatedEngine(engine, _FixedKind(kind, p), _FixedKind("fee", 0.5), {"other_department": 0.8})


def test_the_engine_rules_turn_a_confident_other_department_question_away(fake_engine) -> None:  # type: ignore[no-untyped-def]
    from knowledge.answer import Context

    gated = _engine_with_kind(fake_engine, "other_department", 0.95)
    answer = gated.ask("我的公积金怎么提取出来")
    assert isinstance(answer, Answer) and answer.kind == "no_answer" and answer.rule == "referral"
    assert "住房公积金管理中心" in answer.text and "12345" in answer.text
    unnamed = gated.ask("电动车充电桩安装要带什么")  # no referral keyword: the learned kind alone decides
    assert unnamed.kind == "no_answer" and unnamed.rule == "other_department" and "12345" in unnamed.text
    # naming an item of this knowledge base exactly goes to the item, whatever the kind says
    assert gated.ask("护士执业注册需要什么材料").kind in {"answer", "clarify"}  # the engine asks which sub-item
    # a follow-up that says nothing beyond cue words, in a conversation about an item, stays on the item
    followup = gated.ask("那收费吗", Context(item_code="nurse-practice-registration"))
    assert followup.kind == "answer" and followup.item is not None
    # below the calibrated threshold the other rules decide
    unsure = _engine_with_kind(fake_engine, "other_department", 0.6)
    assert unsure.ask("护士执业注册需要什么材料").kind in {"answer", "clarify"}
    assert unsure.ask("电动车充电桩安装要带什么").rule != "other_department"
    assert unsure.verdict("随便什么")[2] is False
    assert gated.catalog is fake_engine.catalog  # everything else is the engine's


def test_the_verdict_agrees_with_the_engine_on_referral_keywords(fake_engine) -> None:  # type: ignore[no-untyped-def]
    in_domain = _engine_with_kind(fake_engine, "policy", 0.7)
    # the head says policy, the engine will refer it by keyword: the gateway hears other_department
    assert in_domain.verdict("我家孩子的医保卡还没激活，在医院看病刷不了，怎么弄") == ("other_department", 0.7, True)
    assert in_domain.verdict("电动车充电桩安装要带什么")[0] == "policy"  # no keyword: the head's verdict
    # naming one of our items keeps the head's verdict
    assert in_domain.verdict("出生医学证明和医保卡一起办吗")[0] == "policy"
    sure_complaint = _engine_with_kind(fake_engine, "complaint", 0.99)
    sure_complaint.thresholds["complaint"] = 0.5
    assert sure_complaint.verdict("医院乱收费，我要投诉")[0] == "complaint"
    # a short message naming another department's service goes there, whatever its tone
    assert sure_complaint.verdict("医保卡被盗刷了，我要投诉")[0] == "other_department"


def test_the_verdict_takes_follow_ups_and_department_questions_as_the_engine_does(fake_engine) -> None:  # type: ignore[no-untyped-def]
    unsure = _engine_with_kind(fake_engine, "smalltalk", 0.3)
    unsure.thresholds["smalltalk"] = 0.9
    assert unsure.verdict("我在浙江")[0:3:2] == ("in_domain", True)  # a place only: a follow-up
    assert unsure.verdict("有没有工本费")[0:3:2] == ("in_domain", True)  # an aspect only
    assert unsure.verdict("施工噪音特别大，找哪个部门")[0:3:2] == ("other_department", True)
    assert unsure.verdict("护士执业注册归谁管")[0] != "other_department"  # names an item: the head decides
    sure = _engine_with_kind(fake_engine, "smalltalk", 0.95)
    sure.thresholds["smalltalk"] = 0.9
    assert sure.verdict("我在浙江")[0] == "in_domain"  # a place only is a follow-up, not small talk
    complaint = _engine_with_kind(fake_engine, "complaint", 0.95)
    complaint.thresholds["complaint"] = 0.9
    assert complaint.verdict("太慢了，要多久")[0] == "complaint"  # the head is sure of a complaint: kept


def test_a_short_question_naming_another_departments_service_is_referred_whatever_its_tone(fake_engine) -> None:  # type: ignore[no-untyped-def]
    sure = _engine_with_kind(fake_engine, "complaint", 0.9)
    sure.thresholds["complaint"] = 0.5
    assert sure.verdict("医院临时工不给交社保，能去哪里投诉")[0:3:2] == ("other_department", True)
    long = "医院临时工的事情：" + "我们在医院干了三年，" * 8 + "社保一直没交，我要投诉这家医院"
    assert sure.verdict(long)[0] == "complaint"  # a narrative naming it in passing stays a complaint
    assert sure.verdict("医院乱收费，找哪个部门")[0] == "complaint"  # which-department: the head is sure


def test_an_unsure_other_department_head_is_made_sure_by_a_referral_keyword(fake_engine) -> None:  # type: ignore[no-untyped-def]
    unsure = _engine_with_kind(fake_engine, "other_department", 0.7)  # threshold 0.8: not confident alone
    assert unsure.verdict("医院临时工不给交社保，能去哪里投诉")[0:3:2] == ("other_department", True)
    assert unsure.verdict("电动车充电桩安装要带什么")[2] is False  # nothing the engine would refer


def test_a_message_of_small_talk_words_only_is_confident_small_talk(fake_engine) -> None:  # type: ignore[no-untyped-def]
    unsure = _engine_with_kind(fake_engine, "policy", 0.7)  # not confident: no threshold for policy
    assert unsure.gate("好的没有问题了再见")[:5] == ("smalltalk", 0.7, True, 0, False)
    assert unsure.gate("谢谢，没事了")[0:3:2] == ("smalltalk", True)
    kind, _, _, beyond, *_ = unsure.gate("你好，中考志愿填报归谁管")
    assert kind != "smalltalk" and beyond == len("中考志愿填报归谁管")
    complaint = _engine_with_kind(fake_engine, "complaint", 0.95)
    complaint.thresholds["complaint"] = 0.9
    assert complaint.gate("好的")[0] == "complaint"  # the head is sure of something else: kept
    assert unsure.verdict("好的没有问题了再见") == ("smalltalk", 0.7, True)  # the three-value view


def test_the_verdict_says_when_a_message_asks_for_a_person(fake_engine) -> None:  # type: ignore[no-untyped-def]
    gated = _engine_with_kind(fake_engine, "in_domain", 0.9)
    assert gated.gate("算了 你直接帮我转个真人吧").asks_human
    assert gated.gate("can I talk to a real person please").asks_human
    assert not gated.gate("护士注册要什么材料").asks_human


def test_the_verdict_says_when_a_short_message_asks_for_medical_advice(fake_engine) -> None:  # type: ignore[no-untyped-def]
    gated = _engine_with_kind(fake_engine, "complaint", 0.9)
    assert gated.gate("宝宝打完疫苗发烧38度5，要不要吃退烧药").medical_advice
    assert gated.gate("我家孩子发烧38度5，晚上要不要带去医院挂急诊").medical_advice
    assert gated.gate("帮我看看化验单，白细胞偏高是不是发炎了，要吃什么药").medical_advice
    assert not gated.gate("孩子发烧去医院挂急诊等了三个小时没人管").medical_advice  # a story: asks nothing
    assert not gated.gate("孩子发烧要不要吃药？我要投诉医院乱开药").medical_advice  # a verb of complaining
    assert not gated.gate("护士注册要什么材料").medical_advice
    assert gated.gate("推荐一家看皮肤病好的医院").medical_advice  # a recommendation: not ours to give either
    assert not gated.gate("推荐一家医院太差了，我要投诉").medical_advice
    long_story = "孩子发烧" + "，我们在医院排了很久的队" * 8 + "，要不要吃药"
    assert not gated.gate(long_story).medical_advice  # a narrative: the head and Rasa decide
    assert gated.gate("宝宝打完疫苗晚上一直低烧37度8，要吃什么退烧药").medical_advice  # "吃什么", not only "吃什么药"
    assert gated.gate("另外我爸高血压一直头晕，降压药该怎么换").medical_advice  # a medicine to change


def test_asking_which_medicine_is_medical_advice_whatever_the_symptom_is_called(fake_engine) -> None:  # type: ignore[no-untyped-def]
    gated = _engine_with_kind(fake_engine, "complaint", 0.9)
    assert gated.gate("这两天心口老是堵得慌，该吃点什么药").medical_advice  # no listed symptom: the medicine is asked
    assert gated.gate("my back has been aching for days, what medicine helps").medical_advice
    assert not gated.gate("医院给我开错了药，吃什么药都不管用，我要投诉").medical_advice  # a verb of complaining
    assert not gated.gate("麻醉药品印鉴卡怎么办理").medical_advice


def test_the_verdict_says_whether_a_message_asks_anything_in_words(fake_engine) -> None:  # type: ignore[no-untyped-def]
    gated = _engine_with_kind(fake_engine, "complaint", 0.9)
    assert gated.gate("上礼拜我反映过一个事，想看看现在处理到哪一步了").question
    assert gated.gate("对了，我上个月在网上投诉过一次窗口的事，有结果了吗").question
    assert not gated.gate("有个事我要投诉").question
    assert not gated.gate("好的，麻烦你们了，等你们电话").question
    assert gated.gate("单号是bbc_20261120_0316_tnvxe").ticket_number
    assert not gated.gate("好的，麻烦你们了，等你们电话").ticket_number


def test_where_to_complain_leaning_to_a_complaint_is_not_turned_away(fake_engine) -> None:  # type: ignore[no-untyped-def]
    leaning = _engine_with_kind(fake_engine, "complaint", 0.6)  # the top kind, below its threshold: not sure
    leaning.thresholds["complaint"] = 0.7
    assert leaning.gate("医院乱收费，去哪里反映")[0:3:2] == ("complaint", False)  # DIET decides (the intake)
    assert leaning.gate("生完孩子产假工资单位不给发，去哪里反映")[0:3:2] == ("other_department", True)  # a keyword
    other = _engine_with_kind(fake_engine, "policy", 0.6)
    assert other.gate("施工噪音特别大，去哪里反映")[0:3:2] == ("other_department", True)


def test_a_question_naming_nothing_else_is_a_followup_candidate(fake_engine) -> None:  # type: ignore[no-untyped-def]
    gated = _engine_with_kind(fake_engine, "complaint", 0.6)
    assert gated.gate("他们多少天内给审核结果").asks_about_item
    assert gated.gate("收不收费啊").asks_about_item
    assert not gated.gate("护士执业注册要多久").asks_about_item  # names an item: a question of its own
    assert not gated.gate("至今已逾法定时限仍未收到答复，特此反映").asks_about_item  # no question; complains
    assert not gated.gate("办不下来到底找谁投诉啊").asks_about_item  # the complaint route
    assert gated.gate("他们多少天内给审核结果").complaint == pytest.approx(0.6)


def test_aspect_thresholds_are_the_best_f1_out_of_fold() -> None:
    import numpy as np

    rows = [store.TrainingRow(f"q{n}", "in_domain", (a,), f"f{n}") for n, a in enumerate(["fee"] * 4 + ["process"] * 4)]
    fee = store.ASPECTS.index("fee")
    oof = np.zeros((len(rows), len(store.ASPECTS)))
    oof[:4, fee] = [0.9, 0.8, 0.7, 0.45]  # the fee questions
    oof[4:, fee] = [0.6, 0.3, 0.2, 0.1]  # a process question the head half takes for a fee one
    thresholds = store.calibrate_aspect_thresholds(oof, rows)
    # every fee question and one process question (F1 0.89) beats three fee questions alone (0.86); of the
    # thresholds that tie, the highest
    assert thresholds["fee"] == 0.45
    assert thresholds["basis"] == max(thresholds.values())  # never labelled: never said


def test_heads_carry_calibrated_aspect_thresholds(training_file: Path, tmp_path: Path) -> None:
    heads = store.load_or_train(HashingEmbedder(), training_file, tmp_path / "heads")
    assert set(heads.manifest.aspect_thresholds) == set(store.ASPECTS)
    assert all(0.0 < t < 1.0 for t in heads.manifest.aspect_thresholds.values())


def test_a_report_in_complaint_words_asking_nothing_is_a_confident_complaint(fake_engine) -> None:  # type: ignore[no-untyped-def]
    """Whatever the head says (the writers' rows taught it 办不成事 as a policy topic): the intake, not an answer."""
    gated = _engine_with_kind(fake_engine, "policy", 0.95)
    assert gated.gate("我要反映办不成的事")[:3] == ("complaint", 0.95, True)
    assert gated.gate("我要投诉")[:3] == ("complaint", 0.95, True)
    assert gated.gate("办不成事找谁反映").kind != "complaint"  # asks: the policy point with its channels may answer


def test_bare_complaint_words_are_a_complaint_even_when_the_head_is_sure_of_another_department(fake_engine) -> None:  # type: ignore[no-untyped-def]
    """Rule `bare_report`: the head, trained on many "投诉 <a department>" questions, takes bare complaint words for
    another department's; a short message of them naming nothing else opens the intake."""
    sure = _engine_with_kind(fake_engine, "other_department", 0.95)
    for text in ("我要投诉", "我想投诉这个事", "这事我要反映一下"):
        assert sure.verdict(text)[0::2] == ("complaint", True), text
    assert sure.verdict("我要投诉医保局")[0] == "other_department"  # names the department it is about
    assert sure.verdict("我想咨询一下律师投诉的事情")[0] == "other_department"  # a matter of its own


def test_a_complaint_about_another_department_is_referred_whatever_the_heads_tone(fake_engine) -> None:  # type: ignore[no-untyped-def]
    sure = _engine_with_kind(fake_engine, "complaint", 0.95)
    sure.thresholds["complaint"] = 0.5
    builder = (
        "我们小区旁边在建一栋楼，"
        + "每天晚上十一二点还在施工，吵得孩子睡不着，" * 2
        + "打了几次电话都没人管，我要投诉施工方"
    )
    assert len(builder) > 60  # longer than a short question naming a service
    assert sure.verdict(builder)[0:3:2] == ("other_department", True)
    answer = sure.ask(builder)
    assert (answer.kind, answer.rule) == ("no_answer", "complaint_about_department")
    assert "住房和城乡建设部门" in answer.text and "12345" in answer.text
    # a complaint about a hospital, however many other departments the story names, stays a complaint
    hospital = "医保局让我回医院开证明，" + "医院的护士说不归她们管，来回跑了四趟，" * 3 + "我要投诉这家医院"
    assert sure.verdict(hospital)[0] == "complaint"
    # naming an item of ours keeps the head's verdict
    permit = "我在政务中心申请公共场所卫生许可证，" + "市场监管局又说要先办别的，" * 3 + "我要投诉市场监管局"
    assert sure.verdict(permit)[0] == "complaint"


def test_a_narrative_naming_another_departments_service_that_asks_who_handles_it_is_referred(fake_engine) -> None:  # type: ignore[no-untyped-def]
    sure = _engine_with_kind(fake_engine, "complaint", 0.95)
    sure.thresholds["complaint"] = 0.5
    monitor = (
        "I bought a blood pressure monitor online and it shows wrong readings, "
        "I tried it again and again. Who handles product quality complaints?"
    )
    assert len(monitor) > 60  # longer than a short question naming a service
    assert sure.verdict(monitor)[0:3:2] == ("other_department", True)
    # asking nothing of the department, the head's complaint stands
    told = "I bought a blood pressure monitor online and it shows wrong readings, product quality is terrible here"
    assert len(told) > 60 and sure.verdict(told)[0] == "complaint"
    # naming a hospital, it is a complaint about our services, wherever it asks to complain
    hospital = "医院让我去医保窗口开证明，" + "医院的护士说不归她们管，来回跑了四趟，" * 3 + "这事该去哪里投诉"
    assert sure.verdict(hospital)[0] == "complaint"


def test_heads_learn_from_the_hand_written_tuning_sets_and_say_so(training_file: Path, tmp_path: Path) -> None:
    hand = tmp_path / "handwritten"
    hand.mkdir()
    turns = [
        {
            "user": "卫生许可证要带什么材料",
            "expect": {"kind": "answer", "item": "公共场所卫生许可", "aspect": "materials"},
        },
        {"user": "那得交钱不", "expect": {"kind": "answer", "item": "公共场所卫生许可", "aspect": "fee"}},
    ]
    (hand / "tuning.jsonl").write_text(json.dumps({"id": "c1", "turns": turns}, ensure_ascii=False), encoding="utf-8")
    od = {"id": "od-1", "text": "社保断缴了怎么补", "kind": "other_department", "family": "od-1"}
    (hand / "other_departments_seen.jsonl").write_text(json.dumps(od, ensure_ascii=False), encoding="utf-8")
    embedder = HashingEmbedder()
    bank_only = store.load_or_train(embedder, training_file, tmp_path / "bank")
    heads = store.load_or_train(embedder, training_file, tmp_path / "both", hand)
    assert heads.manifest.hand_rows == 3 and heads.manifest.count == len(ROWS) + 3
    assert "tuning" in heads.manifest.hand_splits and not any(s.startswith("blind") for s in heads.manifest.hand_splits)
    assert heads.manifest.content_hash != bank_only.manifest.content_hash
    assert bank_only.manifest.hand_rows == 0 and bank_only.manifest.hand_splits == []
    assert store.load_or_train(embedder, training_file, tmp_path / "both", hand).manifest == heads.manifest  # reused


def test_an_aspect_only_row_changes_the_training_hash() -> None:
    row = store.TrainingRow("那得交钱不", "in_domain", ("fee",), "hand:tuning:c1")
    aspect_only = store.TrainingRow("那得交钱不", "in_domain", ("fee",), "hand:tuning:c1", for_kind=False)
    assert store.rows_hash([row]) != store.rows_hash([aspect_only])


def _hand_rows() -> list[store.TrainingRow]:
    """Hand-written rows that contradict the bank's: fee questions a writer labelled another department's."""
    texts = ["护士注册交多少钱啊", "医师注册收费不", "诊所备案费用咋算"]
    return [store.TrainingRow(t, "other_department", None, f"hand:tuning:h{n}", hand=True) for n, t in enumerate(texts)]


def test_the_hand_written_rows_weight_reaches_the_kind_heads_fit() -> None:
    embedder = HashingEmbedder()
    rows = [store.TrainingRow(r["text"], r["kind"], tuple(r.get("aspects") or ()) or None, r["family"]) for r in ROWS]
    rows += _hand_rows()
    plain = store.train(rows, embedder, hand_weight=1.0)
    weighted = store.train(rows, embedder, hand_weight=3.0)
    assert weighted.manifest.hand_weight == 3.0 and plain.manifest.hand_weight == 1.0
    assert weighted.manifest.content_hash == store.rows_hash(rows, 3.0) != plain.manifest.content_hash
    hand = _hand_rows()
    base = store.kind_features([r.text for r in hand], embedder)
    own = np.array([[r.family == row.family for row in rows] for r in hand])  # as the fit saw them: no own family
    od = list(plain.kind.labels).index("other_department")
    said_plain = plain.kind.head.probabilities(plain.kind.full_features(base, own))[:, od]
    said_weighted = weighted.kind.head.probabilities(weighted.kind.full_features(base, own))[:, od]
    assert (said_weighted > said_plain + 0.05).all()  # the writer's label weighs more in the weighted fit
    # the aspect head is untouched by the kind head's weight
    assert np.allclose(weighted.aspects.weights, plain.aspects.weights)


def test_the_hand_written_rows_weight_reaches_the_aspect_heads_fit() -> None:
    embedder = HashingEmbedder()
    rows = [store.TrainingRow(r["text"], r["kind"], tuple(r.get("aspects") or ()) or None, r["family"]) for r in ROWS]
    rows.append(store.TrainingRow("材料要交多少钱", "in_domain", ("fee",), "hand:tuning:c1", hand=True))
    plain = store.train(rows, embedder, aspect_hand_weight=1.0)
    weighted = store.train(rows, embedder, aspect_hand_weight=4.0)
    vector = embedder.embed_queries(["材料要交多少钱"])
    fee = list(plain.aspects.labels).index("fee")
    assert weighted.aspects.probabilities(vector)[0, fee] > plain.aspects.probabilities(vector)[0, fee] + 0.01
    assert weighted.manifest.aspect_hand_weight == 4.0
    assert np.allclose(weighted.kind.head.weights, plain.kind.head.weights)  # the kind head's fit unweighted


def test_a_plain_fit_keeps_its_hash_and_a_weight_out_of_range_is_refused() -> None:
    rows = _hand_rows()
    bank_like = [store.TrainingRow(r.text, r.kind, r.aspects, r.family) for r in rows]
    assert store.rows_hash(rows, 1.0, 1.0) == store.rows_hash(bank_like, 1.0, 1.0)  # the plain fit: as before
    assert store.rows_hash(rows, 2.0) != store.rows_hash(bank_like, 2.0)  # which rows are hand-written counts
    assert store.rows_hash(rows, 2.0) != store.rows_hash(rows, 3.0) != store.rows_hash(rows, 1.0, 2.0)
    for bad in (0.5, 0.0, -1.0, float("nan"), float("inf"), store.MAX_HAND_WEIGHT + 1):
        with pytest.raises(ValueError, match="weight"):
            store.check_hand_weight(bad)
        with pytest.raises(ValueError, match="weight"):
            store.rows_hash(rows, bad)
    assert store.check_hand_weight(store.HAND_WEIGHT) == store.HAND_WEIGHT
    assert store.check_hand_weight(store.ASPECT_HAND_WEIGHT) == store.ASPECT_HAND_WEIGHT


def test_load_or_train_fits_with_the_stored_hand_weight(
    training_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hand = tmp_path / "handwritten"
    hand.mkdir()
    od = {"id": "od-1", "text": "社保断缴了怎么补", "kind": "other_department", "family": "od-1"}
    (hand / "other_departments_seen.jsonl").write_text(json.dumps(od, ensure_ascii=False), encoding="utf-8")
    embedder = HashingEmbedder()
    monkeypatch.setattr(store, "HAND_WEIGHT", 1.0)
    plain = store.load_or_train(embedder, training_file, tmp_path / "heads", hand)
    monkeypatch.setattr(store, "HAND_WEIGHT", 3.0)
    weighted = store.load_or_train(embedder, training_file, tmp_path / "heads", hand)  # a new weight: retrained
    assert weighted.manifest.hand_weight == 3.0 and plain.manifest.hand_weight == 1.0
    assert weighted.manifest.content_hash != plain.manifest.content_hash
    assert not np.allclose(weighted.kind.head.weights, plain.kind.head.weights)
