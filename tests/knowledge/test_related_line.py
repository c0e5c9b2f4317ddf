"""The line of another field a question's own words point to (knowledge/compose/related.py), on the curated guides."""

from __future__ import annotations

import pytest

from knowledge.catalog import Catalog, load_catalog
from knowledge.compose.related import NOTE, RareWords, bigrams, related_line
from knowledge.query.lexicon import load_lexicon
from knowledge.schema import Aspect

HELPLINE = "12345"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def words(catalog: Catalog) -> RareWords:
    return RareWords.of(catalog)


def _guide_with(catalog: Catalog, code: str, text: str):  # type: ignore[no-untyped-def]
    item = catalog.item_by_code[code]
    guide = next(g for g in item.guides if text in "".join(g.process or []))
    return item, guide


def test_bigrams() -> None:
    assert bigrams("还要登报吗") == {"还要", "要登", "登报", "报吗"}
    assert bigrams("证 A 件") == {"证", "件"}
    assert bigrams("abc") == set()


def test_a_question_about_something_another_field_states_gets_that_line(catalog: Catalog, words: RareWords) -> None:
    item, guide = _guide_with(catalog, "tcm-clinic-filing", "材料不齐需补正")
    skip = load_lexicon().question_words
    # the analyse stage's residue of "中医诊所备案材料不齐会怎么样": cues, generic words and filler taken out
    found = related_line(item, guide, (Aspect.materials,), "中医诊所不齐", words, helpline=HELPLINE, skip=skip)
    assert found is not None
    key, line = found
    assert key == Aspect.process.value and "材料不齐需补正" in line  # verbatim, from the process


def test_nothing_is_added_for_words_the_answer_shows_or_that_say_little(catalog: Catalog, words: RareWords) -> None:
    item, guide = _guide_with(catalog, "tcm-clinic-filing", "材料不齐需补正")
    skip = load_lexicon().question_words
    # the asked field already holds the words: nothing more to show
    assert related_line(item, guide, (Aspect.process,), "中医诊所不齐", words, helpline=HELPLINE, skip=skip) is None
    # one common word of three ("结果") does not point to a line
    assert related_line(item, guide, (Aspect.time_limit,), "要等几天才有结果", words, helpline=HELPLINE) is None
    assert related_line(item, guide, (Aspect.time_limit,), "", words, helpline=HELPLINE) is None
    # the item's own name is no evidence
    assert related_line(item, guide, (Aspect.fee,), item.name, words, helpline=HELPLINE) is None


def test_common_words_are_those_of_many_guides(words: RareWords) -> None:
    assert words.common("办理")
    assert not words.common("登报")
    assert NOTE == "note"
