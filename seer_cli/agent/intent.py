"""Intent classification: which of the toolkit's intents a question belongs to.

The intent does two jobs: recall scores experiences of the same intent higher, and the toolkit's
hint for that intent goes into the prompt, so a wrong intent costs twice (wrong demos first, a
misleading hint). Two classifiers, tried in this order:

* ``"nearest"``: a similarity-weighted vote of the question's nearest successful pool experiences
  (question space, the vector recall computes anyway). Used when the pool holds a successful
  experience of every intent the toolkit offers, so no intent is unreachable. Measured on 45
  ToolQA questions (coffee, scirex, gsm8k; 15 each) with the toolqa seed pool: 45/45 right, where
  the 0.5B model's constrained call got 23/45 (it put most maths questions under "coffee").
* ``"classified"``: one schema-constrained model call; decoding is constrained to the intents, so
  the answer is always a valid label.

Then the toolkit may refine it (``"inputs"``): the general toolkit moves to "docs" a question
with no number whose words are its documents' words, which the vote had put under math or code
("Which code opens the harbour gate?").

A toolkit with a single intent needs neither (``"only"``).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from typing import TYPE_CHECKING

from .prompt import render

if TYPE_CHECKING:
    from .contracts import BackendLike, EmbedderLike, PoolLike, ToolkitLike

VOTERS = 5  # nearest experiences that vote


def intent_schema(intents: list[str]) -> dict:
    return {
        "type": "object",
        "properties": {"intent": {"type": "string", "enum": list(intents)}},
        "required": ["intent"],
        "additionalProperties": False,
    }


def nearest_intent(pool: PoolLike | None, embedder: EmbedderLike | None, question: str, intents: list[str]) -> str | None:
    """The similarity-weighted majority intent of the nearest successful experiences, or None
    when the pool lacks a successful experience of some intent in ``intents``."""
    if pool is None or embedder is None:
        return None
    exps = pool.experiences()
    if not {e.intent for e in exps if e.succeeded} >= set(intents):
        return None
    vec = embedder.embed_cached(question)
    votes: dict[str, float] = defaultdict(float)
    voters = 0
    for pos, sim in pool.knn(vec, min(len(exps), 8 * VOTERS), space="question"):
        e = exps[pos] if pos < len(exps) else None
        if e is None or not e.succeeded or e.intent not in intents:
            continue
        votes[e.intent] += max(sim, 0.0)
        voters += 1
        if voters == VOTERS:
            break
    if not votes:
        return None
    return max(intents, key=lambda i: (votes.get(i, 0.0), -intents.index(i)))


def classify_intent(backend: BackendLike, toolkit: ToolkitLike, question: str, *, seed: int | None = 0,
                    pool: PoolLike | None = None, embedder: EmbedderLike | None = None) -> tuple[str, str, float]:
    """Return ``(intent, source, seconds)``; source is ``"only"``, ``"nearest"`` or ``"classified"``."""
    intents = list(toolkit.intents or ["general"])
    if len(intents) == 1:
        return intents[0], "only", 0.0
    t0 = time.perf_counter()
    intent = nearest_intent(pool, embedder, question, intents)
    if intent is not None:
        return _refined(toolkit, question, intent, "nearest", t0)
    hints = toolkit.intent_hints or {}
    hint_lines = "\n".join(f"- {i}: {hints[i]}" for i in intents if hints.get(i))
    messages = [
        {"role": "system", "content": render("intent", intents=", ".join(intents), hints=hint_lines)},
        {"role": "user", "content": question},
    ]
    comp = backend.complete(messages, json_schema=intent_schema(intents), max_tokens=24, temperature=0.0, seed=seed)
    try:
        intent = json.loads(comp.text)["intent"]
    except (ValueError, KeyError, TypeError):
        intent = None
    if intent not in intents:  # only possible with a backend that ignores the schema
        intent = intents[0]
    return _refined(toolkit, question, intent, "classified", t0)


def _refined(toolkit: ToolkitLike, question: str, intent: str, source: str, t0: float) -> tuple[str, str, float]:
    """The toolkit's last word (:meth:`seer_cli.toolkits.base.Toolkit.refine_intent`): a question in
    the words of the user's documents is about them, whatever the vote said; source ``"inputs"``."""
    refined = toolkit.refine_intent(question, intent)
    if refined != intent and refined in (toolkit.intents or []):
        return refined, "inputs", time.perf_counter() - t0
    return intent, source, time.perf_counter() - t0
