"""Moved to `knowledge.retrieve.dense`; kept so older imports keep working."""

from knowledge.retrieve.dense import CHUNK_SCHEMA_VERSION, DenseChannel

__all__ = ["CHUNK_SCHEMA_VERSION", "DenseChannel"]
