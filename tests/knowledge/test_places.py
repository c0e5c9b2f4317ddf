"""The place hierarchy (knowledge/data/places.yaml): validated data, and how a guide's region stands to a place."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from knowledge.places import PlacesFile, Relation, load_places


@pytest.fixture(scope="module")
def places():  # type: ignore[no-untyped-def]
    return load_places()


def test_a_place_listed_twice_or_a_county_without_its_city_is_refused() -> None:
    with pytest.raises(ValidationError):
        PlacesFile.model_validate({"version": 1, "provinces": [{"name": "陕西", "cities": ["西安", "西安"]}]})
    with pytest.raises(ValidationError):
        PlacesFile.model_validate(
            {"version": 1, "provinces": [{"name": "陕西", "cities": ["西安"]}], "counties": {"长安": "咸阳"}}
        )


def test_every_provincial_capital_belongs_to_its_province(places) -> None:  # type: ignore[no-untyped-def]
    pairs = (
        "石家庄:河北 太原:山西 呼和浩特:内蒙古 沈阳:辽宁 长春:吉林 哈尔滨:黑龙江 南京:江苏 "
        "杭州:浙江 合肥:安徽 福州:福建 南昌:江西 济南:山东 郑州:河南 武汉:湖北 长沙:湖南 "
        "广州:广东 南宁:广西 海口:海南 成都:四川 贵阳:贵州 昆明:云南 拉萨:西藏 西安:陕西 "
        "兰州:甘肃 西宁:青海 银川:宁夏 乌鲁木齐:新疆"
    )
    capitals = dict(pair.split(":") for pair in pairs.split())
    assert {city: places.province_of(city) for city in capitals} == capitals


def test_every_place_a_guide_names_resolves_to_the_province_it_names(places, catalog: Any) -> None:  # type: ignore[no-untyped-def]
    for item in catalog.items:
        for guide in item.guides:
            named = places.region_places(guide.region)
            if not named or places.guide_place(guide.region) is None:
                continue
            assert places.province_of(named[-1]) == named[0], (guide.id, guide.region)


@pytest.mark.parametrize(
    ("region", "asked", "relation"),
    [
        ("陕西省", "西安", Relation.above),  # the province's guide covers its capital
        ("陕西省", "陕西", Relation.same),
        ("陕西省渭南市", "西安", Relation.unrelated),  # another city of the same province does not
        ("陕西省渭南市", "陕西", Relation.below),
        ("重庆市", "江津", Relation.above),
        ("重庆市江津区", "江津", Relation.same),
        ("湖南省湘潭市韶山市", "湖南", Relation.below),
        ("广西壮族自治区（梧州市卫计委介绍）", "梧州", Relation.above),  # the bracket says who told, not where
        ("全国（国家法规）", "西安", Relation.unrelated),
        ("不详", "西安", Relation.unrelated),
    ],
)
def test_how_a_guides_region_stands_to_the_asked_place(places, region: str, asked: str, relation: Relation) -> None:  # type: ignore[no-untyped-def]
    assert places.relation(region, asked) is relation
    assert places.covers(region, asked) is (relation >= Relation.above)


def test_chains_go_up_to_the_province(places) -> None:  # type: ignore[no-untyped-def]
    assert places.chain("韶山") == ("韶山", "湘潭", "湖南")
    assert places.chain("余姚镇") == ("余姚镇",)  # unknown: itself
    assert places.place_in("我在西安开了家诊所") == "西安"


def test_of_several_places_named_the_most_specific_nested_one_is_taken(places) -> None:  # type: ignore[no-untyped-def]
    """A province named before its city does not hide the city; places that do not nest leave the choice open."""
    assert places.most_specific(["贵州", "遵义"]) == "遵义"
    assert places.most_specific(["湖南", "苏仙", "郴州"]) == "苏仙"
    assert places.most_specific(["江津", "重庆"]) == "江津"
    assert places.most_specific(["深圳"]) == "深圳"
    assert places.most_specific(["北京", "朝阳"]) is None  # 朝阳 is 辽宁's city here, not Beijing's district
    assert places.most_specific(["广东", "成都"]) is None


def test_a_province_written_right_before_a_place_it_does_not_hold_is_the_place_asked(places) -> None:  # type: ignore[no-untyped-def]
    assert places.province_written_before("我们中心在北京朝阳区 放射科", ["北京", "朝阳"]) == "北京"
    assert places.province_written_before("北京朝阳区的口腔门诊", ["朝阳", "北京"]) == "北京"
    # not adjacent: two places, neither inside the other, say nothing of each other
    assert places.province_written_before("我户口在北京，分院在朝阳", ["北京", "朝阳"]) is None
    # the province really holds the place: nesting, not this rule
    assert places.province_written_before("辽宁朝阳的诊所", ["辽宁", "朝阳"]) is None
    # a city is no province
    assert places.province_written_before("深圳朝阳街道", ["深圳", "朝阳"]) is None


def test_the_analyser_takes_the_city_a_citizen_names_after_its_province(places) -> None:  # type: ignore[no-untyped-def]
    from knowledge.query.analyse import Analyser
    from knowledge.query.lexicon import load_lexicon

    analyser = Analyser(load_lexicon(), region_words=places.names, places=places)
    assert analyser.region_in("我们店在贵州遵义，去哪里办") == "遵义"
    assert analyser.region_in("我在广东深圳") == "深圳"
    assert analyser.region_in("山东潍坊昌乐县的") == "昌乐"
    assert analyser.region_in("北京朝阳区的口腔门诊") == "北京"  # no nesting: the first, as before
    without = Analyser(load_lexicon(), region_words=places.names)
    assert without.region_in("我们店在贵州遵义") in {"贵州", "遵义"}


def test_a_place_inside_another_word_is_no_place() -> None:
    """`Analyser.named_places`: a place name counts where it starts a word or follows another place directly."""
    from knowledge.query.analyse import Analyser

    named = Analyser.named_places
    words = type(
        "A",
        (),
        {"region_words": ["吉林", "长春", "营口", "保定", "南开", "渭南", "广西", "南宁", "青海", "海西", "西宁"]},
    )
    assert named(words, "我们是一家民营口腔诊所") == []  # type: ignore[arg-type]
    assert named(words, "诊所想申请医保定点怎么办") == []  # type: ignore[arg-type]
    assert named(words, "在渭南开个小厂") == ["渭南"]  # type: ignore[arg-type]
    assert named(words, "我在吉林长春") == ["吉林", "长春"]  # type: ignore[arg-type]
    assert named(words, "我在广西南宁") == ["广西", "南宁"]  # type: ignore[arg-type]
    assert named(words, "我是青海西宁的") == ["青海", "西宁"]  # type: ignore[arg-type]
    assert named(words, "营口的诊所") == ["营口"]  # type: ignore[arg-type]


def test_the_residue_takes_out_only_the_places_named() -> None:
    """`Analyser.residue` takes out the places the text names (`named_places`), not a place's name inside another
    word: "民营口腔" keeps its 营口, "医保定点" its 保定, so such a follow-up says something beyond place words."""
    from knowledge.query.analyse import Analyser
    from knowledge.query.lexicon import load_lexicon
    from knowledge.text_normalise import normalise

    analyser = Analyser(load_lexicon(), region_words=["营口", "保定", "重庆", "江津"])
    assert "营口" in analyser.residue(normalise("民营口腔呢"))[0]
    assert "保定" in analyser.residue(normalise("那医保定点呢"))[0]
    assert analyser.residue(normalise("那重庆江津呢？"))[0] == ""
    assert analyser.residue(normalise("营口呢"))[0] == ""
