"""The persisted faiss index: exact search, save/load round trip, stale manifests refused."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from knowledge.vector_index import FORMAT_VERSION, IndexManifest, VectorIndex, content_hash


def _unit_rows(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _manifest(n: int, dim: int, **overrides: object) -> IndexManifest:
    fields: dict[str, object] = {
        "model": "hashing-256",
        "dim": dim,
        "content_hash": content_hash(["chunk-%d" % i for i in range(n)]),
        "schema_version": "1",
        "count": n,
    }
    fields.update(overrides)
    return IndexManifest.model_validate(fields)


@pytest.fixture
def data() -> tuple[np.ndarray, list[str], np.ndarray]:
    rng = np.random.default_rng(7)
    vectors = _unit_rows(rng, 500, 64)
    ids = ["chunk-%d" % i for i in range(500)]
    queries = _unit_rows(rng, 20, 64)
    return vectors, ids, queries


def test_search_matches_brute_force(data: tuple[np.ndarray, list[str], np.ndarray]) -> None:
    vectors, ids, queries = data
    index = VectorIndex.build(vectors, ids)
    results = index.search(queries, k=5)

    brute = queries @ vectors.T
    assert len(results) == len(queries)
    for row, hits in enumerate(results):
        expected_rows = np.argsort(-brute[row])[:5]
        assert [hit_id for hit_id, _ in hits] == [ids[i] for i in expected_rows]
        np.testing.assert_allclose([s for _, s in hits], brute[row, expected_rows], rtol=1e-5, atol=1e-5)
        scores = [s for _, s in hits]
        assert scores == sorted(scores, reverse=True)


def test_exact_nearest_neighbour_is_found() -> None:
    rng = np.random.default_rng(3)
    vectors = _unit_rows(rng, 300, 32)
    ids = ["c%03d" % i for i in range(300)]
    index = VectorIndex.build(vectors, ids)
    # A query that is a slightly perturbed copy of row 123 must find row 123 first, score ≈ 1.
    query = vectors[123] + 0.01 * rng.standard_normal(32).astype(np.float32)
    query /= np.linalg.norm(query)
    [hits] = index.search(query, k=1)
    assert hits[0][0] == "c123"
    assert hits[0][1] > 0.99


def test_k_larger_than_index_and_empty_queries() -> None:
    rng = np.random.default_rng(1)
    index = VectorIndex.build(_unit_rows(rng, 3, 8), ["a", "b", "c"])
    [hits] = index.search(_unit_rows(rng, 1, 8), k=10)
    assert sorted(h for h, _ in hits) == ["a", "b", "c"]
    assert index.search(np.zeros((0, 8), dtype=np.float32), k=3) == []
    with pytest.raises(ValueError):
        index.search(_unit_rows(rng, 1, 9), k=1)


def test_build_rejects_bad_input() -> None:
    rng = np.random.default_rng(2)
    with pytest.raises(ValueError):
        VectorIndex.build(_unit_rows(rng, 3, 8), ["a", "b"])
    with pytest.raises(ValueError):
        VectorIndex.build(_unit_rows(rng, 2, 8), ["a", "a"])
    with pytest.raises(ValueError):
        VectorIndex.build(np.full((1, 8), np.nan, dtype=np.float32), ["a"])


def test_save_load_roundtrip(tmp_path: Path, data: tuple[np.ndarray, list[str], np.ndarray]) -> None:
    vectors, ids, queries = data
    index = VectorIndex.build(vectors, ids)
    manifest = _manifest(len(ids), vectors.shape[1])
    target = tmp_path / "index"
    index.save(target, manifest)

    assert sorted(p.name for p in target.iterdir()) == ["ids.json", "index.faiss", "manifest.json"]
    assert json.loads((target / "manifest.json").read_text())["format_version"] == FORMAT_VERSION
    assert [p.name for p in tmp_path.iterdir()] == ["index"]  # no temp folders left behind

    loaded = VectorIndex.load(target, manifest)
    assert loaded is not None
    assert loaded.ids == ids
    assert loaded.dim == 64
    assert loaded.search(queries, k=7) == index.search(queries, k=7)


def test_save_replaces_existing_index(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    target = tmp_path / "index"
    first = VectorIndex.build(_unit_rows(rng, 4, 8), ["a", "b", "c", "d"])
    first.save(target, _manifest(4, 8, content_hash="one"))
    second = VectorIndex.build(_unit_rows(rng, 2, 8), ["x", "y"])
    second.save(target, _manifest(2, 8, content_hash="two"))

    assert VectorIndex.load(target, _manifest(4, 8, content_hash="one")) is None
    loaded = VectorIndex.load(target, _manifest(2, 8, content_hash="two"))
    assert loaded is not None and loaded.ids == ["x", "y"]
    assert [p.name for p in tmp_path.iterdir()] == ["index"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("model", "multilingual-e5-small"),
        ("content_hash", "0" * 64),
        ("schema_version", "2"),
        ("count", 499),
        ("dim", 65),
        ("format_version", FORMAT_VERSION + 1),
    ],
)
def test_stale_manifest_is_refused(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    data: tuple[np.ndarray, list[str], np.ndarray],
    field: str,
    value: object,
) -> None:
    vectors, ids, _ = data
    VectorIndex.build(vectors, ids).save(tmp_path / "index", _manifest(len(ids), 64))
    expected = _manifest(len(ids), 64).model_copy(update={field: value})
    with caplog.at_level(logging.INFO, logger="knowledge.vector_index"):
        assert VectorIndex.load(tmp_path / "index", expected) is None
    assert "stale" in caplog.text and field in caplog.text


def test_missing_or_corrupt_index_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    manifest = _manifest(3, 8)
    with caplog.at_level(logging.INFO, logger="knowledge.vector_index"):
        assert VectorIndex.load(tmp_path / "nowhere", manifest) is None
    assert "no vector index" in caplog.text

    rng = np.random.default_rng(4)
    target = tmp_path / "index"
    VectorIndex.build(_unit_rows(rng, 3, 8), ["a", "b", "c"]).save(target, manifest)
    (target / "ids.json").write_text('["a", "b"]')  # ids no longer match the vectors
    assert VectorIndex.load(target, manifest) is None

    (target / "manifest.json").write_text("{not json")
    assert VectorIndex.load(target, manifest) is None


def test_manifest_count_must_match_on_save(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    index = VectorIndex.build(_unit_rows(rng, 3, 8), ["a", "b", "c"])
    with pytest.raises(ValueError):
        index.save(tmp_path / "index", _manifest(4, 8))
    assert not (tmp_path / "index").exists()


def test_content_hash_is_order_sensitive_and_unambiguous() -> None:
    assert content_hash(["ab", "c"]) != content_hash(["a", "bc"])
    assert content_hash(["a", "b"]) != content_hash(["b", "a"])
    assert content_hash(["材料"]) == content_hash(["材料"])


def test_load_or_build_embeds_only_when_needed(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    vectors = _unit_rows(rng, 6, 16)
    ids = ["k%d" % i for i in range(6)]
    calls: list[int] = []

    def embed() -> np.ndarray:
        calls.append(1)
        return vectors

    manifest = _manifest(6, 16)
    first = VectorIndex.load_or_build(tmp_path / "idx", manifest, ids, embed)
    second = VectorIndex.load_or_build(tmp_path / "idx", manifest, ids, embed)
    assert len(calls) == 1  # the second call read the saved index
    assert second.ids == first.ids == ids
    assert second.search(vectors[2], k=1)[0][0][0] == "k2"

    changed = manifest.model_copy(update={"content_hash": "changed"})
    VectorIndex.load_or_build(tmp_path / "idx", changed, ids, embed)
    assert len(calls) == 2  # a different manifest forces a rebuild


def test_search_rows_gives_the_rows_and_cosines_of_search(data: tuple[np.ndarray, list[str], np.ndarray]) -> None:
    vectors, ids, queries = data
    index = VectorIndex.build(vectors, ids)
    for query in queries[:5]:
        for k in (1, 37, 500, 800):
            rows, cosines = index.search_rows(query, k)
            assert len(rows) == min(k, 500)
            assert [(ids[r], float(c)) for r, c in zip(rows, cosines, strict=True)] == index.search(query, k)[0]
    with pytest.raises(ValueError, match="dimensions"):
        index.search_rows(np.zeros(63, dtype=np.float32), 5)
    assert len(index.search_rows(queries[0], 0)[0]) == 0
