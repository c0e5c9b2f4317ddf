"""The app's memory under questions of every length: torch with and without length buckets, each in its own process.

    python -m bench.embed_buckets [--passes 3] [--pad 1 16] [--threads 1] [--arena-max 0 2] [--out FILE]

A long-running server embeds citizens' questions of every length. Torch's CPU kernels keep native memory for
every input shape they have seen, so the resident size grows with each new length until all have been seen
(`knowledge.embedding.embedders.E5Embedder`, `KNOWLEDGE_EMBED_PAD_MULTIPLE`). Each setting runs in a fresh
process: one single-question embedding per length from 10 to 598 characters (step 2; about 12 to 500 tokens),
in new random texts on every pass; the resident size (VmRSS) after each pass, the pass's wall-clock time, and
the vectors' cosine with the unpadded ones. Texts are drawn from the characters of citizens' questions with a
fixed seed per pass, so no question repeats and both settings see the same texts. `--threads N` embeds from a
pool of N threads, as the app's thread pool does (glibc gives each thread that allocates its own arena, up to 8
per core); `--arena-max` runs each setting again with `MALLOC_ARENA_MAX` set (0: unset).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from bench.stats import write_results

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "embed_buckets.json"
CHARS = (
    "护士执业注册需要什么材料出生医学证明补发公共场所卫生许可证办理时限"
    "医院投诉疫苗接种诊所备案我想问一下多久能办好费用网上办理地址电话"
)
LENGTHS = range(10, 600, 2)


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _texts(seed: int) -> list[str]:
    rnd = random.Random(seed)
    return ["".join(rnd.choice(CHARS) for _ in range(n)) for n in LENGTHS]


def run_one(pad: int, passes: int, threads: int = 1) -> dict[str, object]:
    """In this process: `passes` passes of new texts, one question at a time (from `threads` threads)."""
    from knowledge.config import get_settings
    from knowledge.embedding.embedders import E5Embedder

    model_dir = get_settings().model_dir
    embedder = E5Embedder(model_dir, threads=1, pad_multiple=pad)
    embedder.embed_queries(["预热"])
    rows: list[dict[str, float]] = [{"pass": -1, "rss_mb": round(_rss_mb(), 1)}]
    for n in range(passes):
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(lambda text: embedder.embed_queries([text]), _texts(seed=n)))
        rows.append({"pass": n, "rss_mb": round(_rss_mb(), 1), "seconds": round(time.perf_counter() - started, 1)})
    probe = _texts(seed=999)[::40]
    exact = E5Embedder(model_dir, threads=1, pad_multiple=1)
    cosines = [float(np.dot(embedder.embed_queries([t])[0], exact.embed_queries([t])[0])) for t in probe]
    return {
        "pad_multiple": pad,
        "threads": threads,
        "malloc_arena_max": os.environ.get("MALLOC_ARENA_MAX"),
        "passes": rows,
        "cosine_min_vs_unpadded": round(min(cosines), 7),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--pad", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--arena-max", type=int, nargs="+", default=[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: one setting, JSON on stdout
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.passes, args.threads)))
        return 0
    runs = []
    for pad, arena_max in [(p, a) for a in args.arena_max for p in args.pad]:
        load = os.getloadavg()[0]
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
        if arena_max:
            env["MALLOC_ARENA_MAX"] = str(arena_max)
        command = [sys.executable, "-m", "bench.embed_buckets", "--one", str(pad), "--passes", str(args.passes)]
        child = subprocess.run(
            [*command, "--threads", str(args.threads)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        run = json.loads(child.stdout.strip().splitlines()[-1])
        run["load_before"], run["load_after"] = round(load, 1), round(os.getloadavg()[0], 1)
        runs.append(run)
    write_results(args.out, {"lengths_chars": [LENGTHS.start, LENGTHS.stop - 1, LENGTHS.step], "runs": runs})
    return 0


if __name__ == "__main__":
    sys.exit(main())
