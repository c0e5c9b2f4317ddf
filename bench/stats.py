"""Latency percentiles and the results file: the one way every benchmark here reports."""

from __future__ import annotations

import json
import statistics
from pathlib import Path


def percentiles(latencies_ms: list[float]) -> dict[str, float]:
    ordered = sorted(latencies_ms)
    return {
        "latency_ms_p50": round(statistics.median(ordered), 1),
        "latency_ms_p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
    }


def write_results(path: Path, results: dict[str, object]) -> None:
    """Print the figures and write them where the README quotes them from."""
    text = json.dumps(results, ensure_ascii=False, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    print(text)
