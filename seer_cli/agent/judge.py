"""Success judges: they decide which trajectories the pool learns from.

Only trajectories judged successful grow the pool, and each records how it was judged
(``Experience.success_source``), so that a pool can later be filtered by trust:

* ``gold-em`` / ``gold-lenient``: an expected answer was given (``--expect``, an eval's gold);
  exact match first (official ToolQA normalisation), then the number-aware lenient match;
* ``user``: a person said yes (the CLI asks "Was this correct? [y/N]" on a terminal);
* ``self-check``: the model itself checked the work in one constrained yes/no call. Weaker
  evidence, recorded as such.

Judges never print; the ``user`` judge takes an ``ask`` callable from the CLI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..pool.records import FINISH, Experience, call_text
from .prompt import render, truncate

if TYPE_CHECKING:
    from .contracts import BackendLike, PoolLike


@dataclass
class Verdict:
    success: bool
    source: str  # gold-em | gold-lenient | user | self-check | failed
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"success": self.success, "source": self.source, "details": self.details}


def failed(reason: str) -> Verdict:
    return Verdict(False, "failed", {"reason": reason})


def gold_judge(gold: str, admit: str = "lenient", llm: Callable[[str | None], bool] | None = None) -> Callable[[str | None], str | None]:
    """The one gold judge: ``answer -> success source | None`` against a gold answer, by ``em``,
    ``lenient`` (EM first, then the number-aware match), ``value`` (a gold computed by execution:
    :func:`seer_cli.answers.value_match`, recorded as ``gold-lenient``) or ``llm`` (the callable
    decides)."""
    from ..answers import em_match, lenient_match, value_match

    def judge(answer: str | None) -> str | None:
        if answer is None:
            return None
        if admit == "llm":
            return "llm-judge" if llm is not None and llm(answer) else None
        if admit == "value":
            return "gold-lenient" if value_match(answer, gold) else None
        if em_match(answer, gold):
            return "gold-em"
        if admit == "lenient" and lenient_match(answer, gold):
            return "gold-lenient"
        return None

    return judge


def by_expected(answer: Any, expected: str) -> Verdict:
    """Compare with a gold answer: exact match, else lenient match, else failed."""
    if answer is None:
        return failed("no answer")
    details = {"expected": expected}
    source = gold_judge(expected)(answer)
    if source:
        return Verdict(True, source, details)
    return Verdict(False, "failed", {**details, "reason": "answer does not match"})


def admit_experience(pool: PoolLike, experience: Experience, source: str, details: dict[str, Any] | None = None, *,
                     require_finish: bool = True):
    """The one door into the pool for a judged episode: a finished trajectory (its last step a
    Finish, unless ``require_finish=False``: a conversation ends when the user leaves) is stored
    with how it was judged; returns the pool's AddResult, or None when there was nothing to admit
    (a failure, or an episode that never finished)."""
    import dataclasses

    if source == "failed" or not experience.steps or (require_finish and experience.steps[-1].tool != FINISH):
        return None
    judged = dataclasses.replace(experience, success_source=source, success_details=dict(details or {}))
    return pool.add([judged])


def by_user(experience: Experience, ask: Callable[[str], bool]) -> Verdict:
    """Ask a person (``ask`` shows the prompt and returns True for yes)."""
    if ask("Was this correct?"):
        return Verdict(True, "user", {})
    return failed("user said no")


def self_check_schema() -> dict:
    return {
        "type": "object",
        "properties": {"correct": {"type": "string", "enum": ["yes", "no"]}},
        "required": ["correct"],
        "additionalProperties": False,
    }


def by_self_check(backend: BackendLike, experience: Experience, *, observation_chars: int = 300) -> Verdict:
    """One constrained yes/no call in which the model checks its own trajectory."""
    if not experience.steps or experience.steps[-1].tool != FINISH:
        return failed("did not finish")
    lines = []
    for s in experience.steps[:-1]:
        lines.append(f"- {call_text(s.tool, s.args)} -> {truncate(s.observation, observation_chars)}")
    prompt = render("self_check", question=experience.question, steps="\n".join(lines) or "(none)", answer=experience.answer)
    comp = backend.complete([{"role": "user", "content": prompt}], json_schema=self_check_schema(), max_tokens=16, temperature=0.0)
    try:
        said = json.loads(comp.text)["correct"]
    except (ValueError, KeyError, TypeError):
        said = "no"
    if said == "yes":
        return Verdict(True, "self-check", {"model": backend.name})
    return failed("self-check said no")
