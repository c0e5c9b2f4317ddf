"""Speed side by side: Rasa's own starter bot (`rasa init`, REST channel) vs this assistant's `/api/chat`,
driven by the same closed-loop client in the same run; prints the ratios.

    make bench                       # starts the assistant, then runs this
    .venv/bin/python -m bench.versus # with the assistant already running at APP_URL

The starter bot is created with `rasa init --no-prompt` (which trains its model: about 2 minutes on an
idle 2-core machine, 9 on a busy one) in `var/rasa-starter/` on first use and reused afterwards
(`BENCH_STARTER_DIR` to put it elsewhere; delete the folder to recreate it), and served with `rasa run`
(REST channel, its default in-memory tracker store) on a free loopback port; it is stopped at the end.
Each load level measures each bot for `BENCH_DURATION_S` seconds (default 60) in total, for `BENCH_USERS`
concurrent users (default "1,16"), in `BENCH_ROUNDS` (default 2) alternating slices in the order
starter, assistant, assistant, starter, … (so a load that drifts during the level weighs on both alike),
each slice after `BENCH_WARMUP_S` (default 10) of warm-up. Every user sends its next message as soon as
the previous answer arrives (closed loop). The machine's load average is recorded per level. Results:
bench/results/versus.json (`BENCH_OUT` to write elsewhere).

`BENCH_TEXTS` (default "repeated,fresh"): which texts the assistant is sent, each mode measured at every
level. `repeated`: a five-message conversation over and over, so after the first round the assistant's
per-text caches (the e5 query vector, the question's analysis) answer for it; `fresh`: a new question for
every message from the question bank's tuning part (`FreshTexts`), so every turn pays the gate's e5 query
embedding as a real citizen's new question does. The starter bot has nothing of the kind to cache and is
sent its own small talk in both modes.

`BENCH_BASE_URL` (optional): a second assistant (say, the previous code on other ports) measured in the
same slices (starter, assistant, base, base, assistant, starter, …), so a change is compared with what it
replaced in the same minutes; its figures and its ratios to the starter are recorded under ``base``.
`BENCH_STARTER_PORT` puts the starter bot on a given port (default: a free one).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.stats import percentiles, write_results

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "versus.json"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
STARTER_MESSAGES = ["hello", "I am sad", "yes", "great", "bye", "are you a bot?"]
ASSISTANT_MESSAGES = ["护士执业首次注册需要什么材料", "那要多久？", "医师呢？", "你好", "养犬登记怎么办"]
TUNING_BANK = ROOT / "evaluation" / "data" / "bank" / "tuning.jsonl"


@dataclass
class Load:
    """What one load level measured."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def summary(self) -> dict[str, float]:
        done = len(self.latencies_ms)
        out: dict[str, float] = {"messages": done, "errors": self.errors, "msg_per_s": round(done / self.seconds, 2)}
        if done:
            out.update(percentiles(self.latencies_ms))
        return out


Body = Callable[[str, str], dict[str, Any]]
Texts = Callable[[int], str]
"""The text a user sends as its ``i``-th message."""


def repeated(messages: list[str]) -> Texts:
    """The same few messages over and over (a conversation of ``len(messages)`` turns, then again)."""
    return lambda i: messages[i % len(messages)]


class FreshTexts:
    """A new text for every message, from the question bank's tuning part (never its blind part): questions
    about items, policies and other departments' matters, shuffled with a fixed seed. Complaints and small
    talk are left out (a complaint opens the intake, which would take the next questions as its answers).
    Shared by every user and every slice of a run, so no text is sent twice to one stack until the bank is
    used up; after that each text comes back with a numbered suffix (a text no cache has seen)."""

    KINDS = ("in_domain", "policy", "other_department")

    def __init__(self, path: Path = TUNING_BANK, seed: int = 11) -> None:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        self._texts = [r["text"] for r in rows if r.get("split") == "tuning" and r.get("kind") in self.KINDS]
        if not self._texts:
            raise ValueError(f"no tuning questions in {path}")
        random.Random(seed).shuffle(self._texts)
        self._sent = 0

    def __call__(self, i: int) -> str:
        n, self._sent = self._sent, self._sent + 1
        lap, at = divmod(n, len(self._texts))
        return self._texts[at] if lap == 0 else f"{self._texts[at]}（{lap}）"


