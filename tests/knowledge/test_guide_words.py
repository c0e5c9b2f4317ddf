"""The asked aspect from the guide's own words, where no cue names one (knowledge/decide/guide_words.py)."""

from __future__ import annotations

from knowledge.decide.guide_words import GuideWords, aspect_from_guide_words
from knowledge.decide.model import Decision
from knowledge.query.model import Query
from knowledge.schema import Aspect

NURSE = "nurse-practice-registration"


def test_words_standing_in_one_field_only_name_it(catalog) -> None:  # type: ignore[no-untyped-def]
    words = GuideWords(catalog.items)
    assert words.aspect_named(NURSE, "延续体检") == Aspect.materials  # 健康体检证明: the materials only
    assert words.aspect_named(NURSE, "护士") is None  # the item's own name says nothing
    assert words.aspect_named(NURSE, "猴年马月") is None  # in no field
    assert words.aspect_named("no-such-item", "体检") is None


def test_only_questions_without_aspect_cues_are_refined(catalog) -> None:  # type: ignore[no-untyped-def]
    words = GuideWords(catalog.items)
    answer = Decision(kind="answer", rule="named_item", item_code=NURSE, aspects=(Aspect.overview,))
    bare = Query(text="护士延续注册需要体检吗", norm="护士延续注册需要体检吗", language="zh", residue="护士体检")
    refined = aspect_from_guide_words(answer, bare, words)
    assert refined.aspects == (Aspect.materials,) and refined.rule == "named_item+guide_words"
    cued = Query(text="x", norm="x", language="zh", residue="体检", aspects=(Aspect.fee,))
    assert aspect_from_guide_words(answer, cued, words) is answer  # a cue decides
    clarify = Decision(kind="clarify", rule="close_call", clarify_items=(NURSE,))
    assert aspect_from_guide_words(clarify, bare, words) is clarify
    assert aspect_from_guide_words(answer, bare, None) is answer
