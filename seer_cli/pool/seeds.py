"""The seed pools shipped with seer, so a fresh install already recalls something.

Seed pools live in the repository's ``pools/<name>/experiences.jsonl`` and are installed as
the data package ``seer_cli.seed_pools``. The default pool is seeded from ``general-seed``
the first time it is used; the ToolQA evaluation uses ``toolqa-seed``. A seed that is not
shipped is simply absent (the pool starts empty).
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

PACKAGE = "seer_cli.seed_pools"
FILE = "experiences.jsonl"
DEFAULT_SEED = "general-seed"


def _root() -> Traversable | None:
    try:
        return resources.files(PACKAGE)
    except (ModuleNotFoundError, TypeError):
        return None


def seed_names() -> list[str]:
    """Names of the shipped seed pools (those with an ``experiences.jsonl``), sorted."""
    root = _root()
    if root is None:
        return []
    return sorted(d.name for d in root.iterdir() if d.is_dir() and (d / FILE).is_file())


def seed_file(name: str) -> Traversable | None:
    """The seed's ``experiences.jsonl`` (read it with ``.read_bytes()``), or None if not shipped."""
    root = _root()
    if root is None or "/" in name or name.startswith("."):
        return None
    f = root / name / FILE
    return f if f.is_file() else None


def default_seed_for(pool_name: str | None) -> str | None:
    """Which seed a pool gets on first use: only the default pool is seeded implicitly."""
    return DEFAULT_SEED if pool_name == "default" else None


def read_seed(name: str) -> list:
    """The experiences of the shipped seed ``name`` (a damaged line raises ``ValueError`` naming it)."""
    import orjson

    from .records import Experience

    f = seed_file(name)
    if f is None:
        raise ValueError(f"{name}: no such shipped seed pool")
    out = []
    for i, line in enumerate(f.read_bytes().splitlines(), 1):
        if line.strip():
            try:
                out.append(Experience.from_dict(orjson.loads(line)))
            except (orjson.JSONDecodeError, ValueError) as e:
                raise ValueError(f"seed pool {name}/{FILE}:{i}: {e}") from None
    return out
