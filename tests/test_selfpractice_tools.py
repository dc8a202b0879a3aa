"""Self-practice on a user's tools: arguments described by example, format or another tool's reply
get values a person would give, a question may name a city and must decode back to the call, a
datetime reply is asked as its time, docstrings are never pasted into questions, and practice
calls only tools that read (plumbing; split from ``test_selfpractice_meaning``)."""

from __future__ import annotations

import json
import random
import re

import pytest

from seer_cli.practice import phrasing
from seer_cli.practice import tool_replies
from seer_cli.practice import tools as tools_gen
from seer_cli.toolkits import get_toolkit
from seer_cli.toolkits.base import make_tool

from scripted import Scripted


TIME_SERVER_LIKE = '''
import json
from datetime import datetime, timezone


def convert_time(source_timezone: str, time: str, target_timezone: str) -> str:
    """Convert time between timezones.

    Args:
        source_timezone: Source IANA timezone name (e.g., 'America/New_York', 'Europe/London').
        time: Time to convert in 24-hour format (HH:MM)
        target_timezone: Target IANA timezone name (e.g., 'Asia/Tokyo', 'America/San_Francisco').
    """
    offsets = {"America/New_York": -5, "Europe/London": 0, "Asia/Tokyo": 9, "America/San_Francisco": -8}
    h, m = map(int, time.split(":"))
    th = (h - offsets[source_timezone] + offsets[target_timezone]) % 24
    return json.dumps({"source": {"timezone": source_timezone, "datetime": f"2026-12-06T{h:02d}:{m:02d}:00"},
                       "target": {"timezone": target_timezone, "datetime": f"2026-12-06T{th:02d}:{m:02d}:00"},
                       "time_difference": f"{offsets[target_timezone] - offsets[source_timezone]:+.1f}h"})


def get_current_time(timezone_name: str) -> str:
    """Get current time in a specific timezone.

    Args:
        timezone_name: IANA timezone name (e.g., 'America/New_York', 'Europe/London').
    """
    now = datetime.now(timezone.utc)
    return json.dumps({"timezone": timezone_name, "datetime": now.isoformat(timespec="microseconds")})


def member_price(minutes: int, member: bool) -> float:
    """Price of a ride of the given minutes, for a member or not."""
    return round(minutes * (0.1 if member else 0.2), 2)
'''


def test_arguments_described_by_example_and_format_get_values(tmp_path, monkeypatch):
    f = tmp_path / "timeish.py"
    f.write_text(TIME_SERVER_LIKE)
    kit = get_toolkit("general", tools_file=f, on_warning=lambda m: None)
    pauses: list[float] = []
    real_sleep = tool_replies.time.sleep
    monkeypatch.setattr(tool_replies.time, "sleep", lambda s: (pauses.append(s), real_sleep(s)))
    try:
        warnings: list[str] = []
        tasks = list(tools_gen.generate(kit, random.Random(0), on_warning=warnings.append))
    finally:
        kit.close()
    # a JSON-replying tool is called twice a second apart once, to tell its moving fields from the stable ones
    assert pauses.count(tool_replies.CLOCK_PAUSE) == 2  # convert_time and get_current_time, not once per task
    by_tool: dict[str, list] = {}
    for t in tasks:
        by_tool.setdefault(t.calls[0].tool, []).append(t)
    assert set(by_tool) == {"convert_time", "get_current_time", "member_price"}, warnings
    for t in by_tool["convert_time"]:
        args = t.calls[0].args
        assert args["source_timezone"] in ("America/New_York", "Europe/London")
        assert len(args["time"]) == 5 and args["time"][2] == ":"
        assert t.question.startswith("Can you convert") and "What is the convert" not in t.question
        # a datetime is asked as the time a person wants; each reply field gets tasks in turn
        assert t.covers["field"] in ("target.time", "time_difference") and not t.covers.get("volatile")
        if t.covers["field"] == "target.time":
            assert re.fullmatch(r"\d\d:\d\d", t.answer) and t.question.endswith("what is the target time?")
    assert {t.covers["field"] for t in by_tool["convert_time"]} == {"target.time", "time_difference"}
    clock = by_tool["get_current_time"][0]
    assert clock.covers.get("volatile") and clock.covers["field"] in ("time", "day_of_week")
    for t in by_tool["member_price"]:
        # the docstring's "for a member or not" is said as the flag's value
        assert "None" not in t.question and ("for a member" in t.question or "for a non-member" in t.question)
        assert t.question.startswith("What is the price of a ride")  # a noun phrase, not "Can you price of ..."


