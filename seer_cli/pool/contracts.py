"""The pool and the embedder as recall, the agent and the runners use them, written as Protocols.

Recall (:mod:`.recall`), the agent loop, the intent vote, the judges and the eval runners take any
object that provides these methods, not only :class:`.pool.Pool` and
:class:`seer_cli.embedder.Embedder`; the tests pass an in-memory pool of real vectors
(``tests/test_recall.py``). This module says what "provides" means, once, instead of leaving it to
``getattr`` guards at the call sites. Nothing checks these at run time: they are for readers and
type checkers, and a stand-in needs only what its user calls (recall calls ``experiences``,
``vectors``, ``knn``, ``record_recalls`` with ``record_usage=True``, and ``usage`` only when
``w_utility`` is on).

They sit in the pool layer so that :mod:`.recall` can name them; the agent's parts (backend,
toolkit) are in :mod:`seer_cli.agent.contracts`, which re-exports these two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Protocol

import numpy as np

from .records import Experience

if TYPE_CHECKING:
    from .pool import AddResult


class EmbedderLike(Protocol):
    """Text -> L2-normalised float32 vectors (:class:`seer_cli.embedder.Embedder`)."""

    dim: int
    fingerprint: str

    def embed_batch(self, texts: list[str]) -> np.ndarray: ...

    def embed(self, text: str) -> np.ndarray: ...

    def embed_cached(self, text: str) -> np.ndarray:
        """``embed`` for a caller that repeats itself (the question at every episode start)."""
        ...


class PoolLike(Protocol):
    """An experience pool (:class:`seer_cli.pool.Pool`): a committed snapshot whose positions are
    the labels of its vectors and of ``knn``'s answers."""

    def experiences(self) -> list[Experience]: ...

    def vectors(self, space: str) -> np.ndarray:
        """Row i is position i's vector in ``space`` ("trajectory" or "question")."""
        ...

    def knn(self, vec, k: int, space: str = "trajectory", intent: str | None = None) -> list[tuple[int, float]]:
        """``(position, cosine)`` best first; with ``intent``, only experiences of that intent."""
        ...

    def record_recalls(self, ids: Iterable[str]) -> None: ...

    def record_outcome(self, ids: Iterable[str], success: bool) -> None:
        """An episode that was shown ``ids`` succeeded or failed (the utility recall can weigh)."""
        ...

    def usage(self) -> dict[str, dict]:
        """Per id: times recalled, judged, wins (``usage.json``)."""
        ...

    def add(self, exps: Iterable[Experience], *, dedup: bool = True,
            on_progress: Callable[[int, int], None] | None = None) -> AddResult: ...
