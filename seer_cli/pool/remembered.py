"""Vectors that every new pool computes alike, kept once per machine.

Every new pool is seeded with the same shipped experiences (``pools/*-seed``), in every home, and
embedding them is most of what a first ``seer run`` or a new ``--pool`` spends before its first
step: seconds on two cores, each time, for the same vectors. They depend only on the texts and the
embedder, so they are kept in the machine-wide cache (``Settings.model_cache``) under a key of
both, and read back instead of recomputed. A missing, damaged or foreign file is recomputed and
replaced (written to a temporary name, then renamed, so a reader never sees half a file); a cache
that cannot be written only costs the time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np


def remembered(texts: list[str], embedder, folder: Path, compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """``compute(texts)``, or the vectors it gave before for these texts and this embedder."""
    fingerprint = getattr(embedder, "fingerprint", None)
    if not fingerprint or not texts:
        return compute(texts)
    key = hashlib.sha256("\0".join([fingerprint, *texts]).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    path = Path(folder) / f"{key}.npy"
    try:
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == (len(texts), embedder.dim) and vectors.dtype == np.float32 and np.isfinite(vectors).all():
            return vectors
    except (OSError, ValueError, EOFError):
        pass  # absent or damaged: computed again below
    vectors = np.ascontiguousarray(compute(texts), dtype=np.float32)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as out:
            np.save(out, vectors, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return vectors
