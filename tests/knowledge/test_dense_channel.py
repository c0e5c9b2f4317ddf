"""The dense channel scores only the nearest `top_k` chunks; at the curated size that is every chunk."""

from __future__ import annotations

import pytest

from knowledge.documents import Chunk
from knowledge.query.model import Query
from knowledge.retrieve.dense import DenseScorer
from knowledge.retrieve.protocol import ChannelScores, Owners, max_by_owner
from knowledge.schema import Aspect

QUESTIONS = ["护士执业注册需要什么材料", "医师多点执业备案在哪里办", "告知承诺制是什么", "天气怎么样", "nurse license"]


def _every_chunk(scorer: DenseScorer, query: Query) -> ChannelScores:
    """The channel as it was: faiss asked for every chunk, then the best chunk per owner in Python."""
    scores = [0.0] * len(scorer.chunks)
    pos = {c.id: n for n, c in enumerate(scorer.chunks)}
    for cid, score in scorer.channel.search(query.norm, k=len(scorer.chunks)):
        scores[pos[cid]] = score
    return max_by_owner(scorer.chunks, scores)


def _scorer(engine) -> DenseScorer:  # type: ignore[no-untyped-def]
    return next(ch for ch in engine.retriever.channels if isinstance(ch, DenseScorer))


def test_the_default_covers_every_curated_chunk(fake_engine, catalog) -> None:  # type: ignore[no-untyped-def]
    scorer = _scorer(fake_engine)
    assert scorer.top_k >= len(catalog.chunks)
    for text in QUESTIONS:
        query = fake_engine.analyse(text)
        got, expected = scorer.score(query), _every_chunk(scorer, query)
        assert list(got.items) == list(expected.items) and got.items == expected.items
        assert list(got.points) == list(expected.points) and got.points == expected.points


@pytest.mark.parametrize("top_k", [1, 20, 100])
def test_a_smaller_top_k_keeps_the_nearest_chunks_scores(fake_engine, top_k: int) -> None:  # type: ignore[no-untyped-def]
    full = _scorer(fake_engine)
    scorer = DenseScorer(full.channel, full.chunks, top_k=top_k)
    for text in QUESTIONS:
        query = fake_engine.analyse(text)
        nearest = dict(full.channel.search(query.norm, k=top_k))
        scores = [nearest.get(c.id, 0.0) for c in full.chunks]
        expected = max_by_owner(full.chunks, scores)
        got = scorer.score(query)
        assert got == expected
        # the best owner (item or policy point) and its score are the same as with every chunk scored
        everything = _every_chunk(full, query)
        best = max({**got.items, **got.points}.items(), key=lambda kv: kv[1])
        assert best == max({**everything.items, **everything.points}.items(), key=lambda kv: kv[1])


def test_owners_takes_the_best_chunk_per_owner_like_max_by_owner() -> None:
    import numpy as np

    def chunk(n: int, item: str | None, policy: str | None) -> Chunk:
        return Chunk(f"c{n}", "text", item, None, policy, Aspect.materials)

    chunks = [chunk(0, "b", None), chunk(1, "a", None), chunk(2, None, "p"), chunk(3, "b", None), chunk(4, None, None)]
    for scores in ([0.2, 0.5, 0.1, 0.7, 9.0], [-0.3, -0.1, -2.0, -0.2, 1.0], [0.0] * 5):
        got = Owners(chunks).best(np.array(scores))
        expected = max_by_owner(chunks, scores)
        assert got == expected and list(got.items) == ["b", "a"] == list(expected.items)
        some = np.array([4, 3, 0])  # a chunk without an owner, and two chunks of one item
        others = [0.0] * 5
        for n in some:
            others[n] = scores[n]
        assert Owners(chunks).best_of(some, np.array(scores)[some]) == max_by_owner(chunks, others)
    shuffled = [chunks[2], chunks[0], chunks[4], chunks[1], chunks[3]]  # owners' chunks not side by side
    scores = [0.4, 0.1, 3.0, 0.6, 0.2]
    assert Owners(shuffled).best(np.array(scores)) == max_by_owner(shuffled, scores)
    assert Owners([]).best(np.zeros(0)) == ChannelScores()


def test_fusion_of_arrays_equals_fusion_of_dicts(fake_engine) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from knowledge.retrieve.fuse import _aligned, fuse
    from knowledge.retrieve.protocol import ItemScores

    retriever = fake_engine.retriever
    for text in QUESTIONS:
        query = fake_engine.analyse(text)
        views = {ch.name: ch.score(query) for ch in retriever.channels}
        assert isinstance(views["dense"].items, ItemScores) and isinstance(views["bm25"].items, ItemScores)
        assert _aligned(views["dense"], views["bm25"], retriever.item_codes)  # the array path is the one taken
        plain = {name: replace(view, items=dict(view.items)) for name, view in views.items()}
        kwargs = {"w_lexical": retriever.w_lexical, "w_names": retriever.w_names}
        got, expected = fuse(views, retriever.item_codes, **kwargs), fuse(plain, retriever.item_codes, **kwargs)
        assert list(got.items.items()) == list(expected.items.items())
        assert got.points == expected.points and got.named == expected.named and got.exact == expected.exact
        assert got.ranked == expected.ranked
