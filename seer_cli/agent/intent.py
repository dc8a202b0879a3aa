"""Intent classification: one schema-constrained call picks a label from the toolkit's intents.

The intent does two jobs: recall scores experiences of the same intent higher, and the toolkit's
hint for that intent goes into the prompt. Decoding is constrained to the toolkit's enum, so the
answer is always a valid label; a toolkit with a single intent needs no call at all.
"""

from __future__ import annotations

import json
import time

from .prompt import render


def intent_schema(intents: list[str]) -> dict:
    return {
        "type": "object",
        "properties": {"intent": {"type": "string", "enum": list(intents)}},
        "required": ["intent"],
        "additionalProperties": False,
    }


def classify_intent(backend, toolkit, question: str, *, seed: int | None = 0) -> tuple[str, str, float]:
    """Return ``(intent, source, seconds)``; source is ``"only"`` or ``"classified"``."""
    intents = list(getattr(toolkit, "intents", None) or ["general"])
    if len(intents) == 1:
        return intents[0], "only", 0.0
    hints = getattr(toolkit, "intent_hints", {}) or {}
    hint_lines = "\n".join(f"- {i}: {hints[i]}" for i in intents if hints.get(i))
    messages = [
        {"role": "system", "content": render("intent", intents=", ".join(intents), hints=hint_lines)},
        {"role": "user", "content": question},
    ]
    t0 = time.perf_counter()
    comp = backend.complete(messages, json_schema=intent_schema(intents), max_tokens=24, temperature=0.0, seed=seed)
    seconds = time.perf_counter() - t0
    try:
        intent = json.loads(comp.text)["intent"]
    except (ValueError, KeyError, TypeError):
        intent = None
    if intent not in intents:  # only possible with a backend that ignores the schema
        intent = intents[0]
    return intent, "classified", seconds