def test_a_tool_question_may_name_the_city_and_must_decode_back_to_the_call(tmp_path):
    """A person asks about "London", not "Europe/London": the wording is kept when the identifier's
    last part is said, and only the question decoding back into the very same arguments proves it."""
    f = tmp_path / "timeish.py"
    f.write_text(TIME_SERVER_LIKE)
    kit = get_toolkit("general", tools_file=f, on_warning=lambda m: None)
    try:
        task = next(t for t in tools_gen.generate(kit, random.Random(0)) if t.calls[0].tool == "convert_time")
        args = task.calls[0].args
        city = lambda tz: tz.rsplit("/", 1)[-1].replace("_", " ")  # noqa: E731
        person = f"It's {args['time']} in {city(args['source_timezone'])}: what time is it in {city(args['target_timezone'])}?"
        assert phrasing.rephrase(Scripted([json.dumps({"question": person})], repeat_last=False), task) == person
        lost = f"It's {args['time']} here: what time is it in {city(args['target_timezone'])}?"
        assert phrasing.rephrase(Scripted([json.dumps({"question": lost})], repeat_last=False), task) is None
        right, wrong = json.dumps(args), json.dumps({**args, "target_timezone": "Europe/Paris"})
        assert phrasing.second_derivation(Scripted([right], repeat_last=False), kit, task, person) == "decoded-call"
        assert phrasing.second_derivation(Scripted([wrong], repeat_last=False), kit, task, person) is None
        shown = Scripted([json.dumps({"question": person})], repeat_last=False)
        phrasing.rephrase(shown, task)  # the wording is asked with every value of the call named
        # the values are named as a person says them: the city, so the demonstration shows city -> zone
        assert shown.prompts[0][-1]["content"].count(f"must state each of: {city(args['source_timezone'])}, ") == 1
        clock = next(t for t in tools_gen.generate(kit, random.Random(0)) if t.calls[0].tool == "get_current_time")
        assert "a specific" not in clock.question and clock.calls[0].args["timezone_name"] in clock.question
    finally:
        kit.close()
    assert phrasing.said("America/New_York", "what time is it in new york?") and not phrasing.said("America/New_York", "in york?")
    assert not phrasing.said("UTC", "in london?") and phrasing.said("12:30", "at 12:30?")
    assert [phrasing.as_said(v) for v in ("America/New_York", "13:30", "UTC", "src/a.py")] == ["New York", "13:30", "UTC", "src/a.py"]


def test_a_datetime_reply_is_asked_as_its_time_and_found_in_any_clock_form():
    """``convert_time``'s "2026-12-07T08:00:00+09:00" becomes the time "08:00", which "8:00 AM" and
    "It is 08:00 in Tokyo" answer; a midnight datetime is a date; the field is found again on replay."""
    reply = {"source": {"timezone": "America/New_York", "datetime": "2026-12-06T18:00:00-05:00"},
             "target": {"timezone": "Asia/Tokyo", "datetime": "2026-12-07T08:00:00+09:00"}, "time_difference": "+14.0h",
             "due": "2026-12-24T00:00:00"}
    tool = type("T", (), {"name": "convert_time"})()
    args = {"source_timezone": "America/New_York", "time": "18:00", "target_timezone": "Asia/Tokyo"}
    asked: dict = {}
    got = [tool_replies.structured_gold(tool, args, random.Random(3), json.dumps(reply), {"convert_time": set()}, asked)
           for _ in range(6)]
    assert {g[1] for g in got} == {"target.time", "time_difference", "due.date"}  # the source datetime echoes 18:00
    assert asked["convert_time"] == {"target.time": 2, "time_difference": 2, "due.date": 2}  # in turn
    assert ("08:00", "target.time", False) in got and ("2026-12-24", "due.date", False) in got
    assert tool_replies.field_value(reply, "target.time") == "08:00" and tool_replies.field_value(reply, "due.date") == "2026-12-24"
    with pytest.raises(KeyError):
        tool_replies.field_value(reply, "source.zone")
    from seer_cli.answers import shows_clock, value_match
    assert value_match("8:00 AM", "08:00") and value_match("It is 08:00 in Tokyo.", "08:00") and value_match("8:15 p.m.", "20:15")
    assert not value_match("08:00 or 09:00", "08:00") and not value_match("8:15 AM", "20:15") and not value_match("18:00", "08:00")
    assert shows_clock(json.dumps(reply), "08:00") and not shows_clock(json.dumps(reply), "09:00")  # not the +09:00 offset
    # a zoned clock reading at midnight is a time (its date changes every day), a bare midnight a date
    assert tool_replies._clock_parts("target.datetime", "2026-12-07T00:00:00+09:00") == [("target.time", "00:00")]
    assert tool_replies._clock_parts("due", "2026-12-24T00:00:00") == [("due.date", "2026-12-24")]


