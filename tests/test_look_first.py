"""Look before answering: on a question about the user's files, a Finish before any tool call is
refused once with a short reason; a question about nothing in particular is answered at once.
Plumbing on a scripted backend (the real models' behaviour is measured, not asserted here)."""

from __future__ import annotations

import json

import pytest

from seer_cli.agent import ActionStep, Agent
from seer_cli.agent.refusal import LOOK_FIRST_NOTE
from seer_cli.config import load_settings
from seer_cli.toolkits.table_values import Unused

from scripted import Scripted


def _step(tool, **args):
    return json.dumps({"thought": "t", "tool": tool, "args": args})


@pytest.fixture
def kit(tmp_path):
    from seer_cli.toolkits import get_toolkit

    csv = tmp_path / "rides.csv"
    csv.write_text("day,riders\n2024-01-01,12\n2024-01-02,30\n")
    k = get_toolkit("general", data=[csv])
    yield k
    k.close()


def _run(kit, texts, intent, backend=None, question="How many riders were there on 2024-01-02?"):
    """One scripted episode on ``kit``: its action steps and its final step."""
    agent = Agent(backend or Scripted(texts), kit, None, None, load_settings(), recall="none", k=0, max_steps=6)
    steps = list(agent.run(question, intent=intent))
    return [s for s in steps if isinstance(s, ActionStep)], steps[-1]


def _tools(schema):
    return [o["properties"]["tool"]["const"] for o in schema["anyOf"]]


def _unread(kit, question, query, shown=""):
    """The columns ``kit.unused_columns`` names after one SQL call of ``query`` that showed ``shown``."""
    unread = kit.unused_columns(question, [("SQL", {"query": query}, shown)])
    return unread.values if unread else []


def test_a_finish_before_looking_is_refused_once_then_the_look_counts(kit):
    texts = [_step("Finish", answer="223"), _step("SQL", query="SELECT riders FROM rides WHERE day = '2024-01-02'"),
             _step("Finish", answer="30")]
    actions, final = _run(kit, texts, "data")
    assert [a.tool for a in actions] == ["Finish", "SQL", "Finish"]
    assert actions[0].observation == LOOK_FIRST_NOTE and actions[0].error_kind == "refused"
    assert final.answer == "30" and final.finished
    assert [s.tool for s in final.experience.steps] == ["SQL", "Finish"]  # the refused Finish teaches nothing


def test_the_step_after_the_refusal_cannot_finish(kit):
    """Told to look, the 1.5B finished again; the grammar of the next step leaves Finish out, and
    once something was looked up Finish is back."""
    backend = Scripted([_step("Finish", answer="223"), _step("SQL", query="SELECT riders FROM rides WHERE day = '2024-01-02'"),
                        _step("Finish", answer="30")])
    actions, final = _run(kit, None, "data", backend)
    first, after_refusal, after_look = (_tools(s) for s in backend.schemas)
    assert "Finish" in after_look and "Calculate" in after_look and "SQL" in after_look
    assert "Finish" not in after_refusal and set(after_refusal) == set(after_look) - {"Finish"}
    assert set(first) == {"SQL", "Tables"} and final.answer == "30"  # a backend that ignores the grammar still meets the refusal


def test_the_first_step_of_a_question_about_the_inputs_reads_them(kit, tmp_path):
    """A document question begun with Calculate or PythonInterpreter was answered 3 times in 35 in the
    real-files runs ("4500 / 1000" before split's default was read): on a question the toolkit says
    needs a look, the first step's grammar offers only the tools that read the user's inputs; the
    next step offers every tool. A maths question (no look needed) gets every tool at once."""
    backend = Scripted([_step("SQL", query="SELECT riders FROM rides WHERE day = '2024-01-02'"), _step("Finish", answer="30")])
    _run(kit, None, "data", backend)
    first, second = (_tools(s) for s in backend.schemas)
    assert set(first) == {"SQL", "Tables"} and {"Calculate", "PythonInterpreter", "Finish"} <= set(second)
    backend = Scripted([_step("Calculate", expression="6 * 7"), _step("Finish", answer="42")])
    _run(kit, None, "math", backend, question="What is 6 times 7?")
    assert {"Calculate", "Finish", "SQL"} <= set(_tools(backend.schemas[0]))
    from seer_cli.toolkits import get_toolkit

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "split.md").write_text("# split\n\n-l, --lines=NUMBER put NUMBER lines per output file (default 1000).\n")
    with_docs = get_toolkit("general", docs=docs)
    try:
        assert with_docs.first_tools("docs") == {"Retrieve"} and with_docs.first_tools("math") == frozenset()
    finally:
        with_docs.close()


def test_the_step_after_an_error_answer_cannot_finish(kit):
    """Told that its answer was an error message, the 1.5B offered the error again until the loop
    stopped; the step after that refusal is a tool call too."""
    backend = Scripted([_step("SQL", query="SELECT nothing FROM nowhere"), _step("Finish", answer="Error: no such table"),
                        _step("SQL", query="SELECT riders FROM rides WHERE day = '2024-01-02'"), _step("Finish", answer="30")])
    actions, final = _run(kit, None, "data", backend)
    assert [a.error_kind for a in actions] == ["call", "refused", None, None]
    tools = [_tools(s) for s in backend.schemas]
    assert "Finish" in tools[1] and "Finish" not in tools[2] and "Finish" in tools[3]
    assert final.answer == "30" and final.finished


