"""The one interface every LLM backend implements.

A backend turns chat ``messages`` into a :class:`Completion`. ``json_schema``, when given, must
constrain decoding so that the text always parses and validates (llama.cpp grammar in process,
``response_format`` over HTTP). ``on_text`` receives text pieces as they are generated, for live
output. Token accounting is part of the contract: ``prompt_tokens_evaluated`` counts the prompt
tokens actually run through the model (not served from the KV cache), which is what recall's
prompt stability is measured by.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable


@dataclass
class Completion:
    text: str
    prompt_tokens: int = 0
    prompt_tokens_evaluated: int = 0  # prompt tokens not reused from the cache
    completion_tokens: int = 0
    seconds: float = 0.0
    finish_reason: str = "stop"
    model: str = ""

    @property
    def prompt_tokens_reused(self) -> int:
        return max(0, self.prompt_tokens - self.prompt_tokens_evaluated)


class Backend(ABC):
    """An LLM. Subclasses set ``name`` (e.g. ``llama-cpp:qwen2.5-coder-0.5b``) and implement
    :meth:`complete`."""

    name: str = "backend"
    n_ctx: int | None = None  # the context window in tokens when the backend knows it (llama.cpp); None: settings.n_ctx

    # Optional, not declared here: ``render(messages) -> str`` and ``tokenize(prompt) -> list[int]``
    # (llama.cpp only; see seer_cli.agent.contracts.TokenCounter) make the agent's context budget exact.

    @abstractmethod
    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        json_schema: dict[str, Any] | None = None,
        stop: list[str] | None = None,
        max_tokens: int = 256,
        temperature: float = 0.0,
        seed: int | None = 0,
        on_text: Callable[[str], None] | None = None,
        prefix_messages: int = 0,
    ) -> Completion:
        """Generate one assistant message. ``prefix_messages``: the first N messages are a prefix
        that recurs across calls (the system prompt and the demonstrations); a backend may keep
        the model state after it to skip evaluating it again (hint only, output is the same)."""

    def close(self) -> None:  # pragma: no cover - optional
        """Release resources (model memory, HTTP connections)."""
