"""The `clarify_reply` rule on hand-built `Query` and `Scores`: a typed reply to a clarifying question picks one of
the offered choices in words (knowledge/decide/clarify_reply.py). No embedding, no retrieval."""

from __future__ import annotations

from knowledge.answer import Choice, Context
from knowledge.decide.clarify_reply import clarify_reply
from knowledge.decide.rules import decide
from knowledge.decide.situation import Situation
from knowledge.query.model import Referral
from knowledge.schema import Aspect
from tests.support.decide import query, scores

NURSE = "nurse-practice-registration"
DOCTOR = "physician-practice-registration"
PLACE = "public-place-health-permit"

NURSE_SUB_ITEMS = [
    Choice(title="护士执业注册（首次注册）", item_code=NURSE, sub_item="首次"),
    Choice(title="护士执业注册（延续注册）", item_code=NURSE, sub_item="延续"),
    Choice(title="护士执业注册（变更注册）", item_code=NURSE, sub_item="变更"),
]
AFTER_SUB_ITEM_CLARIFY = Context(item_code=NURSE, aspect=Aspect.materials, choices=NURSE_SUB_ITEMS)


def test_a_typed_sub_item_picks_the_offered_choice_for_the_clarifys_aspect(facts) -> None:  # type: ignore[no-untyped-def]
    d = decide(Situation(query("续期的", sub_item="延续"), scores({DOCTOR: 0.97}), AFTER_SUB_ITEM_CLARIFY), facts)
    assert (d.kind, d.rule, d.item_code, d.sub_item, d.aspects) == (
        "answer",
        "clarify_reply",
        NURSE,
        "延续",
        (Aspect.materials,),
    )


def test_a_reply_stating_why_keeps_the_clarifys_aspect_one_asking_gets_its_own(facts) -> None:  # type: ignore[no-untyped-def]
    states = query("证快过期了", sub_item="延续", aspects=(Aspect.validity,), aspect_cues=("过期",))
    d = clarify_reply(Situation(states, scores({NURSE: 0.97}), AFTER_SUB_ITEM_CLARIFY), facts)
    assert d is not None and (d.sub_item, d.aspects) == ("延续", (Aspect.materials,))
    asks = query("续期的要多久", sub_item="延续", aspects=(Aspect.time_limit,), asks=True)
    d = clarify_reply(Situation(asks, scores({NURSE: 0.97}), AFTER_SUB_ITEM_CLARIFY), facts)
    assert d is not None and (d.sub_item, d.aspects) == ("延续", (Aspect.time_limit,))


def test_the_choices_label_picks_it(facts) -> None:  # type: ignore[no-untyped-def]
    d = clarify_reply(Situation(query("变更注册那个"), scores({NURSE: 0.97}), AFTER_SUB_ITEM_CLARIFY), facts)
    assert d is not None and d.sub_item == "变更"


def test_a_reply_picking_nothing_offered_is_left_to_the_other_rules(facts) -> None:  # type: ignore[no-untyped-def]
    not_offered = query("证丢了", sub_item="补发")
    assert clarify_reply(Situation(not_offered, scores({NURSE: 0.97}), AFTER_SUB_ITEM_CLARIFY), facts) is None
    other_item = query("公共场所卫生许可延续要什么", sub_item="延续")
    assert (
        clarify_reply(Situation(other_item, scores({PLACE: 0.99}, exact=(PLACE,)), AFTER_SUB_ITEM_CLARIFY), facts)
        is None
    )
    referral = query("续期的话户口要迁吗", sub_item="延续", referral=Referral("户口", "公安机关"))
    assert clarify_reply(Situation(referral, scores({NURSE: 0.97}), AFTER_SUB_ITEM_CLARIFY), facts) is None
    no_choices = Context(item_code=NURSE, aspect=Aspect.materials)
    assert clarify_reply(Situation(query("续期的", sub_item="延续"), scores({NURSE: 0.97}), no_choices), facts) is None


def test_a_typed_item_name_picks_one_of_the_offered_items(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(
        aspect=Aspect.time_limit,
        choices=[Choice(title="护士执业注册", item_code=NURSE), Choice(title="医师执业注册", item_code=DOCTOR)],
    )
    d = decide(Situation(query("护士那个", residue="护士"), scores({DOCTOR: 0.97, NURSE: 0.96}), ctx), facts)
    assert (d.rule.split("+")[0], d.item_code, d.aspects) == ("clarify_reply", NURSE, (Aspect.time_limit,))
    vague = query("注册那个", residue="")  # names both: not a pick
    assert clarify_reply(Situation(vague, scores({DOCTOR: 0.97, NURSE: 0.96}), ctx), facts) is None
