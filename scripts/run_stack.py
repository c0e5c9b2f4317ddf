"""`make run`: start the whole assistant on embedded defaults and keep it running until Ctrl-C.

With `--then CMD` it starts the stack, waits until it is ready, runs CMD, stops the stack and exits
with CMD's code (used by `make eval` and `make bench`).
"""

from __future__ import annotations

import argparse
import logging
import shlex
import signal
import subprocess
import sys
import time
from types import FrameType

from scripts.stack import Stack, StackConfig

logger = logging.getLogger(__name__)


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
        while True:
            for name, proc in stack.procs:
                if proc.poll() is not None:
                    logger.error("%s exited with code %s; stopping", name, proc.returncode)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\n正在停止…", flush=True)
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
