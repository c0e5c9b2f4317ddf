"""The dense channel: chunk vectors in a persisted faiss index, rebuilt whenever the knowledge changes."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.documents import Chunk
from knowledge.query.model import Query
from knowledge.retrieve.protocol import ChannelScores, max_by_owner
from knowledge.vector_index import IndexManifest, VectorIndex, content_hash

if TYPE_CHECKING:
    from knowledge.embedding.embedders import Embedder

logger = logging.getLogger(__name__)

CHUNK_SCHEMA_VERSION = "chunks-1"  # bump when documents.py changes what a chunk's text holds


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
    """The dense channel behind the `Channel` protocol: e5 cosine, best chunk per item and point."""

    name = "dense"

    def __init__(self, channel: DenseChannel, chunks: list[Chunk]) -> None:
        self.channel = channel
        self.chunks = chunks
        self._pos = {c.id: n for n, c in enumerate(chunks)}

    def score(self, query: Query) -> ChannelScores:
        scores = [0.0] * len(self.chunks)
        for cid, score in self.channel.search(query.norm, k=len(self.chunks)):
            scores[self._pos[cid]] = score
        return max_by_owner(self.chunks, scores)