def test_a_second_finish_without_a_look_is_taken(kit):
    """A backend that ignores the grammar (an OpenAI-compatible server without schema support)
    and finishes again is not refused a second time."""
    actions, final = _run(kit, [_step("Finish", answer="42")], "data")
    assert len(actions) == 2 and actions[1].observation == "" and final.answer == "42"


def test_math_is_answered_at_once(kit):
    actions, final = _run(kit, [_step("Finish", answer="391")], "math")
    assert len(actions) == 1 and final.answer == "391"


def test_the_word_error_alone_is_not_an_answer():
    from seer_cli.agent.refusal import is_error_answer

    assert is_error_answer("Error", []) and is_error_answer("error.", [])  # the 1.5B answered "Error" after a failed SQL call
    assert not is_error_answer("Errors are rare", []) and not is_error_answer("35", [])


def test_a_refused_argument_retold_is_not_an_answer():
    """After practice the 1.5B passed "Chicago" to convert_time, read the server's refusal and
    answered "The timezone 'Chicago' is not recognized." (t06, t04, t05 of the real-files run)."""
    from seer_cli.agent.refusal import is_error_answer

    failed = ["Error: convert_time failed: Invalid timezone: 'No time zone found with key Chicago'"]
    assert is_error_answer("The timezone 'Chicago' is not recognized.", failed)
    assert is_error_answer("Invalid timezone Kolkata", failed)
    assert not is_error_answer("The timezone 'Chicago' is not recognized.", ["14:00"])  # no call failed: taken as said
    assert not is_error_answer("11:00", failed)


def test_nothing_found_retold_is_not_an_answer():
    """The 1.5B's query found no row ('2' is not a value of age; the note said it holds '2 years old'),
    and it answered "No 2-year-old cows found"."""
    from seer_cli.agent.refusal import is_error_answer

    empty = ["breed | avg_butterfat\n(no rows)\nNote: '2' is not a value of age; it holds '2 years old'."]
    assert is_error_answer("No 2-year-old cows found", empty)
    assert not is_error_answer("No 2-year-old cows found", ["count\n3"])  # the query found rows: taken as said
    assert not is_error_answer("Guernsey", empty)


def test_a_finish_after_a_query_that_left_out_a_named_value_is_refused_once(tmp_path):
    """After practice the 1.5B answered "snow days in 2012" by counting snow days in every year,
    and "female Chinstrap penguins" by averaging every female, copying a demonstration with one
    filter. A year the tables hold, or a category name (capitalised) they hold, that the question
    names and no query wrote makes the Finish refused once, the value named; lower-case category
    words ("rain") may be meant otherwise and never do."""
    from seer_cli.agent.refusal import is_refusal_note
    from seer_cli.toolkits import get_toolkit

    csv = tmp_path / "birds.csv"
    csv.write_text("day,species,weather,seen\n2023-05-01,Gull,rain,4\n2024-05-01,Gull,sun,7\n2024-05-02,Tern,rain,2\n")
    kit = get_toolkit("general", data=[csv])
    try:
        agent = Agent(Scripted([_step("SQL", query="SELECT sum(seen) FROM birds WHERE species = 'Gull'"), _step("Finish", answer="11"),
                                _step("SQL", query="SELECT sum(seen) FROM birds WHERE species = 'Gull' AND year(day) = 2024"),
                                _step("Finish", answer="7")]),
                      kit, None, None, load_settings(), recall="none", k=0, max_steps=6)
        steps = list(agent.run("How many Gulls were seen in 2024 on rainy or sunny days?", intent="data"))
        actions, final = [s for s in steps if isinstance(s, ActionStep)], steps[-1]
        assert [a.error_kind for a in actions] == [None, "refused", None, None]
        note = actions[1].observation
        assert is_refusal_note(note) and "use 2024," in note and note.endswith("WHERE species = 'Gull'")  # the query to extend
        assert final.answer == "7" and [s.tool for s in final.experience.steps] == ["SQL", "SQL", "Finish"]
        assert kit.unused_values("Which day had the most rain?", [("SQL", {"query": "SELECT day FROM birds ORDER BY seen"})]) is None
        assert kit.unused_values("How many Terns?", [("SQL", {"query": "SELECT count(*) FROM birds"})]) is None  # "Terns" is not "Tern"
        assert kit.unused_values("How many Tern sightings in 2023?", []) is None  # no query yet: the look-first rule's case
        # a query that failed used nothing: the 1.5B filtered `company = 'IBM'` (no such column, now read as meant), then answered
        # from an earlier query over every symbol
        agent = Agent(Scripted([_step("SQL", query="SELECT sum(seen) FROM birds"), _step("SQL", query="SELECT sum(seen) FROM birds WHERE species = 'Tern' AND AND"),
                                _step("Finish", answer="13")]), kit, None, None, load_settings(), recall="none", k=0, max_steps=6)
        refused = [a for a in agent.run("How many Tern sightings are there?", intent="data") if isinstance(a, ActionStep) and a.error_kind == "refused"]
        assert refused and "did not use Tern" in refused[0].observation
        assert "Add \"species\" = 'Tern' to the WHERE clause" in refused[0].observation  # the condition, its column named
        said_lower = kit.unused_values("how many tern sightings?", [("SQL", {"query": "SELECT sum(seen) FROM birds"})])
        assert said_lower is not None and said_lower.where == ("\"species\" = 'Tern'",)  # the value as the table writes it
        # the query to extend is the last SQL, not a later call's argument
        later = kit.unused_values("How many Terns in 2023?", [("SQL", {"query": "SELECT sum(seen) FROM birds WHERE species = 'Tern'"}),
                                                             ("Calculate", {"expression": "3 + 4"})])
        assert later == Unused(["2023"], "SELECT sum(seen) FROM birds WHERE species = 'Tern'")  # no tools: a query's value
    finally:
        kit.close()


