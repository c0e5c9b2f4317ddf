"""A sentence of another field found by meaning (knowledge/compose/sentences.py, `related.meaning_line`): the decision
on hand-built scores, the sentences of the curated guides, and the wiring on the fake embedder."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from knowledge.catalog import Catalog
from knowledge.compose.related import Meaning, RareWords, meaning_line, related, shown_keys
from knowledge.compose.render import render_guide
from knowledge.compose.sentences import (
    FAQ,
    NOTE,
    Sentence,
    SentenceTable,
    Thresholds,
    best_outside,
    guide_sentences,
    load_thresholds,
    split_sentences,
    stands_out,
)
from knowledge.documents import guide_title
from knowledge.embedding.embedders import HashingEmbedder
from knowledge.schema import Aspect

HELPLINE = "12345"
T = Thresholds(floor=0.85, margin=0.02)


# ---- the decision, on hand-built scores ---------------------------------------------------------------------


def test_a_sentence_stands_out_above_the_floor_and_ahead_of_the_shown_fields() -> None:
    assert stands_out(0.90, 0.86, T)
    assert stands_out(0.87, 0.85, T)  # exactly the margin
    assert not stands_out(0.84, 0.70, T)  # below the floor, however far ahead
    assert not stands_out(0.90, 0.89, T)  # the shown field matches nearly as well: its answer stands
    assert not stands_out(0.90, 0.95, T)  # the shown field matches better


def test_without_a_shown_sentence_the_floor_alone_decides() -> None:
    assert stands_out(0.86, None, T)
    assert not stands_out(0.849, None, T)


def test_best_outside_splits_the_shown_fields_from_the_others() -> None:
    scored = [
        (Sentence("fee", "收费标准：不收费"), 0.80),
        (Sentence("process", "可选择邮寄送达"), 0.91),
        (Sentence(NOTE, "取得许可后两个月内将进行现场检查"), 0.88),
        (Sentence("fee", "工本费另计"), 0.83),
        (Sentence("location", "本指南未载明办理地点。", stated=False), 0.95),  # may be shown, never added
        (Sentence("overview", "收费标准：不收费"), 0.80),
        (Sentence("basis", "《某某条例》第八条"), 0.97),  # no field an answer adds
    ]
    sentence, best, shown = best_outside(scored, {"fee"})
    assert sentence is not None and sentence.text == "可选择邮寄送达" and best == 0.91 and shown == 0.83
    assert best_outside(scored, {"fee", "process", NOTE}) == (None, None, 0.91)
    assert best_outside(scored, {"location"})[1:] == (0.91, 0.95)  # "not stated" is what a shown field matches
    overview = best_outside(scored, {"overview", "process"})  # the overview shows the fee line: not added again
    assert overview[0] is not None and overview[0].text == "取得许可后两个月内将进行现场检查"
    assert best_outside([], {"fee"}) == (None, None, None)


# ---- the sentences of a guide --------------------------------------------------------------------------------


def test_lines_split_into_sentences_verbatim() -> None:
    assert split_sentences("材料不齐需补正。受理后当场办结；逾期不候") == [
        "材料不齐需补正。",
        "受理后当场办结；",
        "逾期不候",
    ]
    assert split_sentences("3. 身份证。") == ["3. 身份证。"]
    assert split_sentences("即办。材料齐全的当场发证。") == ["即办。材料齐全的当场发证。"]  # a fragment joins the next
    assert split_sentences("材料齐全的当场发证。即办。") == ["材料齐全的当场发证。即办。"]  # … or the previous
    assert split_sentences("") == []


def test_a_guides_sentences_hold_its_fields_note_and_faq_answers(catalog: Catalog) -> None:
    guide = next(g for item in catalog.items for g in item.guides if g.notes and g.faq and not g.validity)
    sentences = guide_sentences(guide, HELPLINE)
    keys = {s.key for s in sentences}
    assert NOTE in keys and FAQ in keys and "overview" in keys
    unstated = [s for s in sentences if s.key == "validity"]
    assert [(s.text, s.stated) for s in unstated] == [("本指南未载明有效期。", False)]  # without the helpline's hint
    assert all(s.stated for s in sentences if not s.text.startswith("本指南未载明"))
    assert all(s.text in " ".join(_all_text(guide)) for s in sentences if s.key == NOTE)


def _all_text(guide: Any) -> list[str]:
    return [guide.notes or "", *(f.answer for f in guide.faq)]


def test_shown_keys_follow_what_the_answer_renders(catalog: Catalog) -> None:
    guide = next(g for item in catalog.items for g in item.guides if g.notes and g.fee and g.materials)
    assert shown_keys(guide, [Aspect.fee]) == {"fee"}
    assert shown_keys(guide, [Aspect.materials]) == {"materials", NOTE}  # the materials answer shows the note
    assert shown_keys(guide, [Aspect.overview]) == {"overview", NOTE}


# ---- the wiring, on the fake embedder ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table(catalog: Catalog) -> SentenceTable:
    return SentenceTable.build(catalog.items, HashingEmbedder(), helpline=HELPLINE)


def _a_process_sentence(catalog: Catalog) -> tuple[Any, Any, Sentence]:
    for item in catalog.items:
        for guide in item.guides:
            for s in guide_sentences(guide, HELPLINE):
                if s.key == "process" and len(s.text) > 15 and guide.fee:
                    return item, guide, s
    raise AssertionError("no guide with a process sentence")


def test_the_sentence_the_question_matches_is_added_verbatim_under_its_field(
    catalog: Catalog, table: SentenceTable
) -> None:
    item, guide, sentence = _a_process_sentence(catalog)
    vector = HashingEmbedder().embed_queries([f"{guide_title(item, guide)} {guide.region} {sentence.text}"])[
        0
    ]  # says just that
    meaning = Meaning(table, Thresholds(floor=0.9, margin=0.05))
    assert meaning_line(guide, [Aspect.fee], vector, meaning) == ("process", sentence.text)
    assert meaning_line(guide, [Aspect.process], vector, meaning) is None  # the answer shows it already
    strict = Meaning(table, Thresholds(floor=1.01, margin=0.0))
    assert meaning_line(guide, [Aspect.fee], vector, strict) is None
    text = render_guide(
        item,
        guide,
        Aspect.fee,
        helpline=HELPLINE,
        deployment_region=None,
        other_sub_items=[],
        related=("faq", "甲乙丙丁"),
    )
    assert "另见本指南常见问题解答：甲乙丙丁" in text


def test_the_bigram_rule_goes_first_and_the_meaning_rule_needs_a_vector(catalog: Catalog, table: SentenceTable) -> None:
    item = catalog.item_by_code["tcm-clinic-filing"]
    guide = next(g for g in item.guides if "材料不齐需补正" in "".join(g.process or []))
    words = RareWords.of(catalog)
    other = next(
        s for s in guide_sentences(guide, HELPLINE) if s.stated and s.key in ("conditions", "fee", "result", "online")
    )
    vector = HashingEmbedder().embed_queries([f"{guide_title(item, guide)} {guide.region} {other.text}"])[0]
    meaning = Meaning(table, Thresholds(floor=0.5, margin=0.0))
    found = related(
        item, guide, (Aspect.materials,), "中医诊所不齐", words, helpline=HELPLINE, vector=vector, meaning=meaning
    )
    assert found is not None and "材料不齐需补正" in found[1]  # the question's own words win
    by_meaning = related(item, guide, (Aspect.materials,), "", words, helpline=HELPLINE, vector=vector, meaning=meaning)
    assert by_meaning == (other.key, other.text)
    assert related(item, guide, (Aspect.materials,), "", words, helpline=HELPLINE, meaning=meaning) is None


def test_the_engine_reuses_the_dense_channels_vector(catalog: Catalog, tmp_path: Any) -> None:
    """Comparing the question with the guide's sentences costs no e5 forward pass: the dense channel's vector."""
    from knowledge.compose.answer import Composer
    from knowledge.engine import Engine
    from knowledge.retrieve.dense import DenseChannel

    class Counting(HashingEmbedder):
        calls = 0

        def embed_queries(self, texts: Any) -> np.ndarray:
            Counting.calls += 1
            return super().embed_queries(texts)

    embedder = Counting()
    engine = Engine(catalog, DenseChannel.open(catalog.chunks, embedder, tmp_path), helpline=HELPLINE)
    assert engine.composer.meaning is None  # thresholds calibrated for e5 do not apply to the fake
    engine.composer = Composer(
        catalog,
        engine.selector,
        helpline=HELPLINE,
        deployment_region=None,
        embedder=embedder,
        thresholds=Thresholds(floor=-1.0, margin=-1.0),  # always add
    )
    before = Counting.calls
    trace = engine.trace("护士执业注册收费吗")
    assert Counting.calls - before == 1  # the dense channel's one embedding
    dense = trace.scores.channels["dense"]
    assert dense.vector is not None and dense.vector.shape == (embedder.dim,)
    assert "另见本指南" in trace.answer.text


def test_the_calibrated_thresholds_are_for_e5() -> None:
    thresholds = load_thresholds()
    assert thresholds is not None and thresholds.model == "multilingual-e5-small"
    assert 0.5 < thresholds.floor < 1.0 and 0.0 <= thresholds.margin < 0.2
