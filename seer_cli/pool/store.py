"""The pool's source of truth: an append-only JSONL file that is never left corrupted.

Guarantees (``P`` is the pool directory):

* ``P/experiences.jsonl`` holds one ``Experience.to_dict()`` per line, appended as whole lines,
  flushed and fsynced. ``P/COMMITTED`` holds the byte length that is committed; it is replaced
  atomically (temp file, fsync, ``os.replace``, fsync of the directory) *after* the JSONL
  fsync, so it is the commit point of a batch: after a crash at any moment a batch is in the
  pool entirely or not at all.
* Readers take no lock. They read only the committed prefix, so they never see half a batch.
* Writers hold ``P/write.lock`` (one at a time). On taking it, :meth:`JsonlStore.recover`
  cuts any uncommitted tail beyond ``COMMITTED`` (a writer died mid-batch) with a warning.
* A pool made by hand has no ``COMMITTED``: then whole lines count, and a torn last line (no
  newline, not valid JSON) is ignored by readers and cut by the next writer, with a warning;
  the lines before it are never touched.
* A line inside the committed part that is not a JSON object raises :class:`PoolCorrupt`
  naming ``file:line`` and the command that repairs it (``seer pool repair``, :mod:`.check`:
  damaged lines move to ``quarantine.jsonl``). Nothing is ever dropped silently.
* Whole-pool rewrites (prune) write ``*.new`` files, fsync them, then ``os.replace`` the JSONL
  (the commit point), then the derived files, then ``COMMITTED``. A writer that finds
  ``experiences.jsonl.new`` rolls the rewrite back; one that finds only other ``*.new``
  files rolls it forward.

This module knows bytes and lines; ``pool.py`` turns them into experiences and vectors.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import orjson

from ..errors import PoolCorrupt
from ..fsutil import atomic_write, fsync_dir

JSONL = "experiences.jsonl"
COMMITTED = "COMMITTED"
NEW = ".new"

Warn = Callable[[str], None]


@dataclass
class Chunk:
    """Committed lines read from ``start`` up to ``end`` (byte offsets)."""

    start: int
    end: int
    records: list[dict] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)  # byte offset of each record's line
    line_numbers: list[int] = field(default_factory=list)  # 1-based file line of each record
    next_line: int = 1  # line number after ``end``


class JsonlStore:
    """``experiences.jsonl`` + ``COMMITTED`` in one directory."""

    def __init__(self, directory: Path, on_warning: Warn):
        self.dir = Path(directory)
        self.path = self.dir / JSONL
        self.committed_path = self.dir / COMMITTED
        self.warn = on_warning

    # ---- reading (no lock) -------------------------------------------------------------------
    def committed_length(self) -> int | None:
        """The committed byte length, or None for a pool without ``COMMITTED`` (made by hand)."""
        new = self.committed_path.with_name(COMMITTED + NEW)
        src = new if new.exists() and not self.path.with_name(JSONL + NEW).exists() else self.committed_path
        for candidate in (src, self.committed_path):
            try:
                raw = candidate.read_bytes().strip()
            except FileNotFoundError:
                continue
            try:
                return int(raw.split()[0])
            except (ValueError, IndexError):
                raise PoolCorrupt(f"{candidate}: not a byte length ({raw[:40]!r}); {self.hint()}") from None
        return None

    def stat_key(self) -> tuple:
        """Changes whenever a commit or rewrite happened (cheap: two ``stat`` calls)."""
        key = []
        for p in (self.committed_path, self.path):
            try:
                st = os.stat(p)
                key.append((st.st_ino, st.st_size, st.st_mtime_ns))
            except FileNotFoundError:
                key.append(None)
        return tuple(key)

    def inode(self) -> int | None:
        try:
            return os.stat(self.path).st_ino
        except FileNotFoundError:
            return None

    def read(self, start: int = 0, next_line: int = 1, *, locked: bool = False) -> Chunk:
        """Parse the committed lines after byte ``start``.

        Without the lock a concurrent rewrite can be caught half-way; an inconsistent view is
        retried a few times before it is reported as corruption.
        """
        attempts = 1 if locked else 6
        for attempt in range(attempts):
            try:
                return self._read_once(start, next_line)
            except PoolCorrupt:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _read_once(self, start: int, next_line: int) -> Chunk:
        committed = self.committed_length()
        try:
            with open(self.path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                end = size if committed is None else committed
                if end > size:
                    raise PoolCorrupt(f"{self.path}: COMMITTED says {end} bytes but the file has {size}; {self.hint()}")
                if start > end:
                    raise PoolCorrupt(f"{self.path}: shrank below {start} bytes (rewritten elsewhere?)")
                f.seek(start)
                data = f.read(end - start)
        except FileNotFoundError:
            if committed:
                raise PoolCorrupt(f"{self.path}: missing, but COMMITTED says {committed} bytes") from None
            return Chunk(start, start, next_line=next_line)
        if committed is not None and data and not data.endswith(b"\n"):
            raise PoolCorrupt(f"{self.path}: the committed part ends inside a line (byte {end}); {self.hint()}")
        if committed is None and data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            try:
                last = orjson.loads(data[cut:])
                ok = isinstance(last, dict)
            except orjson.JSONDecodeError:
                ok = False
            if not ok:
                self.warn(f"{self.path}: ignoring a torn last line ({len(data) - cut} bytes, no newline)")
                data = data[:cut]
        chunk = Chunk(start, start + len(data), next_line=next_line)
        pos = 0
        line_no = next_line
        n = len(data)
        while pos < n:
            nl = data.find(b"\n", pos)
            stop = n if nl < 0 else nl
            line = data[pos:stop]
            if line.strip():
                try:
                    rec = orjson.loads(line)
                except orjson.JSONDecodeError as e:
                    raise self.damaged(line_no, f"not valid JSON (column {e.colno})") from None
                if not isinstance(rec, dict):
                    raise self.damaged(line_no, "not a JSON object")
                chunk.records.append(rec)
                chunk.offsets.append(start + pos)
                chunk.line_numbers.append(line_no)
            line_no += 1
            pos = stop + 1
        chunk.next_line = line_no
        return chunk

    def damaged(self, line: int, reason: str) -> PoolCorrupt:
        """The error for a damaged committed line: where, why, and the command that repairs it."""
        return PoolCorrupt(f"{self.path}:{line}: {reason}; {self.hint()}")

    def hint(self) -> str:
        return f"run: seer pool repair --pool {self.dir}"

    def read_bytes(self, offset: int, end: int) -> bytes:
        with open(self.path, "rb") as f:
            f.seek(offset)
            return f.read(end - offset)

    # ---- writing (caller holds the write lock) -----------------------------------------------
    def recover(self) -> str | None:
        """Make the files consistent after any crash; returns "rolled-forward" when a rewrite
        was completed (the caller then refreshes derived files), else None."""
        state = None
        jnew = self.path.with_name(JSONL + NEW)
        if jnew.exists():
            self.warn(f"{self.dir}: an interrupted rewrite was rolled back")
            for p in self.dir.glob("*" + NEW):
                p.unlink(missing_ok=True)
        elif any(p.name != COMMITTED + NEW for p in self.dir.glob("*" + NEW)) or (self.dir / (COMMITTED + NEW)).exists():
            self.warn(f"{self.dir}: an interrupted rewrite was completed")
            for p in sorted(self.dir.glob("*" + NEW)):
                if p.name != COMMITTED + NEW:
                    os.replace(p, p.with_name(p.name[: -len(NEW)]))
            state = "rolled-forward"
        for p in self.dir.glob(".*.tmp"):
            p.unlink(missing_ok=True)
        committed = self.committed_length() if state is None else self._read_len(self.dir / (COMMITTED + NEW))
        size = self.path.stat().st_size if self.path.exists() else 0
        if committed is None:
            with open(self.path, "ab"):
                pass
            data = self.read_bytes(0, size)
            if data and not data.endswith(b"\n"):
                cut = data.rfind(b"\n") + 1
                try:
                    ok = isinstance(orjson.loads(data[cut:]), dict)
                except orjson.JSONDecodeError:
                    ok = False
                if ok:
                    with open(self.path, "ab") as f:
                        f.write(b"\n")
                        os.fsync(f.fileno())
                    size += 1
                else:
                    self.warn(f"{self.path}: cut a torn last line ({size - cut} bytes)")
                    self._truncate(cut)
                    size = cut
            self._write_committed(size)
        elif size > committed:
            self.warn(f"{self.path}: removed an uncommitted tail of {size - committed} bytes (a writer was interrupted)")
            self._truncate(committed)
        elif size < committed:
            raise PoolCorrupt(f"{self.path}: COMMITTED says {committed} bytes but the file has {size}; {self.hint()}")
        if state == "rolled-forward":
            os.replace(self.dir / (COMMITTED + NEW), self.committed_path)
            fsync_dir(self.dir)
        return state

    def append(self, lines: list[bytes]) -> int:
        """Append whole lines, fsync, then move COMMITTED (the commit point). Returns its value."""
        committed = self.committed_length() or 0
        data = b"".join(line + b"\n" for line in lines)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.lseek(fd, committed, os.SEEK_SET)
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        self._write_committed(committed + len(data))
        return committed + len(data)

    def begin_rewrite(self, lines: list[bytes]) -> None:
        """Step 1 of a rewrite: ``experiences.jsonl.new`` and ``COMMITTED.new``, fsynced."""
        data = b"".join(line + b"\n" for line in lines)
        jnew = self.path.with_name(JSONL + NEW)
        with open(jnew, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        cnew = self.dir / (COMMITTED + NEW)
        with open(cnew, "wb") as f:
            f.write(b"%d\n" % len(data))
            f.flush()
            os.fsync(f.fileno())
        fsync_dir(self.dir)

    def commit_rewrite(self) -> None:
        """Step 2, the commit point: the new JSONL replaces the old one."""
        os.replace(self.path.with_name(JSONL + NEW), self.path)
        fsync_dir(self.dir)

    def finish_rewrite(self) -> None:
        """Last step, after the derived ``*.new`` files were moved in: COMMITTED follows."""
        os.replace(self.dir / (COMMITTED + NEW), self.committed_path)
        fsync_dir(self.dir)

    def _read_len(self, path: Path) -> int:
        try:
            return int(path.read_bytes().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            raise PoolCorrupt(f"{path}: not a byte length") from None

    def _truncate(self, length: int) -> None:
        with open(self.path, "r+b") as f:
            f.truncate(length)
            os.fsync(f.fileno())

    def _write_committed(self, length: int) -> None:
        atomic_write(self.committed_path, b"%d\n" % length)
