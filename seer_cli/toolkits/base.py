"""Tools are typed functions with docstrings; a toolkit is a class whose methods are tools.

Why this module exists: the agent needs, for every tool, a name, a description and a JSON schema
of its arguments (which becomes the llama.cpp grammar of one agent step). Writing those by hand
drifts from the code; here they are derived from the function itself:

* ``@tool`` reads the type hints and the Google-style ``Args:`` section. A parameter without a
  hint or without a line in ``Args:`` raises ``TypeError`` when the module is imported, never in
  the middle of an episode. (Tools from a user's file are gentler about ``Args:``: see
  :mod:`.loading`.)
* :class:`Toolkit` collects its ``@tool`` methods in definition order and always appends
  ``Finish(answer)``. :meth:`Toolkit.call` validates the model's arguments and raises
  :class:`~seer_cli.errors.ToolCallError` naming the valid tools or the expected arguments: the
  agent shows that message to the model as the next observation.
* A registry (``register_toolkit`` / ``get_toolkit``) through which the built-in toolkits enter
  exactly like third-party ones.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import types
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Literal, Sequence, Union

from ..errors import ToolCallError, UserError
from ..pool.records import FINISH  # noqa: F401  (one definition, in the records; re-exported for the toolkits)

if TYPE_CHECKING:
    from .chunks import Chunk

_ARGS_HEADER = re.compile(r"^\s*(Args|Arguments|Parameters)\s*:\s*$")
_SECTION = re.compile(r"^\s*(Returns|Return|Raises|Yields|Example|Examples|Note|Notes)\s*:\s*$")
_ARG_LINE = re.compile(r"^(\s*)(\*{0,2}\w+)\s*(\([^)]*\))?\s*:\s*(.*)$")


# an argument description that shows what a value looks like: an example, a format, a pattern
_GIVES_FORMAT = re.compile(r"\be\.g\.|\bfor example\b|\bsuch as\b|\bformat\b|\b(?:HH|YYYY|MM|DD)\b|\bISO[ -]?8601\b",
                           re.IGNORECASE)


@dataclass(frozen=True)
class Tool:
    """One callable tool. ``parameters`` is a JSON schema object (properties, required)."""

    name: str
    description: str
    parameters: dict
    fn: Callable[..., Any]

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


@tool(name=FINISH)
def _finish(answer: str) -> str:
    """Give the final answer and stop.

    Args:
        answer: the final answer, as short as possible (a number, a name, a date).
    """
    return answer


FINISH_TOOL = _finish


ARG_MAX_CHARS = 300
UNCAPPED_ARGS = ("code", "sql")


@dataclass(frozen=True)
class SqlTables:
    """What a toolkit offers answer-first table practice (:mod:`seer_cli.practice.tables`):
    its DuckDB connection, the tables in it as its SQL tool names them, each with the intent a
    question about it belongs to, and that tool with the argument the query goes in. One shape
    for any toolkit with an SQL tool, so practice writes the calls the agent will make there."""

    con: Any
    tables: dict[str, str]  # SQL name ("sales", "coffee.coffee_data") -> intent
    tool: str
    arg: str


class Toolkit:
    """A set of tools plus the intents an agent can classify questions into.

    Subclasses define tools as methods decorated with ``@tool``; ``extra_tools`` (e.g. loaded from a
    user's file) are appended after them, and ``Finish`` is always last.
    """

    name: str = "toolkit"
    if TYPE_CHECKING:  # read-only to their readers: a subclass sets them (class or instance attribute) or computes them (property)
        @property
        def intents(self) -> list[str]: ...
        @property
        def intent_hints(self) -> dict[str, str]: ...
        @property
        def done(self) -> bool: ...
    else:
        intents: list[str] = ["other"]
        intent_hints: dict[str, str] = {}
        done: bool = False  # a conversational toolkit turns it true when the episode is over (user left, transfer)
    # The passages a retrieval tool has shown this episode, in order, each once (``seer run``
    # reports them as the answer's sources); a toolkit without one has none.
    sources: Sequence[Chunk] = ()

    def __init__(self, extra_tools: list[Tool] | None = None):
        self._extra = list(extra_tools or [])

    # --- tools -----------------------------------------------------------------------------
    def _method_tools(self) -> list[Tool]:
        seen: dict[str, None] = {}
        for klass in reversed(type(self).__mro__):
            for attr, value in vars(klass).items():
                if isinstance(value, Tool):
                    seen[attr] = None
        return [getattr(self, attr) for attr in seen]

    def available(self, tool_name: str) -> bool:
        """Whether a method tool is offered; subclasses hide tools whose inputs are absent."""
        return True

    def needs_lookup(self, intent: str) -> bool:
        """Whether a question of ``intent`` is about inputs a tool must read first (the user's
        tables, documents or tools): then a Finish before any tool call is refused once."""
        return False

    def refine_intent(self, question: str, intent: str) -> str:
        """The intent after what the toolkit knows of its inputs (a question in its documents' words
        is about them); by default the classifier's."""
        return intent

    def sql_tables(self) -> SqlTables | None:
        """The tables self-practice may write SQL tasks over; None when the toolkit has none."""
        return None

    def tools(self) -> list[Tool]:
        found = [t for t in self._method_tools() if t.name != FINISH and self.available(t.name)]
        names = {t.name for t in found}
        for t in self._extra:
            if t.name in names or t.name == FINISH:
                raise UserError(f"tool {t.name!r} is defined twice (toolkit {self.name})")
            names.add(t.name)
            found.append(t)
        return found + [FINISH_TOOL]

    def tool_map(self) -> dict[str, Tool]:
        return {t.name: t for t in self.tools()}

    def call(self, name: str, args: Any) -> str:
        """Run one tool call from the model; model mistakes raise ``ToolCallError``."""
        tools = self.tool_map()
        if name not in tools:
            raise ToolCallError(f"Unknown tool {name!r}. Valid tools: {', '.join(tools)}.")
        t = tools[name]
        try:
            return t(**t.validate(args))
        except ToolCallError as e:
            # the user's tools only: seer's own write errors that say what to do (sql_hints)
            described = t.described_formats() if any(x.name == name for x in self._extra) else ""
            if not described or described in str(e):
                raise
            raise ToolCallError(f"{e} {described}") from None

    # --- prompt / grammar ------------------------------------------------------------------
    def step_schema(self, thought_max_chars: int = 200, arg_max_chars: int = ARG_MAX_CHARS) -> dict:
        """JSON schema of ONE agent step: ``{"thought", "tool", "args"}``, anyOf over the tools.

        String arguments are capped at ``arg_max_chars`` (except program text: ``code``, ``sql``),
        so a model that starts pasting an observation into a query ends a valid step instead of
        running out of tokens mid-string and failing to parse."""
        options = []
        for t in self.tools():
            props = {}
            for k, v in t.parameters["properties"].items():
                prop = {kk: vv for kk, vv in v.items() if kk != "description"}
                if prop.get("type") == "string" and k not in UNCAPPED_ARGS and "maxLength" not in prop and "enum" not in prop:
                    prop["maxLength"] = arg_max_chars
                props[k] = prop
            args = {
                "type": "object",
                "properties": props,
                "required": list(t.parameters["properties"]),
                "additionalProperties": False,
            }
            options.append(
                {
                    "type": "object",
                    "properties": {
                        "thought": {"type": "string", "maxLength": thought_max_chars},
                        "tool": {"const": t.name},
                        "args": args,
                    },
                    "required": ["thought", "tool", "args"],
                    "additionalProperties": False,
                }
            )
        return {"anyOf": options}

    def tool_specs_text(self) -> str:
        """A compact, stable listing of the tools for the system prompt."""
        lines = []
        for t in self.tools():
            lines.append(f"- {t.signature_text()}: {t.description}")
            for arg, schema in t.parameters["properties"].items():
                if schema.get("description"):  # an undocumented user argument is shown by name and type only
                    lines.append(f"    {arg}: {schema['description']}")
        return "\n".join(lines)

    def system_prompt(self) -> str | None:
        """The whole system prompt, for a toolkit that brings its own (τ-bench's policy); None, the
        default: the agent renders ``prompts/system.md`` around :meth:`tool_specs_text`."""
        return None

    def describe(self) -> list[dict]:
        """Each tool as data: name, signature, description, argument schema (``seer tools list``)."""
        return [{"name": t.name, "signature": t.signature_text(), "description": t.description,
                 "parameters": t.parameters} for t in self.tools()]

    def prepare(self) -> None:
        """Do slow one-off work now (load tables, build indexes) instead of mid-episode."""

    def close(self) -> None:
        """Release files / connections. Safe to call twice."""


# --- registry ------------------------------------------------------------------------------

_REGISTRY: dict[str, Callable[..., Toolkit]] = {}


def register_toolkit(name: str, factory: Callable[..., Toolkit]) -> None:
    """Make ``get_toolkit(name, **opts)`` call ``factory(**opts)``."""
    _REGISTRY[name] = factory


def toolkit_names() -> list[str]:
    return sorted(_REGISTRY)


def get_toolkit(name: str, **opts) -> Toolkit:
    """Build a registered toolkit; an unknown name is a ``UserError`` listing the known ones."""
    if name not in _REGISTRY:
        raise UserError(f"unknown toolkit {name!r}; available: {', '.join(toolkit_names())}")
    return _REGISTRY[name](**opts)
