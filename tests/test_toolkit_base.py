"""@tool schemas, Toolkit dispatch and errors, the step grammar (compiled and used by the real model)."""

from __future__ import annotations

import json
from typing import Literal, Optional

import pytest

from seer_cli.errors import ToolCallError, UserError
from seer_cli.toolkits import FINISH, Tool, Toolkit, get_toolkit, register_toolkit, tool, toolkit_names


@tool
def lookup(city: str, limit: int, ratio: float, exact: bool, tags: list[str],
           unit: Literal["c", "f"], note: Optional[str] = None) -> str:
    """Look a city up.

    Args:
        city: the city name.
        limit: how many rows,
            at most.
        ratio (float): a ratio.
        exact: exact match only.
        tags: labels to keep.
        unit: temperature unit.
        note: free text.

    Returns:
        a line of text.
    """
    return f"{city}:{limit}:{ratio}:{exact}:{','.join(tags)}:{unit}:{note}"


class Kit(Toolkit):
    name = "kit"
    intents = ["sum", "other"]

    @tool
    def Add(self, a: int, b: int) -> str:
        """Add two integers.

        Args:
            a: the first integer.
            b: the second integer.
        """
        return str(a + b)

    @tool
    def Echo(self, text: str) -> str:
        """Repeat the text.

        Args:
            text: what to repeat.
        """
        return text


def test_schema_from_hints_and_docstring():
    assert isinstance(lookup, Tool)
    assert lookup.name == "lookup" and lookup.description == "Look a city up."
    props = lookup.parameters["properties"]
    assert props["city"] == {"type": "string", "description": "the city name."}
    assert props["limit"]["type"] == "integer" and props["limit"]["description"] == "how many rows, at most."
    assert props["ratio"]["type"] == "number" and props["exact"]["type"] == "boolean"
    assert props["tags"]["type"] == "array" and props["tags"]["items"] == {"type": "string"}
    assert props["unit"]["enum"] == ["c", "f"]
    assert props["note"]["type"] == "string"
    assert lookup.parameters["required"] == ["city", "limit", "ratio", "exact", "tags", "unit"]
    assert lookup.parameters["additionalProperties"] is False
    assert lookup(city="Oslo", limit=2, ratio=0.5, exact=True, tags=["a"], unit="c") == "Oslo:2:0.5:True:a:c:None"


def test_missing_hint_or_doc_fails_at_decoration_time():
    with pytest.raises(TypeError, match="'x' has no type hint"):
        @tool
        def f(x) -> str:
            """Do it.

            Args:
                x: a thing.
            """

    with pytest.raises(TypeError, match="'y' is not documented"):
        @tool
        def g(x: int, y: int) -> str:
            """Do it.

            Args:
                x: a thing.
            """

    with pytest.raises(TypeError, match="docstring"):
        @tool
        def h(x: int) -> str:
            return ""

    with pytest.raises(TypeError, match="unsupported type hint"):
        @tool
        def k(x: dict) -> str:
            """Do it.

            Args:
                x: a thing.
            """


def test_toolkit_tools_in_order_with_finish_last_and_call():
    kit = Kit()
    assert [t.name for t in kit.tools()] == ["Add", "Echo", FINISH]
    assert kit.call("Add", {"a": 2, "b": 40}) == "42"
    assert kit.call("Add", {"a": 2.0, "b": 3}) == "5"  # integral floats are accepted as ints
    assert kit.call(FINISH, {"answer": "yes"}) == "yes"


@pytest.mark.parametrize(
    "name,args,message",
    [
        ("Mul", {}, "Unknown tool 'Mul'. Valid tools: Add, Echo, Finish."),
        ("Add", {"a": 1}, "Add: missing b. Expected Add(a: int, b: int)."),
        ("Add", {"a": 1, "b": 2, "c": 3}, "Add: unexpected c. Expected Add(a: int, b: int)."),
        ("Add", {"a": "1", "b": 2}, "Add: argument a must be int, got '1'. Expected Add(a: int, b: int)."),
        ("Add", {"a": True, "b": 2}, "Add: argument a must be int"),
        ("Echo", ["x"], "Echo: args must be a JSON object. Expected Echo(text: str)."),
    ],
)
def test_model_mistakes_raise_tool_call_error_naming_the_choices(name, args, message):
    with pytest.raises(ToolCallError) as e:
        Kit().call(name, args)
    assert str(e.value).startswith(message)


def test_a_failed_call_repeats_the_argument_descriptions_that_show_a_format():
    """A user's tool, here a real MCP server's: its errors ("Invalid timezone: 'No time zone found with key New_York'") do
    not say what a value looks like; its descriptions do, and a failed call repeats them."""
    def convert(source_timezone: str, time: str, target_timezone: str) -> str:
        raise ToolCallError("convert failed: Invalid timezone: 'No time zone found with key New_York'")

    params = {"type": "object", "required": ["source_timezone", "time", "target_timezone"], "properties": {
        "source_timezone": {"type": "string", "description": "Source IANA timezone name (e.g., 'America/New_York')."},
        "time": {"type": "string", "description": "Time to convert in 24-hour format (HH:MM)"},
        "target_timezone": {"type": "string", "description": "Target timezone."}}}
    kit = Kit(extra_tools=[Tool("convert", "Convert a time.", params, convert)])
    with pytest.raises(ToolCallError) as e:
        kit.call("convert", {"source_timezone": "New_York", "time": "09:00", "target_timezone": "Europe/London"})
    assert str(e.value) == ("convert failed: Invalid timezone: 'No time zone found with key New_York' The arguments of convert, "
                            "as described: source_timezone: Source IANA timezone name (e.g., 'America/New_York'); "
                            "time: Time to convert in 24-hour format (HH:MM).")
    with pytest.raises(ToolCallError) as e:  # a built-in tool: its error as it was
        Kit().call("Add", {"a": 1})
    assert str(e.value) == "Add: missing b. Expected Add(a: int, b: int)."


