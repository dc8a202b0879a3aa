"""Per-line summaries, usage counts, statistics and prune plans of a pool.

Building an :class:`~seer_cli.pool.records.Experience` for every line is the slow part of
reading a large pool, and most questions about a pool (how many, which intents, which tools,
is this id present) need only a few fields. :class:`Summaries` keeps just those fields per
committed line, taken straight from the parsed JSON, so ``stats()`` stays well under two seconds
at 100k entries; full records are built lazily by the pool.

The summaries are cached in ``summaries.json`` (one orjson blob, written atomically when a
thousand or more lines are not yet in it) with the byte length it covers and the SHA-256 of the
64 KiB before it; a cache that does not match the JSONL is ignored, so opening a 100k pool
parses only the lines appended since.

``usage.json`` (times recalled / last recalled per id) lives outside the append-only file: it is
a statistic, not part of the source of truth, rewritten atomically under ``usage.lock``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np
import orjson

from ..errors import PoolCorrupt, PoolLocked
from ..fsutil import atomic_write
from .records import Experience, invalid_reason
from .store import Chunk

USAGE = "usage.json"
CACHE = "summaries.json"
FIELDS = ("ids", "intents", "tools", "sources", "created", "offsets", "lines")


class Summaries:
    """The fields of each committed line that lookups, filters and stats need."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.pos: dict[str, int] = {}
        self.intents: list[str] = []
        self.tools: list[tuple[str, ...]] = []
        self.sources: list[str] = []
        self.created: list[str] = []
        self.offsets: list[int] = []
        self.lines: list[int] = []
        self._masks: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def extend(self, chunk: Chunk, path: Path) -> None:
        rec: Any  # a committed line's JSON object: its fields are used as they are only when `fast` checked their types
        source: Any
        for rec, line, off in zip(chunk.records, chunk.line_numbers, chunk.offsets):
            rid, steps, intent = rec.get("id"), rec.get("steps"), rec.get("intent", "general")
            success = rec.get("success")
            source = success.get("source") if isinstance(success, dict) else success
            try:
                tools = tuple(s["tool"] for s in steps)
                fast = type(rid) is str and type(intent) is str and type(source) is str and all(type(t) is str for t in tools)
            except (TypeError, KeyError):
                fast = False
            if not fast or not tools:
                try:
                    exp = Experience.from_dict(rec)
                except ValueError as e:
                    raise PoolCorrupt(f"{path}:{line}: {invalid_reason(e)}; run: seer pool repair --pool {Path(path).parent}") from None
                rid, intent, tools, source = exp.id, exp.intent, tuple(exp.tools), exp.success_source
            self.pos.setdefault(rid, len(self.ids))
            self.ids.append(rid)
            self.intents.append(intent)
            self.tools.append(tools)
            self.sources.append(source)
            created = rec.get("created_at")
            self.created.append(created if isinstance(created, str) else "")
            self.offsets.append(off)
            self.lines.append(line)
        self._masks.clear()

    def to_cache(self, end: int, next_line: int, tail_sha: str) -> bytes:
        blob = {"format": 1, "jsonl_bytes": end, "next_line": next_line, "tail_sha256": tail_sha}
        return orjson.dumps({**blob, **{f: getattr(self, f) for f in FIELDS}})

    @classmethod
    def from_cache(cls, blob: dict) -> "Summaries":
        s = cls()
        for f in FIELDS:
            setattr(s, f, list(blob[f]))
        s.tools = [tuple(t) for t in s.tools]
        if len({len(getattr(s, f)) for f in FIELDS}) != 1:
            raise ValueError("columns of different lengths")
        for i, rid in enumerate(s.ids):
            s.pos.setdefault(rid, i)
        return s

    def intent_mask(self, intent: str) -> np.ndarray:
        mask = self._masks.get(intent)
        if mask is None or len(mask) != len(self.ids):
            mask = self._masks[intent] = np.fromiter((i == intent for i in self.intents), dtype=bool, count=len(self.ids))
        return mask


