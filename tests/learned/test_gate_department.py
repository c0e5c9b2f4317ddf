"""The gate's rule `department_subject`: a question for a department about another department's matter is a confident
`other_department` whatever the head makes of the story (phrasings written here, none from an evaluation set)."""

from __future__ import annotations

from knowledge.learned.gate import GatedEngine


class _FixedKind:
    def __init__(self, kind: str, p: float) -> None:
        self.kind, self.p = kind, p

    def predict(self, text: str) -> dict[str, float]:
        return {self.kind: self.p, "in_domain": 1.0 - self.p}


def _sure_complaint(fake_engine):  # type: ignore[no-untyped-def]
    from knowledge.engine import Engine
    from knowledge.query.predictors import Predictors

    engine = Engine(fake_engine.catalog, fake_engine.dense, helpline="12345")
    engine.set_predictors(Predictors(kind=_FixedKind("complaint", 0.9), kind_thresholds={"complaint": 0.5}))
    return GatedEngine(engine, _FixedKind("complaint", 0.9), _FixedKind("fee", 0.5), {"complaint": 0.5})


def test_a_story_that_asks_which_department_handles_another_departments_matter_is_referred(fake_engine) -> None:  # type: ignore[no-untyped-def]
    gate = _sure_complaint(fake_engine)
    story = (
        "我家孩子在学校被同学欺负了好几次，" + "老师一直说会处理，结果什么都没做，" * 2 + "学校也不管，这种事应该归谁管"
    )
    assert len(story) > 60
    assert gate.verdict(story)[0:3:2] == ("other_department", True)
    answer = gate.ask(story)
    assert (answer.kind, answer.rule) == ("no_answer", "department_subject")
    assert "教育部门" in answer.text
    police = "楼下棋牌室天天有人聚众赌博吵到半夜，邻居都不敢管，我们是不是应该直接找派出所"
    assert gate.verdict(police)[0:3:2] == ("other_department", True)


def test_a_story_about_our_services_that_asks_where_to_turn_stays_a_complaint(fake_engine) -> None:  # type: ignore[no-untyped-def]
    gate = _sure_complaint(fake_engine)
    hospital = "在医院排了三个小时队，" + "护士还让我去别的窗口重新排，" * 2 + "医院这样乱来，这事该找谁"
    assert gate.verdict(hospital)[0] == "complaint"
    told = "我家孩子在学校被同学欺负了好几次，老师一直说会处理，结果什么都没做"  # asks for no department
    assert gate.verdict(told)[0] == "complaint"
