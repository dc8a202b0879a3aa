"""Assemble an agent from settings: the one place that wires embedder, pool, backend and toolkit.

Why this module exists: the same four lines (embedder -> pool -> backend -> Agent) were written
in every command and runner, and drifted. ``open_agent(settings, toolkit)`` is the library's
door, as llm's ``get_model()`` is: a command parses its options into ``Settings``, builds the
toolkit (:func:`seer_cli.toolkits.build.build_toolkit`), opens the agent and renders its steps.
"""

from __future__ import annotations

from pathlib import Path

from .loop import Agent


def open_agent(settings, toolkit, *, pool=None, embedder=None, backend=None, **options) -> Agent:
    """An :class:`Agent` over ``toolkit``: the process-wide embedder and backend (unless given),
    and ``pool`` (a Pool, a name or a path; None: ``settings.pool``; a new one starts from
    :func:`new_pool_seed`).
    ``options`` are :class:`Agent`'s own (recall, demos, k, max_steps, callbacks, demo_order);
    None falls back to ``settings``."""
    if embedder is None:
        from ..embedder import get_embedder

        embedder = get_embedder()
    if pool is None or isinstance(pool, (str, Path)):
        from ..pool import Pool

        # a new pool, named or a path, starts from a seed (day one must not be worse than the default pool)
        pool = Pool.open(settings.pool if pool is None else pool, settings, embedder=embedder, seed=new_pool_seed(settings, toolkit))
    if backend is None:
        from ..backends.registry import get_backend

        backend = get_backend(settings)
    return Agent(backend, toolkit, pool, embedder, settings, **options)


def new_pool_seed(settings, toolkit) -> str | None:
    """The shipped seed a new pool starts from: ``settings.pool_seed`` when set ("" or "none":
    empty), else the toolkit's own (``toolqa-seed`` for the toolqa toolkit), else the general seed."""
    from ..pool.seeds import seed_names

    if settings.pool_seed is not None:
        return settings.pool_seed if settings.pool_seed not in ("", "none") else None
    own = f"{toolkit.name}-seed"
    return own if own in seed_names() else "general-seed"
