"""Scale-out, proven: two full replicas (Rasa server, action server, app) on PostgreSQL (tickets and
Rasa's tracker store) and Redis (Rasa's lock store) behind a real nginx, one replica killed midway.

Every chat turn and desk call goes through nginx, which spreads them over both replicas (round robin),
so a conversation's turns land on different Rasa servers and apps. After half the work, replica 1 is
killed with SIGKILL (in the middle of a complaint); the rest goes on through replica 2. At the end:
every complaint is exactly one ticket, every forward exactly one 12345 delivery, nothing lost.

Needs PostgreSQL (127.0.0.1:5432), Redis (127.0.0.1:6379), nginx (`make setup` installs it) and a
trained model; ports are offset by E2E_PORT_OFFSET. Run alone:
`E2E_PORT_OFFSET=400 .venv/bin/python -m pytest tests/e2e/test_scale_out.py -q`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.stack import ROOT, Stack, StackConfig
from tests.support.stack_fixtures import _skip_or_fail

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.postgres]

PG = os.environ.get("TEST_PG_HOST", "127.0.0.1"), int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("TEST_PG_ADMIN_DB", "test")
REDIS = "127.0.0.1", 6379
ADMIN_PASSWORD = "scale-out-admin-pass"
TOKEN = "scale-out-internal-token"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class Hotline:
    """The 12345 endpoint on loopback: counts every delivery and its Idempotency-Key."""

    def __init__(self) -> None:
        self.requests: list[tuple[str | None, dict[str, Any]]] = []
        self.lock = threading.Lock()
        hotline = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with hotline.lock:
                    hotline.requests.append((self.headers.get("Idempotency-Key"), body))
                time.sleep(0.5)  # a slow receiver
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/12345"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@dataclass
class Cluster:
    lb_url: str
    replicas: list[Stack]
    hotline: Hotline
    tickets_url: str
    access_log: Path


def _pg_admin(sql: str) -> None:
    import psycopg

    dsn = f"host={PG[0]} port={PG[1]} user={PG_USER} dbname={PG_ADMIN_DB}"
    with psycopg.connect(dsn, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql)


def _nginx_conf(tmp: Path, app_ports: list[int], rasa_ports: list[int], lb_app: int, lb_rasa: int) -> Path:
    def upstream(name: str, ports: list[int]) -> str:
        servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in ports)
        return f"  upstream {name} {{\n{servers}  }}\n"

    def server(port: int, upstream_name: str) -> str:
        return (
            f"  server {{\n    listen 127.0.0.1:{port};\n    location / {{\n"
            f"      proxy_pass http://{upstream_name};\n      proxy_http_version 1.1;\n"
            '      proxy_set_header Connection "";\n'
            "      proxy_next_upstream error timeout;\n      proxy_connect_timeout 2s;\n"
            "      proxy_read_timeout 120s;\n    }\n  }\n"
        )

    temp = "".join(f"  {k}_temp_path {tmp / k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = (
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\ndaemon off;\npid {tmp / 'nginx.pid'};\nerror_log {tmp / 'error.log'} warn;\n"
        + "events { worker_connections 512; }\n"
        + "http {\n"
        + "  log_format up '$request_method $uri $status $upstream_addr';\n"
        + f"  access_log {tmp / 'access.log'} up;\n"
        + temp
        + upstream("app", app_ports)
        + upstream("rasa", rasa_ports)
        + server(lb_app, "app")
        + server(lb_rasa, "rasa")
        + "}\n"
    )
    path = tmp / "nginx.conf"
    path.write_text(conf)
    return path


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    model = ROOT / "models" / "assistant.tar.gz"
    if not model.exists():
        _skip_or_fail("no trained Rasa model at models/assistant.tar.gz (run `make train`)")
    if not _reachable(*PG) or not _reachable(*REDIS):
        _skip_or_fail("the scale-out test needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
    if not Path(NGINX).exists():
        _skip_or_fail("nginx is not installed (make setup installs Debian's package as root)")
    off = int(os.environ.get("E2E_PORT_OFFSET", "0"))
    lb_app, lb_rasa = 18200 + off, 15200 + off
    app_ports, rasa_ports, action_ports = (
        [18201 + off, 18202 + off],
        [15201 + off, 15202 + off],
        [15251 + off, 15252 + off],
    )
    tmp = tmp_path_factory.mktemp("scale-out")
    suffix = uuid.uuid4().hex[:10]
    tickets_db, tracker_db = f"bbc_scale_{suffix}", f"bbc_scale_rasa_{suffix}"
    _pg_admin(f'CREATE DATABASE "{tickets_db}"')
    _pg_admin(f'CREATE DATABASE "{tracker_db}"')
    hotline = Hotline()
    tickets_url = f"postgresql+psycopg://{PG_USER}@{PG[0]}:{PG[1]}/{tickets_db}"
    shared_env = {
        "DATABASE_URL": tickets_url,
        "RASA_TRACKER_DIALECT": "postgresql",
        "RASA_TRACKER_HOST": f"postgresql://{PG_USER}@{PG[0]}:{PG[1]}/{tracker_db}",
        "RASA_TRACKER_DB": tracker_db,
        "RASA_LOCK_STORE": "redis",
        "RASA_LOCK_REDIS_HOST": REDIS[0],
        "RASA_URL": f"http://127.0.0.1:{lb_rasa}",  # each app reaches either Rasa server through nginx
        "APP_URL": f"http://127.0.0.1:{lb_app}",  # each action server reaches either app through nginx
        "INTERNAL_API_TOKEN": TOKEN,
        "DESK_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "DESK_SECRET_KEY": "scale-out-desk-secret-" + suffix,
        # Every replica shares its secrets: a contact encrypted by one is read by the other, either app's
        # health canary reaches either Rasa, either Rasa calls its action server.
        "PII_ENCRYPTION_KEY": "c2NhbGUtb3V0LXRlc3Qta2V5LTMyLWJ5dGVzLWxvbmc=",
        "RASA_TOKEN": "scale-out-rasa-token-" + suffix,
        "ACTION_SERVER_TOKEN": "scale-out-action-token-" + suffix,
        "HOTLINE_12345_URL": hotline.url,
        "OUTBOX_POLL_INTERVAL_S": "0.5",
        "OUTBOX_LEASE_S": "20",
        "KNOWLEDGE_INDEX_DIR": str(ROOT / "var" / "index"),
    }
    init = subprocess.run(
        [str(ROOT / ".venv-rasa" / "bin" / "python"), "scripts/rasa_tracker_init.py"],
        cwd=ROOT,
        env={**os.environ, **shared_env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert init.returncode == 0, init.stderr[-2000:]
    nginx = subprocess.Popen(
        [
            NGINX,
            "-c",
            str(_nginx_conf(tmp, app_ports, rasa_ports, lb_app, lb_rasa)),
            "-p",
            str(tmp),
            "-e",
            str(tmp / "error.log"),
        ],
        start_new_session=True,
    )
    replicas = [
        Stack(
            StackConfig(
                app_port=app_ports[i],
                rasa_port=rasa_ports[i],
                action_port=action_ports[i],
                var_dir=tmp / f"replica-{i + 1}",
                log_dir=tmp / f"replica-{i + 1}" / "logs",
                model=model,
                extra_env=shared_env,
            )
        )
        for i in range(2)
    ]
    try:
        for r in replicas:
            r.start()
        for r in replicas:
            r.wait_ready(timeout=900)
        # An app is ready once *a* Rasa answers through nginx; each replica's own Rasa and action server must be up
        # too, or the test would run on one Rasa and kill it (nginx then has no live upstream).
        for r in replicas:
            _wait_own_servers(r, shared_env["RASA_TOKEN"], timeout=900)
        yield Cluster(f"http://127.0.0.1:{lb_app}", replicas, hotline, tickets_url, tmp / "access.log")
    finally:
        for r in replicas:
            r.stop()
        # Shown by pytest only when the test fails: what each replica and nginx logged.
        print(_log_tails(replicas, tmp))
        nginx.terminate()
        nginx.wait(timeout=20)
        hotline.server.shutdown()
        for db in (tickets_db, tracker_db):
            _pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _wait_own_servers(stack: Stack, rasa_token: str, timeout: float) -> None:
    """Until this replica's Rasa has its model loaded and its action server answers, directly (not through nginx)."""
    c = stack.config
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            status = httpx.get(f"http://127.0.0.1:{c.rasa_port}/status", params={"token": rasa_token}, timeout=5)
            actions = httpx.get(f"http://127.0.0.1:{c.action_port}/health", timeout=5)
            model = status.json() if status.status_code == 200 else {}
            if (model.get("model_file") or model.get("model_id")) and actions.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(2)
    raise TimeoutError(f"Rasa on {c.rasa_port} or the action server on {c.action_port} not ready in {timeout:.0f} s")