def test_a_finish_that_is_no_time_of_day_for_a_question_asking_one_is_refused_once(tmp_path):
    """The 1.5B answered "17.0h" (the time difference convert_time also returns) for "Convert 15:30
    Tokyo time to Los Angeles time." and "19.0h" for "What time is it in Auckland?". When a tool
    showed a time of day and the question asks for one, an answer with none is refused once."""
    from seer_cli.agent.refusal import CLOCK_NOTE, is_error_answer, is_refusal_note
    from seer_cli.toolkits import get_toolkit

    tools = tmp_path / "clock.py"
    tools.write_text('def convert_time(time: str, target: str) -> str:\n    """Convert a time.\n\n    Args:\n'
                     '        time: HH:MM.\n        target: IANA timezone name.\n    """\n'
                     '    return \'{"target": {"datetime": "2026-12-07T08:30:00+09:00"}, "time_difference": "+17.0h"}\'\n')
    kit = get_toolkit("general", tools_file=tools)
    try:
        agent = Agent(Scripted([_step("convert_time", time="15:30", target="Asia/Tokyo"), _step("Finish", answer="17.0h"),
                                _step("convert_time", time="15:30", target="Asia/Tokyo"), _step("Finish", answer="17.0h")]),
                      kit, None, None, load_settings(), recall="none", k=0, max_steps=6)
        steps = list(agent.run("Convert 15:30 Los Angeles time to Tokyo time.", intent="other"))
        actions, final = [s for s in steps if isinstance(s, ActionStep)], steps[-1]
        assert [a.error_kind for a in actions] == [None, "refused", None, None]  # once: the second Finish stands
        assert actions[1].observation == CLOCK_NOTE and is_refusal_note(CLOCK_NOTE)
        assert final.answer == "17.0h"
        # the step after this refusal may Finish (made to call again, the 1.5B repeated the call until the loop stopped)
        backend = Scripted([_step("convert_time", time="15:30", target="Asia/Tokyo"), _step("Finish", answer="+17.0h"),
                            _step("Finish", answer="08:30")])
        agent = Agent(backend, kit, None, None, load_settings(), recall="none", k=0, max_steps=6)
        assert list(agent.run("Convert 15:30 Los Angeles time to Tokyo time.", intent="other"))[-1].answer == "08:30"
        assert "Finish" in _tools(backend.schemas[-1])
        agent = Agent(Scripted([_step("convert_time", time="15:30", target="Asia/Tokyo"), _step("Finish", answer="8:30 AM")]),
                      kit, None, None, load_settings(), recall="none", k=0, max_steps=6)
        assert list(agent.run("What time is it in Tokyo at 15:30 in Los Angeles?", intent="other"))[-1].answer == "8:30 AM"
        agent = Agent(Scripted([_step("convert_time", time="15:30", target="Asia/Tokyo"), _step("Finish", answer="+17.0h")]),
                      kit, None, None, load_settings(), recall="none", k=0, max_steps=6)
        assert list(agent.run("What is the time difference between Los Angeles and Tokyo?", intent="other"))[-1].answer == "+17.0h"
    finally:
        kit.close()
    assert is_error_answer("The tool does not support the given timezone.", ["Error: convert_time failed: Invalid timezone"])
    # a query that found nothing, its note retold (evals/unseen u5)
    empty = ["eol\n(no rows)\nNote: '22.04' is not a value of version; it holds '22.04 LTS'."]
    assert is_error_answer("The version '22.04' is not a value in the ubuntu table; it holds '22.04 LTS'.", empty)
    assert not is_error_answer("2027-06-01", empty)


def test_a_finish_after_tool_calls_that_left_out_the_stated_time_is_refused_once(tmp_path):
    """After practice the 1.5B answered "It's 16:00 in Chicago. What time is it in Auckland?" with
    get_current_time for Auckland (the clock there now). A time of day the question states that no
    call of the user's tools took, while one of them takes a time, refuses the Finish once, naming
    the tool; the next step must call."""
    from seer_cli.agent.refusal import is_refusal_note
    from seer_cli.toolkits import get_toolkit

    tools = tmp_path / "clock.py"
    tools.write_text('def convert_time(source_timezone: str, time: str, target_timezone: str) -> str:\n'
                     '    """Convert a time between timezones."""\n    return "11:00"\n\n\n'
                     'def get_current_time(timezone: str) -> str:\n    """The time now in a timezone."""\n    return "19:16"\n')
    kit = get_toolkit("general", tools_file=tools)
    try:
        q = "It's 4:00 PM in Chicago. What time is it in Auckland?"
        now = ("get_current_time", {"timezone": "Pacific/Auckland"})
        missing = kit.unused_values(q, [now])
        assert missing is not None and missing.values == ["4:00 PM"] and missing.tools == ("convert_time",) and missing.query == ""
        assert kit.unused_values(q, [now, ("convert_time", {"source_timezone": "America/Chicago", "time": "16:00",
                                                            "target_timezone": "Pacific/Auckland"})]) is None
        assert kit.unused_values("What time is it in Auckland?", [now]) is None  # no time stated
        backend = Scripted([_step("get_current_time", timezone="Pacific/Auckland"), _step("Finish", answer="19:16"),
                            _step("convert_time", source_timezone="America/Chicago", time="16:00", target_timezone="Pacific/Auckland"),
                            _step("Finish", answer="11:00")])
        actions, final = _run(kit, None, "other", backend, question=q)
        assert [a.error_kind for a in actions] == [None, "refused", None, None] and final.answer == "11:00"
        assert actions[1].observation.startswith("Error: no call used 4:00 PM") and "convert_time" in actions[1].observation
        assert is_refusal_note(actions[1].observation) and "Finish" not in _tools(backend.schemas[2])
    finally:
        kit.close()


