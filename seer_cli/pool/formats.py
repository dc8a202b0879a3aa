"""Read trajectory files into :class:`Experience` records, so a pool can grow from existing logs.

People already have tool-use trajectories: seer's own exports, OpenAI chat-completions logs, the
SEER paper's ``library.json``. This module turns each into Experience records, one per input
record, with provenance ``origin = "file:line"``; it never touches a pool (``seer ingest`` does).

**Containers.** A file whose first non-blank character is ``[`` is one JSON array (read whole,
at most 256 MiB; each element's line is where it starts); anything else is JSONL, read line by
line in streaming fashion (blank lines skipped, a line over 16 MiB is "line too long").

**Formats** sit in a registry, ``register_format(name, detector, reader)``, and the built-ins
enter through the same call. ``detector(suffix, first_char, first_record) -> bool`` picks the
format per file from the extension, the first non-blank character and the first record;
``reader(record, options) -> Experience`` raises ``ValueError("field: reason")``.

* ``seer``: ``Experience.to_dict()`` per line, what ``seer pool export`` writes. A record's own
  ``origin`` is kept (so export/ingest round-trips); an empty one becomes ``file:line``.
* ``openai``: ``{"messages": [...], "success": true, "intent"?, "answer"?, "model"?}``. The
  question is the first user message; each assistant ``tool_calls`` entry is a step (its
  ``arguments`` JSON string parsed; the message content is the thought of its first call); a
  ``tool`` message's content is the observation of the call named by ``tool_call_id``; the answer
  is the ``answer`` field or the last assistant message without tool calls, appended as a
  ``Finish`` step. ``success`` is required unless ``assume_success``; ``false`` -> a failed record.
* ``library``: a JSON array of ``{id, class, question, steps, tools, parameters, full_text}``.
  ``steps`` (a list of strings, or one string) reads ``Step i: thought <CALL_BEGIN>Tool[args]<CALL_END>``;
  ``full_text``'s ``Result i: ...`` lines are the observations; ``class`` is the intent; the
  ``Finish[...]`` argument is the answer. ``Tool[args]`` of a ToolQA tool gets the argument names
  of :data:`seer_cli.toolkits.toolqa.TOOLQA_ARGS` (the one shared mapping: ``LoadDB[coffee]`` ->
  ``{"db": "coffee"}``, ``FilterDB`` -> condition, ``GetValue`` -> column, ``SQLInterpreter`` ->
  sql, ``PythonInterpreter`` -> code, ``Calculate`` -> expression, ``Retrieve*`` -> query,
  ``LoadGraph`` -> graph); the graph tools split on commas as the official ones do
  (``NodeCheck[PaperNet, X]`` -> ``{"graph": "PaperNet", "node": "X"}``, ``EdgeCheck`` ->
  graph, node1, node2; the last name keeps any further commas); any other tool -> ``{"input": ...}``.

**Errors** are :class:`InvalidRecord` with ``where`` = ``file:line`` (``file`` alone for a
problem with the whole file: missing, a directory, empty, unknown format); reading goes on past
a bad record so that every problem is listed once.
"""

from __future__ import annotations

import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

import orjson

from ..errors import InvalidRecord, UserError
from ..toolkits.toolqa import TOOLQA_ARGS
from .records import FINISH, Experience, Step

MAX_LINE = 16 * 2**20
MAX_ARRAY_FILE = 256 * 2**20
_PROBE = 64 * 1024
STDIN = "-"


@dataclass(frozen=True)
class ReadOptions:
    assume_success: bool = False


Detector = Callable[[str, str, Any], bool]
Reader = Callable[[Any, ReadOptions], Experience]


@dataclass(frozen=True)
class Format:
    name: str
    detector: Detector
    reader: Reader


FORMATS: dict[str, Format] = {}


def register_format(name: str, detector: Detector, reader: Reader) -> None:
    """Add (or replace) a format; detection tries formats in registration order."""
    FORMATS[name] = Format(name, detector, reader)