def test_a_city_given_for_a_time_zone_is_read_as_the_zone_after_the_call_fails():
    """The 1.5B called the real time server with "New_York" and "São Paulo", read "Invalid timezone"
    and answered that the tool did not support the zone. A failed call whose time-zone arguments
    are cities is made once more with the zones' names, and the observation says what was read."""
    from datetime import datetime
    from zoneinfo import ZoneInfo, available_timezones

    calls = []

    def convert(source_timezone: str, time: str, target_timezone: str) -> str:
        calls.append((source_timezone, target_timezone))
        if source_timezone not in available_timezones() or target_timezone not in available_timezones():
            raise ToolCallError(f"convert failed: Invalid timezone: {source_timezone!r}")
        at = datetime(2026, 1, 15, *map(int, time.split(":")), tzinfo=ZoneInfo(source_timezone))
        return json.dumps({"target": {"datetime": at.astimezone(ZoneInfo(target_timezone)).isoformat()}})

    params = {"type": "object", "required": ["source_timezone", "time", "target_timezone"], "properties": {
        "source_timezone": {"type": "string", "description": "Source IANA timezone name (e.g., 'America/New_York')."},
        "time": {"type": "string", "description": "Time to convert in 24-hour format (HH:MM)"},
        "target_timezone": {"type": "string", "description": "Target IANA timezone name."}}}
    kit = Kit(extra_tools=[Tool("convert", "Convert a time.", params, convert)])
    text = kit.call("convert", {"source_timezone": "São Paulo", "time": "10:00", "target_timezone": "Europe/Paris"})
    assert text.startswith("Note: read source_timezone 'São Paulo' as 'America/Sao_Paulo'.\n")
    assert "2026-01-15T14:00:00+01:00" in text and calls == [("São Paulo", "Europe/Paris"), ("America/Sao_Paulo", "Europe/Paris")]
    assert kit.call("convert", {"source_timezone": "UTC", "time": "10:00", "target_timezone": "Asia/Tokyo"}).endswith('19:00:00+09:00"}}')
    with pytest.raises(ToolCallError, match="as described"):  # no city of one zone: the error, with the descriptions
        kit.call("convert", {"source_timezone": "Atlantis", "time": "10:00", "target_timezone": "Europe/Paris"})


def test_step_schema_shape_and_specs_text():
    schema = Kit().step_schema(50)
    assert [o["properties"]["tool"] for o in schema["anyOf"]] == [{"const": "Add"}, {"const": "Echo"}, {"const": FINISH}]
    first = schema["anyOf"][0]
    assert list(first["properties"]) == ["thought", "tool", "args"]
    assert first["properties"]["thought"] == {"type": "string", "maxLength": 50}
    assert first["properties"]["args"] == {
        "type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"], "additionalProperties": False}
    text = Kit().tool_specs_text()
    assert text.splitlines()[0] == "- Add(a: int, b: int): Add two integers."
    assert text == Kit().tool_specs_text()  # stable


def test_step_schema_compiles_to_a_llama_grammar():
    from llama_cpp import LlamaGrammar

    for kit in (Kit(),):
        grammar = LlamaGrammar.from_json_schema(json.dumps(kit.step_schema(200)), verbose=False)
        assert grammar is not None


def test_constrained_generation_with_the_real_model_parses_and_validates(llm):
    kit = Kit()
    messages = [
        {"role": "system", "content": "You call tools. Tools:\n" + kit.tool_specs_text()
         + '\nReply with one JSON object {"thought", "tool", "args"}.'},
        {"role": "user", "content": "What is 2 + 3? Use Add."},
    ]
    out = llm.complete(messages, json_schema=kit.step_schema(40), max_tokens=80)
    step = json.loads(out.text)
    assert list(step) == ["thought", "tool", "args"]
    assert len(step["thought"]) <= 40
    tools = kit.tool_map()
    assert step["tool"] in tools
    tools[step["tool"]].validate(step["args"])  # raises if the grammar let a bad call through
    assert isinstance(kit.call(step["tool"], step["args"]), str)


def test_registry_builds_registered_and_builtin_toolkits(monkeypatch):
    from seer_cli.toolkits import base

    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))  # the test's toolkit leaves with the test
    register_toolkit("kit-test", lambda **opts: Kit(**opts))
    assert isinstance(get_toolkit("kit-test"), Kit)
    assert {"general", "toolqa", "kit-test"} <= set(toolkit_names())
    assert get_toolkit("general").name == "general"
    with pytest.raises(UserError, match="unknown toolkit 'nope'; available: "):
        get_toolkit("nope")
