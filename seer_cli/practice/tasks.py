"""A self-made practice task: a question whose gold answer was computed by executing tool calls.

Why this module exists: a newcomer has no answered tasks for their own files, and a memory that
admits unverified self-practice gets worse than no memory at all. So every generated task is
*answer-first* (as OmniSQL writes the SQL before the question): the generator picks tool calls
(an SQL query over the user's table, a Retrieve of a passage, a call of the user's tool), runs
them through the real toolkit, keeps the value only when it is single and unambiguous, and only
then phrases the question. The gold is right by construction, and the calls behind it are
stored with every experience admitted from the task, so it can be re-executed later
(:func:`seer_cli.practice.examples.reverify`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One tool call of a gold plan, with the plain thought a worked example shows before it.
    ``value`` marks the call whose observation holds the answer (the last one by default)."""

    tool: str
    args: dict[str, Any]
    thought: str

    def to_dict(self) -> dict[str, Any]:
        return {"tool": self.tool, "args": self.args, "thought": self.thought}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Call":
        return cls(d["tool"], dict(d["args"]), d.get("thought", ""))


@dataclass(frozen=True)
class AutoTask:
    """A generated task. ``calls`` compute ``answer`` (the last call's observation shows it);
    ``covers`` names what it exercises (``table``, ``columns``, ``op``, ``doc``, ``tool``) for the
    coverage ledger; ``intent`` is the toolkit intent its question belongs to."""

    kind: str  # data | docs | tools | compose
    generator: str  # e.g. "table.sum_where"
    question: str
    answer: str
    calls: tuple[Call, ...]
    intent: str
    covers: dict[str, Any] = field(default_factory=dict)
    asked: str | None = None  # the model's wording of the question, as a person would ask it (phrasing.rephrase)

    @property
    def id(self) -> str:
        """From the template question: the same files give the same ids, whatever the model wrote."""
        return hashlib.sha256(f"{self.generator}|{self.question}".encode()).hexdigest()[:12]

    @property
    def wording(self) -> str:
        """The question practised and stored: the person's wording when there is one."""
        return self.asked or self.question

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "generator": self.generator, "question": self.question,
                "answer": self.answer, "intent": self.intent, "calls": [c.to_dict() for c in self.calls],
                "covers": self.covers, **({"asked": self.asked} if self.asked else {})}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "AutoTask":
        return cls(d["kind"], d["generator"], d["question"], str(d["answer"]),
                   tuple(Call.from_dict(c) for c in d["calls"]), d["intent"], dict(d.get("covers", {})), d.get("asked"))


def format_value(value: Any) -> str | None:
    """The gold as text: integers without a point, floats to at most 4 decimals (trailing zeros
    cut), dates as ISO; None for what is not a single usable value (null, empty, NaN)."""
    import datetime
    import math

    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime):  # as people write it: no "T", no seconds, no midnight
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        from decimal import Decimal

        if isinstance(value, Decimal):
            return format_value(float(value))
    except ImportError:  # pragma: no cover
        pass
    text = " ".join(str(value).split())
    return text or None


def readable(name: str) -> str:
    """A column or tool name as words: ``unit_price`` -> ``unit price``, ``OrderDate`` -> ``order date``."""
    import re

    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ").replace("-", " ")
    return " ".join(words.split()).lower()


def interleave(groups: list[list]) -> list:
    """Round-robin over ``groups``: the first of each, then the second of each, and so on, so a
    budget of N items spans every group."""
    out: list = []
    for i in range(max((len(g) for g in groups), default=0)):
        out += [g[i] for g in groups if i < len(g)]
    return out
