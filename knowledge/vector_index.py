"""A small persisted faiss index over normalised chunk vectors (exact inner-product search).

Modelled on txtai's `ann/` backends: build, search, save, load, with the build metadata (a
manifest) saved beside the index and checked on load. The corpus is a few thousand chunks at
most, so the index is an exact `IndexFlatIP`; with L2-normalised vectors its scores are cosines.

On disk (one folder, replaced atomically on save):
    index.faiss     faiss's own serialisation of the flat index
    ids.json        the chunk ids, row order
    manifest.json   `IndexManifest`: what was embedded, with which model

Nothing is pickled. `load` returns None, with a log line saying why, whenever the folder does not
match what the caller expects, so a stale index is rebuilt rather than silently served.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""Version of this folder layout; bump it when the files written by `save` change."""

INDEX_FILE = "index.faiss"
IDS_FILE = "ids.json"
MANIFEST_FILE = "manifest.json"

_faiss_ready = False


def _faiss() -> ModuleType:
    """Import faiss on first use and pin it to one OpenMP thread (fastest for single queries)."""
    global _faiss_ready
    import faiss

    if not _faiss_ready:
        faiss.omp_set_num_threads(1)
        _faiss_ready = True
    return faiss


class IndexManifest(BaseModel):
    """What an index was built from. Two manifests must be equal for an index to be reused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    """Embedder name, e.g. `multilingual-e5-small` or `hashing-256`."""
    dim: int
    content_hash: str
    """Hash of the embedded chunk texts and ids (see `content_hash`)."""
    schema_version: str
    """Version of the chunking / knowledge schema that produced the texts."""
    count: int
    """Number of vectors (chunks)."""
    knowledge_version: int | None = None
    """The published knowledge version the chunks come from (0: the data folder; None: not stated)."""
    format_version: int = FORMAT_VERSION


def content_hash(parts: Iterable[str]) -> str:
    """A sha256 over the given strings, order-sensitive and unambiguous (length-prefixed)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