def _log_tails(replicas: list[Stack], tmp: Path, lines: int = 60) -> str:
    """The last lines of every replica's logs and nginx's error and access logs, for a failure's report."""
    parts: list[str] = []
    logs = [p for r in replicas if r.config.log_dir for p in sorted(r.config.log_dir.glob("*.log"))]
    for path in [*logs, tmp / "error.log", tmp / "access.log"]:
        if path.exists():
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"==== {path} ====\n" + "\n".join(tail))
    return "\n".join(parts)


def _say(client: httpx.Client, session: str, text: str) -> dict[str, Any]:
    """Typed text; a ``/…`` turn is a button press, sent as ``payload`` like the widget does."""
    body = {"session_id": session, "text": text, **({"payload": text} if text.startswith("/") else {})}
    resp = client.post("/api/chat", json=body)
    assert resp.status_code == 200, (session, text, resp.status_code, resp.text)
    return resp.json()


COMPLAINT = [
    ("我在窗口办医疗广告审查被推来推去办不成", "escalate"),
    ("医疗广告审查", "escalate"),
    ("窗口说这个不归他们管让我去别的部门，别的部门又让我回来", "escalate"),
    ("13800138000", "escalate"),
    ("/affirm", "ticket_created"),
]


def _complaint(client: httpx.Client, session: str, turns: list[tuple[str, str]]) -> str | None:
    number = None
    for text, kind in turns:
        body = _say(client, session, text)
        assert body["meta"]["kind"] == kind, (session, text, body)
        if kind == "ticket_created":
            number = body["meta"]["ticket"]["id"]
    return number


