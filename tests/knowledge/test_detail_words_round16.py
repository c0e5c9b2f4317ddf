"""Round 16: a particular asked in the citizen's own words (lexicon `detail_words`) gets the guide's line stating it
in the guide's term, and stories told in words of their own settle the sub-item (lexicon `situations`).

The rule `paraphrased_line` is tested on hand-built lines; the shipped vocabulary on invented sentences (none of the
evaluation sets' messages), and one composed answer on a curated guide.
"""

from __future__ import annotations

import pytest

from knowledge.catalog import Catalog, load_catalog
from knowledge.compose.related import detail_line
from knowledge.decide.detail_words import asked_details, paraphrased_line
from knowledge.query.cues import CueMatcher
from knowledge.query.detail_words import DetailWords
from knowledge.query.lexicon import Lexicon, load_lexicon
from knowledge.schema import Aspect

GROUP = DetailWords(name="group", asks=["统一办", "一起报", "让*去领"], guide_words=["集体"])
POST = DetailWords(name="post", asks=["寄"], guide_words=["邮寄"])
LINES = [
    ("process", "1. 申请人提交材料"),
    ("location", "实施机关：县级卫生健康主管部门（医疗机构可以为本机构人员集体办理注册手续）"),
    ("result", "送达方式：邮寄或窗口领取"),
]


def test_a_particular_asked_in_own_words_gets_the_line_holding_the_guides_term() -> None:
    assert paraphrased_line("单位能不能统一办", LINES, "受理条件：取得资格", [GROUP, POST]) == LINES[1]
    assert paraphrased_line("证能寄到家吗", LINES, "受理条件：取得资格", [GROUP, POST]) == LINES[2]


def test_nothing_is_added_when_the_message_asks_no_particular_or_no_line_states_it() -> None:
    assert paraphrased_line("要交什么材料", LINES, "", [GROUP, POST]) is None
    assert paraphrased_line("能统一办吗", LINES[:1], "", [GROUP]) is None


def test_nothing_is_added_when_the_shown_answer_already_states_the_particular() -> None:
    assert paraphrased_line("能寄过来吗", LINES, "办理结果：邮寄送达", [POST]) is None


def test_the_gap_mark_lets_a_phrase_hold_a_name() -> None:
    assert [d.name for d in asked_details("让孩子爸爸去领行不行", [GROUP, POST])] == ["group"]
    assert asked_details("孩子爸爸去领", [GROUP]) == []


def test_detail_words_are_validated() -> None:
    with pytest.raises(ValueError):
        DetailWords(name="x", asks=[], guide_words=["集体"])
    with pytest.raises(ValueError):
        DetailWords(name="x", asks=["統一办"], guide_words=["集体"])  # not normalised
    lexicon = load_lexicon()
    doubled = lexicon.model_dump()
    doubled["detail_words"] = [*doubled["detail_words"], doubled["detail_words"][0]]
    with pytest.raises(ValueError):
        Lexicon.model_validate(doubled)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("单位可不可以统一申请", "done_for_a_group"),
        ("审批结果可以快递给我们吗", "sent_by_post"),
        ("我妈能替我去交材料吗", "someone_else_goes"),
        ("有了这张卡以后去哪里采购", "where_the_drugs_come_from"),
        ("丢了是不是要在报纸上发个东西", "notice_in_a_paper"),
    ],
)
def test_the_shipped_detail_words(text: str, name: str) -> None:
    assert name in [d.name for d in asked_details(text, load_lexicon().detail_words)]


def test_a_composed_answer_gets_the_seal_cards_wholesaler_line() -> None:
    catalog: Catalog = load_catalog()
    item = catalog.item_by_code["narcotic-drug-purchase-seal-card"]
    guide = next(g for g in item.guides if "定点批发" in str(g.model_dump()))
    details = load_lexicon().detail_words
    found = detail_line(guide, [Aspect.location], "卡下来以后到哪里进货", details, helpline="12345")
    assert found is not None and "定点批发" in found[1]
    assert detail_line(guide, [Aspect.location], "卡下来以后要年检吗", details, helpline="12345") is None


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("孩子是在家里出生的，接生的是村里的老人", ("首次",)),
        ("娃生在路上了，出生证怎么弄", ("首次",)),
        ("证被狗啃坏了一个角", ("换发",)),
        ("护考去年就过了", ("首次",)),
        ("出了个新款的滤水壶要申请批件", ("首次",)),
        ("下个月她也要调过去那家医院", ("变更",)),
        ("We're opening a guesthouse next month", ("首次",)),
        ("孩子在医院出生的", ()),
        ("护考报名什么时候", ()),
    ],
)
def test_the_new_told_situations(text: str, told: tuple[str, ...]) -> None:
    from knowledge.text_normalise import normalise

    assert CueMatcher(load_lexicon()).situations_in(normalise(text)) == told


def test_the_particular_may_stand_in_the_implementing_body_of_a_guide_stating_no_address() -> None:
    """医师执业注册's one guide states no office address; its 实施机关 says the employer may register its staff
    together, which a conditions answer does not show."""
    guide = load_catalog().item_by_code["physician-practice-registration"].guides[0]
    details = load_lexicon().detail_words
    found = detail_line(guide, [Aspect.conditions], "单位可以统一申请吗", details, helpline="12345")
    assert found is not None and found[0] == "location" and "集体" in found[1]
