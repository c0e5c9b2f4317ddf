"""The inverted-index BM25 scores every document exactly as rank-bm25's BM25Okapi (the test oracle)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from evaluation.bank.generate import load
from knowledge.retrieve.bm25 import BM25Index, BM25Scorer, Tokeniser
from knowledge.retrieve.protocol import max_by_owner


def _assert_same(corpus: list[list[str]], queries: list[list[str]]) -> None:
    oracle = BM25Okapi(corpus)
    index = BM25Index(corpus)
    assert index.idf == pytest.approx(oracle.idf, abs=1e-12)
    for query in queries:
        expected = oracle.get_scores(query)
        got = index.scores(query)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


@pytest.fixture(scope="module")
def tokeniser(catalog) -> Tokeniser:  # type: ignore[no-untyped-def]
    return Tokeniser([n for item in catalog.items for n in (item.name, *item.aliases)])


def test_same_scores_as_rank_bm25_on_the_curated_corpus(catalog, tokeniser) -> None:  # type: ignore[no-untyped-def]
    corpus = [tokeniser.cached_tokens(c.text) for c in catalog.chunks]
    questions = [q.text for q in load("tuning")][::7]  # about 330 questions of every kind and style
    questions += ["护士执业注册需要什么材料", "护土执业注册", "護士執業註冊", "nurse registration", "", "的了吗"]
    queries = [tokeniser.tokens(q) for q in questions]
    assert sum(bool(q) for q in queries) > 300
    _assert_same(corpus, queries)


@pytest.mark.parametrize("seed", range(12))
def test_same_scores_as_rank_bm25_on_random_corpora(seed: int) -> None:
    rng = random.Random(seed)
    vocab = [f"w{n}" for n in range(rng.randint(3, 60))]
    common = vocab[:2]  # words in most documents: negative idf, floored by rank-bm25's epsilon rule
    corpus = []
    for _ in range(rng.randint(1, 120)):
        doc = rng.choices(vocab, k=rng.randint(0, 40))
        if rng.random() < 0.8:
            doc += common
        rng.shuffle(doc)
        corpus.append(doc)
    if not any(corpus):
        corpus[0] = ["w0"]  # rank-bm25 cannot index a corpus without a word
    queries = [rng.choices([*vocab, "unknown"], k=rng.randint(0, 12)) for _ in range(25)]
    queries.append(["w0", "w0", "w1", "w0"])  # repeated tokens count each time
    _assert_same(corpus, queries)


def test_the_scorer_scales_and_groups_as_before(catalog, tokeniser) -> None:  # type: ignore[no-untyped-def]
    """BM25Scorer's channel scores: rank-bm25 scores over the best, best chunk per owner (the old code)."""
    from knowledge.query.analyse import Analyser
    from knowledge.query.lexicon import load_lexicon

    scorer = BM25Scorer(catalog.chunks, tokeniser)
    oracle = BM25Okapi([tokeniser.cached_tokens(c.text) for c in catalog.chunks])
    analyser = Analyser(load_lexicon(), region_words=catalog.region_words, referrals=catalog.referrals)
    for text in ["护士执业注册需要什么材料", "医师多点执业备案在哪里办", "食品经营许可证延续要多久", "天气怎么样"]:
        query = analyser.analyse(text)
        raw = [float(s) for s in oracle.get_scores(tokeniser.tokens(query.norm))]
        top = max(raw, default=0.0) or 1.0
        expected = max_by_owner(catalog.chunks, [s / top for s in raw])
        got = scorer.score(query)
        assert list(got.items) == list(expected.items) and list(got.points) == list(expected.points)
        assert got.items == pytest.approx(expected.items, abs=1e-12)
        assert got.points == pytest.approx(expected.points, abs=1e-12)
