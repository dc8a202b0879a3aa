"""Experiences from generated tasks: verified model episodes, worked examples, recoveries.

Why this module exists: verification is the product. An experience enters the pool from
self-practice only when execution shows it is right:

* **solved by the model**: its answer matches the executed gold *and* an observation of a tool
  call in the episode shows that value (:func:`verified`);
* **worked example**: the generator's own calls replayed through the real toolkit into a real
  trajectory (observations from the tools, a short thought naming the tool, Finish with the
  value), admitted only when the replayed observation still shows the gold (:func:`worked`);
* **recovery**: a failed try's own failing call and its error, then the generator's correct
  calls and the Finish: the shape the 0.5B lacks, which after an SQL error offers the error as
  its answer instead of a corrected query (:func:`recovery`).

Every one records ``origin: self-practice``, how it was made (``made_by``), the generator and the
calls behind its gold (``gold_calls``), so :func:`reverify` can re-execute them later and compare.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..answers import value_match
from ..pool.records import FINISH, PRACTISED, Experience, Step
from .tasks import AutoTask, Call

ORIGIN = PRACTISED
EXECUTED = "executed"  # success source of a worked example or a recovery: the gold came from execution
MADE_BY = ("model", "worked", "recovery")


def verified(answer: str | None, experience: Experience, gold: str, *, own_plan: bool = False) -> bool:
    """Admissible: the answer matches the executed gold and a tool observation shows the value
    (``own_plan``: the trajectory replays the generator's calls, see :func:`.answered.supported`)."""
    from .answered import supported

    return value_match(answer, gold) and (supported(answer, experience, own_plan=own_plan)
                                          or supported(gold, experience, own_plan=own_plan))


def details(task: AutoTask, made_by: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"made_by": made_by, "generator": task.generator, "task": task.id, "gold": task.answer,
            "gold_calls": [c.to_dict() for c in task.calls], "covers": task.covers,
            **({"template_question": task.question} if task.asked else {}), **(extra or {})}


def replay(kit, calls: tuple[Call, ...] | list[Call]) -> list[Step] | None:
    """The calls run through the real toolkit, as steps with their observations; None when a
    call fails (the environment changed: the task no longer holds)."""
    steps = []
    for c in calls:
        try:
            obs = kit.call(c.tool, c.args)
        except Exception:  # noqa: BLE001 (ToolCallError or a crash of a user's tool)
            return None
        steps.append(Step(c.thought, c.tool, dict(c.args), str(obs)))
    return steps


def _finish(task: AutoTask) -> Step:
    return Step("The result of the last call is the answer.", FINISH, {"answer": task.answer}, "")


def observed_field(observation: str, key: str) -> str | None:
    """The value at dotted ``key`` of a JSON observation, as a gold; None when it is not there."""
    import json

    from .tasks import format_value
    from .tool_replies import field_value

    try:
        value = field_value(json.loads(observation), key)
    except (ValueError, KeyError):
        return None
    return None if isinstance(value, (dict, list, bool)) else format_value(value)


def worked(kit, task: AutoTask, *, observation_chars: int = 600) -> Experience | None:
    """The generator's plan as a real trajectory, or None when the replay no longer shows the gold.
    A volatile tool (a clock: no field repeats between two calls) answers with the field as the
    replay shows it: that the call returns the field is its verification."""
    steps = replay(kit, task.calls)
    if steps is None:
        return None
    if task.covers.get("volatile"):
        now = observed_field(steps[-1].observation, task.covers.get("field", ""))
        if now is None:
            return None
        task = dataclasses.replace(task, answer=now)
    exp = _experience(task, [*_cut(steps, observation_chars), _finish(task)], "worked")
    return exp if verified(task.answer, exp, task.answer, own_plan=True) else None


def recovery(kit, task: AutoTask, failed: Experience, *, observation_chars: int = 600) -> Experience | None:
    """A failed try's first failing call (with its error) followed by the generator's plan, or
    None when the try had no failing call of a tool the plan uses."""
    plan_tools = {c.tool for c in task.calls}
    bad = next((s for s in failed.steps if s.tool in plan_tools and str(s.observation).lstrip().lower().startswith("error")), None)
    if bad is None:
        return None
    steps = replay(kit, task.calls)
    if steps is None:
        return None
    first = steps[0]
    fixed = Step(f"That call failed; correct it. {first.thought}", first.tool, first.args, first.observation)
    error = Step(bad.thought, bad.tool, dict(bad.args), str(bad.observation)[:observation_chars])
    exp = _experience(task, [error, *_cut([fixed, *steps[1:]], observation_chars), _finish(task)], "recovery")
    return exp if verified(task.answer, exp, task.answer, own_plan=True) else None


def _cut(steps: list[Step], n: int) -> list[Step]:
    return [Step(s.thought, s.tool, s.args, s.observation[:n]) for s in steps]


def _experience(task: AutoTask, steps: list[Step], made_by: str) -> Experience:
    return Experience(question=task.wording, steps=steps, answer=task.answer, intent=task.intent,
                      success_source=EXECUTED, success_details=details(task, made_by), origin=ORIGIN, model=None)


def reverify(kit, experience: Experience) -> bool:
    """Re-execute the calls recorded behind a self-practice experience's gold and compare: the
    last call's observation still shows the stored answer (and the gold it was admitted with)."""
    d = experience.success_details or {}
    calls = [Call.from_dict(c) for c in d.get("gold_calls", [])]
    if experience.origin != ORIGIN or not calls:
        return False
    steps = replay(kit, calls)
    if steps is None:
        return False
    covers = d.get("covers") or {}
    if covers.get("volatile"):  # a clock: the call still answers with the field
        return observed_field(steps[-1].observation, covers.get("field", "")) is not None
    probe = Experience(question=experience.question, steps=[*steps, Step("", FINISH, {"answer": experience.answer}, "")],
                       answer=experience.answer, intent=experience.intent)
    from .answered import supported

    return value_match(experience.answer, str(d.get("gold", experience.answer))) and supported(str(d.get("gold")), probe, own_plan=True)