@dataclass(frozen=True)
class Target:
    """One bot as the client sees it: where to post, the body of a message, and what to say."""

    url: str
    body: Body
    texts: Texts
    turns_per_session: int = len(ASSISTANT_MESSAGES)


def starter_target(starter_url: str) -> Target:
    """Rasa's starter bot, REST channel, its own small talk (it has nothing to cache)."""
    return Target(
        starter_url + "/webhooks/rest/webhook",
        lambda s, m: {"sender": s, "message": m},
        repeated(STARTER_MESSAGES),
        len(STARTER_MESSAGES),
    )


def assistant_target(app_url: str, texts: Texts | None = None) -> Target:
    """This assistant's `/api/chat`: the five-message conversation repeated, or ``texts`` (``FreshTexts``)."""
    return Target(
        app_url + "/api/chat",
        lambda s, m: {"session_id": s, "text": m},
        texts or repeated(ASSISTANT_MESSAGES),
    )


async def closed_loop(
    target: Target,
    *,
    users: int,
    duration_s: float,
    warmup_s: float = 0.0,
    on_response: Callable[[httpx.Response], None] | None = None,
) -> Load:
    """``users`` concurrent sessions, each sending its next message when the previous answer arrived; a new
    session every ``target.turns_per_session`` messages. ``on_response`` sees every measured successful
    response (``bench/hops.py`` reads its timings)."""
    load = Load()
    start = time.perf_counter()
    measure_from = start + warmup_s
    stop_at = measure_from + duration_s

    async def user(n: int, client: httpx.AsyncClient) -> None:
        i = 0
        session = f"bench-{n}-{uuid.uuid4().hex[:8]}"
        while (now := time.perf_counter()) < stop_at:
            if i and i % target.turns_per_session == 0:
                session = f"bench-{n}-{uuid.uuid4().hex[:8]}"  # a fresh conversation per round
            t0 = now
            try:
                resp: httpx.Response | None = await client.post(target.url, json=target.body(session, target.texts(i)))
                ok = resp is not None and resp.status_code == 200
            except httpx.HTTPError:
                resp, ok = None, False
            t1 = time.perf_counter()
            if t0 >= measure_from and t1 <= stop_at:
                if ok:
                    load.latencies_ms.append((t1 - t0) * 1000)
                    if on_response is not None and resp is not None:
                        on_response(resp)
                else:
                    load.errors += 1
            i += 1

    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(*(user(n, client) for n in range(users)))
    load.seconds = duration_s
    return load


def drive(
    target: Target,
    *,
    users: int,
    duration_s: float,
    warmup_s: float,
    on_response: Callable[[httpx.Response], None] | None = None,
) -> Load:
    """One slice of the closed loop against ``target`` (the starter bot, the assistant, or the base)."""
    return asyncio.run(
        closed_loop(target, users=users, duration_s=duration_s, warmup_s=warmup_s, on_response=on_response)
    )


def merged(loads: list[Load]) -> Load:
    """One load level measured in several slices."""
    out = Load()
    for part in loads:
        out.latencies_ms.extend(part.latencies_ms)
        out.errors += part.errors
        out.seconds += part.seconds
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_starter_project(folder: Path, env: dict[str, str]) -> None:
    """`rasa init` in ``folder`` (creates and trains the starter project) unless a trained one is there."""
    if any((folder / "models").glob("*.tar.gz")):
        return
    if folder.exists():
        shutil.rmtree(folder)  # a half-made project (an interrupted init): start again
    scratch = Path(tempfile.mkdtemp(prefix="rasa-starter-", dir=folder.parent))
    subprocess.run([str(RASA), "init", "--no-prompt", "--init-dir", str(scratch)], cwd=scratch, env=env, check=True)
    scratch.rename(folder)


