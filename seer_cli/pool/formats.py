"""Read trajectory files into :class:`Experience` records, so a pool can grow from existing logs.

People already have tool-use trajectories: seer's own exports, OpenAI chat-completions logs, the
SEER paper's ``library.json``. This module turns each into Experience records, one per input
record, with provenance ``origin = "file:line"``; it never touches a pool (``seer ingest`` does).

**Containers.** A file whose first non-blank character is ``[`` is one JSON array (read whole,
at most 256 MiB; each element's line is where it starts); anything else is JSONL, read line by
line in streaming fashion (blank lines skipped, a line over 16 MiB is "line too long").

**Formats** sit in a registry, ``register_format(name, detector, reader)``, and the built-ins
enter through the same call: ``seer_cli/pool/__init__.py`` registers them (as
``seer_cli/toolkits/__init__.py`` does the built-in toolkits), and their code in :mod:`.readers`
is imported on first use. This module imports no reader, so a reader may import it. ``detector(suffix, first_char, first_record) -> bool`` picks the
format per file from the extension, the first non-blank character and the first record;
``reader(record, options) -> Experience`` raises ``ValueError("field: reason")``.

* ``seer``: ``Experience.to_dict()`` per line, what ``seer pool export`` writes. A record's own
  ``origin`` is kept (so export/ingest round-trips); an empty one becomes ``file:line``.
* ``openai``: ``{"messages": [...], "success": true, "intent"?, "answer"?, "model"?}``. The
  question is the first user message; each assistant ``tool_calls`` entry is a step (its
  ``arguments`` JSON string parsed; the message content is the thought of its first call); a
  ``tool`` message's content is the observation of the call named by ``tool_call_id``; the answer
  is the ``answer`` field or the last assistant message without tool calls, appended as a
  ``Finish`` step. ``success`` is required unless ``assume_success``; ``false`` -> a failed record
  (its answer may be missing: a failed conversation often ends on a call). A well-formed
  conversation without any tool call has nothing to teach: it is *skipped* and counted, not invalid.
* ``library``: a JSON array of ``{id, class, question, steps, tools, parameters, full_text}``.
  ``steps`` (a list of strings, or one string) reads ``Step i: thought <CALL_BEGIN>Tool[args]<CALL_END>``;
  ``full_text``'s ``Result i: ...`` lines are the observations; ``class`` is the intent; the
  ``Finish[...]`` argument is the answer. ``Tool[args]`` of a ToolQA tool gets the argument names
  of :data:`seer_cli.toolqa_calls.TOOLQA_ARGS` (the one shared mapping, which the ToolQA toolkit's tools are
  tested against: ``LoadDB[coffee]`` ->
  ``{"db": "coffee"}``, ``FilterDB`` -> condition, ``GetValue`` -> column, ``SQLInterpreter`` ->
  sql, ``PythonInterpreter`` -> code, ``Calculate`` -> expression, ``Retrieve*`` -> query,
  ``LoadGraph`` -> graph); the graph tools split on commas as the official ones do
  (``NodeCheck[PaperNet, X]`` -> ``{"graph": "PaperNet", "node": "X"}``, ``EdgeCheck`` ->
  graph, node1, node2; the last name keeps any further commas); any other tool -> ``{"input": ...}``.

**Skips**: a reader raises :class:`SkipRecord` for a well-formed record that holds nothing to learn
from; it lands in ``ReadResult.skipped`` as ``(file:line, reason)``, like the failed records that
``include_failures`` does not keep (reason ``failed``).

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
from typing import Any, BinaryIO, Callable, Iterator, Sequence

import orjson

from ..errors import InvalidRecord, UserError
from .records import Experience

MAX_LINE = 16 * 2**20
MAX_ARRAY_FILE = 256 * 2**20
_PROBE = 64 * 1024
STDIN = "-"


class SkipRecord(Exception):
    """Raised by a reader for a well-formed record with nothing to learn from; the message is why."""


@dataclass(frozen=True)
class ReadOptions:
    assume_success: bool = False
    include_failures: bool = False


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
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file:line, reason), failures included
    read: int = 0
    formats: dict[str, str] = field(default_factory=dict)  # file label -> format name


ProgressFn = Callable[[str, int, int | None], None]  # (file label, bytes done, total bytes or None)


def read_files(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    assume_success: bool = False,
    include_failures: bool = False,
    on_progress: ProgressFn | None = None,
) -> ReadResult:
    """Read every file (``"-"`` = stdin); failures go to ``experiences`` when ``include_failures``."""
    if format is not None and format not in FORMATS:
        raise UserError(f"unknown format {format!r} (known: {', '.join(FORMATS)})")
    opts = ReadOptions(assume_success=assume_success, include_failures=include_failures)
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
        except SkipRecord as e:
            result.skipped.append((where, str(e)))
            continue
        if not exp.origin:
            exp.origin = where
        if exp.succeeded:
            result.experiences.append(exp)
        else:
            result.failures.append(exp)
            if not opts.include_failures:
                result.skipped.append((where, "failed"))
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


def _jsonl(label: str, stream: BinaryIO, total, on_progress) -> Iterator[tuple[int, Any]]:
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


def _array(label: str, stream: BinaryIO) -> Iterator[tuple[int, Any]]:
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

    def skip_ws(at: int) -> int:  # the position past the whitespace at ``at`` (r"\s*" always matches)
        m = ws.match(text, at)
        assert m is not None
        return m.end()

    pos = skip_ws(text.index("[") + 1)
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
        pos = skip_ws(pos)
        if text.startswith(",", pos):
            pos = skip_ws(pos + 1)
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

