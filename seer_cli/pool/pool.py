"""The experience pool: what the agent remembers, on disk, safe under crashes and concurrency.

:class:`Pool` joins the source of truth (:mod:`.store`, append-only JSONL with a commit marker)
to its derived files (:mod:`.index`, vector rows and hnswlib indexes, plus ``meta.json``):

* ``add`` redacts secrets (:mod:`.redact`), embeds outside the lock, then under the write lock
  drops exact and near duplicates, writes the vector rows, appends the JSONL batch (the commit
  point) and updates ``meta.json``. Vector rows are written *before* the commit so a reader never
  sees a committed line without its vector; a crash leaves surplus rows, cut by the next writer.
* ``meta.json`` and the derived files are checked on open and repaired with a warning
  (:mod:`.derived`): indexes from the stored vectors, vectors by embedding only missing rows.
* Every read (``len``, ``knn``, ``experiences``...) first stats ``COMMITTED``: when another
  process committed, the new lines are read and the loaded indexes extended.
"""

from __future__ import annotations

import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, cast

import numpy as np
import orjson

from ..errors import InvalidRecord, PoolCorrupt, PoolError
from .locking import acquire, lock_file
from ..fsutil import atomic_write
from .check import verify_lines
from .dedup import select_new
from .derived import META, DerivedFiles, rewrite
from .index import SPACES, HnswIndex, VectorFile, index_path, vectors_path
from .locate import list_pools, resolve
from .records import Experience, invalid_reason
from .redact import redact_experience
from .remembered import remembered
from .seeds import default_seed_for, read_seed, seed_file
from .store import JsonlStore
from .summary import CACHE, Summaries, load_cache, load_usage, pool_stats, prune_plan, update_usage

EXACT_BELOW = 2048  # an intent with fewer rows is searched exactly
MAX_FETCH = 2048
CACHE_EVERY = 1000  # lines not yet in summaries.json before it is rewritten


@dataclass
class AddResult:
    added: list[str] = field(default_factory=list)
    duplicates: int = 0
    near_duplicates: int = 0


@dataclass
class PruneResult:
    kept: int
    removed: int
    reasons: dict[str, int]
    dry_run: bool = False


