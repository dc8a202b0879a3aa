"""The built-in trajectory formats of :mod:`.formats`: ``openai``, ``library`` and ``seer``.

Each is a ``detector(suffix, first_char, first_record) -> bool`` and a
``reader(record, options) -> Experience`` raising ``ValueError("field: reason")``, listed in
:data:`BUILTIN` in detection order (openai, library, seer); ``seer_cli/pool/__init__.py``
registers them with :func:`.formats.register_format`, and this module is imported on first use.
What each format means is specified in the :mod:`.formats` docstring. The ``library`` reader
names a call's arguments by :data:`seer_cli.toolqa_calls.TOOLQA_ARGS`, which the ToolQA toolkit
shares from below both layers.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from ..toolqa_calls import TOOLQA_ARGS
from .formats import Detector, Reader, ReadOptions, SkipRecord
from .records import FINISH, Experience, Step


# --- helpers shared by the readers ---------------------------------------------------------------


def _obj(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: must be a JSON object")
    return value


def _str(value: Any, where: str, *, default: str | None = None) -> str:
    if value is None and default is not None:
        return default
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: must be a non-empty string")
    return value


def _answer(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{where}: must be a string or a number")
    return str(value)


# --- seer -------------------------------------------------------------------------------------


def _seer_detect(suffix: str, first_char: str, rec: Any) -> bool:
    if not isinstance(rec, dict):
        return False
    steps = rec.get("steps")
    return "schema_version" in rec or (isinstance(steps, list) and bool(steps) and isinstance(steps[0], dict))


def _seer_read(rec: Any, opts: ReadOptions) -> Experience:
    return Experience.from_dict(rec)


# --- openai -----------------------------------------------------------------------------------


def _text(content: Any, where: str) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        if all(isinstance(p, str) for p in parts):
            return "\n".join(parts)
    raise ValueError(f"{where}: must be a string or a list of text parts")


def _call_args(raw: Any, where: str) -> dict:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            raise ValueError(f"{where}: not valid JSON (invalid syntax at column {e.colno})") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must encode a JSON object")
    return raw


def _openai_detect(suffix: str, first_char: str, rec: Any) -> bool:
    return isinstance(rec, dict) and "messages" in rec


_ROLES = ("system", "developer", "user", "assistant", "tool")


def _openai_read(rec: Any, opts: ReadOptions) -> Experience:
    rec = _obj(rec, "record")
    msgs = rec.get("messages")
    if not isinstance(msgs, list) or not msgs:
        raise ValueError("messages: must be a non-empty list")
    success = _openai_success(rec, opts)
    question, final, steps = _openai_messages(msgs)
    if not question or not question.strip():
        raise ValueError("messages: no user message (the question)")
    if not steps:
        raise SkipRecord("no tool calls")
    answer = _openai_answer(rec, steps, final, success)
    model = rec.get("model")
    return Experience(
        question=question,
        steps=steps,
        answer=answer,
        intent=_str(rec.get("intent"), "intent", default="general"),
        success_source="imported" if success else "failed",
        model=model if isinstance(model, str) else None,
    )


def _openai_success(rec: dict, opts: ReadOptions) -> bool:
    """The record's ``success`` flag; a missing one counts as true only with ``--assume-success``."""
    success = rec.get("success")
    if success is None:
        if not opts.assume_success:
            raise ValueError("success: missing (true or false); pass --assume-success to import records without it")
        success = True
    elif not isinstance(success, bool):
        raise ValueError("success: must be true or false")
    return success


def _openai_messages(msgs: list) -> tuple[str | None, str | None, list[Step]]:
    """The conversation walked once: ``(question, final text, steps)``. The question is the first
    user message; each assistant tool call becomes a step (the message's text is the first call's
    thought), each tool message the observation of the call its ``tool_call_id`` names; the final
    text is the last assistant message's, when it made no call."""
    question: str | None = None
    final: str | None = None
    steps: list[Step] = []
    by_id: dict[str, Step] = {}
    for i, m in enumerate(msgs):
        w = f"messages[{i}]"
        m = _obj(m, w)
        role = m.get("role")
        if role not in _ROLES:
            raise ValueError(f"{w}.role: must be one of {', '.join(_ROLES)}")
        if role == "user" and question is None:
            question = _text(m.get("content"), f"{w}.content")
        elif role == "assistant":
            content = _text(m.get("content"), f"{w}.content").strip()
            calls = m.get("tool_calls") or []
            if not isinstance(calls, list):
                raise ValueError(f"{w}.tool_calls: must be a list")
            final = None if calls else content
            for j, call in enumerate(calls):
                cw = f"{w}.tool_calls[{j}]"
                fn = _obj(_obj(call, cw).get("function"), f"{cw}.function")
                step = Step(
                    thought=content if j == 0 else "",
                    tool=_str(fn.get("name"), f"{cw}.function.name"),
                    args=_call_args(fn.get("arguments"), f"{cw}.function.arguments"),
                )
                steps.append(step)
                if isinstance(call.get("id"), str):
                    by_id[call["id"]] = step
        elif role == "tool":
            cid = m.get("tool_call_id")
            if not isinstance(cid, str) or cid not in by_id:
                raise ValueError(f"{w}.tool_call_id: {cid!r} matches no earlier tool call")
            by_id[cid].observation = _text(m.get("content"), f"{w}.content")
    return question, final, steps


