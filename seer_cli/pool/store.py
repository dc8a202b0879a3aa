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
* ``P/digests.txt`` holds ``<sha256 of the line's bytes> <record id>`` for every line seer wrote
  (the id only hashes question, calls and answer, so it cannot tell that a thought or an
  observation changed; the digest can). A batch's digests are appended and fsynced *before* its
  JSONL lines, so every committed line has its digest on disk; a crash leaves digests of an
  uncommitted batch (harmless: no line has those bytes) or a torn digest line, which the next
  writer cuts. A pool from before digests has no ``digests.txt``: readers say so and check lines
  by content hash only; the next writer records the digest of every committed line once.
* Whole-pool rewrites (prune, repair) write ``*.new`` files, fsync them, then ``os.replace`` the
  JSONL (the commit point) and ``digests.txt``, then the derived files, then ``COMMITTED``. A
  writer that finds ``experiences.jsonl.new`` rolls the rewrite back; one that finds only other
  ``*.new`` files rolls it forward. Prune carries the kept lines' digests over unchanged (an
  edited line stays flagged); only repair records the digests of the lines as they are now.

This module knows bytes and lines; ``pool.py`` turns them into experiences and vectors.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import orjson

from ..errors import PoolCorrupt
from ..fsutil import atomic_write, fsync_dir

JSONL = "experiences.jsonl"
COMMITTED = "COMMITTED"
DIGESTS = "digests.txt"
NEW = ".new"

Warn = Callable[[str], None]
_KEY = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")
_DIGEST_LINE = re.compile(rb"^([0-9a-f]{64}) (\S{1,128})$")


def line_digest(line: bytes) -> str:
    """SHA-256 of a committed line's bytes (without its newline), as hex."""
    return hashlib.sha256(line).hexdigest()


def digest_key(line: bytes) -> str:
    """What a line's digest is filed under: the record's ``id``, or ``-`` for a line without one."""
    try:
        rid = orjson.loads(line).get("id")
    except (orjson.JSONDecodeError, AttributeError):
        return "-"
    return rid if isinstance(rid, str) and _KEY.match(rid.encode()) else "-"


def digest_entries(lines: Iterable[bytes]) -> bytes:
    """``digests.txt`` lines for ``lines``."""
    return b"".join(b"%s %s\n" % (line_digest(line).encode(), digest_key(line).encode()) for line in lines)


@dataclass
class Digests:
    """``digests.txt`` read back: digests by record id, and the entries that do not parse."""

    by_key: dict[str, set[str]] = field(default_factory=dict)
    bad_lines: list[int] = field(default_factory=list)  # 1-based lines of digests.txt

    @classmethod
    def parse(cls, data: bytes) -> "Digests":
        out = cls()
        pieces = data.split(b"\n")
        for number, raw in enumerate(pieces[:-1], 1):  # the last piece is empty or a torn write
            if not raw:
                continue
            m = _DIGEST_LINE.match(raw)
            if m is None:
                out.bad_lines.append(number)
                continue
            out.by_key.setdefault(m.group(2).decode(), set()).add(m.group(1).decode())
        return out

    def verdict(self, line: bytes) -> str | None:
        """None when ``line`` is as seer wrote it; "changed" when its id has digests but none of
        them is this line's; "missing" when seer recorded no digest under its id."""
        known = self.by_key.get(digest_key(line))
        if not known:
            return "missing"
        return None if line_digest(line) in known else "changed"


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
        self.digests_path = self.dir / DIGESTS
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
        key: list[tuple[int, int, int] | None] = []
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

    def read_digests(self) -> Digests | None:
        """``digests.txt``, or None for a pool written before seer kept line digests."""
        try:
            return Digests.parse(self.digests_path.read_bytes())
        except FileNotFoundError:
            return None

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
        self._recover_digests()
        return state

    def _recover_digests(self) -> None:
        """Cut a torn digest line (its batch never committed); record every committed line's
        digest once in a pool written before digests were kept."""
        try:
            data = self.digests_path.read_bytes()
        except FileNotFoundError:
            committed = self.committed_length() or 0
            lines = [line for line in self.read_bytes(0, committed).split(b"\n") if line.strip()] if committed else []
            atomic_write(self.digests_path, digest_entries(lines))
            return
        if data and not data.endswith(b"\n"):
            with open(self.digests_path, "r+b") as f:
                f.truncate(data.rfind(b"\n") + 1)
                os.fsync(f.fileno())

    def append(self, lines: list[bytes]) -> int:
        """Append the lines' digests, then the lines, fsync, then move COMMITTED (the commit
        point). Returns its value."""
        committed = self.committed_length() or 0
        self._append_digests(lines)
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

    def _append_digests(self, lines: list[bytes]) -> None:
        data = digest_entries(lines)
        existed = self.digests_path.exists()
        fd = os.open(self.digests_path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # never glue an entry to a torn one (recover() cuts those)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if not existed:
            fsync_dir(self.dir)

    def begin_rewrite(self, lines: list[bytes], *, rehash: bool = False) -> None:
        """Step 1 of a rewrite: ``experiences.jsonl.new``, ``COMMITTED.new`` and
        ``digests.txt.new``, fsynced. The kept lines' recorded digests are carried over (a line
        edited outside seer stays flagged); ``rehash`` records the lines as they are now."""
        data = b"".join(line + b"\n" for line in lines)
        old = None if rehash else self._digest_lines()
        if old is None:
            digests = digest_entries(lines)
        else:
            keys = {digest_key(line).encode() for line in lines}
            digests = b"".join(dict.fromkeys(e + b"\n" for e in old if e.partition(b" ")[2] in keys))
        for name, blob in ((JSONL, data), (COMMITTED, b"%d\n" % len(data)), (DIGESTS, digests)):
            with open(self.dir / (name + NEW), "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
        fsync_dir(self.dir)

    def _digest_lines(self) -> list[bytes] | None:
        try:
            return [e for e in self.digests_path.read_bytes().split(b"\n") if _DIGEST_LINE.match(e)]
        except FileNotFoundError:
            return None

    def commit_rewrite(self) -> None:
        """Step 2, the commit point: the new JSONL replaces the old one, then its digests follow
        (a crash between the two is rolled forward by the next writer)."""
        os.replace(self.path.with_name(JSONL + NEW), self.path)
        dnew = self.dir / (DIGESTS + NEW)
        if dnew.exists():
            os.replace(dnew, self.digests_path)
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
