"""Known-vulnerability audit of both lock files with pip-audit (a step of scripts/test.sh).

Runs ``pip-audit -r <lock> --no-deps --disable-pip`` on ``requirements/app.lock`` and
``requirements/rasa.lock`` against PyPI's vulnerability data, ignoring the advisories listed with a
reason in ``requirements/audit-ignore.txt``. Exit status: 1 if an advisory not listed there is found.

pip-audit needs PyPI's per-release JSON API (or OSV). When that service cannot be reached (as in an
offline sandbox that only mirrors the package index) every package comes back "could not be
audited": the script says so loudly and exits 0, or 1 when ``REQUIRE_AUDIT=1`` (set it in CI that
has network access, so a silent non-audit cannot pass there).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
LOCKS = (ROOT / "requirements" / "app.lock", ROOT / "requirements" / "rasa.lock")
IGNORE_FILE = ROOT / "requirements" / "audit-ignore.txt"
PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def ignored_ids(path: Path = IGNORE_FILE) -> list[str]:
    """Advisory ids from the ignore file: one per line, ``ID  # reason`` (a reason is required)."""
    ids: list[str] = []
    if not path.exists():
        return ids
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        vuln, _, reason = entry.partition("#")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{n}: {vuln.strip()} has no reason")
        ids.append(vuln.strip())
    return ids


def audit(lock: Path, ignore: list[str]) -> tuple[list[str], int, int]:
    """(findings, audited, skipped) for one lock file."""
    argv = [str(PIP_AUDIT), "-r", str(lock), "--no-deps", "--disable-pip", "--progress-spinner", "off", "-f", "json"]
    for vuln in ignore:
        argv += ["--ignore-vuln", vuln]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        raise SystemExit(f"pip-audit failed on {lock.name}: {proc.stderr.strip()[-500:]}") from None
    findings: list[str] = []
    audited = skipped = 0
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            skipped += 1
            continue
        audited += 1
        for v in dep.get("vulns", []):
            fixed = ", ".join(v.get("fix_versions") or []) or "no fix"
            findings.append(f"{lock.name}: {dep['name']} {dep.get('version')} {v['id']} (fixed in: {fixed})")
    return findings, audited, skipped


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ignore = ignored_ids()
    findings: list[str] = []
    audited_total = 0
    for lock in LOCKS:
        found, audited, skipped = audit(lock, ignore)
        logger.info(
            "%s: %d packages audited, %d could not be audited, %d advisories", lock.name, audited, skipped, len(found)
        )
        findings += found
        audited_total += audited
    if findings:
        logger.error("known vulnerabilities (fix them or list them with a reason in %s):", IGNORE_FILE.name)
        for f in findings:
            logger.error("  %s", f)
        return 1
    if audited_total == 0:
        logger.warning(
            "NOT AUDITED: the vulnerability service (PyPI JSON API / OSV) is unreachable from here; "
            "run with network access (REQUIRE_AUDIT=1 makes this a failure)"
        )
        return 1 if os.environ.get("REQUIRE_AUDIT") == "1" else 0
    logger.info("no known vulnerabilities outside %s", IGNORE_FILE.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