def _openai_answer(rec: dict, steps: list[Step], final: str | None, success: bool) -> str:
    """The answer (an ``answer`` field, else a Finish call's, else the final text); a conversation
    that does not end on ``Finish`` gets one appended to ``steps``, as seer's trajectories end."""
    answer = rec.get("answer")
    if answer is not None:
        answer = _answer(answer, "answer")
    if steps[-1].tool == FINISH:
        answer = answer if answer is not None else _answer(steps[-1].args.get("answer"), f"{FINISH}.answer")
    else:
        answer = answer if answer is not None else final
        if not answer and success:
            raise ValueError('answer: no final assistant message without tool_calls and no "answer" field')
        answer = answer or ""  # a failed conversation may end on a call, without an answer
        steps.append(Step(thought="", tool=FINISH, args={"answer": answer}))
    return answer


# --- library (the SEER paper's library.json) ------------------------------------------------------

def library_args(tool: str, raw: str) -> dict[str, str]:
    """``Tool[raw]`` -> args, by the ToolQA toolkit's argument names (see the module docstring)."""
    names = TOOLQA_ARGS.get(tool)
    if not names:
        return {"input": raw}
    parts = re.split(r"\s*,\s*", raw, maxsplit=len(names) - 1) if len(names) > 1 else [raw]
    if len(parts) != len(names):
        raise ValueError(f"{tool}[{raw[:60]}]: expected {len(names)} comma-separated arguments ({', '.join(names)})")
    return dict(zip(names, parts))


_STEP = re.compile(r"\s*(?:Step\s*(\d+)\s*:)?\s*(.*?)\s*<CALL_BEGIN>\s*(.*?)\s*<CALL_END>", re.S)
_CALL = re.compile(r"([A-Za-z_][\w.]*)\s*\[(.*)\]", re.S)
_RESULT = re.compile(r"Result\s*(\d+)\s*:[ \t]*(.*?)\s*(?=^\s*(?:Step|Result|Thought|Action|Observation)\s*\d+\s*:|\Z)", re.S | re.M)


def _library_detect(suffix: str, first_char: str, rec: Any) -> bool:
    if not isinstance(rec, dict):
        return False
    steps = rec.get("steps")
    return "full_text" in rec or "class" in rec or isinstance(steps, str) or (
        isinstance(steps, list) and bool(steps) and isinstance(steps[0], str)
    )


def _library_read(rec: Any, opts: ReadOptions) -> Experience:
    rec = _obj(rec, "record")
    question = _str(rec.get("question"), "question")
    raw = rec.get("steps")
    found: list[tuple[str, re.Match[str] | None]]  # None: a string with no call, refused below
    if isinstance(raw, str):
        found = [(f"steps (Step {m.group(1)})", m) for m in _STEP.finditer(raw)]
    elif isinstance(raw, list) and raw:
        found = []
        for i, s in enumerate(raw):
            if not isinstance(s, str):
                raise ValueError(f"steps[{i}]: must be a string")
            found.append((f"steps[{i}]", _STEP.search(s)))
    else:
        raise ValueError("steps: must be a non-empty list of strings")
    full_text = rec.get("full_text", "")
    if not isinstance(full_text, str):
        raise ValueError("full_text: must be a string")
    results = {int(m.group(1)): m.group(2) for m in _RESULT.finditer(full_text)}
    steps: list[Step] = []
    for n, (where, m) in enumerate(found, 1):
        if m is None:
            raise ValueError(f"{where}: no <CALL_BEGIN>Tool[args]<CALL_END>")
        call = _CALL.fullmatch(m.group(3))
        if call is None:
            raise ValueError(f"{where}: call {m.group(3)[:60]!r} is not Tool[args]")
        tool, arg = call.group(1), call.group(2).strip()
        if steps and steps[-1].tool == FINISH:
            raise ValueError(f"{where}: a step after {FINISH}")
        number = int(m.group(1)) if m.group(1) else n
        try:
            args = library_args(tool, arg)
        except ValueError as e:
            raise ValueError(f"{where}: {e}") from None
        steps.append(Step(m.group(2), tool, args, results.get(number, "")))
    if not steps:
        raise ValueError("steps: no Step i: ... <CALL_BEGIN>Tool[args]<CALL_END>")
    if steps[-1].tool != FINISH:
        raise ValueError(f"steps: no {FINISH}[answer] step")
    return Experience(
        question=question,
        steps=steps,
        answer=steps[-1].args["answer"],
        intent=_str(rec.get("class"), "class", default="general"),
        success_source="imported",
    )


# name -> (detector, reader), in detection order; registered by seer_cli/pool/__init__.py.
BUILTIN: dict[str, tuple[Detector, Reader]] = {
    "openai": (_openai_detect, _openai_read),
    "library": (_library_detect, _library_read),
    "seer": (_seer_detect, _seer_read),
}
