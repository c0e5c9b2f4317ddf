"""`rasa run` with a stopwatch on each of Rasa's own hops, for the per-hop profile (`bench/hops.py`).

    .venv-rasa/bin/python -m bench.rasa_timed OUT.json run --model … --endpoints … (any `rasa` arguments)

Runs Rasa's command line through `scripts/rasa_server.py` (as `scripts/stack.py` does) after wrapping,
with timers, the message handling (`MessageProcessor.handle_message`), the NLU pipeline
(`parse_message`), each policy-ensemble prediction (`_predict_next_with_tracker`), the tracker store's
`retrieve` and `save` (SQL and in-memory) and each custom-action call to the action server
(`RemoteAction.run`). Every 5 s the totals (count, sum, and the samples of the last 20 000 calls per
hop) are written to OUT.json. Only for measuring: nothing here is used when the assistant runs
normally. Runs in the Rasa environment (.venv-rasa).
"""

from __future__ import annotations

import contextvars
import functools
import json
import sys
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

_samples: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=20_000))
_totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
_lock = threading.Lock()


def _note(hop: str, ms: float) -> None:
    with _lock:
        _samples[hop].append(ms)
        total = _totals[hop]
        total[0] += 1
        total[1] += ms


_inside: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("inside", default=frozenset())


def _timed_async(cls: Any, method: str, hop: str) -> None:
    original = getattr(cls, method)

    @functools.wraps(original)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = _inside.get()
        if hop in outer:  # a subclass's method calling its timed parent's: counted once, by the outer
            return await original(*args, **kwargs)
        token = _inside.set(outer | {hop})
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            _note(hop, (time.perf_counter() - started) * 1000)
            _inside.reset(token)

    setattr(cls, method, wrapper)


def _timed_sync(cls: Any, method: str, hop: str) -> None:
    original = getattr(cls, method)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _note(hop, (time.perf_counter() - started) * 1000)

    setattr(cls, method, wrapper)


def _dump_every(path: Path, seconds: float = 5.0) -> None:
    while True:
        time.sleep(seconds)
        with _lock:
            data = {
                hop: {
                    "count": int(total[0]),
                    "sum_ms": round(total[1], 1),
                    "samples_ms": [round(s, 2) for s in _samples[hop]],
                }
                for hop, total in _totals.items()
            }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)


def install() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore

    from rasa_server.tracker_store import TunedSQLTrackerStore

    _timed_async(MessageProcessor, "handle_message", "rasa_turn")
    _timed_async(MessageProcessor, "parse_message", "nlu")
    _timed_sync(MessageProcessor, "_predict_next_with_tracker", "policies")
    for store in (TunedSQLTrackerStore, SQLTrackerStore, InMemoryTrackerStore):
        _timed_async(store, "retrieve", "tracker_retrieve")
        _timed_async(store, "save", "tracker_save")
    _timed_async(RemoteAction, "run", "action_call")


def main() -> None:
    out = Path(sys.argv[1])
    sys.argv = ["rasa", *sys.argv[2:]]
    install()
    threading.Thread(target=_dump_every, args=(out,), daemon=True, name="hop-dump").start()
    from scripts.rasa_server import main as rasa_server_main

    rasa_server_main(sys.argv[1:])  # the launcher `scripts/stack.py` uses, so the timings are the stack's


if __name__ == "__main__":
    main()