def test_one_calls_result_for_a_total_over_several_calls_is_refused_once(tmp_path):
    """For "the total shipping cost of two parcels to zone A, 2 kg and 5 kg" the 1.5B priced both
    (6.1, 8.5) and answered the last. A question asking a total, after two or more calls of one of
    the user's tools with different arguments, refuses once an answer that is one call's result;
    the next step must call (Calculate). One call, or no total asked, is taken."""
    from seer_cli.toolkits import get_toolkit

    tools = tmp_path / "ship.py"
    tools.write_text('def shipping_cost(weight_kg: float, zone: str) -> float:\n'
                     '    """The cost of shipping one parcel.\n\n    Args:\n        weight_kg: its weight\n        zone: A or B\n    """\n'
                     '    return round(4.0 + 0.9 * weight_kg, 2) if weight_kg < 3 else 8.5\n')
    kit = get_toolkit("general", tools_file=tools)
    try:
        q = "What is the total shipping cost of two parcels to zone A, one of 2 kg and one of 5 kg?"
        backend = Scripted([_step("shipping_cost", weight_kg=2, zone="A"), _step("shipping_cost", weight_kg=5, zone="A"),
                            _step("Finish", answer="8.5"), _step("Calculate", expression="5.8 + 8.5"), _step("Finish", answer="14.3")])
        actions, final = _run(kit, None, "other", backend, question=q)
        assert [a.error_kind for a in actions] == [None, None, "refused", None, None] and final.answer == "14.3"
        assert actions[2].observation.startswith("Error: the question asks for a total and that answer is one call's result (8.5)")
        assert "Finish" not in _tools(backend.schemas[3])
        for asked, calls in ((q, [_step("shipping_cost", weight_kg=5, zone="A")]),
                             ("What does a 5 kg parcel to zone A cost, and a 2 kg one?", [_step("shipping_cost", weight_kg=2, zone="A"),
                                                                                         _step("shipping_cost", weight_kg=5, zone="A")])):
            actions, final = _run(kit, None, "other", Scripted(calls + [_step("Finish", answer="8.5")]), question=asked)
            assert final.answer == "8.5" and actions[-1].error_kind is None
    finally:
        kit.close()


def test_a_number_no_passage_showed_is_refused_once_after_only_searching_documents(tmp_path):
    """The 1.5B was shown "If not specified, -1 will be assumed" for PASS_MAX_DAYS and answered
    5000. After only document searches, a Finish holding a number that neither a passage nor the
    question shows is refused once; the next step may Finish (it has the passage). A call that only
    wrote back a number it was given (``Calculate("10")``, after passages silent on curl's exit code)
    shows nothing."""
    from seer_cli.agent.refusal import unshown_number
    from seer_cli.toolkits import get_toolkit

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "login.md").write_text("# PASS_MAX_DAYS\n\nThe maximum number of days a password may be used. "
                                   "If not specified, -1 will be assumed.\n")
    kit = get_toolkit("general", docs=docs)
    try:
        backend = Scripted([_step("Retrieve", query="PASS_MAX_DAYS default"), _step("Finish", answer="5000"),
                            _step("Finish", answer="-1")])
        actions, final = _run(kit, None, "docs", backend, question="If PASS_MAX_DAYS is not set, what value is assumed?")
        assert [a.error_kind for a in actions] == [None, "refused", None] and final.answer == "-1"
        assert actions[1].observation.startswith("Error: the passages shown do not say 5000.")
        assert "Finish" in _tools(backend.schemas[2])
    finally:
        kit.close()
    retrieved = [ActionStep(1, "t", "Retrieve", {}, observation="a limit of 1,000 users; 6 by default")]
    assert unshown_number("1000 users", "How many?", retrieved) is None  # "1,000" shown
    assert unshown_number("6", "Which level?", retrieved) is None and unshown_number("-6", "Which level?", retrieved) is None
    assert unshown_number("4500 lines make 5 files", "a 4500-line file?", retrieved) == "5"
    computed = retrieved + [ActionStep(2, "t", "Calculate", {}, observation="5")]
    assert unshown_number("5", "a 4500-line file?", computed) is None  # not only searches: a tool computed it
    echoed = retrieved + [ActionStep(2, "t", "Calculate", {"expression": "10"}, observation="10"),
                          ActionStep(3, "t", "PythonInterpreter", {"code": "print(2048)"}, observation="2048")]
    assert unshown_number("10", "Which exit code?", echoed) == "10"  # a number typed into Calculate is no finding
    assert unshown_number("2048", "How many bits?", echoed) == "2048"
    summed = retrieved + [ActionStep(2, "t", "Calculate", {"expression": "4500 / 900"}, observation="5")]
    assert unshown_number("5", "a 4500-line file?", summed) is None


