"""A tool: a typed function with a docstring, as the model sees it (name, description, JSON schema
of its arguments) and as the agent calls it (arguments validated first).

Why this module exists: the agent needs, for every tool, a name, a description and a JSON schema
of its arguments (which becomes the llama.cpp grammar of one agent step). Writing those by hand
drifts from the code; here they are derived from the function itself: ``@tool`` reads the type
hints and the Google-style ``Args:`` section. A parameter without a hint or without a line in
``Args:`` raises ``TypeError`` when the module is imported, never in the middle of an episode.
(Tools from a user's file are gentler about ``Args:``: see :mod:`.loading`.) The toolkit that
collects tools is :mod:`.base`.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable, Literal, Union

from ..errors import ToolCallError

_ARGS_HEADER = re.compile(r"^\s*(Args|Arguments|Parameters)\s*:\s*$")
_SECTION = re.compile(r"^\s*(Returns|Return|Raises|Yields|Example|Examples|Note|Notes)\s*:\s*$")
_ARG_LINE = re.compile(r"^(\s*)(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")


# an argument description that shows what a value looks like: an example, a format, a pattern
_GIVES_FORMAT = re.compile(r"\be\.g\.|\bfor example\b|\bsuch as\b|\bformat\b|\b(?:HH|YYYY|MM|DD)\b|\bISO[ -]?8601\b",
                           re.IGNORECASE)


# verbs that open the name of a tool that changes things (the second word too: ``git_commit``, ``fs_write``)
_CHANGING_VERBS = frozenset(
    "add append apply archive assign book cancel checkout clear close commit create delete deploy disable drop edit "
    "enable erase execute insert install kill merge modify move patch post publish push put remove rename reset "
    "restart revert run save schedule send set shutdown start stop submit transfer truncate uninstall update "
    "upload upsert write".split())


@dataclass(frozen=True)
class Tool:
    """One callable tool. ``parameters`` is a JSON schema object (properties, required)."""

    name: str
    description: str
    parameters: dict
    fn: Callable[..., Any]
    # Whether calling it only reads: True or False as its server declares (MCP's readOnlyHint), None
    # when nothing says. Self-practice calls tools on its own, with values it made up, so it calls
    # only those that cannot change anything (:meth:`may_change_things`).
    read_only: bool | None = None
    # Paths the user gave the tool's server on its command line (``--repository /srv/app``): the
    # value a person means for an argument like ``repo_path`` that the schema gives no example of.
    given: tuple[str, ...] = ()

    def may_change_things(self) -> bool:
        """Declared not read-only, or undeclared with a name that starts by changing something
        (``git_commit``, ``create_issue``, ``delete_file``, ``send_email``): never called by practice."""
        if self.read_only is not None:
            return not self.read_only
        words = re.findall(r"[a-z]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", self.name).lower())
        return any(w in _CHANGING_VERBS for w in words[:2])

    def __get__(self, obj, objtype=None):
        # A Tool defined in a class body binds like a method: ``kit.LoadDB`` is a Tool whose fn
        # has ``self`` bound.
        if obj is None or not hasattr(self.fn, "__get__"):
            return self
        return dataclasses.replace(self, fn=self.fn.__get__(obj, objtype))

    def __call__(self, **args) -> str:
        result = self.fn(**args)
        if result is None:
            return ""
        return result if isinstance(result, str) else str(result)

    @property
    def arg_names(self) -> list[str]:
        return list(self.parameters.get("properties", {}))

    def signature_text(self) -> str:
        """``Name(arg: type, ...)``: how the tool is shown to the model and in error messages."""
        parts = []
        for arg, schema in self.parameters.get("properties", {}).items():
            opt = "" if arg in self.parameters.get("required", []) else "?"
            parts.append(f"{arg}{opt}: {_type_text(schema)}")
        return f"{self.name}({', '.join(parts)})"

    def described_formats(self) -> str:
        """The descriptions of the arguments that give examples or a format ("IANA timezone name
        (e.g., 'America/New_York')", "in 24-hour format (HH:MM)"), as one line to add to a failed
        call's error; "" when none does. A real MCP server describes its arguments this way, and
        its errors do not repeat them: the 1.5B called ``convert_time(source_timezone="New_York")``,
        read "Invalid timezone", and gave up on the tool."""
        parts = [f"{arg}: {schema['description'].strip().rstrip('.')}"
                 for arg, schema in self.parameters.get("properties", {}).items()
                 if _GIVES_FORMAT.search(schema.get("description") or "")]
        return f"The arguments of {self.name}, as described: {'; '.join(parts)}." if parts else ""

    def validate(self, args: Any) -> dict:
        """Check ``args`` against the schema; raise ``ToolCallError`` naming the expected args."""
        if args is None:
            args = {}
        if not isinstance(args, dict):
            raise ToolCallError(f"{self.name}: args must be a JSON object. Expected {self.signature_text()}.")
        props = self.parameters.get("properties", {})
        required = self.parameters.get("required", [])
        missing = [a for a in required if a not in args]
        extra = [a for a in args if a not in props]
        if missing or extra:
            bits = []
            if missing:
                bits.append("missing " + ", ".join(missing))
            if extra:
                bits.append("unexpected " + ", ".join(extra))
            raise ToolCallError(f"{self.name}: {'; '.join(bits)}. Expected {self.signature_text()}.")
        out = {}
        for name, value in args.items():
            ok, coerced = _check(props[name], value)
            if not ok:
                raise ToolCallError(
                    f"{self.name}: argument {name} must be {_type_text(props[name])}, got {value!r:.80}. "
                    f"Expected {self.signature_text()}."
                )
            out[name] = coerced
        return out


def _type_text(schema: dict) -> str:
    if "enum" in schema:
        return "|".join(repr(v) if not isinstance(v, str) else f'"{v}"' for v in schema["enum"])
    t = schema.get("type", "any")
    if t == "array":
        return f"list[{_type_text(schema.get('items', {}))}]"
    if t == "object" and schema.get("properties"):
        return "{" + ", ".join(f"{k}: {_type_text(v)}" for k, v in schema["properties"].items()) + "}"
    return {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}.get(t, str(t))


def _check(schema: dict, value: Any) -> tuple[bool, Any]:
    if "enum" in schema:
        return (value in schema["enum"], value)
    t = schema.get("type")
    if t == "string":
        return (isinstance(value, str), value)
    if t == "boolean":
        return (isinstance(value, bool), value)
    if t == "integer":
        if isinstance(value, bool):
            return (False, value)
        if isinstance(value, float) and value.is_integer():
            return (True, int(value))
        return (isinstance(value, int), value)
    if t == "number":
        return (isinstance(value, (int, float)) and not isinstance(value, bool), value)
    if t == "array":
        if not isinstance(value, list):
            return (False, value)
        items = []
        for v in value:
            ok, c = _check(schema.get("items", {}), v)
            if not ok:
                return (False, value)
            items.append(c)
        return (True, items)
    return (True, value)


# --- schema from type hints ----------------------------------------------------------------


def _schema_for(hint: Any, where: str) -> tuple[dict, bool]:
    """(JSON schema, optional?) for a type hint; TypeError for what a grammar cannot express."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        members = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(members) == 1 and len(typing.get_args(hint)) == 2:
            return _schema_for(members[0], where)[0], True
        raise TypeError(f"{where}: only Optional[X] unions are supported, got {hint!r}")
    if origin is Literal:
        values = list(typing.get_args(hint))
        kinds = {type(v) for v in values}
        if kinds <= {str}:
            return {"type": "string", "enum": values}, False
        if kinds <= {int}:
            return {"type": "integer", "enum": values}, False
        raise TypeError(f"{where}: Literal values must all be str or all int")
    if origin is list:
        (item,) = typing.get_args(hint) or (str,)
        return {"type": "array", "items": _schema_for(item, where)[0]}, False
    simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if hint in simple:
        return {"type": simple[hint]}, False
    raise TypeError(f"{where}: unsupported type hint {hint!r} (use str, int, float, bool, list[...], Literal, Optional)")


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """(summary, {arg: description}) from a Google-style docstring."""
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    summary_lines: list[str] = []
    for line in lines:
        if not line.strip() or _ARGS_HEADER.match(line) or _SECTION.match(line):
            break
        summary_lines.append(line.strip())
    args: dict[str, str] = {}
    in_args = False
    current = None
    base_indent = None
    for line in lines:
        if _ARGS_HEADER.match(line):
            in_args, current, base_indent = True, None, None
            continue
        if not in_args:
            continue
        if _SECTION.match(line) or (line.strip() and not line.startswith((" ", "\t"))):
            in_args = False
            continue
        m = _ARG_LINE.match(line)
        indent = len(line) - len(line.lstrip())
        if m and (base_indent is None or indent <= base_indent):
            base_indent = indent
            current = m.group(2).lstrip("*")
            args[current] = m.group(4).strip()
        elif current and line.strip():
            args[current] = (args[current] + " " + line.strip()).strip()
    return " ".join(summary_lines), args


def tool(fn: Callable | None = None, *, name: str | None = None) -> Any:
    """Decorator: build a :class:`Tool` from a typed, documented function (or method).

    Raises ``TypeError`` at decoration time when a parameter lacks a type hint or a line in the
    docstring's ``Args:`` section, or when the function has no docstring summary.
    """

    def build(f: Callable) -> Tool:
        return make_tool(f, name=name)

    return build(fn) if fn is not None else build


def make_tool(f: Callable, *, name: str | None = None, on_undocumented: Callable[[str], None] | None = None) -> Tool:
    """A :class:`Tool` from ``f``. A parameter missing from ``Args:`` is a ``TypeError`` unless
    ``on_undocumented`` is given: then it is called with the parameter's name and the parameter
    is described to the model by its name and type alone (a user's quick one-line tool)."""
    tool_name = name or f.__name__
    where = f"tool {tool_name}"
    summary, arg_docs = parse_docstring(f.__doc__)
    if not summary:
        raise TypeError(f"{where}: needs a docstring whose first line says what it does")
    try:
        hints = typing.get_type_hints(f)
    except Exception as e:  # unresolved forward reference etc.
        raise TypeError(f"{where}: cannot resolve type hints ({e})") from None
    sig = inspect.signature(f)
    props: dict[str, dict] = {}
    required: list[str] = []
    for i, (pname, param) in enumerate(sig.parameters.items()):
        if i == 0 and pname in ("self", "cls"):
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"{where}: *args/**kwargs cannot be described to the model")
        if pname not in hints:
            raise TypeError(f"{where}: parameter {pname!r} has no type hint")
        schema, optional = _schema_for(hints[pname], f"{where}: parameter {pname!r}")
        if not arg_docs.get(pname):
            if on_undocumented is None:
                raise TypeError(f"{where}: parameter {pname!r} is not documented in the docstring's Args: section")
            on_undocumented(pname)
        schema = {**schema, "description": arg_docs.get(pname, "")}
        props[pname] = schema
        if param.default is inspect.Parameter.empty and not optional:
            required.append(pname)
    parameters = {"type": "object", "properties": props, "required": required, "additionalProperties": False}
    return Tool(name=tool_name, description=summary, parameters=parameters, fn=f)


__all__ = ["Tool", "make_tool", "parse_docstring", "tool"]
