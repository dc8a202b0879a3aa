"""The typed steps an episode is made of.

``Agent.run`` is a generator of these: one :class:`TaskStep`, then one :class:`ActionStep` per
model call, then one :class:`FinalStep`. The CLI renders them, evals aggregate them, tests assert
on them: one stream for everybody. Each step knows how to turn itself into plain JSON.

:class:`CallbackRegistry` keeps logging and live display out of the loop: callbacks are
registered per step type (or for every step) and called as steps are produced.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, ClassVar, Iterable, Literal, Mapping

from ..pool.records import Experience, call_text


# Why an episode ended: Finish; the step budget; the context window; unparsable output twice; a
# third identical call in a row; a conversation that ended (user left, transfer); the third refused
# error-message Finish.
Reason = Literal["finish", "max_steps", "context", "parse", "repeat", "done", "error_answer"]
ErrorKind = Literal["parse", "call", "tool", "refused"]


@dataclass
class TaskStep:
    """The episode starts: what is asked and how it will be approached."""

    question: str
    intent: str
    intent_source: str  # "given" | "nearest" | "classified" | "only"
    toolkit: str
    recall: str
    demos: str
    k: int
    max_steps: int
    run_id: str
    seconds: float = 0.0  # time spent classifying the intent

    kind: ClassVar[Literal["task"]] = "task"  # a class attribute, not a field (as are the other steps' kinds)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass
class ActionStep:
    """One model call and what came of it.

    ``recalled`` lists the demonstrations shown for this step, in prompt order, each a dict with
    ``id``, ``score``, ``sim``, ``coverage``, ``intent`` (None for static demos) and, for recalled
    ones, ``terms``: the weighted parts that add up to ``score``; ``recall_ms``
    is the whole recall, ``recall_parts`` its split (embedding, index search, exact re-scoring).
    ``prompt_tokens_evaluated`` counts prompt tokens not served from the KV cache.
    ``error`` is set when the step's call failed (its text is also the observation) or when the
    model's output could not be parsed (``tool`` is then empty).
    """

    index: int
    thought: str
    tool: str
    args: dict[str, Any]
    observation: str = ""
    error: str | None = None
    recalled: list[dict[str, Any]] = field(default_factory=list)
    prompt_tokens: int = 0
    prompt_tokens_evaluated: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0  # LLM time
    recall_ms: float = 0.0
    recall_parts: dict[str, float] = field(default_factory=dict)  # embed_ms, search_ms, rescore_ms
    tool_seconds: float = 0.0
    parse_failures: int = 0
    raw: str = ""  # the model's text when it did not parse
    # what ``error`` is: unparsable output, a call the toolkit refused (model mistake), a tool that
    # crashed, a refused error-message Finish
    error_kind: ErrorKind | None = None

    kind: ClassVar[Literal["action"]] = "action"

    @property
    def call(self) -> str:
        return call_text(self.tool, self.args) if self.tool else ""

    @property
    def prompt_tokens_reused(self) -> int:
        return max(0, self.prompt_tokens - self.prompt_tokens_evaluated)

    def to_dict(self) -> dict[str, Any]:
        d = {"kind": self.kind, **asdict(self)}
        if not self.raw:
            d.pop("raw")
        return d


@dataclass
class FinalStep:
    """The episode ends. ``finished`` is True when the model called Finish (or a conversation
    ended: ``done``); otherwise ``reason`` (a :data:`Reason`) says why it stopped. ``experience``
    is the trajectory in pool form (``success_source="failed"`` until a judge says otherwise)."""

    answer: str | None
    experience: Experience
    finished: bool
    reason: Reason
    totals: dict[str, Any] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)  # ids of every demonstration shown in the episode

    kind: ClassVar[Literal["final"]] = "final"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "answer": self.answer,
            "finished": self.finished,
            "reason": self.reason,
            "totals": self.totals,
            "shown": self.shown,
            "experience": self.experience.to_dict(),
        }


AgentStep = TaskStep | ActionStep | FinalStep
Callback = Callable[[Any], None]


@dataclass(frozen=True)
class Usage:
    """Tokens and model seconds of some steps; usages add, so runners stop re-summing fields."""

    prompt_tokens: int = 0
    prompt_tokens_evaluated: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(self.prompt_tokens + other.prompt_tokens, self.prompt_tokens_evaluated + other.prompt_tokens_evaluated,
                     self.completion_tokens + other.completion_tokens, round(self.seconds + other.seconds, 3))

    @property
    def prompt_tokens_reused(self) -> int:
        return max(0, self.prompt_tokens - self.prompt_tokens_evaluated)

    @classmethod
    def of(cls, step: "ActionStep") -> "Usage":
        return cls(step.prompt_tokens, step.prompt_tokens_evaluated, step.completion_tokens, step.seconds)


@dataclass
class Episode:
    """One episode gathered from the step stream: its TaskStep, ActionSteps and FinalStep."""

    task: TaskStep | None = None
    actions: list[ActionStep] = field(default_factory=list)
    final: FinalStep | None = None

    @property
    def finished(self) -> bool:
        return bool(self.final and self.final.finished)

    @property
    def answer(self) -> str | None:
        return self.final.answer if self.final else None

    @property
    def reason(self) -> str | None:
        return self.final.reason if self.final else None

    @property
    def usage(self) -> Usage:
        return sum((Usage.of(a) for a in self.actions), Usage())

    @property
    def tools(self) -> list[str]:
        return [a.tool for a in self.actions]


def collect(steps: Iterable[AgentStep], on_step: Callable[[AgentStep], None] | None = None) -> Episode:
    """Run a step stream to its end (calling ``on_step`` for each step) and gather the episode."""
    ep = Episode()
    for step in steps:
        if on_step is not None:
            on_step(step)
        if step.kind == "action":
            ep.actions.append(step)
        elif step.kind == "final":
            ep.final = step
        else:
            ep.task = step
    return ep


class CallbackRegistry:
    """Callbacks by step type. ``callbacks`` may be a list (called for every step) or a mapping
    from a step class (``ActionStep``) or kind (``"action"``) to one callable or a list."""

    def __init__(self, callbacks: Iterable[Callback] | Mapping[Any, Callback | list[Callback]] | None = None):
        self._by_kind: dict[str | None, list[Callback]] = defaultdict(list)
        if callbacks is None:
            return
        if isinstance(callbacks, Mapping):
            for key, fns in callbacks.items():
                kind = key if isinstance(key, str) or key is None else key.kind
                self._by_kind[kind].extend(fns if isinstance(fns, (list, tuple)) else [fns])
        else:
            self._by_kind[None].extend(callbacks)

    def register(self, step_type: type[AgentStep] | str | None, fn: Callback) -> None:
        kind = step_type if isinstance(step_type, str) or step_type is None else step_type.kind
        self._by_kind[kind].append(fn)

    def __call__(self, step: AgentStep) -> None:
        for fn in self._by_kind.get(step.kind, []) + self._by_kind.get(None, []):
            fn(step)


def parse_step(text: str) -> tuple[str, str, dict] | None:
    """``(thought, tool, args)`` from the model's JSON, or None when it does not parse."""
    try:
        # strict=False: llama.cpp's grammar for a length-limited string admits raw newlines,
        # which the JSON spec (and json.loads by default) rejects inside strings.
        d = json.loads(text, strict=False)
    except ValueError:
        return None
    if not isinstance(d, dict) or not isinstance(d.get("tool"), str) or not d["tool"]:
        return None
    args = d.get("args", {})
    if args is None:
        args = {}
    if not isinstance(args, dict):
        return None
    thought = d.get("thought", "")
    return (thought if isinstance(thought, str) else str(thought)), d["tool"], args
