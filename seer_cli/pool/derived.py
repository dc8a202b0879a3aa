"""The derived files of a pool: ``meta.json``, the vector rows and the hnswlib indexes.

A mixin of :class:`seer_cli.pool.Pool`, kept apart so that the pool module reads as the story of
the source of truth. Everything here is a cache of ``experiences.jsonl`` that can be rebuilt:

* ``meta.json`` records count, dim, embedder fingerprint and a checksum of the covered JSONL
  prefix: its byte length plus the SHA-256 of its last 64 KiB (``WINDOW``). An append-only file
  keeps that window unchanged, so the check costs one 64 KiB read whatever the pool size; a
  hand edit or truncation inside the window is caught, an edit further back is not (the
  trade-off for a cheap open; such a line still fails loudly when it is read).
* Vector rows are trusted when meta.json matches and was written by the same embedder; rows
  that are missing are embedded, and only those. Everything is re-embedded only when the
  embedder changed or the JSONL no longer matches meta.json.
* Index files are verified on load (:meth:`seer_cli.pool.index.HnswIndex.load`) and rebuilt
  from the stored vectors, never from texts, when they fail; an index covering fewer rows than
  the pool is extended from the vector file.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
import orjson

from ..fsutil import atomic_write
from .index import SPACES, HnswIndex, IndexInvalid, VectorFile, check_header, index_path, vectors_path
from .store import NEW, JsonlStore
from .summary import CACHE

if TYPE_CHECKING:
    import filelock

    from ..embedder import Embedder
    from .records import Experience
    from .summary import Summaries

META = "meta.json"
WINDOW = 64 * 1024


def write_meta(directory, *, count: int, dim: int, fingerprint: str, jsonl_bytes: int, tail_sha256: str,
               indexes: dict | None = None) -> None:
    """``meta.json``: what the vectors cover (see the module docstring), written atomically."""
    meta = {
        "format": 1, "count": count, "dim": dim, "embedder": fingerprint,
        "jsonl_bytes": jsonl_bytes, "tail_sha256": tail_sha256, "tail_window": WINDOW,
        "indexes": indexes or {},
        "updated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    atomic_write(directory / META, orjson.dumps(meta, option=orjson.OPT_INDENT_2))


def rewrite(store: JsonlStore, lines: list[bytes], vectors: dict[str, np.ndarray] | None, dim: int, *,
            rehash: bool = False) -> None:
    """The one whole-pool rewrite, shared by prune and repair (the protocol is in :mod:`.store`):
    the new JSONL, COMMITTED and digests as ``*.new``, the kept lines' vector rows as ``*.new``
    (when given; else the vector files are left for the caller to have removed, and are embedded
    again on open), the JSONL's replacement as the commit point, the vectors moved in, the indexes
    and the summaries cache removed (rebuilt from the vectors). The caller then writes
    ``meta.json`` and calls ``store.finish_rewrite()``; a crash before that is rolled forward."""
    store.begin_rewrite(lines, rehash=rehash)
    news = [VectorFile(vectors_path(store.dir, sp), dim).write_new(vectors[sp]) for sp in SPACES] if vectors is not None else []
    store.commit_rewrite()  # the commit point
    for p in news:
        os.replace(p, p.with_name(p.name[: -len(NEW)]))
    for sp in SPACES:
        index_path(store.dir, sp).unlink(missing_ok=True)
    (store.dir / CACHE).unlink(missing_ok=True)


class DerivedFiles:
    """Mixin: meta.json, vectors and indexes of a :class:`~seer_cli.pool.Pool`."""

    if TYPE_CHECKING:  # what the mixin reads of Pool (set in Pool.__init__ and Pool._reset), for the type checker only
        path: Path
        warn: Callable[[str], None]
        health: dict[str, str]
        _embedder: Embedder | None
        _embedder_checked: bool
        _meta_seen: bool
        _store: JsonlStore
        _flock: filelock.BaseFileLock
        _depth: int
        _indexes: dict[str, HnswIndex]
        _saved: dict[str, int]
        _mmaps: dict[str, np.ndarray]
        _sum: Summaries
        _end: int

        def refresh(self) -> None: ...
        def experiences(self) -> list[Experience]: ...
        def _write(self) -> AbstractContextManager[None]: ...
        def _embed(self, texts: list[str], on_progress: Callable[[int, int], None] | None, total: int,
                   remember: bool = False) -> np.ndarray: ...

    def _get_embedder(self) -> Embedder:
        if self._embedder is None:
            from ..embedder import get_embedder

            self._embedder = get_embedder()
        if not self._embedder_checked:
            self._embedder_checked = True
            self._check_derived()
        return self._embedder

    def _read_meta(self) -> dict:
        try:
            meta = orjson.loads((self.path / META).read_bytes())
            return meta if isinstance(meta, dict) else {}
        except FileNotFoundError:
            return {}
        except (OSError, orjson.JSONDecodeError):
            self.warn(f"{self.path / META}: unreadable, rebuilding the derived files")
            return {"unreadable": True}

    def _tail_sha(self, length: int) -> str:
        start = max(0, length - WINDOW)
        return hashlib.sha256(self._store.read_bytes(start, length)).hexdigest()

    def _write_meta(self, fingerprint: str, *, indexes: bool = True) -> None:
        old = self._read_meta() if indexes else {}
        write_meta(self.path, count=len(self._sum), dim=self._dim(), fingerprint=fingerprint, jsonl_bytes=self._end,
                   tail_sha256=self._tail_sha(self._end),
                   indexes=old.get("indexes", {}) if old.get("embedder") == fingerprint else {})

    def _dim(self) -> int:
        return self._embedder.dim if self._embedder is not None else int(self._read_meta().get("dim", 384))

    def _trusted_rows(self, meta: dict) -> tuple[int, str | None]:
        """How many stored vector rows can be trusted, and why not all if not."""
        n = len(self._sum)
        if not meta:
            return 0, "meta.json is missing"
        if meta.get("unreadable"):
            return 0, "meta.json is unreadable"
        if self._embedder is not None and meta.get("embedder") != self._embedder.fingerprint:
            return 0, "the vectors come from another embedder"
        if meta.get("dim") != self._dim():
            return 0, "the vectors have another dimension"
        length = meta.get("jsonl_bytes")
        if not isinstance(length, int) or length > self._end or meta.get("tail_sha256") != self._tail_sha(length):
            return 0, "experiences.jsonl changed outside seer (stale meta.json)"
        return n, None

    def _check_derived(self) -> None:
        """Verify vectors against meta.json; re-embed only what is missing, under the lock."""
        n = len(self._sum)
        meta = self._read_meta()
        self._meta_seen = True
        if self._embedder is not None:
            self._embedder_checked = True  # its fingerprint is compared below
        if n == 0:
            return
        trusted, why = self._trusted_rows(meta)
        dim = self._dim()
        short = {sp: VectorFile(vectors_path(self.path, sp), dim).rows() for sp in SPACES}
        if why is None and all(r >= n for r in short.values()):
            return
        if self._depth == 0:
            with self._write():  # re-check under the lock: another process may have repaired it
                return self._check_derived()
        emb = self._embedder
        if emb is None:
            from ..embedder import get_embedder

            emb = self._embedder = get_embedder()
            self._embedder_checked = True
            trusted, why = self._trusted_rows(meta)
        todo = {sp: min(short[sp], trusted) for sp in SPACES}
        exps = self.experiences()  # first: a damaged line stops here, before anything is said or written
        if why:
            self.warn(f"{self.path}: {why}; re-embedding {n} entries")
        else:
            missing = max(n - r for r in todo.values())
            self.warn(f"{self.path}: {missing} stored vectors are missing; embedding just those")
        for sp, start in todo.items():
            if start < n:
                texts = [e.trajectory_text() if sp == "trajectory" else e.question for e in exps[start:n]]
                VectorFile(vectors_path(self.path, sp), emb.dim).write_rows(start, self._embed(texts, None, 0))
        if trusted == 0:
            for sp in SPACES:
                index_path(self.path, sp).unlink(missing_ok=True)
            self._indexes.clear()
        self._mmaps.clear()
        self._write_meta(emb.fingerprint, indexes=trusted > 0)

    def _rows(self, space: str) -> int:
        return VectorFile(vectors_path(self.path, space), self._dim()).rows()

    def _vectors_of(self, space: str, start: int, stop: int) -> np.ndarray:
        return np.asarray(self.vectors(space, refresh=False)[start:stop])

    def vectors(self, space: str = "trajectory", *, refresh: bool = True) -> np.ndarray:
        """The stored vectors (read-only, memory-mapped), row i = position i."""
        if space not in SPACES:
            raise ValueError(f"space: must be one of {', '.join(SPACES)}")
        if refresh:
            self.refresh()
        n = len(self._sum)
        mm = self._mmaps.get(space)
        if mm is None or len(mm) < n:
            f = vectors_path(self.path, space)
            dim = self._dim()
            if n == 0 or VectorFile(f, dim).rows() < n:
                if n:
                    self._check_derived()
                    return self.vectors(space, refresh=False)
                return np.zeros((0, dim), dtype=np.float32)
            mm = self._mmaps[space] = np.memmap(f, dtype=np.float32, mode="r", shape=(VectorFile(f, dim).rows(), dim))
        return mm[:n]

    def build_indexes(self) -> None:
        """Load, verify or build (and save) both indexes now instead of on the first search."""
        if len(self._sum):
            for space in SPACES:
                self._index(space)

    def _index(self, space: str) -> HnswIndex:
        idx = self._indexes.get(space)
        if idx is not None:
            return idx
        n = len(self._sum)
        vecs = self.vectors(space, refresh=False)
        path = index_path(self.path, space)
        info = self._read_meta().get("indexes", {}).get(space, {})
        if path.exists():
            try:
                idx = HnswIndex.load(path, self._dim(), vecs, expected=info.get("count"), crc=info.get("crc32"))
                self._saved[space] = idx.count
                idx.add(np.asarray(vecs[idx.count : n]), idx.count)
                self.health[space] = "ok"
            except IndexInvalid as e:
                self.warn(f"{path}: {e}; rebuilding it from the stored vectors")
        elif n and info:
            self.warn(f"{path}: missing; rebuilding it from the stored vectors")
        if idx is None:
            idx = HnswIndex.build(np.asarray(vecs), self._dim())
            self.health[space] = "rebuilt" if n and (info or path.exists()) else "built"
            self._indexes[space] = idx
            if n:
                self._try_save(space)
        self._indexes[space] = idx
        return idx

    def _try_save(self, space: str) -> None:
        if self._depth:
            return self._save_index(space)
        try:
            self._flock.acquire(timeout=0)
        except Exception:
            return
        try:
            self._depth += 1
            self._save_index(space)
        finally:
            self._depth -= 1
            self._flock.release()

    def _save_index(self, space: str) -> None:
        idx = self._indexes[space]
        count, crc = idx.save(index_path(self.path, space))
        meta = self._read_meta()
        meta.setdefault("indexes", {})[space] = {"count": count, "crc32": crc}
        atomic_write(self.path / META, orjson.dumps(meta, option=orjson.OPT_INDENT_2))
        self._saved[space] = count

    def _index_file_health(self, space: str) -> str:
        path = index_path(self.path, space)
        if not path.exists():
            return "missing" if len(self._sum) else "ok"
        try:
            count = check_header(path, self._dim())
        except (IndexInvalid, OSError):
            return "corrupt"
        return "ok" if count == len(self._sum) else "stale"
