"""Which part of a tool's structured reply a practice task asks for.

Why: an MCP server replies with a JSON object ("source", "target", "time_difference"), and a task
must ask for one value of it that a person would want and that stays true: not an argument said
back, not the seconds of a clock. Two calls a second apart tell a clock's moving fields from the
stable ones; an ISO datetime is asked as its time of day (people ask what time it will be in
Tokyo, not for an offset-stamped timestamp); each field of a tool gets tasks in turn (the first
real-files practice asked all six ``convert_time`` tasks for the time difference). The same keys
find the value again in a replayed reply (:func:`field_value`), so admitted experiences re-verify.
A user's tool is called with a timeout (:func:`call_with_timeout`): it may hang.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from typing import Any

from .tasks import format_value

CALL_TIMEOUT = 10.0  # seconds a user's tool may take to compute a gold


def call_with_timeout(tool, args: dict[str, Any], timeout: float = CALL_TIMEOUT) -> str:
    """Call a user's tool; a tool that raises gives its error, one that hangs a TimeoutError."""
    box: dict[str, Any] = {}

    def target():
        try:
            box["value"] = tool(**args)
        except BaseException as e:  # noqa: BLE001 (the user's code: any failure skips the task)
            box["error"] = e

    th = threading.Thread(target=target, daemon=True)
    th.start()
    th.join(timeout)
    if th.is_alive():
        raise TimeoutError(f"{tool.name}: no result after {timeout:.0f} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


CLOCK_PAUSE = 1.1  # seconds between the two calls that tell a clock's fields from the stable ones
_PREFERRED = re.compile(r"(datetime|time|date|result|value|total|price|amount|difference|converted|answer)", re.IGNORECASE)


def structured_gold(tool, args: dict[str, Any], rng: random.Random, reply: Any,
                    moving: dict[str, set[str]] | None = None,
                    asked: dict[str, dict[str, int]] | None = None) -> tuple[str, str, bool] | None:
    """(gold, field, volatile) for a tool whose result is a JSON object (an MCP server's usual
    reply): a scalar field that does not echo an argument, the same in two calls when one is
    (a clock's day of the week, not its seconds); ``volatile`` when no field repeats. None for a
    result that is not a JSON object.

    ``moving``: the fields each tool was seen to change between two calls, filled by the first
    call of a tool and read by the later ones, so a tool is called twice (a second apart) once per
    run instead of once per task. ``asked``: per tool, how many tasks each field already had; the
    least asked is chosen, so a tool's tasks ask for each part of its reply in turn (the target time
    as well as the time difference). An ISO datetime field is offered as its time and its date
    (:func:`_clock_parts`)."""
    first = _json(reply)  # the first call's reply: the caller made it (a reply that is not JSON needs no second call)
    if not isinstance(first, dict):
        return None
    moved = (moving or {}).get(tool.name)
    if moved is None:
        time.sleep(CLOCK_PAUSE)  # a clock with whole seconds must show that it moved
        second = _json(call_with_timeout(tool, args))
        again = dict(_leaves(second)) if isinstance(second, dict) else {}
        moved = {k for k, v in _leaves(first) if again.get(k) != v}
        if moving is not None:
            moving[tool.name] = moved
    echoes = [str(v).strip().lower() for v in args.values() if len(str(v).strip()) >= 3 and not isinstance(v, bool)]
    leaves = [(k, v) for k, v in _leaves(first) if not isinstance(v, bool) and str(v).lower() not in ("true", "false")
              and format_value(v) is not None
              and len(str(v)) <= 40 and not any(e in str(v).lower() for e in echoes)]  # not the input said back ("07:00" in its source datetime)
    leaves = [kv for k, v in leaves for kv in (_clock_parts(k, v) or [(k, v)])]
    if not leaves:
        return None
    stable = [(k, v) for k, v in leaves if not any(w in moved for w in _wholes(k))]
    pool = stable or leaves
    pool = [kv for kv in pool if _PREFERRED.search(kv[0].rsplit(".", 1)[-1])] or pool
    counts = (asked if asked is not None else {}).setdefault(tool.name, {})
    least = min(counts.get(k, 0) for k, _ in pool)  # each reply field in turn: not six tasks on one of them
    key, value = rng.choice([kv for kv in pool if counts.get(kv[0], 0) == least])
    counts[key] = counts.get(key, 0) + 1
    gold = format_value(value)
    assert gold is not None  # leaves holds only values format_value accepts
    return gold, key, not stable


_ISO_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_PARTS = ("time", "date")


def _clock_parts(key: str, value: Any) -> list[tuple[str, str]] | None:
    """An ISO datetime field as the value a person asks for: ``target.datetime``
    "2026-12-07T08:00:00+09:00" gives ``target.time`` "08:00" (people ask what time it will be in
    Tokyo, not for an offset-stamped timestamp, and the date of a clock reading changes every day);
    a datetime at midnight with no UTC offset (a day written as a datetime) gives its date
    (``due.date``); a zoned clock reading that happens to be midnight stays a time. None for any
    other value."""
    m = _ISO_DATETIME.fullmatch(str(value).strip()) if isinstance(value, str) else None
    if not m:
        return None
    base = re.sub(r"\.?datetime$", "", key, flags=re.IGNORECASE)
    named_date = re.search(r"(^|[._ ])date$", key, re.IGNORECASE) is not None  # a commit's "Date": its day is what people ask
    part = "date" if named_date or (m.group(2) == "00:00" and not m.group(3)) else "time"
    return [(f"{base}.{part}" if base else part, m.group(1) if part == "date" else m.group(2))]


def _wholes(key: str) -> list[str]:
    """The reply fields ``key`` may name: itself, and for a :func:`_clock_parts` key the datetime
    field it was cut from (``target.time`` from ``target.datetime``, ``when.time`` from ``when``)."""
    base, _, last = key.rpartition(".")
    if last not in _PARTS:
        return [key]
    return [key, f"{base}.datetime", base] if base else [key, "datetime"]


def field_value(reply: Any, key: str) -> Any:
    """The value at dotted ``key`` of a JSON reply, a :func:`_clock_parts` key included; raises
    KeyError when it is not there."""
    for whole in _wholes(key):
        value = reply
        try:
            for part in whole.split("."):
                value = value[part]
        except (KeyError, TypeError, IndexError):
            continue
        if whole == key:
            return value
        parts = dict(_clock_parts(whole, value) or [])
        if key in parts:
            return parts[key]
    raise KeyError(key)


def _json(value: Any) -> Any:
    """A reply as a JSON object or list: parsed from JSON text, or from a Python literal (an MCP
    server that returns ``str(rows)``: "[{'name': 'ubuntu'}]"), or a record of ``Key: value``
    lines (:func:`text_record`); None for anything else."""
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, str) and value.lstrip()[:1] not in "{[":
        return text_record(value)
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except ValueError:
        pass
    try:
        import ast

        parsed = ast.literal_eval(value.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    return parsed if isinstance(parsed, (dict, list)) else None


_FIELD_LINE = re.compile(r"^\s*([A-Za-z][\w .()/-]{0,30}?)\s*:\s+(\S.*?)\s*$")


def text_record(text: str) -> dict[str, str] | None:
    """A text reply that is one record of ``Key: value`` lines, as a dict; None for anything else.
    Many servers answer in such lines, not JSON: the reference git server's log of one commit
    ("Commit: ...", "Author: ...", "Date: ..."), a file's "size: 1234" and "modified: ..." from a
    file-system server. A heading line ending in ":" ("Commit history:") is skipped; a key seen
    twice (a log of several commits) or a line of another shape means it is not one record."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if lines and lines[0].rstrip().endswith(":") and not _FIELD_LINE.match(lines[0]):
        lines = lines[1:]
    fields = [_FIELD_LINE.match(ln) for ln in lines]
    if len(lines) < 2 or not all(fields):
        return None
    keys = [m.group(1).strip() for m in fields if m]
    if len({k.lower() for k in keys}) != len(keys):
        return None
    return {k: m.group(2) for k, m in zip(keys, fields) if m}


def single_value(reply: Any) -> Any:
    """The one value a reply that is not an object holds: a one-item list's item (a one-field
    row's field: "[{'name': 'ubuntu'}]" gives "ubuntu"), a short one-line text as it is; None for a
    list of several things or a page of text (no single answer a person would check)."""
    parsed = _json(reply)
    if isinstance(parsed, list):
        if len(parsed) != 1:
            return None
        item = parsed[0]
        if isinstance(item, dict):
            return next(iter(item.values())) if len(item) == 1 else None
        return None if isinstance(item, list) else item
    if isinstance(reply, str) and ("\n" in reply.strip() or len(reply.strip()) > 80 or reply.strip().endswith(":")
                                   or re.fullmatch(r"\[\w+\]", reply.strip())):
        return None  # a page of text, a heading with nothing under it ("Unstaged changes:" of a clean work tree), "[resource]"
    return reply


def reply_strings(reply: Any) -> list[tuple[str, str]]:
    """(key, text) for every short text in a reply, rows of a list included (``name`` of each row
    of a ``list_tables`` reply): values another tool's argument may take."""
    def walk(obj: Any, key: str) -> list[tuple[str, str]]:
        if isinstance(obj, dict):
            return [kv for k, v in obj.items() for kv in walk(v, str(k))]
        if isinstance(obj, list):
            return [kv for v in obj[:50] for kv in walk(v, key)]
        return [(key, obj)] if isinstance(obj, str) and 0 < len(obj.strip()) <= 60 and "\n" not in obj else []
    parsed = _json(reply)
    return walk(parsed, "") if parsed is not None else []


def _leaves(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, scalar) of a JSON object, depth first."""
    if isinstance(obj, dict):
        return [leaf for k, v in obj.items() for leaf in _leaves(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(obj, list):
        return []
    return [(prefix, obj)]