def test_a_tool_docstring_is_never_pasted_after_what_is_the():
    def convert_mass(grams: float) -> float:
        """Convert a mass in grams to pounds (avoirdupois), rounded to 3 decimals."""
        return round(grams / 453.59237, 3)

    q = tools_gen.question_of(make_tool(convert_mass, on_undocumented=lambda m: None), {"grams": 1})
    assert q.startswith("Can you convert") and "What is the convert" not in q and "1 grams" in q


def test_an_example_the_tool_refuses_is_never_drawn_again(tmp_path):
    f = tmp_path / "zones.py"
    f.write_text('''
def offset_hours(zone: str) -> int:
    """Offset of a time zone from UTC in hours.

    Args:
        zone: IANA timezone name (e.g., 'Asia/Tokyo', 'America/San_Francisco').
    """
    known = {"Asia/Tokyo": 9}
    if zone not in known:
        raise ValueError(f"No time zone found with key {zone}")
    return known[zone]
''')
    tasks, warnings = _tool_tasks(f)
    assert tasks and {t.calls[0].args["zone"] for t in tasks} == {"Asia/Tokyo"} and not any("skipped" in w for w in warnings)


def test_practice_calls_only_tools_that_read(tmp_path):
    """mcp-server-git offers git_commit, git_add, git_reset beside git_log: practice calls tools
    on its own with values it made up, so a tool declared not read-only, or one whose name says
    it changes things, is never practised."""
    from seer_cli.toolkits.tool import Tool

    f = tmp_path / "desk.py"
    f.write_text(
        "def create_ticket(priority: str) -> str:\n"
        "    \"\"\"Open a ticket.\n\n    Args:\n        priority: low, normal or high.\n    \"\"\"\n"
        "    raise AssertionError('practice opened a ticket')\n\n"
        "def queue_length(priority: str) -> int:\n"
        "    \"\"\"How many tickets wait.\n\n    Args:\n        priority: low, normal or high.\n    \"\"\"\n"
        "    return {'low': 4, 'normal': 9, 'high': 2}[priority]\n")
    kit = get_toolkit("general", tools_file=f, on_warning=lambda m: None)
    warned: list[str] = []
    try:
        tasks = list(tools_gen.generate(kit, random.Random(0), on_warning=warned.append))
    finally:
        kit.close()
    assert tasks and {t.calls[0].tool for t in tasks} == {"queue_length"}
    assert warned == ["create_ticket: its name says it changes things; not practised (practice calls only tools that read)"]
    fn = lambda **kw: ""  # noqa: E731
    assert [Tool(n, "", {}, fn).may_change_things() for n in ("git_commit", "gitLog", "send_email", "get_weather", "convert_time")] \
        == [True, False, True, False, False]
    assert not Tool("delete_cache", "", {}, fn, read_only=True).may_change_things()  # the server's word wins
    assert Tool("lookup", "", {}, fn, read_only=False).may_change_things()


