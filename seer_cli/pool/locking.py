"""The pool's write lock (``write.lock`` in the pool's folder): every writer of a pool takes it.

Why a module of its own: :class:`.pool.Pool` takes it around each write, and ``seer pool repair``
and ``rebuild`` take it without opening the pool (a damaged pool may not open); one definition
keeps one lock file, one timeout and one error line for all of them.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import PoolLocked


def lock_file(path: Path, settings):
    import filelock

    return filelock.FileLock(str(Path(path) / "write.lock"), timeout=settings.lock_timeout)


def acquire(lock, path: Path, settings) -> None:
    """Take the pool's write lock, or one line (:class:`PoolLocked`) after ``lock_timeout``."""
    import filelock

    try:
        lock.acquire()
    except filelock.Timeout:
        raise PoolLocked(f"pool {path} is locked by another seer process (waited {settings.lock_timeout:g} s)") from None


@contextmanager
def write_lock(path: Path, settings) -> Iterator[None]:
    """The pool's write lock (``write.lock``, the one :class:`Pool` writers take), held without
    opening the pool: a damaged pool may not open (``seer pool repair``, ``rebuild``)."""
    lock = lock_file(path, settings)
    acquire(lock, path, settings)
    try:
        yield
    finally:
        lock.release()
