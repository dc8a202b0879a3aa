"""What an :class:`~seer_cli.agent.loop.Agent` is made of, written as Protocols.

The agent loop, the intent step, the judges, practice and the eval runners use a backend, a
toolkit, a pool and an embedder only through the methods below. The built-ins are
:class:`seer_cli.backends.base.Backend`, :class:`seer_cli.toolkits.base.Toolkit`,
:class:`seer_cli.pool.Pool` and :class:`seer_cli.embedder.Embedder`, whose base classes define every
attribute listed here, so callers use them directly instead of guarding with ``getattr``. Nothing
checks these at run time (a test's scripted backend, ``tests/test_agent_loop.py``, is a plain class).

One capability is optional and stays guarded where it is used: :class:`TokenCounter`. Only the
in-process llama.cpp backend can render a chat and tokenize it, which makes the agent's context
budget exact; over HTTP the agent estimates 3 characters a token.

``PoolLike`` and ``EmbedderLike`` live in :mod:`seer_cli.pool.contracts` (recall, below the agent,
names them) and are re-exported here.
"""

from __future__ import annotations

from typing import Any, Callable, ContextManager, Protocol

from ..backends.base import Completion
from ..pool.contracts import EmbedderLike, PoolLike
from ..toolkits.tool import Tool

__all__ = ["BackendLike", "EmbedderLike", "PoolLike", "TokenCounter", "ToolkitLike"]


class BackendLike(Protocol):
    """An LLM: chat messages in, one :class:`Completion` out; ``json_schema`` constrains decoding."""

    name: str  # e.g. "llama-cpp:qwen2.5-coder-0.5b"; stored as an experience's model
    n_ctx: int | None  # the context window when the backend knows it; None: settings.n_ctx

    def complete(self, messages: list[dict[str, str]], *, json_schema: dict[str, Any] | None = None,
                 stop: list[str] | None = None, max_tokens: int = 256, temperature: float = 0.0,
                 seed: int | None = 0, on_text: Callable[[str], None] | None = None,
                 prefix_messages: int = 0) -> Completion: ...


class TokenCounter(Protocol):
    """The optional part of a backend (llama.cpp only): the exact prompt it would evaluate."""

    def render(self, messages: list[dict[str, str]]) -> str: ...

    def tokenize(self, prompt: str) -> list[int]: ...


class ToolkitLike(Protocol):
    """The tools an agent may call, the intents it classifies questions into, and its prompt parts."""

    name: str

    @property
    def intents(self) -> list[str]: ...

    @property
    def intent_hints(self) -> dict[str, str]: ...

    @property
    def done(self) -> bool:
        """A conversational toolkit turns it true when the episode is over."""
        ...

    def tools(self) -> list[Tool]:
        """Every tool on offer, ``Finish`` last."""
        ...

    def call(self, name: str, args: Any) -> str:
        """Run one call; a model mistake raises :class:`seer_cli.errors.ToolCallError`."""
        ...

    def step_schema(self, thought_max_chars: int = 200) -> dict:
        """The JSON schema of one step ``{"thought", "tool", "args"}`` (the decoding grammar)."""
        ...

    def tool_specs_text(self) -> str: ...

    def refine_intent(self, question: str, intent: str) -> str:
        """The classified intent after what the toolkit knows of its inputs."""
        ...

    def system_prompt(self) -> str | None:
        """A toolkit's own system prompt (τ-bench's policy), or None for ``prompts/system.md``."""
        ...

    def asked(self, question: str) -> ContextManager[None]:
        """The episode answering ``question``: tools may read its words (Retrieve ranks by them too)."""
        ...

    def close(self) -> None: ...