class VectorIndex:
    """Exact inner-product search over L2-normalised float32 vectors, keyed by string ids."""

    def __init__(self, index: Any, ids: list[str]) -> None:
        if index.ntotal != len(ids):
            raise ValueError("index holds %d vectors but %d ids were given" % (index.ntotal, len(ids)))
        self._index = index
        self._ids = ids

    @classmethod
    def build(cls, vectors: np.ndarray, ids: Sequence[str]) -> VectorIndex:
        """Index `vectors` (n × dim, L2-normalised) under `ids` (n distinct strings)."""
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] == 0:
            raise ValueError("vectors must be a 2-D array (n, dim), got shape %s" % (matrix.shape,))
        if matrix.shape[0] != len(ids):
            raise ValueError("%d vectors but %d ids" % (matrix.shape[0], len(ids)))
        if len(set(ids)) != len(ids):
            raise ValueError("ids must be distinct")
        if not np.isfinite(matrix).all():
            raise ValueError("vectors contain NaN or infinity")
        if len(matrix):
            norms = np.linalg.norm(matrix, axis=1)
            if np.abs(norms - 1.0).max() > 1e-3:
                logger.warning("vectors are not L2-normalised (norms %.3f..%.3f)", norms.min(), norms.max())
        index = _faiss().IndexFlatIP(matrix.shape[1])
        if len(matrix):
            index.add(matrix)
        return cls(index, list(ids))

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def search_rows(self, query_vec: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The `k` best rows (positions in `ids`) and their cosines for one query vector, best first, as
        arrays (no per-hit Python objects: the dense channel scores hundreds of hits per question)."""
        query = np.ascontiguousarray(query_vec, dtype=np.float32).reshape(1, -1)
        if query.shape[1] != self.dim:
            raise ValueError("the query must have %d dimensions, got %d" % (self.dim, query.shape[1]))
        k = min(k, len(self._ids))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, rows = self._index.search(query, k)
        found = rows[0] >= 0
        return rows[0][found], scores[0][found]

    def search(self, query_vecs: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """The `k` best (id, cosine) pairs for each query row, best first.

        A 1-D query is treated as one row. Fewer than `k` pairs come back when the index is smaller.
        """
        queries = np.ascontiguousarray(query_vecs, dtype=np.float32)
        if queries.ndim == 1:
            queries = queries[None, :]
        if queries.ndim != 2 or queries.shape[1] != self.dim:
            raise ValueError("queries must have shape (n, %d), got %s" % (self.dim, (queries.shape,)))
        k = min(k, len(self._ids))
        if k <= 0 or len(queries) == 0:
            return [[] for _ in range(len(queries))]
        scores, rows = self._index.search(queries, k)
        return [
            [(self._ids[row], float(score)) for row, score in zip(row_ids, row_scores, strict=True) if row >= 0]
            for row_ids, row_scores in zip(rows, scores, strict=True)
        ]

    def save(self, directory: Path, manifest: IndexManifest) -> None:
        """Write the index, its ids and `manifest` to `directory`, replacing it atomically."""
        if manifest.count != len(self._ids) or manifest.dim != self.dim:
            raise ValueError(
                "manifest says %d × %d but the index holds %d × %d"
                % (manifest.count, manifest.dim, len(self._ids), self.dim)
            )
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = directory.with_name(".%s.tmp-%s" % (directory.name, uuid.uuid4().hex[:8]))
        tmp.mkdir()
        try:
            _faiss().write_index(self._index, str(tmp / INDEX_FILE))
            (tmp / IDS_FILE).write_text(json.dumps(self._ids, ensure_ascii=False), encoding="utf-8")
            # The manifest goes last: a folder with a manifest is complete.
            (tmp / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
            _replace_dir(tmp, directory)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        logger.info("saved vector index: %d vectors, dim %d, to %s", len(self._ids), self.dim, directory)

    @classmethod
    def load(cls, directory: Path, expected: IndexManifest) -> VectorIndex | None:
        """The index saved in `directory` if its manifest equals `expected`, else None (logged)."""
        directory = Path(directory)
        manifest_path = directory / MANIFEST_FILE
        if not manifest_path.is_file():
            logger.info("no vector index at %s; it will be built", directory)
            return None
        try:
            found = IndexManifest.model_validate_json(manifest_path.read_text(encoding="utf-8"))
        except (ValidationError, ValueError) as exc:
            logger.warning("unreadable index manifest at %s (%s); rebuilding", manifest_path, exc)
            return None
        if found != expected:
            differing = [name for name in IndexManifest.model_fields if getattr(found, name) != getattr(expected, name)]
            logger.info(
                "vector index at %s is stale (differs in %s: found %s, expected %s); rebuilding",
                directory,
                ", ".join(differing),
                {name: getattr(found, name) for name in differing},
                {name: getattr(expected, name) for name in differing},
            )
            return None
        try:
            index = _faiss().read_index(str(directory / INDEX_FILE))
            ids = json.loads((directory / IDS_FILE).read_text(encoding="utf-8"))
        except (OSError, RuntimeError, ValueError) as exc:
            logger.warning("cannot read vector index at %s (%s); rebuilding", directory, exc)
            return None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            logger.warning("ids.json at %s is not a list of strings; rebuilding", directory)
            return None
        if index.ntotal != expected.count or len(ids) != expected.count or index.d != expected.dim:
            logger.warning(
                "vector index at %s holds %d vectors, %d ids, dim %d; manifest says %d × %d; rebuilding",
                directory,
                index.ntotal,
                len(ids),
                index.d,
                expected.count,
                expected.dim,
            )
            return None
        logger.info("loaded vector index: %d vectors, dim %d, from %s", len(ids), index.d, directory)
        return cls(index, ids)

    @classmethod
    def load_or_build(
        cls,
        directory: Path,
        expected: IndexManifest,
        ids: Sequence[str],
        embed: Callable[[], np.ndarray],
    ) -> VectorIndex:
        """The saved index if it matches `expected` and `ids`; otherwise `embed()` it, save, return it.

        `embed` is called only on a rebuild and must return one vector per id, in order. A failed
        save (read-only disk, say) is logged and the freshly built index is still returned.
        """
        loaded = cls.load(directory, expected)
        if loaded is not None and loaded.ids == list(ids):
            return loaded
        if loaded is not None:
            logger.info("vector index at %s has other ids than expected; rebuilding", directory)
        index = cls.build(embed(), ids)
        try:
            index.save(directory, expected)
        except OSError as exc:
            logger.warning("could not save vector index to %s (%s); using it unsaved", directory, exc)
        return index


def _replace_dir(new: Path, target: Path) -> None:
    """Move `new` into place at `target`, moving any existing `target` aside first."""
    if not target.exists():
        os.rename(new, target)
        return
    old = target.with_name(".%s.old-%s" % (target.name, uuid.uuid4().hex[:8]))
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