def test_an_argument_nothing_describes_takes_a_value_another_tool_returned(tmp_path):
    """mcp-server-sqlite's ``describe_table(table_name)`` offers no values; ``list_tables`` returns
    "[{'name': ...}]" (a Python literal). The rows' names feed the argument, a one-row reply is its
    value, and a reply of several rows or a page of text gives no task."""
    f = tmp_path / "db_tools.py"
    f.write_text('''
def list_tables() -> str:
    """List all tables in the database."""
    return str([{"name": "rentals"}])


def count_rows(table_name: str) -> int:
    """Count the rows of a table.

    Args:
        table_name: Name of the table.
    """
    return {"rentals": 120}[table_name]


def list_columns(table_name: str) -> str:
    """List the columns of a table.

    Args:
        table_name: Name of the table.
    """
    return str([{"name": "id"}, {"name": "minutes"}])
''')
    tasks, warnings = _tool_tasks(f)
    got = {(t.calls[0].tool, json.dumps(t.calls[0].args), t.answer) for t in tasks if t.generator == "tools.call"}
    assert got == {("list_tables", "{}", "rentals"), ("count_rows", '{"table_name": "rentals"}', "120")}, (got, warnings)
    assert tools_gen.fed_values("table_name", [("list_tables", "name", "rentals"), ("get_user", "name", "Ann")]) == ["rentals"]
    assert tool_replies.single_value("line one\nline two") is None and tool_replies.single_value("[1, 2]") is None


def test_an_expression_argument_gets_arithmetic_a_person_asks(tmp_path):
    """mcp-server-calculator's ``calculate(expression)`` ("Calculates/evaluates the given
    expression.") offers no values: an argument named an expression gets one, said as a request."""
    f = tmp_path / "calc.py"
    f.write_text('''
def calculate(expression: str) -> float:
    """Calculates/evaluates the given expression."""
    return eval(expression, {"__builtins__": {}})
''')
    tasks, _ = _tool_tasks(f)
    calls = [t for t in tasks if t.generator == "tools.call"]
    assert len(calls) >= 3
    for t in calls:
        expr = t.calls[0].args["expression"]
        assert re.fullmatch(r"[\d ()+*/-]+", expr) and t.question == f"Can you calculate {expr}?", t.question
        assert float(t.answer) == pytest.approx(eval(expr))
    assert all(t.question.startswith("Can you calculate ") and t.question.endswith("and add the two results?")
               for t in tasks if t.generator == "compose.tool_sum")


def test_a_sum_of_two_calls_is_derived_when_the_question_decodes_into_both_calls(tmp_path):
    """A composition the model fails needs a second derivation like any task: its question read
    back into the two calls' arguments, in either order (before, none existed, and every one the
    1.5B failed in the newcomer suite's practice was time spent for nothing)."""
    f = tmp_path / "calc.py"
    f.write_text('''
def calculate(expression: str) -> float:
    """Calculates/evaluates the given expression."""
    return eval(expression, {"__builtins__": {}})
''')
    kit = get_toolkit("general", tools_file=f, on_warning=lambda m: None)
    try:
        task = next(t for t in tools_gen.generate(kit, random.Random(0)) if t.generator == "compose.tool_sum")
        a, b = task.calls[0].args, task.calls[1].args
        both = Scripted([json.dumps({"first": b, "second": a})], repeat_last=False)
        assert phrasing.second_derivation(both, kit, task, task.question) == "decoded-calls"
        assert "two calls" in both.prompts[0][0]["content"] and set(both.schemas[0]["properties"]) == {"first", "second"}
        one_twice = Scripted([json.dumps({"first": a, "second": a})], repeat_last=False)
        assert phrasing.second_derivation(one_twice, kit, task, task.question) is None
        assert phrasing.second_derivation(Scripted(["{"], repeat_last=False), kit, task, task.question) is None
        # a wording keeps both calls' values (not the sum's expression, which no person writes)
        assert phrasing.keeps_literals(task, task.question)
        assert not phrasing.keeps_literals(task, f"Can you calculate {a['expression']} plus something?")
    finally:
        kit.close()


