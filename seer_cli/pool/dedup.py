"""What counts as a duplicate when a batch is added to a pool.

Two rules, both switched off by ``dedup=False``: an *exact* duplicate has the id (content hash) of
an experience already in the pool or earlier in the batch; a *near* duplicate has the same tool
chain as one of them and a trajectory cosine of at least ``near_dup_threshold`` (the same plan
written again with other words). Kept apart from :mod:`.pool`, which decides *when* this runs (under
the write lock, against the committed snapshot), because this part is only the decision.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .records import Experience
from .summary import Summaries


def select_new(batch: Sequence[Experience], tv: np.ndarray, known: Summaries, near: list[list[tuple[int, float]]] | None,
               threshold: float, *, dedup: bool) -> tuple[list[int], int, int]:
    """``(rows of the batch to keep, exact duplicates, near duplicates)``. ``tv``: the batch's
    trajectory vectors; ``near``: each row's nearest pool positions with their cosine (or None)."""
    keep: list[int] = []
    duplicates = near_duplicates = 0
    seen: set[str] = set()
    chains: dict[tuple[str, ...], list[int]] = {}  # kept batch rows by tool chain
    for i, e in enumerate(batch):
        rid = e.id
        if dedup and (rid in known.pos or rid in seen):
            duplicates += 1
            continue
        tools = tuple(e.tools)
        same = chains.setdefault(tools, [])
        if dedup and (
            any(known.tools[p] == tools and sim >= threshold for p, sim in (near[i] if near else []))
            or (same and float(np.max(np.einsum("ij,j->i", tv[same], tv[i]))) >= threshold)
        ):
            near_duplicates += 1
            continue
        keep.append(i)
        same.append(i)
        seen.add(rid)
    return keep, duplicates, near_duplicates
