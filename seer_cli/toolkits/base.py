"""A toolkit is a class whose methods are tools (:mod:`.tool`: a typed function with a docstring).

Why this module exists: the agent asks one object for the tools of an episode, their grammar and
their calls, whatever they come from (seer's own, a user's file, an MCP server):

* :class:`Toolkit` collects its ``@tool`` methods in definition order and always appends
  ``Finish(answer)``. :meth:`Toolkit.call` validates the model's arguments and raises
  :class:`~seer_cli.errors.ToolCallError` naming the valid tools or the expected arguments: the
  agent shows that message to the model as the next observation.
* A registry (``register_toolkit`` / ``get_toolkit``) through which the built-in toolkits enter
  exactly like third-party ones.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from ..errors import ToolCallError, UserError
from ..pool.records import FINISH  # noqa: F401  (one definition, in the records; re-exported for the toolkits)
from .standard_names import standard_spellings
from .tool import Tool, make_tool, tool  # noqa: F401  (re-exported: a toolkit's author imports them here)

if TYPE_CHECKING:
    from .chunks import Chunk
    from .table_values import Unused


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
    # Self-practice sets it: the agent's calls of the user's tools that may change something
    # (:meth:`Tool.may_change_things`: git_commit, create_issue) are refused, not run, while it practises.
    reads_only: bool = False
    # The question of the episode under way (:meth:`asked`), None outside one: a search tool may
    # rank by its words beside the model's query.
    question: str | None = None
    # The user's files a toolkit reads (the general toolkit's --data, --docs and --tools); none by
    # default, so self-practice asks every toolkit the same way.
    data: Sequence[Path] = ()
    docs: Path | None = None
    tools_file: Path | None = None

    @property
    def user_tools(self) -> list[Tool]:
        """The user's own tools (``--tools``, ``--mcp``); none by default."""
        return []

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

    @contextlib.contextmanager
    def asked(self, question: str) -> Iterator[None]:
        """While an episode answers ``question`` (the agent enters it for the episode): tools may
        read the user's own words, not only the model's arguments. Outside it (self-practice's
        generation, replays of stored calls) :attr:`question` is None."""
        before, self.question = self.question, question
        try:
            yield
        finally:
            self.question = before

    def needs_lookup(self, intent: str) -> bool:
        """Whether a question of ``intent`` is about inputs a tool must read first (the user's
        tables, documents or tools): then a Finish before any tool call is refused once."""
        return False

    def unused_values(self, question: str, calls: list[tuple[str, dict]]) -> Unused | None:
        """Values ``question`` names that the toolkit's inputs hold and none of ``calls`` (the
        episode's (tool, args)) used, with the query to extend; a Finish then is refused once.
        None known by default."""
        return None

    def unused_columns(self, question: str, calls: list[tuple[str, dict, str]]) -> Unused | None:
        """Columns ``question`` names that none of ``calls`` (the episode's successful (tool, args,
        observation)) used, with the last query; a Finish then is refused once. None known by default."""
        return None

    def fits(self, exp) -> bool:
        """Whether a past experience's calls can be made with this toolkit (its tools are offered);
        recall shows a self-practised experience only where it fits."""
        names = set(self.tool_map())
        return all(s.tool in names for s in exp.steps if s.tool not in (None, FINISH))

    def reads_inputs(self, tool_name: str) -> bool:
        """Whether a call of ``tool_name`` reads the user's inputs (a calculator does not): a Finish
        on a question that needs a look, after calls of no such tool, is refused once."""
        return True

    def first_tools(self, intent: str) -> frozenset[str]:
        """The tools the first step of a question of ``intent`` may call: on a question about the
        user's inputs (:meth:`needs_lookup`) those that read them (:meth:`reads_inputs`), so it
        looks before it computes or answers; empty (any tool) otherwise."""
        if not self.needs_lookup(intent):
            return frozenset()
        return frozenset(t.name for t in self.tools() if t.name != FINISH and self.reads_inputs(t.name))

    def refine_intent(self, question: str, intent: str) -> str:
        """The intent after what the toolkit knows of its inputs (a question in its documents' words
        is about them); by default the classifier's."""
        return intent

    def sql_tables(self) -> SqlTables | None:
        """The tables self-practice may write SQL tasks over; None when the toolkit has none."""
        return None

    def table_names(self) -> list[str]:
        """The names of the user's tables as its SQL tool writes them, without loading a table
        (a refusal asks at a Finish: :func:`seer_cli.agent.refusal.table_named`); none by default."""
        return []

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
        if self.reads_only and t.may_change_things() and any(x.name == name for x in self._extra):
            raise ToolCallError(f"{name} may change things and is not called during practice; use a tool that reads")
        valid = t.validate(args)
        try:
            return t(**valid)
        except ToolCallError as e:
            # the user's tools only: seer's own write errors that say what to do (sql_hints)
            if not any(x.name == name for x in self._extra):
                raise
            if spelled := standard_spellings(t.parameters, valid):  # "São Paulo" for a time zone: once more, spelled
                try:
                    result = t(**{**valid, **{k: std for k, (_, std) in spelled.items()}})
                    return "Note: read " + ", ".join(f"{k} {said!r} as {std!r}" for k, (said, std) in spelled.items()) + ".\n" + result
                except ToolCallError:
                    pass  # not the spelling, then: the error as it was, with the arguments' descriptions
            described = t.described_formats()
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
