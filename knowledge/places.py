"""The place hierarchy (`knowledge/data/places.yaml`): which province a city, district or county belongs to.

A citizen names a city ("我在西安…"), the guides are often provincial (陕西省): `Places.chain("西安")` is
("西安", "陕西"), and `Places.relation(guide_region, asked)` says how a guide's region stands to the place asked
about — the same place, a place above it (its province's guide covers it), a place below it (a city's guide
inside the asked province), or unrelated. The guide selector prefers the closest; the composer says
"知识库中没有X的…" only when no guide covers the place.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from enum import IntEnum
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

logger = logging.getLogger(__name__)

PLACES_FILE = "places.yaml"
_REGION_WORD = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:壮族自治区|回族自治区|维吾尔自治区|自治区|自治州|省|市|区|县)")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")


class Province(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=2)
    cities: list[str] = Field(default_factory=list)


class PlacesFile(BaseModel):
    """The file's schema: every name listed once; a county's city (or municipality) is listed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    provinces: list[Province] = Field(min_length=1)
    counties: dict[str, str] = Field(default_factory=dict)
    english: dict[str, str] = Field(default_factory=dict)
    """English (pinyin) names, lower case, → a place listed above ("guangzhou" → 广州)."""

    @model_validator(mode="after")
    def _english_names(self) -> PlacesFile:
        listed = {p.name for p in self.provinces} | {c for p in self.provinces for c in p.cities} | set(self.counties)
        unknown = sorted(f"{k}: {v}" for k, v in self.english.items() if v not in listed)
        if unknown:
            raise ValueError(f"English names of places not listed: {unknown}")
        bad = sorted(k for k in self.english if k != k.lower().strip() or not k.isascii() or len(k) < 3)
        if bad:
            raise ValueError(f"English place names must be lower-case ASCII, three letters or more: {bad}")
        return self

    @model_validator(mode="after")
    def _names_once(self) -> PlacesFile:
        names = [p.name for p in self.provinces] + [c for p in self.provinces for c in p.cities] + list(self.counties)
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"places listed twice: {twice}")
        short = sorted(n for n in names if len(n) < 2)
        if short:
            raise ValueError(f"place names shorter than two characters: {short}")
        above = {p.name for p in self.provinces} | {c for p in self.provinces for c in p.cities}
        orphans = sorted(c for c, parent in self.counties.items() if parent not in above)
        if orphans:
            raise ValueError(f"counties whose city or municipality is not listed: {orphans}")
        return self


class Relation(IntEnum):
    """How a guide's region stands to the place asked about (higher is closer)."""

    unrelated = 0
    below = 1  # the guide is for a place inside the asked one (a city's guide, a province asked)
    above = 2  # the guide is for a place above the asked one (its province's guide): it covers it
    same = 3


class Places:
    def __init__(self, data: PlacesFile) -> None:
        self._parent: dict[str, str] = {}
        for province in data.provinces:
            for city in province.cities:
                self._parent[city] = province.name
        self._parent.update(data.counties)
        self._provinces = [p.name for p in data.provinces]
        self.names: list[str] = sorted({*self._provinces, *self._parent}, key=lambda w: (-len(w), w))
        self.english: dict[str, str] = dict(data.english)

    def chain(self, place: str | None) -> tuple[str, ...]:
        """The place and every place above it, closest first: 韶山 → (韶山, 湘潭, 湖南); unknown → (place,)."""
        if not place:
            return ()
        out = [place]
        while out[-1] in self._parent and len(out) < 5:
            out.append(self._parent[out[-1]])
        return tuple(out)

    def province_of(self, place: str) -> str | None:
        top = self.chain(place)[-1] if place else None
        return top if top in self._provinces else None

    def place_in(self, text: str) -> str | None:
        """The first known place (longest names first) a text names."""
        return next((n for n in self.names if n in text), None)

    def most_specific(self, named: Sequence[str]) -> str | None:
        """Of several places one message names, the most specific one lying inside all the others ("贵州遵义" → 遵义,
        "湖南郴州苏仙区" → 苏仙): a province named before its city does not hide the city. None when they do not nest
        ("北京朝阳区": this file knows 朝阳 only as 辽宁's city), so the caller keeps its own choice."""
        inside_all = [p for p in named if all(other in self.chain(p) for other in named)]
        return max(inside_all, key=lambda p: len(self.chain(p)), default=None)

    def province_written_before(self, text: str, named: Sequence[str]) -> str | None:
        """A province (or municipality) written immediately before another named place that this file does not
        put inside it ("北京朝阳区": 朝阳 is 辽宁's city here, Beijing's district is not listed): the citizen names a
        place of that province this file does not know, so the province is the place asked about. None otherwise."""
        for province in (p for p in named if p in self._provinces):
            for other in named:
                if other != province and province + other in text and province not in self.chain(other):
                    return province
        return None

    def region_places(self, region: str) -> list[str]:
        """The places a guide's region text names, widest first ("湖南省湘潭市韶山市" → 湖南, 湘潭, 韶山); words
        the regex finds that are no known place are kept (a region may name a place this file lacks)."""
        text = _BRACKETS.sub("", region)
        words = [m.group(1) for m in _REGION_WORD.finditer(text)]
        out: list[str] = []
        for word in words:
            known = self.place_in(word)
            name = known if known is not None else word
            if name not in out:
                out.append(name)
        return out

    def guide_place(self, region: str) -> str | None:
        """The most specific place a guide's region names ("重庆市江津区" → 江津); None for a national rule."""
        if "全国" in region or "国家" in region:
            return None
        places = self.region_places(region)
        return places[-1] if places else None

    def relation(self, region: str, asked: str | None) -> Relation:
        """How the guide region stands to the asked place."""
        if not asked:
            return Relation.unrelated
        own = self.guide_place(region)
        if own is None:
            return Relation.unrelated
        if own == asked:
            return Relation.same
        if own in self.chain(asked):
            return Relation.above
        if asked in self.chain(own) or asked in region:
            return Relation.below
        return Relation.unrelated

    def covers(self, region: str, asked: str | None) -> bool:
        """Whether a guide of this region applies to the asked place (the same place or a place above it)."""
        return self.relation(region, asked) >= Relation.above


def load_places_file(path: Path) -> PlacesFile:
    with path.open(encoding="utf-8") as f:
        return PlacesFile.model_validate(yaml.safe_load(f))


@lru_cache(maxsize=4)
def load_places(root: Path | None = None) -> Places:
    """The hierarchy of the data folder (default: the knowledge root); a root without the file (a test's own
    folder, a console store) uses the one shipped with the package."""
    from knowledge.loader import _PACKAGE_DATA, _root

    path = _root(root) / PLACES_FILE
    return Places(load_places_file(path if path.exists() else _PACKAGE_DATA / PLACES_FILE))
