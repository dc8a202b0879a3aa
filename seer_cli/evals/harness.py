"""The run harness: what every long, resumable run of seer shares.

Why this module exists: ToolQA, τ-bench, practice and self-practice are all hours of model time
on a laptop, so each must survive ``kill -9``, refuse to overwrite a finished run, never run an
item twice, and never let an episode recall its own result. Those guarantees used to be written
out in each runner (and drifted: only one survived a corrupt ``config.json``, practice cut a torn
log line without fsync). Here they are written once; a runner keeps only its plan, its row and
its admission rule.

* :class:`RowLog` (in :mod:`seer_cli.rowlog`, below the agent, which practises with it): a JSONL file of rows, each appended and fsync'ed before the next item starts;
  a torn last line (killed mid-write) is cut off, durably, before anything is appended after it.
  ``amend(row, fields)`` appends a small correction that :meth:`RowLog.rows` folds into the row
  it names, so what is known only after a row was written (was it admitted?) is still recorded
  without ever rewriting a line.
* :class:`RunDir`: ``config.json`` (round trip, a corrupt file is a one-line error), the rows in
  ``results.jsonl``, ``summary.json``; ``--out`` over an existing run is refused without
  ``--resume``.
* :class:`Recorder`: the write lock, the order *row first, then admission* (so a killed run
  never recalls its own episode), and the per-row callback.
* :func:`run_items`: one item after another, or a thread pool for HTTP backends.
* :func:`open_run_pool`: a run's own pool, a copy of its starting pool (a shipped seed or the
  user's pool, read only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import orjson

from ..errors import UserError
from ..rowlog import Recorder, RowLog, run_items, write_json

__all__ = ["Recorder", "RowLog", "RunDir", "open_run_pool", "run_items", "starting_experiences", "write_json"]


class RunDir:
    """A run directory: ``config.json``, ``results.jsonl`` (a :class:`RowLog`), ``summary.json``."""

    def __init__(self, path: str | Path, key: str | Callable[[dict[str, Any]], Any] = "id"):
        self.path = Path(path)
        self.results = RowLog(self.path / "results.jsonl", key)

    @property
    def config_path(self) -> Path:
        return self.path / "config.json"

    def load_config(self, config_type, command: str):
        """The saved config of ``--resume``: missing or damaged is a one-line :class:`UserError`."""
        if not self.config_path.is_file():
            raise UserError(f"--resume {self.path}: no config.json there (not a {command} run directory)")
        try:
            data = orjson.loads(self.config_path.read_bytes())
            if not isinstance(data, dict):
                raise TypeError
            return config_type.from_dict(data)
        except (orjson.JSONDecodeError, TypeError, ValueError):
            raise UserError(f"{self.config_path}: not a valid run configuration") from None

    def refuse_existing(self) -> None:
        """A new run never writes over another: ``--out`` holding results needs ``--resume``."""
        if self.results.path.exists():
            raise UserError(f"--out {self.path}: already holds a run; use --resume {self.path} or another directory")

    def start(self, config, *, resume: bool) -> None:
        """Create the directory and, for a new run, save its config (after every check passed)."""
        self.path.mkdir(parents=True, exist_ok=True)
        if not resume:
            write_json(self.config_path, config.to_dict())

    def write_summary(self, summary: dict[str, Any]) -> None:
        write_json(self.path / "summary.json", summary)


def open_run_pool(run_dir: str | Path, settings, embedder, *, seed: str | None, start: str | None = None):
    """The run's own pool under ``run_dir/pool``: on first open a copy of the shipped seed pool
    ``seed`` (None: empty), or of the user's pool ``start`` (name or path, read only)."""
    from ..pool import Pool

    pool_dir = Path(run_dir) / "pool"
    fresh = not (pool_dir / "experiences.jsonl").exists()
    if start is None or start == seed:
        return Pool.open(pool_dir, settings, embedder=embedder, create=True, seed=seed)
    pool = Pool.open(pool_dir, settings, embedder=embedder, create=True)
    if fresh:
        pool.add(starting_experiences(start, settings, embedder), dedup=False)
    return pool


def starting_experiences(spec: str, settings, embedder) -> list:
    """Experiences of a starting pool: a shipped seed pool by name, else a user's pool (read only)."""
    from ..pool import Pool
    from ..pool.seeds import read_seed, seed_names

    if spec in seed_names():
        return read_seed(spec)
    return Pool.open(spec, settings, embedder=embedder, create=False).experiences()
