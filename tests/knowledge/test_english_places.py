"""English (pinyin) place names (`places.yaml` `english`): validated against the listed places, and found as whole
words by the analyse stage ("We're opening a spa in Guangzhou" → 广州), so an English conversation's "there" finds
that place's guide."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from knowledge.places import PlacesFile, load_places
from knowledge.query.analyse import Analyser
from knowledge.query.lexicon import load_lexicon
from knowledge.text_normalise import normalise


def test_every_english_name_is_a_listed_place() -> None:
    places = load_places()
    assert places.english["guangzhou"] == "广州"
    assert all(v in places.names for v in places.english.values())


def test_an_english_name_of_an_unlisted_place_or_not_lower_case_is_refused() -> None:
    base = {"version": 1, "provinces": [{"name": "广东", "cities": ["广州"]}]}
    PlacesFile.model_validate({**base, "english": {"guangzhou": "广州"}})
    with pytest.raises(ValidationError):
        PlacesFile.model_validate({**base, "english": {"shenzhen": "深圳"}})
    with pytest.raises(ValidationError):
        PlacesFile.model_validate({**base, "english": {"Guangzhou": "广州"}})


def test_the_analyser_finds_an_english_place_as_a_whole_word() -> None:
    a = Analyser(load_lexicon(), region_words=["广州", "西安"], english_places={"guangzhou": "广州", "xi'an": "西安"})
    assert a.region_in(normalise("We're opening a spa in Guangzhou. Do we need a license?")) == "广州"
    assert a.region_in(normalise("is the office in Xi'an open")) == "西安"
    assert a.region_in(normalise("guangzhouer")) is None  # part of a longer word
    assert a.region_in("我在广州") == "广州"
    assert "guangzhou" not in a.residue(normalise("how long in guangzhou"))[0]