def load_cache(directory: Path) -> dict | None:
    """The cached summaries blob, or None when absent or unreadable (it is only a cache)."""
    try:
        blob = orjson.loads((Path(directory) / CACHE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(blob, dict) or blob.get("format") != 1 or not isinstance(blob.get("jsonl_bytes"), int):
        return None
    return blob


# ---- usage.json --------------------------------------------------------------------------------


def load_usage(directory: Path, warn: Callable[[str], None] | None = None) -> dict[str, dict]:
    path = Path(directory) / USAGE
    try:
        data = orjson.loads(path.read_bytes())
        if isinstance(data, dict):
            return data
        raise ValueError("not an object")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        if warn:
            warn(f"{path}: unreadable ({e}); recall counts start again")
        return {}


def update_usage(directory: Path, ids: list[str], timeout: float, *, outcome: bool | None = None) -> None:
    """Count a recall of each id (``outcome=None``), or the outcome of an episode that showed
    them: ``judged`` += 1 and, on success, ``wins`` += 1 (what :func:`utility` is made of)."""
    import filelock

    if not ids:
        return
    lock = filelock.FileLock(str(Path(directory) / "usage.lock"), timeout=timeout)
    try:
        with lock:
            usage = load_usage(directory)
            now = datetime.now(timezone.utc).isoformat(timespec="seconds")
            for rid in dict.fromkeys(ids):
                old = usage.get(rid)
                entry = dict(old) if isinstance(old, dict) else {"count": 0}
                if outcome is None:
                    entry["count"] = int(entry.get("count", 0)) + 1
                    entry["last"] = now
                else:
                    entry["judged"] = int(entry.get("judged", 0)) + 1
                    entry["wins"] = int(entry.get("wins", 0)) + bool(outcome)
                usage[rid] = entry
            atomic_write(Path(directory) / USAGE, orjson.dumps(usage), durable=False)
    except filelock.Timeout:
        raise PoolLocked(f"pool {directory}: usage.json is locked by another seer process (waited {timeout:g} s)") from None


def utility(entry: dict | None) -> float:
    """How often episodes that were shown this experience succeeded, smoothed towards 1/2:
    ``(wins + 1) / (judged + 2)`` (Laplace), so an experience never judged scores 0.5."""
    entry = entry if isinstance(entry, dict) else {}
    return (int(entry.get("wins", 0)) + 1) / (int(entry.get("judged", 0)) + 2)


# ---- stats and prune -------------------------------------------------------------------------


def pool_stats(s: Summaries, path: Path, name: str, health: dict, meta: dict, usage: dict) -> dict:
    tools: Counter[str] = Counter()
    for chain in s.tools:
        tools.update(chain)
    steps = Counter(len(chain) for chain in s.tools)
    growth = Counter(c[:10] for c in s.created if c)
    disk = {}
    for f in sorted(Path(path).iterdir()):
        if f.is_file() and not f.name.startswith("."):
            disk[f.name] = f.stat().st_size
    recalled = sum(1 for rid in set(s.ids) if rid in usage)
    return {
        "name": name,
        "path": str(path),
        "entries": len(s),
        "intents": dict(Counter(s.intents).most_common()),
        "tools": dict(tools.most_common()),
        "steps_histogram": {str(k): steps[k] for k in sorted(steps)},
        "success_sources": dict(Counter(s.sources).most_common()),
        "growth_per_day": {d: growth[d] for d in sorted(growth)},
        "disk_bytes": disk,
        "disk_total": sum(disk.values()),
        "index": health,
        "embedder": meta.get("embedder"),
        "dim": meta.get("dim"),
        "recalled_entries": recalled,
    }


def _parse_time(text: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def prune_plan(s: Summaries, usage: dict, threshold: float, *, dedup: bool, near: list | None, max_size: int | None,
               older_than: timedelta | datetime | None, never_recalled: bool) -> tuple[list[int], dict[str, int]]:
    """Positions to keep (in order) and how many each rule removed."""
    reasons: Counter[str] = Counter()
    alive = [True] * len(s)
    if dedup:
        seen: set[str] = set()
        for p, rid in enumerate(s.ids):
            if rid in seen:
                alive[p] = False
                reasons["duplicate"] += 1
                continue
            seen.add(rid)
            if near and any(q < p and alive[q] and s.tools[q] == s.tools[p] and sim >= threshold for q, sim in near[p]):
                alive[p] = False
                reasons["near_duplicate"] += 1
    if older_than is not None:
        cutoff = datetime.now(timezone.utc) - older_than if isinstance(older_than, timedelta) else older_than
        cutoff = cutoff if cutoff.tzinfo else cutoff.replace(tzinfo=timezone.utc)
        for p, c in enumerate(s.created):
            t = _parse_time(c)
            if alive[p] and t is not None and t < cutoff:
                alive[p] = False
                reasons["older_than"] += 1
    if never_recalled:
        for p, rid in enumerate(s.ids):
            if alive[p] and rid not in usage:
                alive[p] = False
                reasons["never_recalled"] += 1
    keep = [p for p in range(len(s)) if alive[p]]
    if max_size is not None and len(keep) > max_size:
        def rank(p: int) -> tuple[int, int]:
            u = usage.get(s.ids[p])
            return (int(u.get("count", 0)) if isinstance(u, dict) else 0, p)

        chosen = set(sorted(keep, key=rank, reverse=True)[: max(0, max_size)])
        reasons["max_size"] += len(keep) - len(chosen)
        keep = [p for p in keep if p in chosen]
    return keep, dict(reasons)
