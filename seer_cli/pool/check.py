"""Check a pool line by line, changing nothing.

Why: ``experiences.jsonl`` is the source of truth and is only ever appended by seer, but disks,
editors and copies damage files. ``meta.json``'s checksum covers only the last 64 KiB (so opening a
large pool stays cheap), and the summaries cache skips lines it has seen, so a flipped byte in the
middle surfaces only when that line is read, in the middle of ``seer run``. This module looks at
everything, and never on the fast path:

* :func:`check_pool` reads every committed line without opening the pool: valid UTF-8 JSON, a
  valid record (``Experience.from_dict``), an ``id`` that matches the content hash, and bytes that
  match the digest seer recorded when it wrote the line (``digests.txt``, :mod:`.store`: the id
  hashes only question, calls and answer, so an edited thought or observation is caught only
  here); then the derived files (``meta.json``, the vector files, the index headers and
  checksums). It returns a :class:`CheckReport`, one :class:`Problem` per damaged or changed line
  or file. A pool without ``digests.txt`` (written by an older seer) checks cleanly, with a note.
* :func:`verify_lines` is the cheap part of the check (the JSONL only, no digests), which
  ``Pool.stats()`` runs so that ``seer pool stats`` never says "ok" about a damaged pool.

Repairing is :mod:`.repair`'s job; this module never writes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import orjson

from ..errors import PoolCorrupt
from .derived import META, WINDOW
from .index import SPACES, IndexInvalid, VectorFile, check_header, file_crc, index_path, vectors_path
from .records import Experience, invalid_reason
from .store import COMMITTED, DIGESTS, JSONL, Digests, JsonlStore

CHANGED = "changed since seer wrote it (the id still matches: a thought, an observation or another field was edited)"


def repair_hint(directory: Path | str) -> str:
    """What to tell a user whose pool has a damaged line."""
    return f"run: seer pool repair --pool {directory}"


@dataclass
class Problem:
    """One damaged or changed line (``line`` set) or a problem with a whole file."""

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
        """Lines that are no valid record (repair quarantines them)."""
        return [p for p in self.problems if p.file == JSONL and p.line is not None and p.reason != CHANGED]

    @property
    def changed_lines(self) -> list[Problem]:
        """Valid records whose bytes differ from what seer wrote (repair keeps them, saying so)."""
        return [p for p in self.problems if p.file == JSONL and p.reason == CHANGED]

    def to_dict(self) -> dict:
        return {"pool": str(self.path), "ok": self.ok, "entries": self.entries,
                "problems": [str(p) for p in self.problems], "details": [p.to_dict() for p in self.problems],
                "notes": self.notes}


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
    digests = store.read_digests()  # read after the lines: a batch's digests are written before it
    if data and not data.endswith(b"\n"):
        last = data.count(b"\n") + 1
        report.problems.append(Problem(JSONL, "the committed part ends inside this line (torn)", last))
    undigested: list[int] = []
    for line in _lines(data):
        if line.reason:
            report.problems.append(Problem(JSONL, line.reason, line.number))
            continue
        report.entries += 1
        verdict = digests.verdict(line.raw) if digests is not None else None
        if verdict == "changed":
            report.problems.append(Problem(JSONL, CHANGED, line.number))
        elif verdict == "missing":
            undigested.append(line.number)
    _note_digests(report, digests, undigested)
    if not report.damaged_lines:  # derived files are judged against a sound source of truth only
        _check_derived(path, data, report)
    else:
        report.notes.append("derived files not checked: they are rebuilt by the repair")
    return report


def _note_digests(report: CheckReport, digests: Digests | None, undigested: list[int]) -> None:
    if digests is None:
        if report.entries:
            report.notes.append(f"no {DIGESTS} (pool written by an older seer): lines are checked by their id only; "
                                "the next write records a digest of every line")
        return
    for number in digests.bad_lines:
        report.problems.append(Problem(DIGESTS, "not a '<sha256> <id>' entry", number))
    if undigested:
        shown = ", ".join(map(str, undigested[:10])) + (f" and {len(undigested) - 10} more" if len(undigested) > 10 else "")
        report.notes.append(f"{JSONL}: no digest recorded for line{'s' if len(undigested) > 1 else ''} {shown} "
                            "(not written by seer): checked by id only")


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
