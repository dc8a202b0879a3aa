"""seer: Stepwise Experience Recall (SEER, arXiv 2508.15214) for small local LLMs.

The public Python API; the ``seer`` command is a thin layer over it. Names are imported lazily so
that ``import seer_cli`` (and ``seer --help``) stays fast::

    from seer_cli import Agent, Pool, get_backend, get_toolkit, get_embedder, load_settings
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "Agent": "seer_cli.agent",
    "Pool": "seer_cli.pool",
    "Experience": "seer_cli.pool.records",
    "Step": "seer_cli.pool.records",
    "get_backend": "seer_cli.backends.registry",
    "get_embedder": "seer_cli.embedder",
    "tool": "seer_cli.toolkits.tool",
    "Toolkit": "seer_cli.toolkits.base",
    "get_toolkit": "seer_cli.toolkits.base",
    "load_settings": "seer_cli.config",
    "Settings": "seer_cli.config",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'seer_cli' has no attribute {name!r}")