def start_starter_bot(folder: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """The starter project in ``folder`` (made by ``ensure_starter_project``), served by `rasa run` on ``port``
    (None: a free one)."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    folder.parent.mkdir(parents=True, exist_ok=True)
    ensure_starter_project(folder, env)
    port = port or _free_port()
    log = open(folder / "rasa.log", "ab")  # noqa: SIM115 - closed with the process by the OS
    proc = subprocess.Popen(
        [str(RASA), "run", "-i", "127.0.0.1", "--port", str(port), "--credentials", "credentials.yml"],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the starter bot exited ({proc.returncode}); see {folder / 'rasa.log'}")
        try:
            if httpx.get(url + "/webhooks/rest/", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(2)
    proc.kill()
    raise TimeoutError("the starter bot did not start within 600 s")


def ratios(ours: dict[str, float], starter: dict[str, float]) -> dict[str, float | None]:
    """Ours ÷ the starter's: throughput, p50 and p95 latency (None where a side has no figure)."""

    def ratio(key: str) -> float | None:
        return round(ours[key] / starter[key], 2) if ours.get(key) and starter.get(key) else None

    return {
        "throughput_ratio": ratio("msg_per_s"),
        "p50_ratio": ratio("latency_ms_p50"),
        "p95_ratio": ratio("latency_ms_p95"),
    }


def slice_order(rounds: int, with_base: bool) -> list[str]:
    """Which bot each slice measures: starter, assistant[, base], then the same backwards, and so on."""
    forward = ["starter", "assistant", *(["base"] if with_base else [])]
    order: list[str] = []
    for i in range(rounds):
        order += forward if i % 2 == 0 else forward[::-1]
    return order


def measure_level(
    targets: dict[str, Target], *, users: int, slice_s: float, warmup_s: float, rounds: int
) -> dict[str, Any]:
    """One load level: every bot in alternating slices; figures, ratios to the starter and the load average."""
    load_start = os.getloadavg()[0]
    parts: dict[str, list[Load]] = {name: [] for name in targets}
    for name in slice_order(rounds, "base" in targets):
        parts[name].append(drive(targets[name], users=users, duration_s=slice_s, warmup_s=warmup_s))
    starter = merged(parts["starter"]).summary()
    ours = merged(parts["assistant"]).summary()
    level: dict[str, Any] = {"starter_bot": starter, "assistant": ours, **ratios(ours, starter)}
    if "base" in targets:
        base = merged(parts["base"]).summary()
        level["base"] = {"url": targets["base"].url, "figures": base, **ratios(base, starter)}
    level["load_average_1m"] = [round(load_start, 2), round(os.getloadavg()[0], 2)]
    return level


def main() -> int:
    app_url = os.environ.get("APP_URL", "http://127.0.0.1:8000")
    base_url = os.environ.get("BENCH_BASE_URL") or None
    starter_port = int(os.environ.get("BENCH_STARTER_PORT", "0")) or None
    duration = float(os.environ.get("BENCH_DURATION_S", "60"))
    warmup = float(os.environ.get("BENCH_WARMUP_S", "10"))
    levels = [int(u) for u in os.environ.get("BENCH_USERS", "1,16").split(",")]
    rounds = max(1, int(os.environ.get("BENCH_ROUNDS", "2")))
    modes = [m.strip() for m in os.environ.get("BENCH_TEXTS", "repeated,fresh").split(",") if m.strip()]
    if unknown := set(modes) - {"repeated", "fresh"}:
        raise SystemExit(f"BENCH_TEXTS: unknown {sorted(unknown)} (repeated, fresh)")
    folder = Path(os.environ.get("BENCH_STARTER_DIR") or ROOT / "var" / "rasa-starter")
    proc, starter_url = start_starter_bot(folder, starter_port)
    results: dict[str, Any] = {"duration_s": duration, "warmup_s": warmup, "rounds": rounds, "texts": {}}
    # Each assistant gets its own fresh texts in the same order: both see the same questions, each new to it.
    fresh = {"assistant": FreshTexts(), "base": FreshTexts()}
    try:
        for mode in modes:
            results["texts"][mode] = {}
            for users in levels:
                targets = {
                    "starter": starter_target(starter_url),
                    "assistant": assistant_target(app_url, fresh["assistant"] if mode == "fresh" else None),
                }
                if base_url:
                    targets["base"] = assistant_target(base_url, fresh["base"] if mode == "fresh" else None)
                level = measure_level(targets, users=users, slice_s=duration / rounds, warmup_s=warmup, rounds=rounds)
                results["texts"][mode][str(users)] = level
                shown = {k: v for k, v in level.items() if k.endswith("_ratio")}
                if base_url:
                    shown["base"] = {k: v for k, v in level["base"].items() if k.endswith("_ratio")}
                print(
                    f"{mode:>8} {users:>3} users  starter {level['starter_bot']}  assistant {level['assistant']}"
                    f"  ratios {shown}  load {level['load_average_1m']}",
                    flush=True,
                )
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    write_results(Path(os.environ.get("BENCH_OUT") or OUT), results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
