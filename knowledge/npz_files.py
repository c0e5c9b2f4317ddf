"""Writing a numpy archive so that a reader never sees half of it: to a hidden temporary file beside the target, then
renamed over it (one rename is atomic on one filesystem). The embedding cache and the item head use it."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import numpy as np


def save_npz_atomically(path: Path, **arrays: np.ndarray) -> None:
    """`np.savez(path, **arrays)` written whole or not at all; an OSError is raised after the temporary file is
    removed (the caller decides whether a failed save matters)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.npz")
    try:
        np.savez(tmp, allow_pickle=False, **arrays)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