@dataclass
class ReadResult:
    """What reading some files gave: good records, well-formed failures, problems."""

    experiences: list[Experience] = field(default_factory=list)
    failures: list[Experience] = field(default_factory=list)
    errors: list[InvalidRecord] = field(default_factory=list)
    read: int = 0
    formats: dict[str, str] = field(default_factory=dict)  # file label -> format name


ProgressFn = Callable[[str, int, int | None], None]  # (file label, bytes done, total bytes or None)


def read_files(
    paths: list[str | Path],
    *,
    format: str | None = None,
    assume_success: bool = False,
    include_failures: bool = False,
    on_progress: ProgressFn | None = None,
) -> ReadResult:
    """Read every file (``"-"`` = stdin); failures go to ``experiences`` when ``include_failures``."""
    if format is not None and format not in FORMATS:
        raise UserError(f"unknown format {format!r} (known: {', '.join(FORMATS)})")
    opts = ReadOptions(assume_success=assume_success)
    result = ReadResult()
    for path in paths:
        _read_path(str(path), format, opts, result, on_progress)
    if include_failures:
        result.experiences.extend(result.failures)
        result.failures = []
    return result


# --- containers -----------------------------------------------------------------------------


def _read_path(path: str, fmt: str | None, opts: ReadOptions, result: ReadResult, on_progress) -> None:
    if path == STDIN:
        label, suffix, total = "<stdin>", "", None
        stream: BinaryIO = sys.stdin.buffer
    else:
        label, p = path, Path(path)
        suffix = p.suffix.lower()
        if p.is_dir():
            result.errors.append(InvalidRecord(label, "is a directory, not a file"))
            return
        if not p.exists():
            result.errors.append(InvalidRecord(label, "no such file"))
            return
        total = p.stat().st_size
        try:
            stream = p.open("rb")
        except OSError as e:
            result.errors.append(InvalidRecord(label, f"cannot read ({e.strerror})"))
            return
    try:
        _read_stream(label, suffix, stream, total, fmt, opts, result, on_progress)
    finally:
        if path != STDIN:
            stream.close()


def _read_stream(label, suffix, stream, total, fmt_name, opts, result, on_progress) -> None:
    head = stream.read(_PROBE)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if b"\0" in head:
        line = head.count(b"\n", 0, head.index(b"\0")) + 1
        result.errors.append(InvalidRecord(f"{label}:{line}", "binary data (NUL byte), not JSON or JSONL"))
        return
    first = head.lstrip()[:1].decode("latin-1")
    if not first:
        result.errors.append(InvalidRecord(label, "empty file, no records"))
        return
    reader = io.BufferedReader(_Rejoined(head, stream), 1 << 20)
    items = _array(label, reader) if first == "[" else _jsonl(label, reader, total, on_progress)
    fmt = FORMATS.get(fmt_name) if fmt_name else None
    seen = 0
    for line, value in items:
        where = f"{label}:{line}"
        result.read += 1
        seen += 1
        if isinstance(value, InvalidRecord):
            result.errors.append(value)
            continue
        if fmt is None:
            fmt = detect(suffix, first, value)
            if fmt is None:
                what = _describe(value)
                result.errors.append(InvalidRecord(where, f"unknown format (first record {what}); pass --format ({', '.join(FORMATS)})"))
                return
            result.formats[label] = fmt.name
        try:
            exp = fmt.reader(value, opts)
        except ValueError as e:
            result.errors.append(InvalidRecord(where, str(e)))
            continue
        if not exp.origin:
            exp.origin = where
        (result.experiences if exp.succeeded else result.failures).append(exp)
    if not seen:
        result.errors.append(InvalidRecord(label, "empty file, no records"))
    if on_progress and total is not None:
        on_progress(label, total, total)


class _Rejoined(io.RawIOBase):
    """The probed head followed by the rest of the stream (stdin cannot seek back)."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self._head:
            n = min(len(buf), len(self._head))
            buf[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buf))
        buf[: len(data)] = data
        return len(data)


def _decode(label: str, line: int, raw: bytes) -> Any:
    """One JSON value, or an InvalidRecord saying why not."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as u:
            return InvalidRecord(f"{label}:{line}", f"not valid UTF-8 (byte {u.start + 1} of the line)")
        return InvalidRecord(f"{label}:{line}", f"not JSON (invalid syntax at column {e.colno})")


