"""The indexed names channel finds exactly what testing every name finds (the old loop is the oracle)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

import pytest

from bench.retrieval_scale import synthetic_items
from evaluation.bank.generate import load
from evaluation.conversations import load_conversations
from knowledge.retrieve.abbreviations import MIN_ABBREVIATED, abbreviable, abbreviates, pieces, word_bounds
from knowledge.retrieve.bm25 import bigrams
from knowledge.retrieve.names import (
    ABBREVIATED_SCORE,
    MIN_SUBSTITUTED,
    SUBSTITUTED_SCORE,
    NameHit,
    NameMatcher,
    _all_words_stemmed,
    _find_name,
    is_han,
)
from knowledge.schema import ServiceItem
from knowledge.text_normalise import normalise
from tests.conftest import ROOT


class PlainNameMatcher:
    """The names channel as it was before the index: every name tested against every question."""

    def __init__(self, items: Sequence[ServiceItem]) -> None:
        self._names: list[tuple[str, str]] = []
        for item in items:
            for name in {item.name, *item.aliases}:
                norm = normalise(name)
                if len(norm) >= 2:
                    self._names.append((norm, item.code))
        self._names.sort(key=lambda pair: -len(pair[0]))
        self._pieces = {piece for name, _ in self._names for piece in pieces(name)}

    def match(self, question: str) -> list[NameHit]:
        text = normalise(question)
        best: dict[str, NameHit] = {}
        covered: list[tuple[int, int]] = []
        for name, code in self._names:
            start = _find_name(text, name)
            if start < 0:
                continue
            end = start + len(name)
            if any(s <= start and end <= e for s, e in covered) and code not in best:
                continue
            covered.append((start, end))
            score = min(1.0, 0.6 + 0.1 * len(name))
            if code not in best or best[code].score < score:
                best[code] = NameHit(code, name, True, score)
        if best:
            return sorted(best.values(), key=lambda h: -h.score)
        query_grams = set(bigrams(text))
        if not query_grams:
            return []
        fuzzy: dict[str, NameHit] = defaultdict(lambda: NameHit("", "", False, 0.0))
        words = re.findall(r"[a-z0-9]+", text)
        for name, code in self._names:
            if name.isascii():
                if words and _all_words_stemmed(name, words) and fuzzy[code].score < 0.8:
                    fuzzy[code] = NameHit(code, name, False, 0.8)
                continue
            grams = set(bigrams(name))
            if len(grams) < 2:
                continue
            shared = len(grams & query_grams)
            overlap = shared / len(grams)
            if shared >= 2 and overlap >= 0.6 and overlap * 0.8 > fuzzy[code].score:
                fuzzy[code] = NameHit(code, name, False, overlap * 0.8)
        for name, code in self._names:  # one character miswritten
            if name.isascii() or len(name) < MIN_SUBSTITUTED:
                continue
            if len(set(bigrams(name)) - query_grams) > 2:  # one character changed spoils at most two bigrams
                continue
            windows = (text[i : i + len(name)] for i in range(len(text) - len(name) + 1))
            substituted = any(
                not w.isascii()
                and sum(a != b for a, b in zip(w, name, strict=True)) <= 1
                and all(is_han(a) for a, b in zip(w, name, strict=True) if a != b)
                for w in windows
            )
            if substituted and fuzzy[code].score < SUBSTITUTED_SCORE:
                fuzzy[code] = NameHit(code, name, False, SUBSTITUTED_SCORE)
        starts, ends = word_bounds(text)
        longest = max((len(name) for name, _ in self._names), default=0)
        by_first: dict[str, list[str]] = defaultdict(list)  # whole-word stretches by their first character
        for i in starts:
            for j in ends:
                if MIN_ABBREVIATED <= j - i <= longest:
                    by_first[text[i]].append(text[i:j])
        for name, code in self._names:  # abbreviated: every whole-word stretch against every name
            if len(name) <= MIN_ABBREVIATED or not abbreviable(name):
                continue
            taken = any(w not in self._pieces and abbreviates(w, name) for w in by_first.get(name[0], ()))
            if taken and fuzzy[code].score < ABBREVIATED_SCORE:
                fuzzy[code] = NameHit(code, name, False, ABBREVIATED_SCORE)
        return sorted((h for h in fuzzy.values() if h.item_code), key=lambda h: -h.score)


def _questions() -> list[str]:
    texts = [q.text for q in load("tuning")]
    texts += [t.user for c in load_conversations(ROOT / "evaluation" / "data" / "heldout.jsonl") for t in c.turns]
    return texts


EXTRA = [
    "护土执业注册",  # a typo: the fuzzy bigram match
    "公共厂所卫生许可正哪些地方要办",  # one character miswritten (a homophone)
    "渭南生产消毒液的厂子要办卫生许可，去哪交材料",  # a comma where a name's last character would be: no typo
    "那个麻精卡归谁批",  # abbreviated
    "医广审查证明有效期多久",
    "公共卫生服务怎么办",  # a word of its own, not an abbreviation
    "注册护士执业",  # word order changed
    "register as a nurse",
    "how do I renew a nurse licence",
    "driver's license",
    "护士延续注册和护士执业注册有什么不同",
    "",
    "？？",
]


def test_same_hits_as_testing_every_name_on_the_tuning_questions(catalog) -> None:  # type: ignore[no-untyped-def]
    indexed, plain = NameMatcher(catalog.items), PlainNameMatcher(catalog.items)
    questions = _questions() + EXTRA
    assert len(questions) > 2000
    found = 0
    for text in questions:
        expected = plain.match(text)
        assert indexed.match(text) == expected, text
        found += bool(expected)
    assert found > 500  # the comparison covers questions that name items, exactly and fuzzily
    fuzzy = sum(1 for text in questions if any(not h.exact for h in plain.match(text)))
    assert fuzzy > 20
    abbreviated = sum(1 for text in questions if any(h.score == ABBREVIATED_SCORE for h in plain.match(text)))
    assert abbreviated >= 5


def test_same_hits_with_a_hundred_times_more_names(catalog) -> None:  # type: ignore[no-untyped-def]
    """On the benchmark's synthetic knowledge base (names prefixed with invented cities)."""
    items = synthetic_items(catalog.items, 100)
    indexed, plain = NameMatcher(items), PlainNameMatcher(items)
    questions = (
        _questions()[::40] + EXTRA + ["合成甲子市护士执业注册", "合成乙丑市的护士延续注册要多久", "合成市护土注册"]
    )
    for text in questions:
        assert indexed.match(text) == plain.match(text), text