class Pool(DerivedFiles):
    """One pool directory. Open with :meth:`Pool.open`."""

    def __init__(self, path: Path, settings, *, embedder=None, on_warning=None, name: str | None = None):
        self.path = Path(path)
        self.name = name or self.path.name
        self.settings = settings
        self._embedder = embedder
        self._embedder_checked = False
        self.warn: Callable[[str], None] = on_warning or (lambda m: warnings.warn(m, stacklevel=3))
        self._store = JsonlStore(self.path, self.warn)
        self._flock = lock_file(self.path, settings)
        self._tlock = threading.RLock()
        self._depth = 0
        self._indexes: dict[str, HnswIndex] = {}
        self._saved: dict[str, int] = {}
        self.health: dict[str, str] = {}
        self._mmaps: dict[str, np.ndarray] = {}
        self._reset()

    # ---- opening ---------------------------------------------------------------------------------
    @classmethod
    def open(cls, spec: str | Path | None = None, settings=None, *, embedder=None, create: bool = True,
             seed: str | None = None, on_warning: Callable[[str], None] | None = None) -> "Pool":
        """Open (creating and seeding if needed) the pool named or located by ``spec``; with
        ``create=False`` a pool that has no ``experiences.jsonl`` yet is a :class:`PoolError` and
        nothing is created."""
        if settings is None:
            from ..config import load_settings

            settings = load_settings()
        path, name = resolve(spec, settings)
        if not create and not (path / "experiences.jsonl").is_file():  # checked before anything is made
            raise PoolError(f"pool {spec or settings.pool} does not exist ({path})")
        path.mkdir(parents=True, exist_ok=True)
        pool = cls(path, settings, embedder=embedder, on_warning=on_warning, name=name)
        pool.refresh()
        seed = seed or default_seed_for(name)
        if seed and len(pool) == 0 and not (path / META).exists():
            pool._seed(seed)
        pool._check_derived()
        return pool

    list_pools = staticmethod(list_pools)  # the pools under settings.pools_dir (:mod:`.locate`)

    def _seed(self, seed: str) -> None:
        if seed_file(seed) is None:
            return
        try:
            exps = read_seed(seed)
        except ValueError as e:
            raise PoolCorrupt(str(e)) from None
        with self._write():
            if len(self) == 0 and not (self.path / META).exists():
                self.add(exps, remember=True)

    # ---- snapshot ----------------------------------------------------------------------------------
    def _reset(self) -> None:
        self._sum = Summaries()
        self._end = 0
        self._next_line = 1
        self._inode: int | None = None
        self._key: tuple | None = None
        self._exps: list[Experience | None] = []
        self._cached = 0
        self._indexes.clear()
        self._mmaps.clear()

    def refresh(self) -> None:
        """Pick up what other processes committed since the last look (two ``stat`` calls)."""
        with self._tlock:
            key = self._store.stat_key()
            if key == self._key:
                return
            committed = self._store.committed_length()
            full = self._inode != self._store.inode() or (committed is not None and committed < self._end)
            if full:
                self._reset()
            self._inode = self._store.inode()
            if self._end == 0:
                self._load_cache(committed)
            chunk = self._store.read(self._end, self._next_line, locked=self._depth > 0)
            start = len(self._sum)
            self._sum.extend(chunk, self._store.path)
            self._exps.extend([None] * len(chunk.records))
            self._end, self._next_line, self._key = chunk.end, chunk.next_line, key
            if len(self._sum) - self._cached >= max(CACHE_EVERY, len(self._sum) // 20):
                self._save_cache()
            if full and start == 0 and self._depth == 0 and self._meta_seen:
                self._check_derived()
            for space, idx in self._indexes.items():
                rows = self._rows(space)
                if rows < len(self._sum):
                    self._indexes.clear()  # vectors short: the next knn re-verifies
                    break
                idx.add(self._vectors_of(space, idx.count, len(self._sum)), idx.count)

    _meta_seen = False
    _verified = None  # stat_key of the JSONL when stats() last verified every line

    def _load_cache(self, committed: int | None) -> None:
        blob = load_cache(self.path)
        if blob is None:
            return
        end = blob["jsonl_bytes"]
        limit = committed if committed is not None else self._store.path.stat().st_size
        try:
            if end > limit or blob.get("tail_sha256") != self._tail_sha(end):
                return
            self._sum = Summaries.from_cache(blob)
        except (OSError, ValueError, KeyError, TypeError):
            return
        self._end, self._next_line = end, int(blob["next_line"])
        self._exps = [None] * len(self._sum)
        self._cached = len(self._sum)

    def _save_cache(self) -> None:
        try:
            blob = self._sum.to_cache(self._end, self._next_line, self._tail_sha(self._end))
            atomic_write(self.path / CACHE, blob, durable=False)
        except OSError:  # a read-only pool: the cache is only an optimisation
            return
        self._cached = len(self._sum)

    def __len__(self) -> int:
        self.refresh()
        return len(self._sum)

    @property
    def ids(self) -> list[str]:
        self.refresh()
        return list(self._sum.ids)

    def get(self, id: str) -> Experience | None:
        self.refresh()
        pos = self._sum.pos.get(id)
        return None if pos is None else self.experience_at(pos)

    def experience_at(self, pos: int) -> Experience:
        exp = self._exps[pos]
        if exp is None:
            self._materialise([pos])
            exp = self._exps[pos]
            assert exp is not None  # _materialise filled it or raised
        return exp

    def experiences(self) -> list[Experience]:
        """The committed snapshot; position == index label."""
        with self._tlock:
            self.refresh()
            missing = [i for i, e in enumerate(self._exps) if e is None]
            if missing:
                self._materialise(missing)
            return cast("list[Experience]", list(self._exps))  # every slot filled just above

    def _materialise(self, positions: list[int]) -> None:
        off = self._sum.offsets
        lo, hi = off[positions[0]], self._end
        data = self._store.read_bytes(lo, hi)
        for pos in positions:
            a = off[pos] - lo
            b = data.find(b"\n", a)
            line = data[a : b if b >= 0 else len(data)]
            try:
                self._exps[pos] = Experience.from_dict(orjson.loads(line))
            except orjson.JSONDecodeError as e:
                raise self._store.damaged(self._sum.lines[pos], f"not valid JSON (column {e.colno})") from None
            except ValueError as e:
                raise self._store.damaged(self._sum.lines[pos], invalid_reason(e)) from None

    # ---- writing -----------------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[None]:
        """Hold the write lock (re-entrant); on first entry repair whatever a crash left."""
        with self._tlock:
            if self._depth == 0:
                acquire(self._flock, self.path, self.settings)
                try:
                    if self._store.recover() == "rolled-forward":
                        for space in SPACES:
                            index_path(self.path, space).unlink(missing_ok=True)
                        (self.path / CACHE).unlink(missing_ok=True)
                        self._reset()
                        self._depth += 1
                        try:
                            self.refresh()
                            self._write_meta(self._read_meta().get("embedder", ""), indexes=False)
                        finally:
                            self._depth -= 1
                except BaseException:
                    self._flock.release()
                    raise
            self._depth += 1
            try:
                self.refresh()
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._flock.release()

    def add(self, exps: Iterable[Experience], *, dedup: bool = True, on_progress=None, remember: bool = False) -> AddResult:
        """Add a batch, all or nothing. Duplicates (same id) and near duplicates (same tool chain,
        trajectory cosine >= ``near_dup_threshold``) are skipped and counted when ``dedup``.
        ``remember``: the batch's vectors are kept machine-wide for the next pool that adds the same
        texts (the shipped seeds: :mod:`.remembered`)."""
        s = self.settings
        batch = [redact_experience(e, tuple(s.redact_patterns), s.observation_max_chars) for e in exps]
        result = AddResult()
        if not batch:
            return result
        lines = []
        for i, e in enumerate(batch):  # what is written must read back: validate now, not on open
            try:
                line = orjson.dumps(e.to_dict())
                Experience.from_dict(orjson.loads(line))
            except (ValueError, TypeError) as err:
                raise InvalidRecord(f"record {i + 1} of the batch", str(err)) from None
            lines.append(line)
        emb = self._get_embedder()
        tv = self._embed([e.trajectory_text() for e in batch], on_progress, len(batch), remember)
        qv = self._embed([e.question for e in batch], None, 0, remember)
        with self._write():
            self._check_derived()
            n = len(self._sum)
            near = self._near_candidates(tv) if dedup and n else None
            keep, result.duplicates, result.near_duplicates = select_new(batch, tv, self._sum, near, s.near_dup_threshold,
                                                                        dedup=dedup)
            if keep:
                VectorFile(vectors_path(self.path, "trajectory"), emb.dim).write_rows(n, tv[keep])
                VectorFile(vectors_path(self.path, "question"), emb.dim).write_rows(n, qv[keep])
                self._store.append([lines[i] for i in keep])
                self.refresh()
                self._write_meta(emb.fingerprint)
                for space, idx in self._indexes.items():
                    if idx.count - self._saved.get(space, 0) >= max(1000, idx.count // 20):
                        self._save_index(space)
            result.added = [batch[i].id for i in keep]
        if on_progress:
            on_progress(len(batch), len(batch))
        return result

    def _near_candidates(self, tv: np.ndarray) -> list[list[tuple[int, float]]]:
        idx = self._index("trajectory")
        k = min(10, idx.count)
        if k == 0:
            return [[] for _ in range(len(tv))]
        labels, sims = idx.knn(tv, k)
        return [list(zip(labels[i].tolist(), sims[i].tolist())) for i in range(len(tv))]

    def _embed(self, texts: list[str], on_progress, total: int, remember: bool = False) -> np.ndarray:
        emb = self._embedder if self._embedder is not None else self._get_embedder()
        if remember:
            return remembered(texts, emb, self.settings.model_cache / "seed-vectors",
                              lambda todo: self._embed(todo, on_progress, total))
        parts = []
        for i in range(0, len(texts), 64):
            parts.append(np.asarray(emb.embed_batch(texts[i : i + 64]), dtype=np.float32))
            if on_progress:
                on_progress(min(i + 64, len(texts)), total)
        return np.concatenate(parts) if parts else np.zeros((0, emb.dim), dtype=np.float32)

    def close(self) -> None:
        """Save loaded indexes that grew since they were last saved (if the lock is free), and
        the line summaries if a hundred or more lines are not cached yet."""
        with self._tlock:
            if len(self._sum) - self._cached >= 100:
                self._save_cache()
            for space, idx in list(self._indexes.items()):
                if idx.count != self._saved.get(space):
                    self._try_save(space)

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- search ------------------------------------------------------------------------------------
    def knn(self, vec, k: int, space: str = "trajectory", intent: str | None = None) -> list[tuple[int, float]]:
        """Nearest positions by cosine similarity, best first; ``intent`` restricts to that intent."""
        with self._tlock:
            self.refresh()
            n = len(self._sum)
            mask = self._sum.intent_mask(intent) if intent is not None else None
            avail = n if mask is None else int(mask.sum())
            k = min(k, avail)
            if k <= 0:
                return []
            idx = self._index(space)
            q = np.asarray(vec, dtype=np.float32).reshape(1, -1)
            if mask is None:
                labels, sims = idx.knn(q, k)
                return [(int(a), float(b)) for a, b in zip(labels[0], sims[0])]
            if avail > EXACT_BELOW:  # over-fetch unfiltered, keep that intent (a Python filter is slower)
                fetch = min(n, max(2 * k, int(1.5 * k * n / avail)))
                if fetch <= MAX_FETCH:
                    labels, sims = idx.knn(q, fetch)
                    hits = [(int(a), float(b)) for a, b in zip(labels[0], sims[0]) if mask[a]][:k]
                    if len(hits) == k:
                        return hits
            rows = np.flatnonzero(mask)  # few rows (or a rare intent): exact search
            sub = np.array(self.vectors(space, refresh=False)[rows], dtype=np.float32, order="C")
            # einsum, not BLAS: OpenBLAS threads stall for ~15 ms after hnswlib's worker threads ran
            s = np.einsum("ij,j->i", sub, q[0])
            top = np.argsort(-s)[:k]
            return [(int(rows[i]), float(s[i])) for i in top]

    def search(self, text: str, k: int = 10, space: str = "trajectory") -> list[tuple[Experience, float]]:
        vec = self._get_embedder().embed(text)
        return [(self.experience_at(p), sim) for p, sim in self.knn(vec, k, space)]

    # ---- usage, stats, export, prune ---------------------------------------------------------------
    def record_recalls(self, ids: Iterable[str]) -> None:
        """Count a recall of each id in ``usage.json`` (atomic, under its own small lock)."""
        update_usage(self.path, list(ids), self.settings.lock_timeout)

    def record_outcome(self, ids: Iterable[str], success: bool) -> None:
        """Record that an episode which was shown ``ids`` succeeded or failed (per-experience
        utility, in ``usage.json``; see :func:`summary.utility`)."""
        update_usage(self.path, list(ids), self.settings.lock_timeout, outcome=bool(success))

    def usage(self) -> dict[str, dict]:
        return load_usage(self.path, self.warn)

    def stats(self) -> dict:
        """What the pool holds; every committed line is verified first (:func:`.check.verify_lines`),
        so a damaged pool raises :class:`PoolCorrupt` naming the line instead of looking fine."""
        self.refresh()
        key = self._store.stat_key()
        if key != self._verified:  # ~15 µs a line; once per change of the file in this process
            verify_lines(self.path)
            self._verified = key
        health = {sp: self.health.get(sp) or self._index_file_health(sp) for sp in SPACES}
        return pool_stats(self._sum, self.path, self.name, health, self._read_meta(), self.usage())

    def export(self, fp: IO) -> int:
        """Write the committed records as JSONL to ``fp`` (text or binary); returns the count."""
        self.refresh()
        data = self._store.read_bytes(0, self._end)
        lines = [line for line in data.split(b"\n") if line.strip()]
        blob = b"".join(line + b"\n" for line in lines)
        try:
            fp.write(blob)
        except TypeError:
            fp.write(blob.decode("utf-8"))
        return len(lines)

    def prune(self, *, dedup: bool = False, max_size: int | None = None, older_than: timedelta | datetime | None = None,
              never_recalled: bool = False, dry_run: bool = False) -> PruneResult:
        """Remove entries and rewrite the pool atomically. ``max_size`` keeps the most recalled
        (then newest) entries; ``older_than`` is an age or a cutoff date."""
        with self._write():
            n = len(self._sum)
            near = None
            if dedup and n:
                near = self._near_candidates(np.asarray(self.vectors("trajectory", refresh=False)))
            keep, reasons = prune_plan(self._sum, self.usage(), self.settings.near_dup_threshold, dedup=dedup,
                                       near=near, max_size=max_size, older_than=older_than, never_recalled=never_recalled)
            result = PruneResult(kept=len(keep), removed=n - len(keep), reasons=reasons, dry_run=dry_run)
            if dry_run or len(keep) == n:
                return result
            data = self._store.read_bytes(0, self._end)
            off = self._sum.offsets
            lines = [data[off[p] : data.index(b"\n", off[p])] for p in keep]
            dim = self._dim()
            vecs = {sp: np.asarray(self.vectors(sp, refresh=False))[keep] for sp in SPACES}
            fingerprint = self._read_meta().get("embedder", "")
            rewrite(self._store, lines, vecs, dim)  # kept lines keep their recorded digests
            self._reset()
            self.refresh()
            self._write_meta(fingerprint, indexes=False)
            self._store.finish_rewrite()
            self._key = None
            return result