def _jsonl(label: str, stream: io.BufferedReader, total, on_progress) -> Iterator[tuple[int, Any]]:
    line, done = 0, 0
    while True:
        raw = stream.readline(MAX_LINE + 1)
        if not raw:
            return
        line += 1
        done += len(raw)
        if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
            while (more := stream.readline(1 << 20)) and not more.endswith(b"\n"):
                done += len(more)
            done += len(more)
            yield line, InvalidRecord(f"{label}:{line}", f"line too long (over {_size(MAX_LINE)})")
            continue
        if on_progress and line % 256 == 0:
            on_progress(label, done, total)
        if raw.strip():
            yield line, _decode(label, line, raw)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return f"has keys {', '.join(map(str, list(value)[:6]))}" if value else "is an empty object"
    kinds = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return f"is {kinds.get(type(value), 'a number')}"


def _size(n: int) -> str:
    return f"{n // 2**20} MiB" if n >= 2**20 else f"{n} bytes"


def _array(label: str, stream: io.BufferedReader) -> Iterator[tuple[int, Any]]:
    data = stream.read(MAX_ARRAY_FILE + 1)
    if len(data) > MAX_ARRAY_FILE:
        yield 1, InvalidRecord(f"{label}:1", f"JSON array over {MAX_ARRAY_FILE // 2**20} MiB; write it as JSONL instead")
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as u:
        line = data.count(b"\n", 0, u.start) + 1
        yield line, InvalidRecord(f"{label}:{line}", "not valid UTF-8")
        return
    dec, ws = json.JSONDecoder(), re.compile(r"\s*")
    pos = ws.match(text, text.index("[") + 1).end()
    if text.startswith("]", pos):
        return
    while True:
        line = text.count("\n", 0, pos) + 1
        try:
            value, pos = dec.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            yield e.lineno, InvalidRecord(f"{label}:{e.lineno}", f"not JSON (invalid syntax at column {e.colno})")
            return
        yield line, value
        pos = ws.match(text, pos).end()
        if text.startswith(",", pos):
            pos = ws.match(text, pos + 1).end()
            continue
        if not text.startswith("]", pos) or text[pos + 1 :].strip():
            at = text.count("\n", 0, pos) + 1
            yield at, InvalidRecord(f"{label}:{at}", "not JSON (expected ',' or ']' after an array element)")
        return


def detect(suffix: str, first_char: str, record: Any) -> Format | None:
    """The first registered format whose detector accepts the file's first record."""
    for fmt in FORMATS.values():
        if fmt.detector(suffix, first_char, record):
            return fmt
    return None


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
    success = rec.get("success")
    if success is None:
        if not opts.assume_success:
            raise ValueError("success: missing (true or false); pass --assume-success to import records without it")
        success = True
    elif not isinstance(success, bool):
        raise ValueError("success: must be true or false")
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
    if not question or not question.strip():
        raise ValueError("messages: no user message (the question)")
    if not steps:
        raise ValueError("messages: no assistant tool_calls, nothing to learn from")
    answer = rec.get("answer")
    if answer is not None:
        answer = _answer(answer, "answer")
    if steps[-1].tool == FINISH:
        answer = answer if answer is not None else _answer(steps[-1].args.get("answer"), f"{FINISH}.answer")
    else:
        answer = answer if answer is not None else final
        if not answer:
            raise ValueError('answer: no final assistant message without tool_calls and no "answer" field')
        steps.append(Step(thought="", tool=FINISH, args={"answer": answer}))
    model = rec.get("model")
    return Experience(
        question=question,
        steps=steps,
        answer=answer,
        intent=_str(rec.get("intent"), "intent", default="general"),
        success_source="imported" if success else "failed",
        model=model if isinstance(model, str) else None,
    )


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


register_format("openai", _openai_detect, _openai_read)
register_format("library", _library_detect, _library_read)
register_format("seer", _seer_detect, _seer_read)
