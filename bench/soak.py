"""Soak: `SOAK_USERS` (default 16) closed-loop users against the running assistant for `SOAK_MINUTES`
(default 30), sampling every `SOAK_SAMPLE_S` (default 30) seconds the resident memory of each process
(app, Rasa, action server: found by their listening ports), the errors and the throughput.

    make soak                        # starts the assistant, then runs this (not part of `make test`)
    .venv/bin/python -m bench.soak   # with the assistant already running

Ports: `APP_PORT` (8000), `RASA_PORT` (5005), `ACTION_PORT` (5055), as `scripts/stack.py` uses them.
Texts: `SOAK_TEXTS=fresh` (default) sends a new question from the question bank's tuning part every message (as
`bench/versus.py`'s fresh mode: every turn pays the gate's query embedding, nothing is answered from a cache);
`SOAK_TEXTS=repeated` the five-message conversation over and over. `SOAK_OUT` writes the results elsewhere.

Memory is flat when the least-squares slope of each process's RSS over the run after the first
`SOAK_SETTLE_MINUTES` (default 5) stays small; the slopes (MB per hour) are in bench/results/soak.json.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.stats import percentiles, write_results
from bench.versus import ASSISTANT_MESSAGES, FreshTexts, Texts, repeated

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "soak.json"
LISTEN = "0A"


def listening_pid(port: int) -> int | None:
    """The process listening on loopback TCP ``port`` (from /proc), or None."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == LISTEN and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(parts[9])
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(proc.name)
        except OSError:
            continue
    return None


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def slope_per_hour(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MB) points, in MB per hour."""
    if len(points) < 3:
        return None
    n = len(points)
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    var = sum((t - mx) ** 2 for t, _ in points)
    if var == 0:
        return None
    return round(sum((t - mx) * (v - my) for t, v in points) / var * 3600, 1)


@dataclass
class Tally:
    done: list[tuple[float, float]] = field(default_factory=list)  # (finished at, latency ms)
    errors: list[tuple[float, str]] = field(default_factory=list)


def soak_texts(mode: str) -> Texts:
    """The text of each message: `fresh` (a new bank question every time) or `repeated` (five messages)."""
    if mode == "fresh":
        return FreshTexts()
    if mode == "repeated":
        return repeated(ASSISTANT_MESSAGES)
    raise ValueError(f"SOAK_TEXTS must be fresh or repeated, not {mode!r}")


async def users_loop(url: str, users: int, stop_at: float, tally: Tally, texts: Texts) -> None:
    async def user(n: int, client: httpx.AsyncClient) -> None:
        i = 0
        session = f"soak-{n}-{uuid.uuid4().hex[:8]}"
        while time.monotonic() < stop_at:
            if i and i % len(ASSISTANT_MESSAGES) == 0:
                session = f"soak-{n}-{uuid.uuid4().hex[:8]}"
            body = {"session_id": session, "text": texts(i)}
            t0 = time.monotonic()
            try:
                resp = await client.post(url, json=body)
                if resp.status_code == 200:
                    tally.done.append((time.monotonic(), (time.monotonic() - t0) * 1000))
                else:
                    tally.errors.append((time.monotonic(), f"HTTP {resp.status_code}"))
            except httpx.HTTPError as exc:
                tally.errors.append((time.monotonic(), type(exc).__name__))
            i += 1

    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(*(user(n, client) for n in range(users)))


async def soak(
    app_url: str, ports: dict[str, int], *, users: int, minutes: float, sample_s: float, texts: str = "fresh"
) -> dict[str, Any]:
    pids = {name: listening_pid(port) for name, port in ports.items()}
    missing = [name for name, pid in pids.items() if pid is None]
    if missing:
        raise SystemExit(f"no process listens on the port of {', '.join(missing)} ({ports}); is the stack running?")
    tally = Tally()
    start = time.monotonic()
    stop_at = start + minutes * 60
    samples: list[dict[str, Any]] = []
    load = asyncio.create_task(users_loop(app_url + "/api/chat", users, stop_at, tally, soak_texts(texts)))
    last_t, last_done, last_err = start, 0, 0
    while not load.done():
        await asyncio.wait({load}, timeout=sample_s)
        now = time.monotonic()
        done, errs = len(tally.done), len(tally.errors)
        window = [ms for t, ms in tally.done[last_done:]]
        sample = {
            "t_s": round(now - start, 1),
            "rss_mb": {name: rss_mb(pid) for name, pid in pids.items() if pid is not None},
            "msg_per_s": round((done - last_done) / max(1e-9, now - last_t), 2),
            "errors": errs - last_err,
            **(percentiles(window) if window else {}),
            "load_average_1m": round(os.getloadavg()[0], 2),
        }
        samples.append(sample)
        print(sample, flush=True)
        last_t, last_done, last_err = now, done, errs
    await load
    settle = float(os.environ.get("SOAK_SETTLE_MINUTES", "5")) * 60
    slopes: dict[str, Any] = {}
    for name in pids:
        points = [(s["t_s"], s["rss_mb"][name]) for s in samples if s["rss_mb"].get(name) is not None]
        settled = [p for p in points if p[0] >= settle]
        slopes[name] = {
            "rss_mb_first": points[0][1] if points else None,
            "rss_mb_last": points[-1][1] if points else None,
            "rss_mb_max": max(v for _, v in points) if points else None,
            "slope_mb_per_hour_all": slope_per_hour(points),
            "slope_mb_per_hour_after_settle": slope_per_hour(settled),
        }
    latencies = [ms for _, ms in tally.done]
    kinds: dict[str, int] = {}
    for _, kind in tally.errors:
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "users": users,
        "minutes": minutes,
        "texts": texts,
        "messages": len(tally.done),
        "errors": len(tally.errors),
        "error_kinds": kinds,
        "msg_per_s": round(len(tally.done) / (minutes * 60), 2),
        **(percentiles(latencies) if latencies else {}),
        "memory": slopes,
        "settle_minutes": settle / 60,
        "samples": samples,
    }


def main() -> int:
    ports = {
        "app": int(os.environ.get("APP_PORT", "8000")),
        "rasa": int(os.environ.get("RASA_PORT", "5005")),
        "actions": int(os.environ.get("ACTION_PORT", "5055")),
    }
    app_url = os.environ.get("APP_URL", f"http://127.0.0.1:{ports['app']}")
    result = asyncio.run(
        soak(
            app_url,
            ports,
            users=int(os.environ.get("SOAK_USERS", "16")),
            minutes=float(os.environ.get("SOAK_MINUTES", "30")),
            sample_s=float(os.environ.get("SOAK_SAMPLE_S", "30")),
            texts=os.environ.get("SOAK_TEXTS", "fresh"),
        )
    )
    write_results(Path(os.environ.get("SOAK_OUT", OUT)), result)
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
