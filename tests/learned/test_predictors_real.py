"""The learned heads on the real multilingual-e5-small, trained on the bank's tuning part and the hand-written tuning
sets (slow)."""

from __future__ import annotations

import pytest

from knowledge.learned.predictors import top

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def predictors():  # type: ignore[no-untyped-def]
    from knowledge.config import get_settings
    from knowledge.embedding.embedders import E5Embedder
    from knowledge.learned.predictors import load_predictors

    settings = get_settings()
    return load_predictors(
        E5Embedder(settings.model_dir, threads=1),
        settings.learned_training,
        settings.learned_dir,
        settings.learned_hand,
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("灵活就业的医保想停缴，要去哪个窗口办停保手续", "other_department"),
        ("摩托车驾照到期了换证要去车管所吗", "other_department"),
        ("护士执业证书到期了，延续注册需要准备哪些东西", "in_domain"),
        ("謝謝你的幫忙", "smalltalk"),
        (
            "我父亲上周在县人民医院做胃镜，做完以后一直说肚子疼，医生只开了止痛药就让回家，结果第二天送到市里的医院"
            "发现是穿孔，要做手术。县医院到现在一句解释都没有，我想反映这家医院的问题。",
            "complaint",
        ),
    ],
)
def test_kind_on_new_questions(predictors, text: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    kind_predictor, _ = predictors
    assert top(kind_predictor.predict(text))[0] == kind


def test_aspects_on_new_questions(predictors) -> None:  # type: ignore[no-untyped-def]
    _, aspects = predictors
    fee = aspects.predict("放射诊疗许可证办下来一共要花多少钱")
    assert top(fee)[0] == "fee"
    where = aspects.predict("供水单位卫生许可要到哪个窗口去交申请")
    assert top(where)[0] == "location"
