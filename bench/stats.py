"""Latency percentiles, the one way every benchmark here reports them."""

from __future__ import annotations

import statistics


def percentiles(latencies_ms: list[float]) -> dict[str, float]:
    ordered = sorted(latencies_ms)
    return {
        "latency_ms_p50": round(statistics.median(ordered), 1),
        "latency_ms_p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
    }
