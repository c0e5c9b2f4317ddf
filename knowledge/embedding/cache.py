"""Passage vectors kept by model name and text hash, so a knowledge edit re-embeds only changed chunks.

`CachedEmbedder` wraps an embedder: `embed_passages` embeds only the texts it has not seen (by the
sha256 of the text), and saves the cache beside the index (`<index_dir>/<model>.embeddings.npz`,
replaced atomically) so a restarted process or a second replica reuses it. Questions pass through.
Nothing is pickled: the file holds a string array of hashes and a float32 matrix.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embedding.embedders import Embedder
from knowledge.npz_files import save_npz_atomically

logger = logging.getLogger(__name__)


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """An `Embedder` whose passage vectors are cached by (model name, text hash)."""

    def __init__(self, inner: Embedder, folder: Path | None) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.path = Path(folder) / f"{inner.name}.embeddings.npz" if folder is not None else None
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._loaded = False
        self.embedded_last = 0  # how many passages the last call had to embed (benchmarks, tests)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.path is None or not self.path.is_file():
            return
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
            if vectors.ndim != 2 or vectors.shape[1] != self.dim or len(keys) != len(vectors):
                raise ValueError(f"shape {vectors.shape} for {len(keys)} keys")
            self._vectors.update({str(k): v for k, v in zip(keys, vectors, strict=True)})
            logger.info("embedding cache: %d vectors from %s", len(keys), self.path)
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("ignoring unreadable embedding cache %s (%s)", self.path, exc)

    def _save(self) -> None:
        if self.path is None:
            return
        keys = sorted(self._vectors)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            matrix = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)
            save_npz_atomically(self.path, keys=np.array(keys), vectors=matrix.astype(np.float32))
        except OSError as exc:
            logger.warning("could not save the embedding cache to %s (%s)", self.path, exc)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            self._load()
            keys = [text_key(t) for t in texts]
            missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items())
            self.embedded_last = len(missing)
            if missing:
                vectors = self.inner.embed_passages([t for _, t in missing])
                for (key, _), vec in zip(missing, vectors, strict=True):
                    self._vectors[key] = np.asarray(vec, dtype=np.float32)
                self._save()
            if not keys:
                return np.zeros((0, self.dim), dtype=np.float32)
            return np.stack([self._vectors[k] for k in keys]).astype(np.float32)
