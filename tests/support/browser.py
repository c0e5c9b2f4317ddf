"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium, started as these machines need."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_MISSING = f"{CHROMIUM} not installed (apt-get install chromium; `make setup` does it as root)"


def chromium_present() -> bool:
    return Path(CHROMIUM).exists()
