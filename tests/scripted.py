"""The one scripted backend, for the tests that check the plumbing around the model (CLI parsing,
the loop's stop rules, the refusal policy, the pool, formats, the eval harness, practice
bookkeeping, self-practice's wording and derivations): it replays fixed replies, where the real
model cannot be made to say a given thing on demand, and costs nothing to load.

It is a backend like any other: :func:`register` (called by ``tests/conftest.py``) adds the
``scripted:<name>`` prefix to seer's backend registry with the same ``register`` call a plugin
would use, so ``--model scripted:<name>`` (or ``SEER_MODEL``) selects it in CLI tests; the package
itself ships nothing of it. :func:`install` makes a fresh one under a new name (the registry caches
backends per name, and a script is used up as it is replayed).
"""

from __future__ import annotations

import itertools

import orjson

from seer_cli.backends.base import Backend, Completion

PREFIX = "scripted"
_SCRIPTS: dict[str, Scripted] = {}
_NAMES = itertools.count()


class Scripted(Backend):
    name = "scripted"
    n_ctx = 8192

    def __init__(self, replies, *, repeat_last: bool = True):
        """``replies``: texts, or dicts sent as their JSON (a step ``{thought, tool, args}``).
        ``repeat_last``: the last reply is given again once the others are used up (a model stuck
        on one step); else a call past the end raises, as a backend that fails would."""
        self.replies = [r if isinstance(r, str) else orjson.dumps(r).decode() for r in replies]
        self.repeat_last = repeat_last
        self.prompts: list[list[dict[str, str]]] = []  # the messages of every call, in order
        self.schemas: list[dict | None] = []  # the json_schema of every call, in order

    @property
    def calls(self) -> int:
        return len(self.prompts)

    def complete(self, messages, *, json_schema=None, stop=None, max_tokens=256, temperature=0.0, seed=0,
                 on_text=None, prefix_messages=0) -> Completion:
        self.prompts.append(messages)
        self.schemas.append(json_schema)
        if len(self.replies) > 1 or not self.repeat_last:
            text = self.replies.pop(0)
        else:
            text = self.replies[0]
        if on_text is not None:
            on_text(text)
        return Completion(text=text, prompt_tokens=10, prompt_tokens_evaluated=10, completion_tokens=5, seconds=0.0,
                          model=self.name)


def install(replies, **kw) -> tuple[Scripted, str]:
    """A new scripted backend and the model spec that selects it (``scripted:<n>``)."""
    name = str(next(_NAMES))
    backend = _SCRIPTS[name] = Scripted(replies, **kw)
    return backend, f"{PREFIX}:{name}"


def _factory(target: str, settings) -> Scripted:
    try:
        return _SCRIPTS[target]
    except KeyError:
        raise AssertionError(f"no scripted backend {target!r}: make one with scripted.install(replies)") from None


def register() -> None:
    from seer_cli.backends.registry import register as register_backend

    register_backend(PREFIX, _factory)
