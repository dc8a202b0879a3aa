"""Durable file writes shared by the pool, the model assembler and the eval runner.

``atomic_write`` goes through a unique temp file in the same directory and ``os.replace``, so a
reader sees the old bytes or the new ones, never a mix; with ``durable`` the data and the
directory entry are fsynced, so the rename survives a power cut too.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """fsync a directory so a rename inside it is durable (best effort where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a unique temp file and ``os.replace``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if durable:
        fsync_dir(path.parent)
