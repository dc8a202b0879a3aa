"""What an experience is: pure dataclasses, no files.

An :class:`Experience` is one successful (or, when asked, failed) tool-use trajectory:

* ``question`` and ``intent`` (a label from the toolkit's intent set),
* ``steps``: each a :class:`Step` with ``thought``, ``tool``, ``args`` (a JSON object) and the
  ``observation`` it produced. The last step of a finished trajectory is the ``Finish`` call,
* ``tools``: the ordered tool chain, derived from ``steps``,
* ``answer`` and ``success`` (``source`` is one of :data:`SUCCESS_SOURCES`, plus ``details``),
* provenance: ``origin`` (run id, or ``file:line``), ``model`` and ``created_at``.

``id`` is a hash of the normalised content (question, calls, answer), so the same trajectory
always gets the same id wherever it comes from. ``to_dict``/``from_dict`` are the on-disk form;
``from_dict`` validates and raises ``ValueError`` naming the field.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson

SCHEMA_VERSION = 1
# "executed": a self-practice worked example or recovery, its gold computed by executing the calls it records
SUCCESS_SOURCES = ("gold-em", "gold-lenient", "gold-reward", "llm-judge", "user", "self-check", "imported", "executed", "failed")
PRACTISED = "self-practice"  # the origin of experiences self-practice admitted (seer_cli.practice.examples.ORIGIN)
FINISH = "Finish"

_WS = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def call_text(tool: str, args: dict[str, Any]) -> str:
    """A call as one compact line: ``Tool(arg=value, ...)``; what recall embeds and demos show."""
    if not args:
        return f"{tool}()"
    inner = ", ".join(f"{k}={orjson.dumps(v).decode()}" for k, v in args.items())
    return f"{tool}({inner})"


@dataclass
class Step:
    thought: str
    tool: str
    args: dict[str, Any] = field(default_factory=dict)
    observation: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"thought": self.thought, "tool": self.tool, "args": self.args, "observation": self.observation}

    @classmethod
    def from_dict(cls, d: Any, where: str = "step") -> "Step":
        if not isinstance(d, dict):
            raise ValueError(f"{where}: must be an object")
        thought = d.get("thought", "")
        tool = d.get("tool")
        args = d.get("args", {})
        obs = d.get("observation", "")
        if not isinstance(tool, str) or not tool:
            raise ValueError(f"{where}.tool: must be a non-empty string")
        if not isinstance(thought, str):
            raise ValueError(f"{where}.thought: must be a string")
        if not isinstance(args, dict):
            raise ValueError(f"{where}.args: must be an object")
        if not isinstance(obs, str):
            raise ValueError(f"{where}.observation: must be a string")
        return cls(thought=thought, tool=tool, args=args, observation=obs)


@dataclass
class Experience:
    question: str
    steps: list[Step]
    answer: str
    intent: str = "general"
    success_source: str = "imported"
    success_details: dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    model: str | None = None
    created_at: str = field(default_factory=now_iso)
    schema_version: int = SCHEMA_VERSION

    @property
    def tools(self) -> list[str]:
        return [s.tool for s in self.steps]

    @property
    def succeeded(self) -> bool:
        return self.success_source != "failed"

    @property
    def id(self) -> str:
        """Hash of the normalised content: question, each call, the answer."""
        content = {
            "q": normalise_text(self.question),
            "calls": [[s.tool, s.args] for s in self.steps],
            "a": normalise_text(str(self.answer)),
        }
        return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]

    def trajectory_text(self) -> str:
        """Question plus thought/call lines, observations left out: what recall embeds."""
        lines = [self.question]
        lines += [f"{s.thought} {call_text(s.tool, s.args)}".strip() for s in self.steps]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "id": self.id,
            "question": self.question,
            "intent": self.intent,
            "steps": [s.to_dict() for s in self.steps],
            "tools": self.tools,
            "answer": self.answer,
            "success": {"source": self.success_source, **({"details": self.success_details} if self.success_details else {})},
            "origin": self.origin,
            "model": self.model,
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, d: Any) -> "Experience":
        """Validate and build; raises ``ValueError("field: reason")``."""
        if not isinstance(d, dict):
            raise ValueError("record: must be a JSON object")
        version = d.get("schema_version", SCHEMA_VERSION)
        if not isinstance(version, int) or version < 1:
            raise ValueError("schema_version: must be a positive integer")
        if version > SCHEMA_VERSION:
            raise ValueError(f"schema_version: {version} is newer than this seer understands ({SCHEMA_VERSION})")
        if version < SCHEMA_VERSION:
            from .migrations import upgrade

            d = upgrade(d)
        q = d.get("question")
        if not isinstance(q, str) or not q.strip():
            raise ValueError("question: must be a non-empty string")
        steps_raw = d.get("steps")
        if not isinstance(steps_raw, list) or not steps_raw:
            raise ValueError("steps: must be a non-empty list")
        steps = [Step.from_dict(s, f"steps[{i}]") for i, s in enumerate(steps_raw)]
        answer = d.get("answer", "")
        if isinstance(answer, (int, float)) and not isinstance(answer, bool):
            answer = str(answer)
        if not isinstance(answer, str):
            raise ValueError("answer: must be a string")
        intent = d.get("intent", "general")
        if not isinstance(intent, str) or not intent:
            raise ValueError("intent: must be a non-empty string")
        success = d.get("success", {"source": "imported"})
        if isinstance(success, str):
            success = {"source": success}
        if not isinstance(success, dict) or success.get("source") not in SUCCESS_SOURCES:
            raise ValueError(f"success.source: must be one of {', '.join(SUCCESS_SOURCES)}")
        details = success.get("details", {})
        if not isinstance(details, dict):
            raise ValueError("success.details: must be an object")
        for name in ("origin", "created_at"):
            if name in d and not isinstance(d[name], str):
                raise ValueError(f"{name}: must be a string")
        model = d.get("model")
        if model is not None and not isinstance(model, str):
            raise ValueError("model: must be a string or null")
        exp = cls(
            question=q,
            steps=steps,
            answer=answer,
            intent=intent,
            success_source=success["source"],
            success_details=details,
            origin=d.get("origin", ""),
            model=model,
            created_at=d.get("created_at") or now_iso(),
        )
        claimed = d.get("id")
        if claimed is not None and claimed != exp.id:
            raise ValueError(f"id: {claimed!r} does not match the content hash {exp.id!r}")
        return exp


def invalid_reason(error: ValueError) -> str:
    """How a stored line that fails :meth:`Experience.from_dict` is described to a user."""
    if str(error).startswith("id:"):
        return "the content does not match its id (changed outside seer)"
    return f"not a valid record ({error})"