def _tool_tasks(tools_file) -> tuple[list, list[str]]:
    """The tool tasks generated from ``tools_file`` (seed 0) and the warnings given."""
    kit = get_toolkit("general", tools_file=tools_file, on_warning=lambda m: None)
    try:
        warnings: list[str] = []
        return list(tools_gen.generate(kit, random.Random(0), on_warning=warnings.append)), warnings
    finally:
        kit.close()


FOLDER_SERVER = '''"""A server over a folder named on its command line, answering in Key: value lines as the
reference git and file-system servers do."""
import os
import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("folder")
ROOT = sys.argv[1]


@server.tool()
def get_file_info(path: str) -> str:
    """Retrieve detailed metadata about a file."""
    st = os.stat(path)
    return f"size: {st.st_size}\\nisFile: {str(os.path.isfile(path)).lower()}\\nlines: {open(path).read().count(chr(10))}"


@server.tool()
def folder_status(repo_path: str, since: str | None = None) -> str:
    """Shows the status of a folder."""
    return "Status:\\n"


@server.tool()
def read_media(path: str) -> str:
    """Read a file as a media block."""
    return "[resource]"


if __name__ == "__main__":
    server.run()
'''


def test_a_server_started_on_a_folder_is_asked_about_its_files_and_lines_of_fields_are_a_record(tmp_path):
    """The reference git server's ``repo_path`` and a file-system server's ``path`` have no example
    in their schemas; the folder the user started the server on (and its files) is the value a person
    means. Replies in ``Key: value`` lines are records whose fields are asked one at a time (never
    "true"/"false"), an optional argument nothing describes is left to its default, and a heading
    with nothing under it or a placeholder is no answer."""
    import sys

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("one\ntwo\n")
    (folder / "b.txt").write_text("three\n")
    script = tmp_path / "folder_server.py"
    script.write_text(FOLDER_SERVER)
    kit = get_toolkit("general", mcp=[f"{sys.executable} {script} {folder}"], on_warning=lambda m: None)
    try:
        info = next(t for t in kit.user_tools if t.name == "get_file_info")
        assert info.given == (str(folder),)  # the folder, not the server's own script
        assert tools_gen.given_paths("path", info.given) == [str(folder), str(folder / "a.txt"), str(folder / "b.txt")]
        assert tools_gen.given_paths("repo_path", info.given) == [str(folder)]
        assert tools_gen.given_paths("query", info.given) == []
        status = next(t for t in kit.user_tools if t.name == "folder_status")
        assert tools_gen.sample_args(status, random.Random(0)) == {"repo_path": str(folder)}  # "since" left out
        tasks = list(tools_gen.generate(kit, random.Random(0)))
    finally:
        kit.close()
    got = {(t.calls[0].tool, t.calls[0].args["path"], t.covers.get("field"), t.answer) for t in tasks}
    assert got and {tool for tool, *_ in got} == {"get_file_info"}, got  # "Status:" and "[resource]" answer nothing
    sizes = {"a.txt": "8", "b.txt": "6"}
    lines = {"a.txt": "2", "b.txt": "1"}
    for _, path, field, answer in got:
        name = path.rsplit("/", 1)[-1]
        assert field in ("size", "lines") and answer == (sizes if field == "size" else lines)[name], got
    assert tool_replies.text_record("Commit history:\nCommit: 1a2b\nAuthor: Ann\nDate: 2026-12-06 10:00:00+00:00") == \
        {"Commit": "1a2b", "Author": "Ann", "Date": "2026-12-06 10:00:00+00:00"}
    assert tool_replies.text_record("Commit history:\nCommit: 1\nAuthor: a\nCommit: 2\nAuthor: b") is None  # two commits
    assert tool_replies.text_record("Repository status:\nOn branch main\nnothing to commit") is None
    # a commit's "Date" is asked as its day; a clock's datetime as its time of day
    assert tool_replies._clock_parts("Date", "2026-12-06 10:00:00+00:00") == [("Date.date", "2026-12-06")]
    assert tool_replies._clock_parts("target.datetime", "2026-12-06T10:00:00+09:00") == [("target.time", "10:00")]