def _question(client: httpx.Client, session: str) -> None:
    first = _say(client, session, "消毒产品生产企业卫生许可要多久")
    assert first["meta"]["kind"] == "answer" and "消毒产品" in first["meta"]["item"]["name"], first
    follow = _say(client, session, "在哪里办")  # the follow-up keeps the item: state shared by both Rasa servers
    assert follow["meta"]["kind"] == "answer" and "消毒产品" in follow["meta"]["item"]["name"], follow


def _kill(stack: Stack) -> None:
    for _, proc in stack.procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_two_replicas_behind_nginx_one_killed_nothing_lost_nothing_duplicated(cluster: Cluster) -> None:
    run = uuid.uuid4().hex[:6]
    numbers: dict[str, str] = {}
    with httpx.Client(base_url=cluster.lb_url, timeout=120) as client:
        token = client.post("/api/desk/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        assert token.status_code == 200, token.text
        # The desk session is the HttpOnly cookie the client keeps (valid on both replicas).

        def forward(number: str) -> None:
            for _ in range(2):  # a second forward of the same ticket is the same business event
                r = client.post(f"/api/desk/tickets/{number}/forward", json={"note": "转12345"})
                assert r.status_code == 200, r.text

        # Phase 1: both replicas up.
        for i in range(3):
            session = f"so-{run}-a{i}"
            numbers[session] = _complaint(client, session, COMPLAINT) or ""
            _question(client, f"so-{run}-qa{i}")
        for number in list(numbers.values()):
            forward(number)
        # A complaint in progress when replica 1 dies.
        midway = f"so-{run}-mid"
        _complaint(client, midway, COMPLAINT[:2])

        _kill(cluster.replicas[0])

        # Phase 2: replica 2 alone, through the same nginx.
        numbers[midway] = _complaint(client, midway, COMPLAINT[2:]) or ""
        for i in range(2):
            session = f"so-{run}-b{i}"
            numbers[session] = _complaint(client, session, COMPLAINT) or ""
            _question(client, f"so-{run}-qb{i}")
        for session in (midway, f"so-{run}-b0", f"so-{run}-b1"):
            forward(numbers[session])
        detail = client.get(f"/api/desk/tickets/{numbers[midway]}").json()
        assert detail["contact"] == "13800138000"  # the number given on one replica reached the ticket

    # Every forward delivered exactly once (the survivor picks up what the dead replica had leased).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len({k for k, _ in cluster.hotline.requests}) < len(numbers):
        time.sleep(1)
    time.sleep(3)  # anything sent twice would arrive by now
    keys = [k for k, _ in cluster.hotline.requests]
    assert sorted({b["number"] for _, b in cluster.hotline.requests}) == sorted(numbers.values())
    assert len(keys) == len(set(keys)) == len(numbers), keys

    # Every complaint exactly one ticket.
    import psycopg

    dsn = cluster.tickets_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT session_id, count(*) FROM tickets WHERE session_id LIKE %s GROUP BY session_id", (f"so-{run}-%",)
        ).fetchall()
    assert dict(rows) == {s: 1 for s in numbers}

    # Both replicas really served: nginx's log names both app and both Rasa upstreams.
    log = cluster.access_log.read_text()
    for r in cluster.replicas:
        assert f"127.0.0.1:{r.config.app_port}" in log
        assert f"127.0.0.1:{r.config.rasa_port}" in log
