"""Round 10, later turns: a follow-up's particular found by meaning within its guide (`sentences.stands_out_in_guide`,
`related.meaning_line(followup=True)`), and the national rule answering a field the asked place's guide leaves out
(`GuideSelector.choose`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from knowledge.catalog import Catalog
from knowledge.compose.related import Meaning, follows_up, meaning_line
from knowledge.compose.sentences import (
    Sentence,
    SentenceTable,
    Thresholds,
    asides,
    guide_sentences,
    load_thresholds,
    spread,
    stands_out,
    stands_out_in_guide,
)
from knowledge.decide.guide_select import GuideSelector
from knowledge.documents import field_text, guide_title
from knowledge.embedding.embedders import HashingEmbedder
from knowledge.places import load_places
from knowledge.query.cues import CueMatcher
from knowledge.query.lexicon import load_lexicon
from knowledge.schema import Aspect, Status

HELPLINE = "12345"
F = Thresholds(floor=0.95, margin=0.02, followup_z=2.0, followup_margin=0.01)


def test_a_sentence_stands_out_within_its_guide_by_deviations_above_the_mean() -> None:
    assert stands_out_in_guide(0.88, 0.86, mean=0.84, std=0.01, thresholds=F)  # 4 deviations, 0.02 ahead
    assert not stands_out_in_guide(0.85, 0.80, mean=0.84, std=0.01, thresholds=F)  # 1 deviation: like the rest
    assert not stands_out_in_guide(0.88, 0.875, mean=0.84, std=0.01, thresholds=F)  # the shown field is as good
    assert stands_out_in_guide(0.88, None, mean=0.84, std=0.01, thresholds=F)  # nothing shown to compare with
    assert not stands_out_in_guide(0.88, 0.80, mean=0.84, std=0.0, thresholds=F)  # all alike: nothing stands out
    off = Thresholds(floor=0.95, margin=0.02)
    assert not stands_out_in_guide(0.99, 0.80, mean=0.84, std=0.01, thresholds=off)  # not calibrated: off
    assert not stands_out(0.88, 0.86, F)  # below the absolute floor: only a follow-up gets it


def test_spread_is_the_mean_and_deviation_of_the_guides_cosines() -> None:
    s = Sentence("fee", "收费标准：不收费")
    mean, std = spread([(s, 0.8), (s, 0.9)])
    assert np.isclose(mean, 0.85) and np.isclose(std, 0.05)
    assert spread([]) == (0.0, 0.0)


def test_the_follow_up_rules_are_those_that_keep_the_conversations_item() -> None:
    assert follows_up("followup")
    assert follows_up("followup+guide_words")
    assert follows_up("clarify_reply+conditions")
    assert not follows_up("named_item")
    assert not follows_up("best_item+faq")
    assert not follows_up("policy_followup")


def test_a_follow_up_gets_the_sentence_that_stands_out_in_its_guide(catalog: Catalog) -> None:
    item = catalog.item_by_code["narcotic-drug-purchase-seal-card"]
    guide = next(g for g in item.guides if "定点批发企业" in "".join(g.conditions or []))
    table = SentenceTable.build(catalog.items, HashingEmbedder(), helpline=HELPLINE)
    sentences = [s for s, _ in table.scored(guide.id, np.ones(HashingEmbedder().dim, dtype=np.float32))]
    target = next(s for s in sentences if "定点批发企业" in s.text and s.key == "conditions")
    vector = HashingEmbedder().embed_queries([f"{guide_title(item, guide)} {guide.region} {target.text}"])[0]
    never = Thresholds(floor=1.01, margin=0.0, followup_z=1.0, followup_margin=0.0)
    meaning = Meaning(table, never)
    assert meaning_line(guide, [Aspect.location], vector, meaning) is None  # a first question: the floor alone
    assert meaning_line(guide, [Aspect.location], vector, meaning, followup=True) == ("conditions", target.text)
    assert meaning_line(guide, [Aspect.conditions], vector, meaning, followup=True) is None  # shown already


def test_the_calibrated_follow_up_thresholds_are_read(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("model: m\nfloor: 0.9\nmargin: 0.01\nfollowup:\n  z: 2.5\n  margin: 0.005\n", encoding="utf-8")
    t = load_thresholds(path)
    assert t is not None and t.followup_z == 2.5 and t.followup_margin == 0.005
    path.write_text("model: m\nfloor: 0.9\nmargin: 0.01\n", encoding="utf-8")
    t = load_thresholds(path)
    assert t is not None and t.followup_z is None
    shipped = load_thresholds()
    assert shipped is not None and shipped.followup_z is not None and 1.0 < shipped.followup_z < 5.0


def test_the_national_rule_answers_a_field_the_places_guide_leaves_out(catalog: Catalog) -> None:
    selector = GuideSelector(CueMatcher(load_lexicon()), places=load_places())
    item = catalog.item_by_code["medical-institution-practice-registration"]
    local = selector.choose(item, Aspect.location, None, "深圳")
    assert "深圳" in local.region  # states its window: the place's own guide
    validity = selector.choose(item, Aspect.validity, None, "深圳")
    assert validity.national and field_text(validity, Aspect.validity)  # 深圳's says nothing of 校验
    assert selector.has_guide_for(item, "深圳")
    assert not selector.has_guide_for(item, "拉萨")


def test_a_superseded_guide_is_no_guide_for_its_place(catalog: Catalog) -> None:
    selector = GuideSelector(CueMatcher(load_lexicon()), places=load_places())
    item = catalog.item_by_code["nurse-practice-registration"]
    assert any(g.status is not Status.active and "铜陵" in g.region for g in item.guides)
    assert not selector.has_guide_for(item, "铜陵")


def test_a_bracketed_remark_saying_something_of_its_own_stands_alone() -> None:
    line = "实施机关：所在地县级以上地方人民政府卫生健康主管部门（医疗卫生机构可以为本机构中的申请人集体办理注册手续）"
    assert asides(line) == ["（医疗卫生机构可以为本机构中的申请人集体办理注册手续）"]
    assert asides("4. 夫妻近期免冠2寸合影照片（2张）") == []  # qualifies its line only
    assert asides("2. 营业执照（复印件，1份）") == []
    assert asides("没有括号的一句话。") == []


def test_a_guides_asides_are_sentences_of_their_field(catalog: Catalog) -> None:
    item = catalog.item_by_code["physician-practice-registration"]
    found = [
        s for g in item.guides for s in guide_sentences(g, HELPLINE) if s.text.startswith("（") and "集体办理" in s.text
    ]
    assert found and all(s.stated for s in found)
    assert {s.key for s in found} >= {"location"}  # the office line's aside, under the office's field


def test_a_follow_up_stating_the_citizens_case_keeps_the_conversations_question(facts) -> None:  # type: ignore[no-untyped-def]
    from knowledge.answer import Context
    from knowledge.decide.rules import decide
    from knowledge.decide.situation import Situation
    from tests.support.decide import query, scores

    nurse = "nurse-practice-registration"
    ctx = Context(item_code=nurse, aspect=Aspect.materials)
    case = query(
        "她们是从别的医院跳槽过来的，换了执业地点",
        aspects=(Aspect.location,),
        aspect_cues=("地点",),
        sub_item="变更",
        residue="她们是从别医院过来执业",
    )
    d = decide(Situation(case, scores({nurse: 0.9}), ctx), facts)
    assert (d.rule, d.item_code, d.aspects, d.sub_item) == ("followup", nurse, (Aspect.materials,), "变更")
    asked = replace(case, text="换了执业地点，去哪办", norm="换了执业地点，去哪办", asks=True)
    d = decide(Situation(asked, scores({nurse: 0.9}), ctx), facts)
    assert d.aspects == (Aspect.location,)  # asks where: its own aspect
    request = query(
        "新办的材料清单发我一份",
        aspects=(Aspect.materials,),
        aspect_cues=("材料",),
        sub_item="首次",
        residue="清单发我一份",
    )
    d = decide(Situation(request, scores({nurse: 0.9}), Context(item_code=nurse, aspect=Aspect.conditions)), facts)
    assert d.aspects == (Aspect.materials,)  # a request in words of its own, not a word of the case
