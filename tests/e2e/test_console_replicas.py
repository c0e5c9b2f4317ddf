"""Two app processes on one PostgreSQL database both serve a newly published version within 10 s.

Each process polls the published-version pointer (KNOWLEDGE_POLL_S) and swaps its engine; no restart,
no message between them. The first start imports the YAML once (under the start-up lock) although both
start together. Needs PostgreSQL on 127.0.0.1:5432 and the real e5 model; ports follow E2E_PORT_OFFSET.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.stack import ROOT, StackConfig
from tests.e2e.console_helpers import ensure_staff, publish_item, wait_for
from tests.e2e.test_scale_out import PG, PG_USER, _pg_admin, _reachable
from tests.support.stack_fixtures import PII_KEY, _skip_or_fail

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.postgres]
ADMIN_PASSWORD = "replicas-admin-Pw-739"
NURSE = "nurse-practice-registration"
NEW_ALIAS = "护理上岗执照"  # a new alias no item has


def _search(url: str, text: str) -> dict[str, Any] | None:
    try:
        resp = httpx.post(url + "/api/search", json={"text": text}, timeout=30)
    except httpx.HTTPError:
        return None
    return resp.json() if resp.status_code == 200 else None


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], Path]]:
    if not _reachable(*PG):
        _skip_or_fail("the replicas test needs PostgreSQL on 127.0.0.1:5432")
    offset = int(os.environ.get("E2E_PORT_OFFSET", "0"))
    database = f"bbc_console_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{database}"')
    tmp = tmp_path_factory.mktemp("replicas")
    if (ROOT / "var" / "index").is_dir():  # start from the checkout's index and embedding cache (a copy)
        shutil.copytree(ROOT / "var" / "index", tmp / "index")
    procs: list[subprocess.Popen[bytes]] = []
    urls = []
    try:
        for n in range(2):
            port = 18050 + offset + n
            config = StackConfig(
                app_port=port,
                var_dir=tmp,
                extra_env={
                    "DATABASE_URL": f"postgresql://{PG_USER}@{PG[0]}:{PG[1]}/{database}",
                    "DESK_ADMIN_PASSWORD": ADMIN_PASSWORD,
                    "PII_ENCRYPTION_KEY": PII_KEY,
                    "KNOWLEDGE_INDEX_DIR": str(tmp / "index"),
                    "KNOWLEDGE_POLL_S": "2",
                },
            )
            log = open(tmp / f"app{n}.log", "ab")  # noqa: SIM115 - closed with the process
            argv = [sys.executable, "-m", "uvicorn", "bot.app:create_app", "--factory", "--port", str(port)]
            procs.append(subprocess.Popen(argv, cwd=ROOT, env=config.env(), stdout=log, stderr=subprocess.STDOUT))
            urls.append(config.app_url)
        deadline = time.monotonic() + 600
        while not all(_search(u, "护士执业注册要什么材料") for u in urls):
            for proc in procs:
                assert proc.poll() is None, (tmp / "app0.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the two app processes did not start within 600 s"
            time.sleep(2)
        yield urls, tmp / "index"
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_both_processes_serve_a_publish_within_10_s(replicas: tuple[list[str], Path]) -> None:
    urls, index_dir = replicas
    first, second = urls
    assert {_search(u, "护士执业注册要什么材料")["knowledge_version"] for u in urls} == {1}  # type: ignore[index]
    ensure_staff(first, "admin", ADMIN_PASSWORD)
    question = f"{NEW_ALIAS}要什么材料"
    version = publish_item(first, NURSE, lambda d: d["aliases"].append(NEW_ALIAS))  # published through replica 1
    assert version == 2  # one import although both started together, then this publish

    for url in (second, first):  # the other replica too, without a restart

        def serves_it(url: str = url) -> dict[str, Any] | None:
            answer = _search(url, question)
            ok = answer and answer["knowledge_version"] == version and (answer["item"] or {}).get("code") == NURSE
            return answer if ok else None

        _, waited = wait_for(serves_it, 10.0, f"version {version} at {url}")
        print(f"{url}: version {version} served {waited:.1f} s after the publish returned")
    # the manifest of the index on disk names the version it was built from
    manifest = (index_dir / "multilingual-e5-small" / "manifest.json").read_text(encoding="utf-8")
    assert f'"knowledge_version": {version}' in manifest
