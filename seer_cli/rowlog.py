"""Rows appended one at a time and fsync'ed: the unit of resumption of every long run.

Why this module exists (and sits this low): ToolQA and τ-bench runs, practice and
self-practice all keep a JSONL log whose rows must survive ``kill -9`` and whose admissions must
follow their rows; practice lives in the agent layer, the eval runners above it, so the log and
its write order live here, below both. :mod:`seer_cli.evals.harness` builds run directories on it.

* :class:`RowLog`: each row appended and fsync'ed before the next item starts; a torn last line
  (killed mid-write) is cut off, durably, before anything is appended after it.
  ``amend(row, fields)`` appends a small correction that :meth:`RowLog.rows` folds into the row
  it names, so what is known only after a row was written (was it admitted?) is still recorded
  without rewriting a line.
* :class:`Recorder`: the write lock and the order *row first, then admission* (so a killed run
  never recalls its own episode), then the per-row callback.
* :func:`run_items`: one item after another, or a thread pool for HTTP backends.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

import orjson

from .errors import UserError
from .fsutil import atomic_write

T = TypeVar("T")
AMEND = "_amend"  # the key of a correction line in a RowLog


class RowLog:
    """Rows of a JSONL file, appended one at a time and fsync'ed: the unit of resumption."""

    def __init__(self, path: str | Path, key: str | Callable[[dict[str, Any]], Any] = "id"):
        self.path = Path(path)
        self._key = (lambda row: row.get(key)) if isinstance(key, str) else key

    def key(self, row: dict[str, Any]) -> Any:
        return self._key(row)

    def rows(self, *, repair: bool = False) -> list[dict[str, Any]]:
        """The rows in file order, amendments folded in. A torn last line is ignored, or cut off
        (and the cut fsync'ed) with ``repair=True`` so that the next append starts a fresh line.
        A damaged line elsewhere is a :class:`UserError` naming ``file:line``."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data) and repair:
            with self.path.open("r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
        rows: list[dict[str, Any]] = []
        by_key: dict[Any, dict[str, Any]] = {}
        for lineno, line in enumerate(data[:end].splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise UserError(f"{self.path}:{lineno}: not valid JSON") from None
            if not isinstance(row, dict):
                raise UserError(f"{self.path}:{lineno}: not a JSON object")
            if AMEND in row:
                target = by_key.get(_hashable(row[AMEND]))
                if target is not None:
                    target.update(row.get("fields", {}))
                continue
            rows.append(row)
            by_key[_hashable(self.key(row))] = row
        return rows

    def done(self, *, repair: bool = False) -> set:
        """Keys of the rows written so far (hashable: lists become tuples)."""
        return {_hashable(self.key(r)) for r in self.rows(repair=repair)}

    def append(self, row: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as f:
            f.write(orjson.dumps(row) + b"\n")
            f.flush()
            os.fsync(f.fileno())

    def amend(self, row: dict[str, Any], fields: dict[str, Any]) -> None:
        """Record ``fields`` as part of ``row`` (already appended); ``row`` is updated too."""
        row.update(fields)
        self.append({AMEND: self.key(row), "fields": fields})


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value


def write_json(path: str | Path, obj: Any) -> None:
    atomic_write(Path(path), orjson.dumps(obj, option=orjson.OPT_INDENT_2), durable=False)


class Recorder:
    """Writes rows in the one safe order: the row (fsync'ed), then its admission into the pool.

    A killed run therefore never admits an episode whose row is missing, and ``--resume`` (which
    skips every row written) never runs it again, so no item can recall its own result.
    ``admit()`` returns whether it changed the pool; with ``amend=True`` that is recorded in the
    log as ``admitted`` (an amendment line), else the row's own ``admitted`` decision stands.
    """

    def __init__(self, log: RowLog, on_result: Callable[[dict[str, Any]], None] | None = None):
        self.log, self.on_result = log, on_result
        self.lock = threading.Lock()

    def record(self, row: dict[str, Any], admit: Callable[[], Any] | None = None, *, amend: bool = False) -> None:
        with self.lock:
            self.log.append(row)
            if admit is not None:
                result = admit()
                if amend and result:
                    self.log.amend(row, result if isinstance(result, dict) else {"admitted": True})
        if self.on_result:
            self.on_result(row)


def run_items(items: Iterable[T], one: Callable[[T], Any], concurrency: int = 1) -> None:
    """``one(item)`` for each item: in order, or ``concurrency`` at once (HTTP backends only).
    In order, ``items`` is read lazily: what ``one`` did may decide the next item."""
    if concurrency <= 1:
        for item in items:
            one(item)
        return
    with ThreadPoolExecutor(max_workers=concurrency) as ex:
        list(ex.map(one, items))
