"""Repair a pool: move damaged lines out of the way, keep the rest, rebuild the derived files.

:func:`repair_pool` holds the pool's write lock and, from what :func:`.check.check_pool` finds:

* appends the damaged lines (not JSON, not a valid record, an id that no longer matches) to
  ``quarantine.jsonl`` beside the pool (one JSON object per line: where it was, why, the raw
  text; appended and fsynced *first*, so nothing is ever lost; a second repair does not
  quarantine a line twice);
* keeps a valid line whose bytes changed since seer wrote it (an edited thought or observation:
  its id still matches), as it is now, and says so, one :attr:`RepairResult.kept_changed` entry
  per line; its digest is recorded anew and its vectors are embedded again;
* removes the derived files, then rewrites ``experiences.jsonl`` + ``COMMITTED`` + ``digests.txt``
  through the rewrite prune uses (:func:`.derived.rewrite`: ``*.new`` files fsynced,
  ``os.replace`` as the commit point), and finally rebuilds the derived files.

The kept lines' stored vectors are reused (written as ``*.new`` beside the JSONL, moved in after
the commit point) when meta.json counted every line, the same embedder wrote them, and a spot
check re-embeds a few kept lines to the same vectors; otherwise every kept line is re-embedded. A
crash at any moment leaves either the old file or the repaired one, with derived files that are
missing (rebuilt on the next open) but never stale.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import orjson

from ..errors import PoolCorrupt
from ..fsutil import fsync_dir
from .check import CheckReport, Problem, _committed_bytes, _Line, _lines, check_pool
from .derived import META, WINDOW, rewrite, write_meta
from .index import SPACES, VectorFile, index_path, vectors_path
from .locking import write_lock
from .pool import Pool
from .records import Experience
from .store import JSONL, JsonlStore
from .summary import CACHE

QUARANTINE = "quarantine.jsonl"
KEPT_CHANGED = "changed since seer wrote it; kept as it is now (its digest recorded anew, its vectors re-embedded)"


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
    kept_changed: list[Problem] = field(default_factory=list)  # kept as they are now, digests re-recorded

    def to_dict(self) -> dict:
        return {"pool": str(self.path), "kept": self.kept, "quarantined": [p.to_dict() for p in self.quarantined],
                "kept_changed": [p.to_dict() for p in self.kept_changed],
                "quarantine_file": str(self.quarantine_file) if self.quarantine_file else None,
                "rebuilt": self.rebuilt, "reused_vectors": self.reused_vectors,
                "problems_before": [str(p) for p in self.before.problems],
                "ok": self.after.ok if self.after is not None else self.before.ok}



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


@dataclass
class _Plan:
    """The committed lines sorted: damaged ones go to quarantine, the rest are kept; ``changed``
    indexes into ``kept`` the lines whose bytes changed since seer wrote them."""

    lines: list[_Line]
    damaged: list[_Line]
    kept: list[int]  # positions in ``lines``
    keep: list[bytes]  # their raw bytes, in order
    changed: list[int]  # positions in ``kept``


def _plan(store: JsonlStore) -> _Plan:
    data = _committed_bytes(store, None)
    all_lines = list(_lines(data))
    if data and not data.endswith(b"\n") and all_lines and all_lines[-1].reason is None:
        all_lines[-1].reason = "the committed part ends inside this line (torn)"
    damaged = [ln for ln in all_lines if ln.reason]
    kept = [i for i, ln in enumerate(all_lines) if not ln.reason]
    keep = [all_lines[i].raw for i in kept]
    digests = store.read_digests()
    changed = [j for j, i in enumerate(kept) if digests is not None and digests.verdict(all_lines[i].raw) == "changed"]
    return _Plan(all_lines, damaged, kept, keep, changed)


def _kept_vectors(path: Path, plan: _Plan, embedder) -> dict | None:
    """The kept lines' vectors to reuse (:func:`_reusable_vectors`), the changed lines' embedded
    again (an edited thought moves the trajectory vector); None: embed every kept line on open."""
    vectors = _reusable_vectors(path, plan.lines, plan.kept, embedder)
    if vectors is not None and plan.changed:
        exps = [Experience.from_dict(orjson.loads(plan.keep[j])) for j in plan.changed]
        vectors["trajectory"][plan.changed] = embedder.embed_batch([e.trajectory_text() for e in exps])
        vectors["question"][plan.changed] = embedder.embed_batch([e.question for e in exps])
    return vectors


def _rewrite_kept(path: Path, store: JsonlStore, plan: _Plan, vectors: dict | None, embedder) -> Path:
    """Quarantine, drop the derived files, rewrite the pool with the kept lines; returns the
    quarantine file's path."""
    qfile = path / QUARANTINE
    if plan.damaged:
        _quarantine(qfile, plan.damaged, path)  # first: a damaged line is never only in memory
    # Before the commit point, so no derived file that describes the old lines outlives it
    # (a missing one is rebuilt on open); reused vectors go through *.new files like prune's.
    for name in DERIVED_FILES:
        if vectors is None or not name.startswith("vectors-"):
            (path / name).unlink(missing_ok=True)
    fsync_dir(path)
    # the shared rewrite; also sets COMMITTED right when it was the damaged file, and records
    # the kept lines' digests as they are now (the changed ones are reported by the caller)
    rewrite(store, plan.keep, vectors, embedder.dim, rehash=True)
    if vectors is not None:
        body = b"".join(line + b"\n" for line in plan.keep)
        write_meta(path, count=len(plan.keep), dim=embedder.dim, fingerprint=embedder.fingerprint, jsonl_bytes=len(body),
                   tail_sha256=hashlib.sha256(body[max(0, len(body) - WINDOW):]).hexdigest())
    store.finish_rewrite()
    return qfile


def repair_pool(directory: Path | str, settings, *, embedder=None,
                on_warning: Callable[[str], None] | None = None) -> RepairResult:
    """Quarantine damaged lines, keep the rest (crash-safe rewrite), rebuild the derived files.

    The stored vectors of the kept lines are reused when they can be trusted
    (:func:`_reusable_vectors`); else every kept line is re-embedded."""
    path = Path(directory)
    if not (path / JSONL).is_file():
        raise PoolCorrupt(f"{path}: no {JSONL}, not a pool")
    warn = on_warning or (lambda m: None)
    with write_lock(path, settings):
        store = JsonlStore(path, warn)
        try:
            store.recover()  # finish or roll back an interrupted write first, as any writer does
        except PoolCorrupt:
            pass  # COMMITTED beyond the end of the file: the rewrite below sets it right
        before = check_pool(path)
        if before.ok:
            return RepairResult(path, before.entries, [], None, False, before)
        plan = _plan(store)
        if embedder is None:
            from ..embedder import get_embedder

            embedder = get_embedder()
        vectors = _kept_vectors(path, plan, embedder)
        qfile = _rewrite_kept(path, store, plan, vectors, embedder)
    pool = Pool.open(path, settings, embedder=embedder, create=False, on_warning=lambda m: None)
    try:
        pool.build_indexes()  # from the freshly embedded vectors, saved
    finally:
        pool.close()
    result = RepairResult(path, len(plan.keep), [Problem(JSONL, ln.reason, ln.number) for ln in plan.damaged if ln.reason],
                          qfile if plan.damaged else None, True, before, reused_vectors=vectors is not None,
                          kept_changed=[Problem(JSONL, KEPT_CHANGED, plan.lines[plan.kept[j]].number) for j in plan.changed])
    result.after = check_pool(path)
    return result