def test_a_finish_that_is_no_option_for_a_question_asking_which_option_is_refused_once(tmp_path):
    """Shown "-J, --xz Filter the archive through xz(1)." for "Which single-letter tar option filters
    the archive through xz?", the 1.5B answered "xz". A question asking which option refuses once an
    answer that writes none, after a passage showed options; the next step may Finish. A question that
    names its option, or an answer with dashes or "=", is taken."""
    from seer_cli.toolkits import get_toolkit

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tar.md").write_text("# Compression options\n\n-j, --bzip2 Filter the archive through bzip2. "
                                 "-J, --xz Filter the archive through xz.\n")
    kit = get_toolkit("general", docs=docs)
    try:
        question = "Which single-letter tar option filters the archive through xz?"
        backend = Scripted([_step("Retrieve", query="xz filter option"), _step("Finish", answer="xz"), _step("Finish", answer="-J")])
        actions, final = _run(kit, None, "docs", backend, question=question)
        assert [a.error_kind for a in actions] == [None, "refused", None] and final.answer == "-J"
        assert actions[1].observation.startswith("Error: the question asks for an option") and "Finish" in _tools(backend.schemas[2])
        for asked, answer in (("Which tar option filters the archive through xz?", "--xz"), ("What does the option -J do?", "filters through xz")):
            actions, final = _run(kit, None, "docs", Scripted([_step("Retrieve", query="xz"), _step("Finish", answer=answer)]),
                                  question=asked)
            assert final.answer == answer and [a.error_kind for a in actions] == [None, None]
    finally:
        kit.close()


def test_a_long_option_for_a_question_asking_a_single_letter_one_is_refused_once(tmp_path):
    """Shown "-t --test Check integrity of the specified file(s)" for "Which single-letter bzip2 option
    checks whether a .bz2 file is intact?", the 1.5B answered "--test". Refused once, naming the short
    form the passage wrote beside it; the next step may Finish. An answer with the short form, a
    question that does not ask a single-letter option, or a long option no passage paired is taken."""
    from seer_cli.agent.refusal import long_for_short
    from seer_cli.toolkits import get_toolkit

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bzip2.md").write_text("# Options\n\n-t --test Check integrity of the specified file(s), but don't decompress them.\n"
                                   "-k, --keep Keep (don't delete) input files during compression.\n")
    kit = get_toolkit("general", docs=docs)
    try:
        question = "Which single-letter bzip2 option checks whether a file is intact?"
        backend = Scripted([_step("Retrieve", query="bzip2 integrity"), _step("Finish", answer="--test"), _step("Finish", answer="-t")])
        actions, final = _run(kit, None, "docs", backend, question=question)
        assert [a.error_kind for a in actions] == [None, "refused", None] and final.answer == "-t"
        assert "-t beside it" in actions[1].observation and "Finish" in _tools(backend.schemas[2])
        assert [s.tool for s in final.experience.steps] == ["Retrieve", "Finish"]
    finally:
        kit.close()
    shown = [ActionStep(1, "t", "Retrieve", {}, observation="-k, --keep Keep (don't delete) input files")]
    assert long_for_short("What's the short flag that keeps input files?", "`--keep`", shown) == ("--keep", "-k")
    assert long_for_short("Which option keeps input files?", "--keep", shown) is None  # no single letter asked
    assert long_for_short("Which single-letter option keeps input files?", "-k, --keep", shown) is None
    assert long_for_short("Which single-letter option forces?", "--force", shown) is None  # no passage paired it


def test_a_finish_that_is_a_columns_name_is_refused_once(kit):
    """Shown "Sub-Category | total_profit" over "Tables | -17725.4811" for "Which sub-category lost the
    most money?", the 1.5B answered "Sub-Category". A Finish that is the header of a column the last
    query showed with rows is refused once; the next step may Finish with the value."""
    from seer_cli.agent.refusal import column_named

    query = "SELECT day, riders FROM rides ORDER BY riders DESC LIMIT 1"
    backend = Scripted([_step("SQL", query=query), _step("Finish", answer="day"), _step("Finish", answer="2024-01-02")])
    actions, final = _run(kit, None, "data", backend, question="Which day had the most riders?")
    assert [a.error_kind for a in actions] == [None, "refused", None] and final.answer == "2024-01-02"
    assert "name of a column (day)" in actions[1].observation and "Finish" in _tools(backend.schemas[2])
    shown = [ActionStep(1, "t", "SQL", {}, observation="Note: read x.\nSub-Category | total\nTables | -17725.48")]
    assert column_named("Which sub-category lost most?", "Sub-Category", shown) == "Sub-Category"
    assert column_named("Which column holds the loss?", "Sub-Category", shown) is None  # asked about columns
    assert column_named("Which sub-category lost most?", "Tables", shown) is None
    assert column_named("Which?", "total", [ActionStep(1, "t", "SQL", {}, observation="total\n(no rows)")]) is None


