"""`make run`: start the whole assistant on embedded defaults and keep it running until Ctrl-C.

A child that crashes is restarted (backoff 1, 2, 4 … 30 s); one crashing more than 5 times in
5 minutes stops everything. With `--then CMD` it starts the stack, waits until it is ready, runs
CMD, stops the stack and exits with CMD's code (used by `make eval` and `make bench`).
"""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

from scripts.stack import Stack, StackConfig

logger = logging.getLogger(__name__)


def supervise(
    stack: Stack,
    *,
    max_restarts: int = 5,
    window_s: float = 300.0,
    poll_s: float = 1.0,
    run_for_s: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Keep every child running: one that exits is restarted after a short backoff (1, 2, 4 … 30 s).

    A child restarted more than ``max_restarts`` times within ``window_s`` is crash-looping: everything
    stops with code 1. ``run_for_s`` bounds the loop (tests); None runs until Ctrl-C.
    """
    restarts: dict[str, list[float]] = {}
    started = clock()
    while run_for_s is None or clock() - started < run_for_s:
        for name, proc in list(stack.procs):
            if proc.poll() is None:
                continue
            now = clock()
            recent = [t for t in restarts.get(name, []) if now - t < window_s]
            if len(recent) >= max_restarts:
                logger.error("%s exited %d times within %.0f s; stopping everything", name, len(recent) + 1, window_s)
                return 1
            delay = min(30.0, 2.0 ** len(recent))
            logger.error("%s exited with code %s; restarting in %.0f s", name, proc.returncode, delay)
            time.sleep(delay)
            stack.restart(name)
            restarts[name] = [*recent, clock()]
        time.sleep(poll_s)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--then", help="command to run once the stack is ready; the stack stops afterwards")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")

    config = StackConfig()
    if args.then:
        config.log_dir = config.var_dir / "logs"
    stack = Stack(config)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        stack.start()
        print("正在启动：Rasa、动作服务器和应用（首次加载模型约需一两分钟）…", flush=True)
        stack.wait_ready()
        print(
            f"\n助手已就绪：在浏览器打开 {config.app_url}/   （工单后台：{config.app_url}/desk）\n按 Ctrl-C 停止。",
            flush=True,
        )
        if args.then:
            return subprocess.call(shlex.split(args.then))
        return supervise(stack)
    except KeyboardInterrupt:
        print("\n正在停止…", flush=True)
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
