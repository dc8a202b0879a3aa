"""Derived search structures of a pool: raw vector files and hnswlib indexes.

Both are caches of what ``experiences.jsonl`` says and can always be rebuilt:

* ``vectors-<space>.f32``: float32 rows, L2-normalised, row ``i`` = line ``i`` of the pool.
  Re-embedding is the expensive part, so these are appended (never rewritten) and only the
  missing rows are ever recomputed.
* ``index-<space>.hnsw``: an hnswlib index (space ``ip`` on normalised vectors, so similarity
  = 1 - distance), label = row number. Rebuilding from the vector file takes seconds, so an
  index that cannot be trusted is simply rebuilt.

An index file is trusted only after: its header is plausible for our dimension and its size
(so hnswlib never reads garbage lengths), its CRC-32 matches the one recorded when it was saved
(if recorded), hnswlib loads it without raising, its element count equals the recorded count,
and a few stored vectors come back as their own nearest neighbour. Truncated, zeroed or
random-byte files fail one of these checks and are rebuilt.

hnswlib is not safe for concurrent insert + query, so each :class:`HnswIndex` serialises
access with a ``threading.Lock``.
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

SPACES = ("trajectory", "question")
M = 12
EF_CONSTRUCTION = 50  # 100k rows build in under a minute on 2 idle cores
EF_SEARCH = 64
# hnswlib's saveIndex header: offsetLevel0, max_elements, cur_element_count,
# size_data_per_element, label_offset, offsetData (size_t), maxlevel, enterpoint (int32),
# maxM, maxM0, M (size_t), mult (double), ef_construction (size_t).
_HEADER = struct.Struct("<QQQQQQiIQQQdQ")


class IndexInvalid(Exception):
    """An index file that must not be used (the reason is the message)."""


def vectors_path(directory: Path, space: str) -> Path:
    return Path(directory) / f"vectors-{space}.f32"


def index_path(directory: Path, space: str) -> Path:
    return Path(directory) / f"index-{space}.hnsw"


class VectorFile:
    """An append-only file of float32 rows."""

    def __init__(self, path: Path, dim: int):
        self.path = Path(path)
        self.dim = dim
        self.row_bytes = dim * 4

    def rows(self) -> int:
        try:
            return self.path.stat().st_size // self.row_bytes
        except FileNotFoundError:
            return 0

    def read(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        stop = self.rows() if stop is None else stop
        if stop <= start:
            return np.zeros((0, self.dim), dtype=np.float32)
        with open(self.path, "rb") as f:
            f.seek(start * self.row_bytes)
            buf = f.read((stop - start) * self.row_bytes)
        arr = np.frombuffer(buf, dtype=np.float32)
        n = arr.size // self.dim
        return arr[: n * self.dim].reshape(n, self.dim).copy()

    def write_rows(self, at_row: int, vectors: np.ndarray) -> None:
        """Write ``vectors`` starting at row ``at_row``, cutting anything after them; fsync."""
        data = np.ascontiguousarray(vectors, dtype=np.float32).tobytes()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            os.lseek(fd, at_row * self.row_bytes, os.SEEK_SET)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.ftruncate(fd, at_row * self.row_bytes + len(data))
            os.fsync(fd)
        finally:
            os.close(fd)

    def truncate(self, rows: int) -> None:
        if self.path.exists() and self.path.stat().st_size != rows * self.row_bytes:
            with open(self.path, "r+b") as f:
                f.truncate(rows * self.row_bytes)
                os.fsync(f.fileno())

    def write_new(self, vectors: np.ndarray) -> Path:
        """Write all rows to ``<file>.new`` (fsynced) for a rewrite; returns its path."""
        new = self.path.with_name(self.path.name + ".new")
        with open(new, "wb") as f:
            f.write(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
            f.flush()
            os.fsync(f.fileno())
        return new


def file_crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as f:
        while block := f.read(1 << 24):
            crc = zlib.crc32(block, crc)
    return crc


def check_header(path: Path, dim: int) -> int:
    """The element count in an hnswlib file, if its header and size are plausible."""
    size = path.stat().st_size
    if size < _HEADER.size:
        raise IndexInvalid(f"{path.name} is truncated ({size} bytes)")
    with open(path, "rb") as f:
        h = _HEADER.unpack(f.read(_HEADER.size))
    offset0, max_el, count, per_el, label_off, offset_data, _lvl, _ep, _maxm, maxm0, m, mult, _efc = h
    links0 = maxm0 * 4 + 4
    expected = links0 + dim * 4 + 8
    if offset0 != 0 or m == 0 or m > 1024 or maxm0 != 2 * m or per_el != expected:
        raise IndexInvalid(f"{path.name} has an invalid header")
    if label_off != links0 + dim * 4 or offset_data != links0 or not (0 < mult < 10) or count > max_el:
        raise IndexInvalid(f"{path.name} has an invalid header")
    if size < _HEADER.size + count * per_el + count * 4:
        raise IndexInvalid(f"{path.name} is truncated ({size} bytes for {count} elements)")
    return count


class HnswIndex:
    """One hnswlib index over normalised vectors, label = row; thread-safe."""

    def __init__(self, dim: int, capacity: int = 1024):
        import hnswlib

        self.dim = dim
        self._lock = threading.Lock()
        self._index = hnswlib.Index(space="ip", dim=dim)
        self._index.init_index(max_elements=max(capacity, 16), M=M, ef_construction=EF_CONSTRUCTION, random_seed=0)
        self._index.set_ef(EF_SEARCH)

    @property
    def count(self) -> int:
        return self._index.get_current_count()

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int, *, threads: int = -1) -> "HnswIndex":
        idx = cls(dim, capacity=len(vectors) + 1024)
        idx.add(vectors, 0, threads=threads)
        return idx

    @classmethod
    def load(cls, path: Path, dim: int, vectors: np.ndarray, *, expected: int | None, crc: int | None) -> "HnswIndex":
        """Load and verify ``path``; ``vectors`` are the trusted rows (>= the indexed count)."""
        import hnswlib

        count = check_header(path, dim)
        if expected is not None and count != expected:
            raise IndexInvalid(f"{path.name} holds {count} elements, {expected} expected")
        if count > len(vectors):
            raise IndexInvalid(f"{path.name} holds {count} elements but the pool has {len(vectors)} rows")
        if crc is not None and file_crc(path) != crc:
            raise IndexInvalid(f"{path.name} fails its checksum")
        self = cls.__new__(cls)
        self.dim = dim
        self._lock = threading.Lock()
        self._index = hnswlib.Index(space="ip", dim=dim)
        try:
            self._index.load_index(str(path), max_elements=len(vectors) + 1024)
        except (RuntimeError, ValueError, MemoryError) as e:
            raise IndexInvalid(f"{path.name} does not load ({e})") from None
        if self._index.get_current_count() != count:
            raise IndexInvalid(f"{path.name}: element count changed on load")
        self._index.set_ef(EF_SEARCH)
        self.spot_check(vectors[:count])
        return self

    def spot_check(self, vectors: np.ndarray, n: int = 5) -> None:
        """A few stored vectors must come back (similarity ~1) among their 10 nearest neighbours.

        An integrity check, not a recall test: an index built from other data, or garbage that
        hnswlib loaded, returns nothing similar; a healthy approximate graph always does."""
        total = len(vectors)
        if total == 0:
            return
        rng = np.random.default_rng(total)
        rows = sorted({0, total - 1, *rng.integers(0, total, size=min(n, total)).tolist()})
        k = min(10, total)
        with self._lock:
            self._index.set_ef(max(EF_SEARCH, 100))
            try:
                labels, dist = self._index.knn_query(np.ascontiguousarray(vectors[rows], dtype=np.float32), k=k, num_threads=1)
            except RuntimeError as e:
                raise IndexInvalid(f"search failed ({e})") from None
            finally:
                self._index.set_ef(EF_SEARCH)
        for i, row in enumerate(rows):
            if row in labels[i]:
                continue
            found = [lab for lab in labels[i] if 0 <= lab < total and float(vectors[lab] @ vectors[row]) > 0.9999]
            if not found:
                raise IndexInvalid(f"row {row} is not found near itself (got {labels[i][:3].tolist()})")
        if float(np.max(1.0 - dist[:, 0])) < 0.999:
            raise IndexInvalid("stored vectors do not match the index")

    def add(self, vectors: np.ndarray, start: int, *, threads: int = -1) -> None:
        if len(vectors) == 0:
            return
        with self._lock:
            need = start + len(vectors)
            if need > self._index.get_max_elements():
                self._index.resize_index(max(need, int(self._index.get_max_elements() * 1.5)) + 1024)
            labels = np.arange(start, need, dtype=np.int64)
            self._index.add_items(np.ascontiguousarray(vectors, dtype=np.float32), labels, num_threads=threads)

    def knn(
        self, vectors: np.ndarray, k: int, filter: Callable[[int], bool] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(labels, similarities) of shape (len(vectors), k); k must be <= count."""
        q = np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
        with self._lock:
            self._index.set_ef(max(EF_SEARCH, k))
            labels, dist = self._index.knn_query(q, k=k, num_threads=1, filter=filter)
        return labels.astype(np.int64), 1.0 - dist

    def save(self, path: Path) -> tuple[int, int]:
        """Atomically save to ``path``; returns (element count, CRC-32 of the file)."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with self._lock:
            self._index.save_index(str(tmp))
            count = self._index.get_current_count()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        crc = file_crc(tmp)
        os.replace(tmp, path)
        return count, crc