def test_a_finish_with_no_number_for_a_question_asking_how_many_is_refused_once(kit):
    """After a failed convert_time the 1.5B ran print('Hello, World!') and answered "Hello, World!"
    to "How many hours ahead of Berlin is Sydney right now?". A question asking how many or how much
    refuses once an answer that says no number (digits or number words); the next step must call."""
    backend = Scripted([_step("SQL", query="SELECT 'Hello', riders FROM rides WHERE 2024 > 0"), _step("Finish", answer="Hello, World!"),
                        _step("SQL", query="SELECT riders FROM rides WHERE day = '2024-01-02'"), _step("Finish", answer="30")])
    actions, final = _run(kit, None, "data", backend)
    assert [a.error_kind for a in actions] == [None, "refused", None, None] and final.answer == "30"
    assert actions[1].observation.startswith("Error: the question asks for a number") and "Finish" not in _tools(backend.schemas[2])
    for fine in ("none", "twelve", "30 riders"):
        actions, final = _run(kit, None, "data", Scripted([_step("SQL", query="SELECT riders FROM rides WHERE day = '2024-01-02'"),
                                                           _step("Finish", answer=fine)]))
        assert final.answer == fine and [a.error_kind for a in actions] == [None, None]


def test_only_a_call_that_read_the_inputs_and_worked_counts_as_a_look(kit):
    """The 1.5B answered a question about the documents with Calculate("4500 / 1000") alone, and one
    about a table with Calculate("1") after its only query failed: neither read the user's inputs,
    so the Finish is refused once as if nothing was looked up."""
    texts = [_step("Calculate", expression="4500 / 1000"), _step("Finish", answer="4.5"),
             _step("SQL", query="SELECT riders FROM rides WHERE day = '2024-01-02'"), _step("Finish", answer="30")]
    actions, final = _run(kit, texts, "data")
    assert [a.error_kind for a in actions] == [None, "refused", None, None]
    assert actions[1].observation == LOOK_FIRST_NOTE and final.answer == "30"
    texts = [_step("SQL", query="SELECT nothing FROM nowhere"), _step("Calculate", expression="1"), _step("Finish", answer="1"),
             _step("SQL", query="SELECT riders FROM rides WHERE day = '2024-01-02'"), _step("Finish", answer="30")]
    actions, final = _run(kit, texts, "data")
    assert [a.error_kind for a in actions] == ["call", None, "refused", None, None] and final.answer == "30"
    actions, final = _run(kit, [_step("Calculate", expression="17 * 23"), _step("Finish", answer="391")], "math")
    assert [a.error_kind for a in actions] == [None, None] and final.answer == "391"  # arithmetic needs no look


def test_no_rows_retold_is_not_an_answer():
    """The 1.5B filtered on a year that matched nothing, read "(no rows)" and answered "No rows found"."""
    from seer_cli.agent.refusal import is_error_answer

    empty = ["Note: read start_year as year(month).\nmonth\n(no rows)"]
    assert is_error_answer("No rows found", empty) and is_error_answer("No data found for the given query", empty)
    assert not is_error_answer("No rows found", ["month\n2009-01-01"])  # the query found rows: taken as said
    assert not is_error_answer("Norway", empty)


def test_a_finish_after_queries_that_left_out_a_column_the_question_names_is_refused_once(tmp_path):
    """The 1.5B answered "How much did General Motors invest in 1950?" from the ``value`` column, and
    "the murder rate in the state with the highest poverty rate" with the poverty rate. A numeric
    column every word of whose name the question says, and that no query (nor what it showed) used,
    makes the Finish refused once, the column named; time columns, identifiers and generic names
    never do (told to read ``AirportID`` for "Which airport is at the highest elevation?", the 1.5B
    answered the right airport's ID)."""
    from seer_cli.agent.refusal import UNUSED_COLUMNS_NOTE, is_refusal_note
    from seer_cli.toolkits import get_toolkit

    csv = tmp_path / "firms.csv"
    csv.write_text("FirmID,firm,year,quarter,invest,value,other_services,health_services\n"
                   "1,Acme,1950,1,642.9,3755.6,1,2\n1,Acme,1951,1,700.0,3800.0,1,2\n2,Bolt,1950,1,12.5,99.1,1,2\n")
    kit = get_toolkit("general", data=[csv])
    try:
        agent = Agent(Scripted([_step("SQL", query="SELECT value FROM firms WHERE firm = 'Acme' AND year = 1950"), _step("Finish", answer="3755.6"),
                                _step("SQL", query="SELECT invest FROM firms WHERE firm = 'Acme' AND year = 1950"), _step("Finish", answer="642.9")]),
                      kit, None, None, load_settings(), recall="none", k=0, max_steps=6)
        steps = list(agent.run("How much did Acme invest in 1950?", intent="data"))
        actions, final = [s for s in steps if isinstance(s, ActionStep)], steps[-1]
        assert [a.error_kind for a in actions] == [None, "refused", None, None]
        note = actions[1].observation
        assert is_refusal_note(note) and note.startswith(UNUSED_COLUMNS_NOTE.split("{")[0] + "invest, and no query used it.")
        assert note.endswith("WHERE firm = 'Acme' AND year = 1950") and final.answer == "642.9"
        shown = ["SELECT count(*) FROM firms WHERE invest > 100", "count_star()\n2"]
        assert _unread(kit, "In how many quarters did Acme invest more than 100?", *shown) == []  # a time column is no measure
        assert _unread(kit, "How many firms invested over 100?", "SELECT count(*) FROM firms", "count_star()\n3") == ["invest"]
        assert _unread(kit, "How many firms are there?", "SELECT count(*) FROM firms", "count_star()\n3") == []  # FirmID: an identifier
        assert _unread(kit, "What value had Acme in 1950?", "SELECT invest FROM firms", "invest\n642.9") == []  # a generic name
        assert _unread(kit, "How many people work in health services?", "SELECT other_services FROM firms WHERE firm = 'health_services'") \
            == ["health_services"]  # the longer name the question says; a quoted value is no use of the column
        assert _unread(kit, "How much did Acme invest?", "SELECT * FROM firms", "firm | year | quarter | invest | value") == []  # shown
    finally:
        kit.close()


