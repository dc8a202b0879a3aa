"""Errors say whose fault they are.

* ``UserError`` and its subclasses: the user gave us something we cannot use (a missing file,
  a bad line in a log, an unreachable server). The CLI prints ``str(error)`` as one line on
  stderr and exits with ``exit_code``; no traceback.
* ``PoolCorrupt`` / ``PoolLocked``: the pool on disk cannot be used as it is.
* ``ToolCallError``: the *model* made a mistake (unknown tool, bad argument). The agent turns it
  into the next observation, naming the valid choices; it never ends the episode.
* Anything else is our bug and is allowed to raise with a traceback.
"""

from __future__ import annotations


class SeerError(Exception):
    """Base class of every error seer reports to a user as one line."""

    exit_code = 1


class UserError(SeerError):
    """Bad input from the user: a file, an option, a line of a log."""


class ModelError(UserError):
    """A model file is missing, not a GGUF, truncated or fails its checksum."""


class BackendError(UserError):
    """The LLM backend cannot be reached or answered something unusable."""


class ContextOverflow(BackendError):
    """The prompt does not fit the model's context window (the agent ends the episode with
    ``reason="context"`` instead of failing)."""


class EmbedderError(UserError):
    """The embedding model is missing or unusable."""


class InvalidRecord(UserError):
    """A record in an input file is invalid. ``where`` is ``file:line``."""

    def __init__(self, where: str, reason: str):
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}")


class PoolError(SeerError):
    """A pool cannot be used."""


class PoolCorrupt(PoolError):
    """The pool's source of truth (experiences.jsonl) is unreadable beyond repair."""


class PoolLocked(PoolError):
    """Another process holds the pool's write lock for longer than the timeout."""


class ToolCallError(Exception):
    """The model called a tool wrongly. The message becomes the next observation."""