@pytest.mark.parametrize(
    ("text", "code", "exact"),
    [
        ("护土执业注册", "nurse-practice-registration", False),
        ("注册护士执业", "nurse-practice-registration", False),
        ("register as a nurse", "nurse-practice-registration", False),
        ("护士延续注册和护士执业注册有什么不同", "nurse-practice-registration", True),
        ("driver's license", None, False),
        ("公共厂所卫生许可正哪些地方要办", "public-place-health-permit", False),  # 厂 for 场: one character miswritten
        ("医院要用吗啡、杜冷丁，那个麻精卡归谁批", "narcotic-drug-purchase-seal-card", False),  # abbreviated
        ("医广审查证明有效期多久", "medical-advertisement-review", False),
        ("病媒备案收费吗", "vector-control-service-filing", False),
        ("公共卫生服务怎么办", None, False),  # 公共卫生 is a word, not 公共场所卫生许可 shortened
        ("食品生产许可证怎么办", None, False),  # 生产许可 is a piece of 消毒产品生产许可 taken whole
        ("我要办证", None, False),  # 我要办理卫生许可证 is a request, not a name to shorten
    ],
)
def test_the_examples(catalog, text: str, code: str | None, exact: bool) -> None:  # type: ignore[no-untyped-def]
    hits = NameMatcher(catalog.items).match(text)
    assert (hits[0].item_code, hits[0].exact) == (code, exact) if code else hits == []


@pytest.mark.parametrize(
    ("stretch", "name", "expected"),
    [
        ("麻精卡", "麻醉药品和第一类精神药品购用印鉴卡", True),
        ("医广审查", "医疗广告审查", True),
        ("医广", "医疗广告审查", False),  # too short
        ("广告审查", "医疗广告审查", False),  # not from the name's first character: a piece of it
        ("医疗广告", "医疗广告审查", False),  # a piece taken whole: a partial name
        ("医广告", "医疗广告审查", False),  # not up to the name's last character
        ("医审广查", "医疗广告审查", False),  # out of order
        ("职业健康", "职业病健康体检机构备案", False),
    ],
)
def test_what_abbreviates_a_name(stretch: str, name: str, expected: bool) -> None:
    assert abbreviates(stretch, name) is expected


def test_requests_are_not_abbreviated() -> None:
    assert not abbreviable("我要申请医疗广告审查") and not abbreviable("办卫生许可证")
    assert abbreviable("医疗广告审查") and not abbreviable("medical advertising review")


def test_a_generic_word_asked_for_names_no_item(catalog) -> None:  # type: ignore[no-untyped-def]
    from knowledge.query.lexicon import load_lexicon
    from knowledge.query.model import Query
    from knowledge.retrieve.names import NamesScorer, request_of_generic

    lexicon = load_lexicon()
    scorer = NamesScorer(catalog.items, lexicon.generic_terms, lexicon.filler.chars)

    def named(text: str) -> dict[str, float]:
        return dict(scorer.score(Query(text=text, norm=normalise(text), language="zh")).items)

    # "办卫生许可证" is an alias of 公共场所卫生许可, but a disinfectant factory needs a 卫生许可证 too
    assert "public-place-health-permit" not in named("生产消毒液的厂子要办卫生许可证")
    assert named("理发店卫生许可证怎么办") == {"public-place-health-permit": 1.0}
    # 供水卫生许可 shares only 卫生许可 with the question: no fuzzy mention of 供水单位卫生许可
    assert named("小宾馆十几个房间也要办卫生许可吗") == {}
    assert "water-supply-unit-permit" in named("供水站卫生许可要啥")
    assert request_of_generic("我要办理卫生许可证", {"卫生许可证"}, "我要办理")
    assert not request_of_generic("理发店卫生许可证", {"卫生许可证"}, "我要办理")