def test_a_table_whose_months_are_columns_is_told_and_its_month_columns_are_named(tmp_path):
    """statsmodels' elnino has a row a year and a column a month (JAN … DEC); the 1.5B wrote
    ``MONTH = 12`` for "December 1997" until its steps ran out. A missing month column is answered
    with the month columns, and a capitalised month in the question names its column."""
    from seer_cli.errors import ToolCallError
    from seer_cli.toolkits import get_toolkit

    csv = tmp_path / "elnino.csv"
    csv.write_text("YEAR,JAN,FEB,MAR,APR,MAY,JUN,JUL,AUG,SEP,OCT,NOV,DEC\n1997,24.1,25,26,27,27,27,26,25,25,26,27,27.08\n")
    kit = get_toolkit("general", data=[csv])
    try:
        with pytest.raises(ToolCallError) as err:
            kit.call("SQL", {"query": "SELECT TMAX FROM elnino WHERE YEAR = 1997 AND MONTH = 12"})
        assert "the months are columns (JAN, FEB, MAR … DEC)" in str(err.value) and "December: DEC" in str(err.value)
        assert _unread(kit, "What was the sea temperature in December 1997?", "SELECT JAN FROM elnino", "JAN\n24.1") == ["DEC"]
        assert _unread(kit, "What was it in December 1997?", "SELECT DEC FROM elnino", "DEC\n27.08") == []
        assert _unread(kit, "Which year may have been warmest?", "SELECT YEAR FROM elnino", "YEAR\n1997") == []  # "may"
    finally:
        kit.close()


def test_a_tables_name_as_the_answer_is_refused_once_and_a_group_by_error_retold_is_no_answer(kit):
    """On the newcomer suite the 1.5B answered "What was the total revenue in March 2024?" with
    "shop_orders" after a failed query and a look at the schema, and "the average number of units
    per Kettle order" with "The column 'order_id' must be in the GROUP BY clause or part of an
    aggregate function." A table's bare name is refused once (not when the question asks about
    tables); DuckDB's GROUP BY and syntax errors retold are error answers."""
    from seer_cli.agent.refusal import is_error_answer, is_refusal_note, table_named

    backend = Scripted([_step("Tables"), _step("Finish", answer="rides"),
                        _step("SQL", query="SELECT day FROM rides ORDER BY riders DESC LIMIT 1"), _step("Finish", answer="2024-01-02")])
    actions, final = _run(kit, None, "data", backend, question="Which day had the most riders?")
    assert [a.error_kind for a in actions] == [None, "refused", None, None] and final.answer == "2024-01-02"
    assert actions[1].observation.startswith("Error: that answer is the name of a table (rides)") and is_refusal_note(actions[1].observation)
    assert table_named(kit, "Which table holds the riders?", "rides") is None and table_named(kit, "Who rode?", "riders") is None
    failed = ['Error: SQL error: Binder Error: column "order_id" must appear in the GROUP BY clause or must be part of an aggregate function.']
    assert is_error_answer("The column 'order_id' must be in the GROUP BY clause or part of an aggregate function.", failed)
    assert is_error_answer("There is a syntax error in the query", failed) and not is_error_answer("7.03", failed)


def test_a_finish_right_after_a_result_whose_note_warns_is_refused_once(tmp_path):
    """The 1.5B answered "which year had the most sunspot activity?" with ``SELECT MAX(YEAR)``, the
    note beside the result saying MAX(YEAR) is the last year itself and how to find the year of the
    most activity. Such a Finish is refused once, quoting the note, and the next step may not Finish."""
    from seer_cli.agent.refusal import HEED_NOTE, bars_finish
    from seer_cli.toolkits import get_toolkit

    (tmp_path / "sunspots.csv").write_text("YEAR,SUNACTIVITY\n1957,190.2\n2000,119.6\n2008,2.9\n")
    kit = get_toolkit("general", data=[tmp_path / "sunspots.csv"])
    try:
        texts = [_step("SQL", query="SELECT MAX(YEAR) FROM sunspots"), _step("Finish", answer="2008"),
                 _step("SQL", query="SELECT YEAR FROM sunspots ORDER BY SUNACTIVITY DESC LIMIT 1"), _step("Finish", answer="1957")]
        actions, final = _run(kit, texts, "data", question="which year had the most sunspot activity?")
        assert [a.tool for a in actions] == ["SQL", "Finish", "SQL", "Finish"]
        assert actions[1].observation.startswith(HEED_NOTE.split("{")[0] + "MAX(YEAR) is the greatest YEAR itself")
        assert bars_finish(actions[1].observation) and final.answer == "1957"
        texts = [_step("SQL", query="SELECT YEAR FROM sunspots ORDER BY SUNACTIVITY DESC LIMIT 1"), _step("Finish", answer="1957")]
        actions, final = _run(kit, texts, "data", question="which year had the most sunspot activity?")
        assert [a.tool for a in actions] == ["SQL", "Finish"] and final.answer == "1957"  # no note: no refusal
        # a result that found nothing, and the note saying why: the 1.5B answered "0" after such a NULL
        texts = [_step("SQL", query="SELECT SUNACTIVITY FROM sunspots WHERE YEAR = 1900"), _step("Finish", answer="0"),
                 _step("SQL", query="SELECT SUNACTIVITY FROM sunspots WHERE YEAR = 1957"), _step("Finish", answer="190.2")]
        actions, final = _run(kit, texts, "data", question="What was the sunspot activity in 1957?")
        assert actions[1].error_kind == "refused" and "no row has YEAR = 1900: YEAR runs from 1957 to 2008" in actions[1].observation
        assert final.answer == "190.2"
    finally:
        kit.close()


