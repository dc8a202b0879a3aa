"""One question to the model whose reply is constrained to a JSON schema: the wording of a task, a
second derivation, a tool call decoded back from a question, a passage's proposed question.

Why a module: self-practice asks the model for small JSON objects in many places, and each must
treat an unparsable reply or a backend hiccup the same way (nothing derived, no task), never as a
crash of the run.
"""

from __future__ import annotations

import json
from typing import Any


def ask_json(backend, messages: list[dict[str, str]], schema: dict, max_tokens: int, temperature: float = 0.0,
             seed: int = 0) -> dict[str, Any] | None:
    """The model's reply to ``messages`` as a JSON object (greedy unless ``temperature`` > 0, then
    sampled with ``seed``), or None when it is unparsable, not an object, or the backend failed."""
    try:
        comp = backend.complete(messages, json_schema=schema, max_tokens=max_tokens, temperature=temperature,
                                **({"seed": seed} if temperature > 0 else {}))
        data = json.loads(comp.text)
    except Exception:  # noqa: BLE001 (unparsable or a backend hiccup: the caller derives nothing from it)
        return None
    return data if isinstance(data, dict) else None
