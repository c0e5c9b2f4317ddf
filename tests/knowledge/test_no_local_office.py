"""`no_local_office` (decide/region_guide.py) on hand-built decisions: where to go, for a named place no guide of
the item covers and with no national guide, is the no-answer naming the place, not another place's window."""

from __future__ import annotations

import pytest

from knowledge.decide.guide_select import GuideSelector
from knowledge.decide.model import Decision
from knowledge.decide.region_guide import no_local_office
from knowledge.decide.situation import Facts
from knowledge.places import load_places
from knowledge.schema import Aspect
from tests.support.decide import query

ASKS_WHERE = query("在哪办", aspects=(Aspect.location,), aspect_cues=("在哪办",))
TELLS = query("如果是在成都的医院生的呢")  # no cue of its own: the location came from elsewhere

AD = "medical-advertisement-review"  # one guide, 湖南省益阳市
RADIATION = "radiation-diagnosis-treatment-permit"  # one guide, 辽宁省朝阳市
NURSE = "nurse-practice-registration"  # national guides too


@pytest.fixture(scope="module")
def facts(facts: Facts) -> Facts:  # type: ignore[no-untyped-def]
    """The rules' facts with the place hierarchy, as the engine assembles them."""
    selector = GuideSelector(facts.selector.cues, places=load_places())
    return Facts(facts.catalog, selector, facts.tuning, facts.generic_terms, facts.document_verbs)


def where(code: str, region: str, *, named: bool = True, aspects: tuple[Aspect, ...] = (Aspect.location,)) -> Decision:
    return Decision(
        kind="answer", rule="named_item", item_code=code, aspects=aspects, region=region, region_named=named
    )


def test_where_to_go_for_a_place_no_guide_covers_is_the_no_answer_naming_it(facts) -> None:  # type: ignore[no-untyped-def]
    d = no_local_office(where(RADIATION, "北京"), ASKS_WHERE, facts)
    assert (d.kind, d.rule, d.item_code, d.region) == ("no_answer", "named_item+no_local_office", RADIATION, "北京")
    assert no_local_office(where(AD, "广州"), ASKS_WHERE, facts).kind == "no_answer"


def test_the_place_the_guide_covers_keeps_its_answer(facts) -> None:  # type: ignore[no-untyped-def]
    assert no_local_office(where(RADIATION, "朝阳"), ASKS_WHERE, facts).kind == "answer"
    assert (
        no_local_office(where(RADIATION, "辽宁"), ASKS_WHERE, facts).kind == "answer"
    )  # 朝阳's guide lies inside: "below"
    assert no_local_office(where(AD, "益阳"), ASKS_WHERE, facts).kind == "answer"


def test_other_aspects_a_national_guide_or_an_unnamed_place_keep_the_answer(facts) -> None:  # type: ignore[no-untyped-def]
    assert no_local_office(where(AD, "广州", aspects=(Aspect.materials,)), ASKS_WHERE, facts).kind == "answer"
    assert no_local_office(where(AD, "广州", aspects=(Aspect.location, Aspect.fee)), ASKS_WHERE, facts).kind == "answer"
    assert (
        no_local_office(where(AD, "广州", named=False), ASKS_WHERE, facts).kind == "answer"
    )  # the conversation's old place
    assert (
        no_local_office(where(NURSE, "广州"), ASKS_WHERE, facts).kind == "answer"
    )  # a national guide says who handles it
    clarify = Decision(kind="clarify", rule="clarify_sub_item", item_code=AD, aspects=(Aspect.location,), region="广州")
    assert no_local_office(clarify, ASKS_WHERE, facts) is clarify
    assert no_local_office(where(AD, "广州"), TELLS, facts).kind == "answer"  # the message does not ask where


def test_a_faq_entry_of_the_place_keeps_the_answer(facts) -> None:  # type: ignore[no-untyped-def]
    premarital = "premarital-medical-exam"  # 吉林市's guide, with a FAQ entry of 北京市 (how to book)
    assert no_local_office(where(premarital, "北京"), ASKS_WHERE, facts).kind == "answer"
    assert no_local_office(where(premarital, "广州"), ASKS_WHERE, facts).kind == "no_answer"
