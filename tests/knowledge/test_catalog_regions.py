"""The catalog's region words come out in one order in every process (longest first, then by text):
with equally long place names ordered by string hashing, "北京朝阳区" was answered for 北京 in one
process and for 朝阳 in another."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any


def test_region_words_longest_first_then_by_text(catalog: Any) -> None:
    words = catalog.region_words
    assert words == sorted(words, key=lambda w: (-len(w), w))
    assert len(words) == len(set(words))


def test_region_words_do_not_depend_on_the_hash_seed() -> None:
    code = "from knowledge.catalog import load_catalog; print('|'.join(load_catalog().region_words))"
    outputs = set()
    for seed in ("0", "1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
