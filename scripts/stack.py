"""Starting and stopping the three processes of the assistant: Rasa, the action server, the app.

Used by `make run` (scripts/run_stack.py), by `make eval`/`make bench` in chat mode, and by the
end-to-end tests, so all three start the stack the same way.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.core.secrets import ensure_secrets

logger = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class StackConfig:
    app_port: int = int(os.environ.get("APP_PORT", "8000"))
    rasa_port: int = int(os.environ.get("RASA_PORT", "5005"))
    action_port: int = int(os.environ.get("ACTION_PORT", "5055"))
    var_dir: Path = ROOT / "var"
    model: Path = ROOT / "models" / "assistant.tar.gz"
    log_dir: Path | None = None  # None: children inherit this process's stdout/stderr
    extra_env: dict[str, str] = field(default_factory=dict)
    # The command that stands for `rasa` (bench/hops.py puts its hop timer in front); None: .venv-rasa's rasa.
    rasa_command: list[str] | None = None

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    def env(self) -> dict[str, str]:
        """The children's environment: embedded defaults, overridden by anything already set.

        The internal secrets come from the environment or, in local development, from
        ``<var_dir>/secrets/`` (generated on first start); outside local development a missing
        one raises ``MissingSecretError`` before anything starts.
        """
        self.var_dir.mkdir(parents=True, exist_ok=True)
        merged = {**os.environ, **self.extra_env}
        kept = ensure_secrets(self.var_dir / "secrets", merged)
        defaults = {
            "RASA_TELEMETRY_ENABLED": "false",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "PYTHONPATH": str(ROOT),
            "APP_URL": self.app_url,
            "RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{self.action_port}",
            "ACTION_PORT": str(self.action_port),
            "DATABASE_URL": f"sqlite:///{self.var_dir / 'tickets.db'}",
            # Rasa's tracker store (endpoints.yml reads these): SQLite beside the tickets database.
            "RASA_TRACKER_DIALECT": "sqlite",
            "RASA_TRACKER_DB": str(self.var_dir / "rasa_tracker.db"),
            "RASA_TRACKER_HOST": "",
            "RASA_LOCK_STORE": "in_memory",
            "RASA_LOCK_REDIS_HOST": "127.0.0.1",
            # Rasa's PostgreSQL tracker-store pool (its defaults, 50 + 100 overflow per server, exceed
            # PostgreSQL's 100 connections with two replicas): 5 + 5 per server; the app uses 5 + 5 too.
            "SQL_POOL_SIZE": "5",
            "SQL_MAX_OVERFLOW": "5",
        }
        env = {**defaults, **merged, **kept}
        return env


@dataclass
class Stack:
    config: StackConfig
    procs: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    argvs: dict[str, list[str]] = field(default_factory=dict)

    def restart(self, name: str) -> None:
        """Start the named child again with the same command (after it exited)."""
        self.procs = [(n, p) for n, p in self.procs if n != name]
        self._spawn(name, self.argvs[name])

    def _spawn(self, name: str, argv: list[str]) -> None:
        self.argvs[name] = argv
        out: int | object = subprocess.DEVNULL
        if self.config.log_dir is not None:
            self.config.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.config.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        else:
            out = None
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.config.env(),
            stdout=out,
            stderr=subprocess.STDOUT if out is not None else None,
            start_new_session=True,
        )
        self.procs.append((name, proc))
        logger.info("started %s (pid %d)", name, proc.pid)

    def start(self) -> None:
        c = self.config
        # `rasa` through our launcher (scripts/rasa_server.py: Rasa's action-response check built once).
        rasa_python = str(ROOT / ".venv-rasa" / "bin" / "python")
        rasa_cmd = c.rasa_command or [rasa_python, "-m", "scripts.rasa_server"]
        # Our launcher: loopback only, and every action call must carry ACTION_SERVER_TOKEN.
        self._spawn("actions", [rasa_python, "-m", "scripts.action_server", "--port", str(c.action_port)])
        # Rasa's HTTP API is on loopback and needs RASA_TOKEN (`?token=`): the gateway itself uses the REST
        # channel webhook; only the app's health canary (bot/health.py) calls the API.
        rasa_token = self.config.env()["RASA_TOKEN"]
        self._spawn(
            "rasa",
            [
                *rasa_cmd,
                "run",
                "--enable-api",
                f"--auth-token={rasa_token}",  # one argument: a token may start with "-" (token_urlsafe)
                "-i",
                "127.0.0.1",
                "--port",
                str(c.rasa_port),
                "--model",
                str(c.model),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
            ],
        )
        self._spawn(
            "app",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bot.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(c.app_port),
            ],
        )

    def wait_ready(self, timeout: float = 900.0) -> None:
        # The first start builds the faiss index and trains the learned heads (minutes on 2 loaded cores).
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            for name, proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with code {proc.returncode} before the stack was ready")
            try:
                resp = httpx.get(f"{self.config.app_url}/api/health", timeout=5)
                if resp.status_code == 200:
                    return
                last = resp.text[:300]
            except httpx.HTTPError as exc:
                last = str(exc)
            time.sleep(2)
        raise TimeoutError(f"the assistant was not ready within {timeout:.0f} s: {last}")

    def stop(self) -> None:
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                logger.warning("%s did not stop in time; killing it", name)
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()