def test_a_name_no_passage_shows_is_refused_once():
    """Shown "WatchdogSignal= ... Defaults to SIGABRT.", the 1.5B answered SIGKILL (the eleventh set).
    An answer that is one name as manuals write them (SIGKILL, KillMode=), in no passage nor the
    question, after only searching documents, is refused like an unshown number."""
    from seer_cli.agent.refusal import unshown_term

    obs = "[systemd.kill.5.txt] … WatchdogSignal= Specifies which signal to use. Defaults to SIGABRT."
    looked = [ActionStep(1, "t", "Retrieve", {"query": "watchdog signal"}, observation=obs)]
    assert unshown_term("SIGKILL", "Which signal ends it?", looked) == "SIGKILL"
    assert unshown_term("`KillMode=`", "Which setting?", looked) == "KillMode="
    assert unshown_term("SIGABRT", "Which signal ends it?", looked) is None  # shown
    assert unshown_term("SIGHUP", "Does it send SIGHUP?", looked) is None  # the question's own
    assert unshown_term("control-group", "Which mode?", looked) is None and unshown_term("Yes", "Is it?", looked) is None
    sql = [ActionStep(1, "t", "SQL", {"query": "SELECT 1"}, observation="1")]
    assert unshown_term("SIGKILL", "Which signal ends it?", looked + sql) is None  # not only documents searched


def test_a_column_of_a_schema_shown_is_no_answer():
    """After a failed query, the 1.5B answered "What was the most common type of death?" with
    "death_date", a column the error's schema listed."""
    from seer_cli.agent.refusal import column_named

    failed = ActionStep(2, "t", "SQL", {"query": "SELECT death FROM la_riots"}, error="x",
                        observation="Error: SQL error: ... Tables: la_riots(first_name VARCHAR, age BIGINT, death_date DATE, type VARCHAR)")
    ok = [ActionStep(1, "t", "SQL", {"query": "SELECT type, count(*) FROM la_riots GROUP BY 1"}, observation="type | n\nHomicide | 36")]
    assert column_named("What was the most common type of death?", "death_date", ok, ok + [failed]) == "death_date"
    assert column_named("What was the most common type of death?", "Homicide", ok, ok + [failed]) is None
    assert column_named("Which column holds the date of death?", "death_date", ok, ok + [failed]) is None  # asked about columns


def test_a_value_of_several_words_said_in_the_plural_is_a_value_the_question_names(tmp_path):
    """"the people killed in officer-involved shootings" over la-riots.csv's type "Officer-involved shooting":
    the 1.5B averaged every age. A one-word value keeps its exact spelling ("Terns" is no "Tern")."""
    from seer_cli.toolkits import get_toolkit

    (tmp_path / "riots.csv").write_text("age,type\n20,Officer-involved shooting\n30,Homicide\n40,Homicide\n")
    kit = get_toolkit("general", data=[tmp_path / "riots.csv"])
    try:
        query = ("SQL", {"query": "SELECT avg(age) FROM riots"})
        assert kit.unused_values("What was the average age of those killed in officer-involved shootings?", [query]).values == \
            ["Officer-involved shooting"]
        assert kit.unused_values("How many Homicides?", [query]) is None
    finally:
        kit.close()


def test_a_name_from_a_column_of_many_names_is_a_value_the_question_names(tmp_path):
    """Asked "How many hours a day does the giraffe sleep in total?" over 83 animals, the 1.5B summed
    the column over every one: a column of names (more values than a category) counts too, and its
    codes only as written ("sea level" names no airport SEA)."""
    animals = [f"Animal{i}" for i in range(40)] + ["Giraffe", "Little brown bat"]
    csv = tmp_path / "sleep.csv"
    csv.write_text("name,code,sleep_total\n" + "".join(f"{a},{'SEA' if a == 'Giraffe' else 'X' + str(i)},{i + 1}\n"
                                                      for i, a in enumerate(animals)))
    from seer_cli.toolkits import get_toolkit

    kit = get_toolkit("general", data=[csv])
    try:
        whole = [("SQL", {"query": "SELECT SUM(sleep_total) FROM sleep"})]
        assert kit.unused_values("How many hours a day does the giraffe sleep in total?", whole).values == ["Giraffe"]
        assert kit.unused_values("How long does the little brown bat sleep?", whole).values == ["Little brown bat"]
        assert kit.unused_values("Which animal sleeps the most, above sea level?", whole) is None
        assert kit.unused_values("What does animal SEA sleep?", whole).values == ["SEA"]
        assert kit.unused_values("How long does the giraffe sleep?", [("SQL", {"query": "SELECT sleep_total FROM sleep WHERE name = 'Giraffe'"})]) is None
    finally:
        kit.close()
