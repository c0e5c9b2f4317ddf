"""The dense channel: chunk vectors in a persisted faiss index, rebuilt whenever the knowledge changes."""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.documents import Chunk
from knowledge.query.model import Query
from knowledge.retrieve.protocol import ChannelScores, Owners
from knowledge.vector_index import IndexManifest, VectorIndex, content_hash

if TYPE_CHECKING:
    from knowledge.embedding.embedders import Embedder

logger = logging.getLogger(__name__)

CHUNK_SCHEMA_VERSION = "chunks-2"  # bump when documents.py changes what a chunk's text holds


class DenseChannel:
    def __init__(self, embedder: Embedder, index: VectorIndex) -> None:
        self.embedder = embedder
        self.index = index

    @classmethod
    def open(
        cls, chunks: list[Chunk], embedder: Embedder, index_dir: Path | None, *, version: int | None = None
    ) -> DenseChannel:
        """Load the index saved in `index_dir` if it matches these chunks, this model and this knowledge
        version, else build it (an embedder with a cache re-embeds only the chunks it has not seen)."""
        manifest = IndexManifest(
            model=embedder.name,
            dim=embedder.dim,
            content_hash=content_hash(f"{c.id}\x1f{c.text}" for c in chunks),
            schema_version=CHUNK_SCHEMA_VERSION,
            count=len(chunks),
            knowledge_version=version,
        )
        texts = [c.text for c in chunks]
        ids = [c.id for c in chunks]

        def embed() -> np.ndarray:
            started = time.perf_counter()
            vectors = embedder.embed_passages(texts)
            logger.info("embedded %d chunks in %.1f s", len(chunks), time.perf_counter() - started)
            return vectors

        if index_dir is None:
            index = VectorIndex.build(embed(), ids)
        else:
            index = VectorIndex.load_or_build(index_dir, manifest, ids, embed)
        return cls(embedder, index)

    def search(self, question: str, k: int) -> list[tuple[str, float]]:
        vec: np.ndarray = self.embedder.embed_queries([question])
        return self.index.search(vec, k)[0]


class DenseScorer:
    """The dense channel behind the `Channel` protocol: e5 cosine, best chunk per item and point.

    Only the `top_k` nearest chunks are scored (`KNOWLEDGE_DENSE_TOP_K`, default 500); every other chunk
    counts 0, as if absent. At or below `top_k` chunks (the curated knowledge has about 380) that is
    every chunk, so the scores are the full ones; above it, items whose best chunk is not among the
    nearest get no dense score instead of a low one, which ranks them below every item that has one.
    """

    name = "dense"

    def __init__(self, channel: DenseChannel, chunks: list[Chunk], *, top_k: int = 500) -> None:
        self.channel = channel
        self.chunks = chunks
        self.top_k = top_k
        self.owners = Owners(chunks)
        position = {c.id: n for n, c in enumerate(chunks)}
        self._position_of_row = np.array([position[cid] for cid in channel.index.ids], dtype=np.int64)

    def score(self, query: Query) -> ChannelScores:
        """The best chunk per item and point, and the question's vector (the compose stage compares it with the
        chosen guide's sentences, `knowledge/compose/sentences.py`, without embedding the question again)."""
        vector: np.ndarray = self.channel.embedder.embed_queries([query.norm])[0]
        rows, cosines = self.channel.index.search_rows(vector, min(self.top_k, len(self.chunks)))
        best = self.owners.best_of(self._position_of_row[rows], cosines.astype(np.float64))
        return dataclasses.replace(best, vector=vector)
