"""The SEER agent: recall before every step, act with one constrained tool call, learn from success.

``Agent.run(question)`` yields typed steps (:mod:`.steps`); :mod:`.judge` decides which finished
trajectories the pool learns from. See :mod:`.loop` for the episode, :mod:`.prompt` for the
prompt layout and why it keeps a stable prefix.
"""

from __future__ import annotations

from .judge import Verdict, by_expected, by_self_check, by_user
from .loop import Agent
from .steps import ActionStep, CallbackRegistry, FinalStep, TaskStep, parse_step

__all__ = [
    "Agent",
    "ActionStep",
    "CallbackRegistry",
    "FinalStep",
    "TaskStep",
    "Verdict",
    "by_expected",
    "by_self_check",
    "by_user",
    "parse_step",
]
