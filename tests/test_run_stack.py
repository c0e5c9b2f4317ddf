"""`make run` keeps the stack alive: a crashed child is restarted, a crash-looping one stops everything."""

from __future__ import annotations

import sys
from pathlib import Path

from scripts.run_stack import supervise
from scripts.stack import Stack, StackConfig


def test_a_crashed_child_is_restarted_not_everything_stopped(tmp_path: Path) -> None:
    stack = Stack(StackConfig(var_dir=tmp_path, log_dir=tmp_path / "logs"))
    marker = tmp_path / "starts.txt"
    # A child that dies after its first start (like `kill -9` of the app) and stays up afterwards.
    code = (
        "import pathlib, sys, time\n"
        f"p = pathlib.Path({str(marker)!r})\n"
        "n = len(p.read_text().splitlines()) if p.exists() else 0\n"
        "p.open('a').write('start\\n')\n"
        "sys.exit(9) if n == 0 else time.sleep(30)\n"
    )
    stack._spawn("app", [sys.executable, "-c", code])
    stack._spawn("steady", [sys.executable, "-c", "import time; time.sleep(30)"])
    steady_pid = dict(stack.procs)["steady"].pid
    try:
        assert supervise(stack, poll_s=0.2, run_for_s=4.0) == 0
        procs = dict(stack.procs)
        assert procs["app"].poll() is None  # running again
        assert procs["steady"].pid == steady_pid and procs["steady"].poll() is None  # untouched
        assert marker.read_text().splitlines() == ["start", "start"]
    finally:
        stack.stop()


def test_a_crash_looping_child_stops_the_stack(tmp_path: Path) -> None:
    stack = Stack(StackConfig(var_dir=tmp_path, log_dir=tmp_path / "logs"))
    stack._spawn("broken", [sys.executable, "-c", "import sys; sys.exit(3)"])
    try:
        assert supervise(stack, max_restarts=1, poll_s=0.1, run_for_s=20.0) == 1
    finally:
        stack.stop()
