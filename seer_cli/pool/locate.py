"""Where pools live: a pool is named (a directory under ``settings.pools_dir``) or given by path.

Kept apart from :mod:`.pool` because naming and listing pools needs no open pool: ``seer pool list``
and the commands that find a pool's directory before (or instead of) opening it (``check``,
``repair``) only read directories. :class:`.pool.Pool` keeps ``Pool.list_pools`` as a door to here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import orjson

from ..errors import UserError
from .derived import META

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def resolve(spec: str | Path | None, settings) -> tuple[Path, str | None]:
    """(directory, name); name is None when ``spec`` is a path."""
    spec = settings.pool if spec is None else spec
    if isinstance(spec, Path) or "/" in str(spec) or os.sep in str(spec) or Path(str(spec)).exists():
        return Path(spec).expanduser().resolve(), None
    if not _NAME.match(str(spec)):
        raise UserError(f"pool name {spec!r}: use letters, digits, '.', '_' and '-' (or give a path)")
    return settings.pools_dir / str(spec), str(spec)


def list_pools(settings=None) -> list[dict]:
    """The pools under ``settings.pools_dir``: name, path, entries, bytes."""
    if settings is None:
        from ..config import load_settings

        settings = load_settings()
    rows = []
    root = settings.pools_dir
    for d in sorted(root.iterdir()) if root.is_dir() else []:
        f = d / "experiences.jsonl"
        if not f.is_file():
            continue
        try:
            meta = orjson.loads((d / META).read_bytes())
            entries = int(meta["count"])
        except (OSError, ValueError, KeyError, TypeError):
            entries = f.read_bytes().count(b"\n")
        rows.append({"name": d.name, "path": str(d), "entries": entries, "bytes": f.stat().st_size})
    return rows
