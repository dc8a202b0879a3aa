"""Check a pool line by line, and repair it by moving damaged lines out of the way.

Why: ``experiences.jsonl`` is the source of truth and is only ever appended by seer, but disks,
editors and copies damage files. ``meta.json``'s checksum covers only the last 64 KiB (so opening a
large pool stays cheap), and the summaries cache skips lines it has seen, so a flipped byte in the
middle surfaces only when that line is read, in the middle of ``seer run``. This module looks at
everything, and never on the fast path:

* :func:`check_pool` reads every committed line without opening the pool: valid UTF-8 JSON, a
  valid record (``Experience.from_dict``), an ``id`` that matches the content hash; then the
  derived files (``meta.json``, the vector files, the index headers and checksums). It changes
  nothing and returns a :class:`CheckReport`, one :class:`Problem` per damaged line or file.
* :func:`repair_pool` holds the pool's write lock, appends the damaged lines to
  ``quarantine.jsonl`` beside the pool (one JSON object per line: where it was, why, the raw
  text; appended and fsynced *first*, so nothing is ever lost), removes the derived files, then
  rewrites ``experiences.jsonl`` + ``COMMITTED`` through the store's crash-safe rewrite
  (``*.new`` files fsynced, ``os.replace`` as the commit point), and finally rebuilds the derived
  files. The kept lines' stored vectors are reused (written as ``*.new`` beside the JSONL, moved in
  after the commit point, as prune does) when meta.json counted every line, the same embedder
  wrote them, and a spot check re-embeds a few kept lines to the same vectors; otherwise every kept
  line is re-embedded. A crash at any moment leaves either the old file or the repaired one, with
  derived files that are missing (rebuilt on the next open) but never stale; a second repair does
  not quarantine a line twice.
* :func:`verify_lines` is the cheap part of the check (the JSONL only), which ``Pool.stats()`` runs
  so that ``seer pool stats`` never says "ok" about a damaged pool.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import orjson

from ..errors import PoolCorrupt, PoolLocked
from ..fsutil import fsync_dir
from .derived import META, WINDOW, write_meta
from .index import SPACES, IndexInvalid, VectorFile, check_header, file_crc, index_path, vectors_path
from .records import Experience, invalid_reason
from .store import COMMITTED, JSONL, JsonlStore
from .summary import CACHE

QUARANTINE = "quarantine.jsonl"


def repair_hint(directory: Path | str) -> str:
    """What to tell a user whose pool has a damaged line."""
    return f"run: seer pool repair --pool {directory}"


@dataclass
class Problem:
    """One damaged line (``line`` set) or derived file."""

    file: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" if self.line is not None else f"{self.file}: {self.reason}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass
class CheckReport:
    path: Path
    entries: int = 0  # committed lines that are valid records
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # harmless findings (an uncommitted tail)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def damaged_lines(self) -> list[Problem]:
        return [p for p in self.problems if p.line is not None]

    def to_dict(self) -> dict:
        return {"pool": str(self.path), "ok": self.ok, "entries": self.entries,
                "problems": [str(p) for p in self.problems], "details": [p.to_dict() for p in self.problems],
                "notes": self.notes}


@dataclass
class RepairResult:
    path: Path
    kept: int
    quarantined: list[Problem]
    quarantine_file: Path | None
    rebuilt: bool
    before: CheckReport
    after: CheckReport | None = None
    reused_vectors: bool = False  # the kept lines' stored vectors were reused (else re-embedded)

    def to_dict(self) -> dict:
        return {"pool": str(self.path), "kept": self.kept, "quarantined": [p.to_dict() for p in self.quarantined],
                "quarantine_file": str(self.quarantine_file) if self.quarantine_file else None,
                "rebuilt": self.rebuilt, "reused_vectors": self.reused_vectors,
                "problems_before": [str(p) for p in self.before.problems],
                "ok": self.after.ok if self.after is not None else self.before.ok}


# ---- reading the lines --------------------------------------------------------------------------


@dataclass
class _Line:
    number: int
    raw: bytes
    reason: str | None  # None: a valid record


def _committed_bytes(store: JsonlStore, report: CheckReport | None) -> bytes:
    """The committed part of the JSONL; a COMMITTED that cannot be trusted is reported, and then
    the whole lines of the file count."""
    try:
        data = store.path.read_bytes()
    except FileNotFoundError:
        data = b""
    try:
        committed = store.committed_length()
    except PoolCorrupt as e:
        if report is not None:
            report.problems.append(Problem(COMMITTED, str(e).split(": ", 1)[-1].split("; run:")[0]))
        committed = None
    if committed is None:  # a pool made by hand: whole lines count, a torn last line is ignored (store.py)
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            try:
                whole = isinstance(orjson.loads(data[cut:]), dict)
            except orjson.JSONDecodeError:
                whole = False
            if whole:
                return data + b"\n"
            if report is not None:
                report.notes.append(f"{JSONL}: a torn last line of {len(data) - cut} bytes (ignored; cut by the next write)")
            return data[:cut]
        return data
    if committed > len(data):
        if report is not None:
            report.problems.append(Problem(COMMITTED, f"says {committed} bytes but {JSONL} has {len(data)}"))
        return data
    if committed < len(data) and report is not None:
        report.notes.append(f"{JSONL}: an uncommitted tail of {len(data) - committed} bytes (cut by the next write)")
    return data[:committed]


def _lines(data: bytes) -> Iterator[_Line]:
    number = 0
    for raw in data.split(b"\n"):
        number += 1
        if not raw.strip():
            continue
        yield _Line(number, raw, _why_damaged(raw))


def _why_damaged(raw: bytes) -> str | None:
    try:
        rec = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as u:
            return f"not valid UTF-8 (byte {u.start + 1} of the line)"
        return f"not valid JSON (column {e.colno})"
    if not isinstance(rec, dict):
        return "not a JSON object"
    try:
        Experience.from_dict(rec)  # validates every field, and the id against the content hash
    except ValueError as e:
        return invalid_reason(e)
    return None


def verify_lines(directory: Path | str) -> None:
    """Raise :class:`PoolCorrupt` naming the first damaged committed line and the repair command."""
    store = JsonlStore(Path(directory), lambda m: None)
    for line in _lines(_committed_bytes(store, None)):
        if line.reason:
            raise PoolCorrupt(f"{store.path}:{line.number}: {line.reason}; {repair_hint(store.dir)}")


# ---- check ------------------------------------------------------------------------------------------


def check_pool(directory: Path | str) -> CheckReport:
    """Every committed line and every derived file of the pool in ``directory``; changes nothing."""
    path = Path(directory)
    report = CheckReport(path)
    store = JsonlStore(path, lambda m: None)
    data = _committed_bytes(store, report)
    if data and not data.endswith(b"\n"):
        last = data.count(b"\n") + 1
        report.problems.append(Problem(JSONL, "the committed part ends inside this line (torn)", last))
    for line in _lines(data):
        if line.reason:
            report.problems.append(Problem(JSONL, line.reason, line.number))
        else:
            report.entries += 1
    if not report.damaged_lines:  # derived files are judged against a sound source of truth only
        _check_derived(path, data, report)
    else:
        report.notes.append("derived files not checked: they are rebuilt by the repair")
    return report


def _check_derived(path: Path, data: bytes, report: CheckReport) -> None:
    n = report.entries
    meta_path = path / META
    try:
        meta = orjson.loads(meta_path.read_bytes())
        if not isinstance(meta, dict):
            raise ValueError("not an object")
    except FileNotFoundError:
        if n:
            report.problems.append(Problem(META, "missing"))
        return
    except (OSError, ValueError) as e:
        report.problems.append(Problem(META, f"unreadable ({e})"))
        return
    dim = meta.get("dim")
    if not isinstance(dim, int) or dim <= 0:
        report.problems.append(Problem(META, f"dim: {dim!r} is not a positive integer"))
        return
    length = meta.get("jsonl_bytes")
    if meta.get("count") != n:
        report.problems.append(Problem(META, f"count is {meta.get('count')!r} but {JSONL} holds {n} entries"))
    if length != len(data):
        report.problems.append(Problem(META, f"covers {length!r} bytes of {JSONL}, which has {len(data)} committed"))
    elif meta.get("tail_sha256") != hashlib.sha256(data[max(0, len(data) - WINDOW):]).hexdigest():
        report.problems.append(Problem(META, f"checksum does not match {JSONL} (changed outside seer)"))
    for space in SPACES:
        vf = VectorFile(vectors_path(path, space), dim)
        name = vf.path.name
        if not vf.path.exists():
            if n:
                report.problems.append(Problem(name, "missing"))
        elif vf.path.stat().st_size % vf.row_bytes:
            report.problems.append(Problem(name, f"size {vf.path.stat().st_size} is not a whole number of {dim}-float rows"))
        elif vf.rows() < n:
            report.problems.append(Problem(name, f"{vf.rows()} rows for {n} entries"))
        ip = index_path(path, space)
        if not ip.exists():
            continue  # an index is rebuilt from the vectors when missing; nothing is lost
        try:
            count = check_header(ip, dim)
        except (IndexInvalid, OSError) as e:
            report.problems.append(Problem(ip.name, str(e).replace(ip.name + " ", "", 1)))
            continue
        info = (meta.get("indexes") or {}).get(space) or {}
        if count > n:
            report.problems.append(Problem(ip.name, f"indexes {count} rows but the pool has {n} entries"))
        elif info.get("count") == count and info.get("crc32") is not None and file_crc(ip) != info["crc32"]:
            report.problems.append(Problem(ip.name, "checksum does not match meta.json"))


# ---- repair -------------------------------------------------------------------------------------------


def _quarantine(path: Path, lines: list[_Line], pool_dir: Path) -> list[_Line]:
    """Append the damaged lines to ``quarantine.jsonl`` (fsynced); returns those newly written
    (a line already there from an interrupted repair is not written twice)."""
    have: set[str] = set()
    try:
        for raw in path.read_bytes().splitlines():
            try:
                have.add(orjson.loads(raw).get("sha256"))
            except (orjson.JSONDecodeError, AttributeError):
                continue
    except FileNotFoundError:
        pass
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out, new = [], []
    for line in lines:
        sha = hashlib.sha256(line.raw).hexdigest()
        if sha in have:
            continue
        have.add(sha)
        entry = {"quarantined_at": now, "pool": str(pool_dir), "line": line.number, "reason": line.reason, "sha256": sha}
        try:
            entry["raw"] = line.raw.decode("utf-8")
        except UnicodeDecodeError:
            entry["raw_hex"] = line.raw.hex()
        out.append(orjson.dumps(entry) + b"\n")
        new.append(line)
    if out:
        existed = path.exists()
        with open(path, "ab") as f:
            f.write(b"".join(out))
            f.flush()
            os.fsync(f.fileno())
        if not existed:
            fsync_dir(path.parent)
    return new


DERIVED_FILES = tuple(vectors_path(Path(), sp).name for sp in SPACES) + tuple(
    index_path(Path(), sp).name for sp in SPACES) + (META, CACHE)


SPOT_CHECKS = 8  # kept lines re-embedded to confirm the stored vectors still belong to them


def _reusable_vectors(path: Path, all_lines: list[_Line], kept: list[int], embedder) -> dict | None:
    """The stored vector rows of the kept lines, when they can be trusted: meta.json counted every
    line (damaged ones included, so rows still align with lines), the same embedder wrote them, and
    a few kept lines re-embed to the same vectors. Otherwise None (everything is re-embedded)."""
    import numpy as np

    try:
        meta = orjson.loads((path / META).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(meta, dict) or meta.get("count") != len(all_lines) or not kept:
        return None
    if meta.get("embedder") != embedder.fingerprint or meta.get("dim") != embedder.dim:
        return None
    out = {}
    for space in SPACES:
        vf = VectorFile(vectors_path(path, space), embedder.dim)
        if vf.rows() < len(all_lines):
            return None
        out[space] = vf.read(0, len(all_lines))[kept]
    step = max(1, len(kept) // SPOT_CHECKS)
    sample = list(range(0, len(kept), step))[:SPOT_CHECKS]
    exps = [Experience.from_dict(orjson.loads(all_lines[kept[i]].raw)) for i in sample]
    fresh = {"trajectory": embedder.embed_batch([e.trajectory_text() for e in exps]),
             "question": embedder.embed_batch([e.question for e in exps])}
    for space in SPACES:
        sims = np.einsum("ij,ij->i", np.asarray(fresh[space], dtype=np.float32), out[space][sample])
        if float(sims.min()) < 0.99:
            return None
    return out


def repair_pool(directory: Path | str, settings, *, embedder=None,
                on_warning: Callable[[str], None] | None = None) -> RepairResult:
    """Quarantine damaged lines, keep the rest (crash-safe rewrite), rebuild the derived files.

    The stored vectors of the kept lines are reused when they can be trusted
    (:func:`_reusable_vectors`); else every kept line is re-embedded."""
    import filelock

    path = Path(directory)
    if not (path / JSONL).is_file():
        raise PoolCorrupt(f"{path}: no {JSONL}, not a pool")
    warn = on_warning or (lambda m: None)
    lock = filelock.FileLock(str(path / "write.lock"), timeout=settings.lock_timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise PoolLocked(f"pool {path} is locked by another seer process (waited {settings.lock_timeout:g} s)") from None
    try:
        store = JsonlStore(path, warn)
        try:
            store.recover()  # finish or roll back an interrupted write first, as any writer does
        except PoolCorrupt:
            pass  # COMMITTED beyond the end of the file: the rewrite below sets it right
        before = check_pool(path)
        if before.ok:
            return RepairResult(path, before.entries, [], None, False, before)
        data = _committed_bytes(store, None)
        all_lines = list(_lines(data))
        if data and not data.endswith(b"\n") and all_lines and all_lines[-1].reason is None:
            all_lines[-1].reason = "the committed part ends inside this line (torn)"
        damaged = [ln for ln in all_lines if ln.reason]
        kept = [i for i, ln in enumerate(all_lines) if not ln.reason]
        keep = [all_lines[i].raw for i in kept]
        if embedder is None:
            from ..embedder import get_embedder

            embedder = get_embedder()
        vectors = _reusable_vectors(path, all_lines, kept, embedder)
        qfile = path / QUARANTINE
        if damaged:
            _quarantine(qfile, damaged, path)  # first: a damaged line is never only in memory
        # Before the commit point, so no derived file that describes the old lines outlives it
        # (a missing one is rebuilt on open); reused vectors go through *.new files like prune's.
        for name in DERIVED_FILES:
            if vectors is None or not name.startswith("vectors-"):
                (path / name).unlink(missing_ok=True)
        fsync_dir(path)
        store.begin_rewrite(keep)  # also sets COMMITTED right when it was the damaged file
        news = [VectorFile(vectors_path(path, sp), embedder.dim).write_new(vectors[sp]) for sp in SPACES] if vectors else []
        store.commit_rewrite()  # the commit point
        for p in news:
            os.replace(p, p.with_name(p.name[: -len(".new")]))
        if vectors is not None:
            body = b"".join(line + b"\n" for line in keep)
            write_meta(path, count=len(keep), dim=embedder.dim, fingerprint=embedder.fingerprint, jsonl_bytes=len(body),
                       tail_sha256=hashlib.sha256(body[max(0, len(body) - WINDOW):]).hexdigest())
        store.finish_rewrite()
    finally:
        lock.release()
    from .pool import Pool

    pool = Pool.open(path, settings, embedder=embedder, create=False, on_warning=lambda m: None)
    try:
        pool.build_indexes()  # from the freshly embedded vectors, saved
    finally:
        pool.close()
    result = RepairResult(path, len(keep), [Problem(JSONL, ln.reason, ln.number) for ln in damaged],
                          qfile if damaged else None, True, before, reused_vectors=vectors is not None)
    result.after = check_pool(path)
    return result
