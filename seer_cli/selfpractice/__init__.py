"""Self-practice (``seer practice --auto``): seer teaches itself a user's tables, documents and
tools before the first question, admitting only what execution verifies.

:mod:`.tasks` (a generated task and its executed gold), :mod:`.tables`, :mod:`.docs`,
:mod:`.tools` (the generators), :mod:`.examples` (verified episodes, worked examples,
recoveries, re-verification), :mod:`.ledger` (coverage), :mod:`.run` (the practice loop).
"""

from __future__ import annotations

from .tasks import AutoTask, Call

__all__ = ["AutoTask", "Call"]
