"""Self-practice proposes what a person would ask: column roles decide the operations, a
filter rejects what nobody asks (aggregates of years and identifiers, null answers, questions
that drop a filtered value, blanks on section numbers, docstrings pasted after "What is the"),
and a worded question is admitted only
when a second derivation from the question alone agrees (plumbing on a scripted backend)."""

from __future__ import annotations

import calendar
import json
import random
import re

import pytest

from seer_cli.practice import docs as docs_gen
from seer_cli.practice import phrasing
from seer_cli.practice import table_sql
from seer_cli.practice import tables as tables_gen
from seer_cli.toolkits import get_toolkit

from scripted import Scripted

def test_a_column_a_year_is_said_as_the_tables_measure_in_that_year(tmp_path):
    """The World Bank writes a column a year; practice asked "What is the 2005 of Chile in the fertility
    data?" and "Which country name has the highest 1986?". A table with three or more columns named
    as years says each as its measure in that year; a lone column named like a year stays as named."""
    (tmp_path / "fertility.csv").write_text("Country Name,1990,2000,2010\nChile,2.6,2.1,1.8\nNiger,7.7,7.7,7.6\n")
    (tmp_path / "plan.csv").write_text("item,2024\nbikes,3\nlocks,9\n")
    kit = get_toolkit("general", data=[tmp_path / "fertility.csv", tmp_path / "plan.csv"])
    try:
        src = kit.sql_tables()
        said = {t.name: [c.words for c in t.columns] for t in tables_gen.describe_tables(src.con, list(src.tables))}
        assert said == {"fertility": ["country name", "fertility in 1990", "fertility in 2000", "fertility in 2010"],
                        "plan": ["item", "2024"]}
    finally:
        kit.close()


def test_roles_decide_what_is_aggregated(weather):
    src = weather.sql_tables()
    (t,) = tables_gen.describe_tables(src.con, list(src.tables))
    roles = {c.name: c.role for c in t.columns}
    assert roles == {"date": "date", "precipitation": "measure", "temp_max": "measure", "temp_min": "measure", "wind": "measure",
                     "weather": "category", "station_id": "id", "year": "year"}
    additive = {c.name for c in t.columns if c.additive}
    assert additive == {"precipitation"}  # a total of rain means something; of temperatures or wind, nothing
    from seer_cli.practice.table_roles import Column, role_of

    # auto-mpg's origin (1, 2, 3) was asked "What is the highest origin in the auto mpg data?"; cylinders stay a measure
    assert role_of(Column("origin", "BIGINT", 3, 0, low=1, high=3), 392) == "id"
    assert role_of(Column("smoker", "BIGINT", 2, 0, low=0, high=1), 50) == "id"
    assert role_of(Column("cyl", "BIGINT", 5, 0, low=3, high=8), 392) == "measure"
    assert role_of(Column("trips", "BIGINT", 3, 0, low=1, high=3), 30) == "measure"  # a count, however few
    # lifelines' dd.csv: "What is the average cowcode2?" was proposed (a country's code, numbered)
    assert role_of(Column("cowcode2", "BIGINT", 190, 0, low=2, high=990), 1808) == "id"


def test_table_tasks_are_questions_a_person_asks(weather):
    tasks = list(tables_gen.generate(weather, random.Random(0)))
    gens = {t.generator for t in tasks}
    assert {"table.change_dates", "table.pct_change_dates", "table.count_above_year",
            "table.month_of_max", "table.lookup_category"} <= gens
    assert gens & {"table.date_of_max", "table.date_of_min"}  # which of the two survives its tie check depends on the draw
    for t in tasks:
        q = t.question.lower()
        assert not any(w in q for w in ("total year", "station id", "total temp", "total wind", "in the seattle weather table"))
        assert t.answer.lower() not in ("na", "nan", "null", "none", "")
        sql = t.calls[0].args["query"]
        assert tables_gen.mentions_literals(t.question, sql), (t.question, sql)
        assert t.answer in weather.call("SQL", {"query": sql}).replace(",", ""), (t.question, t.answer)


def test_the_filter_rejects_a_question_without_its_values_and_null_answers():
    cand = tables_gen.Candidate("table.lookup", "SELECT temp_max FROM w WHERE date = '2014-05-03'", "What was the high?", {}, "")
    assert not tables_gen.meaningful(cand, "21.3")
    ok = tables_gen.Candidate("table.lookup", cand.sql, "What was the high on 2014-05-03?", {}, "")
    assert tables_gen.meaningful(ok, "21.3") and not tables_gen.meaningful(ok, "NA")
    month = tables_gen.Candidate("table.avg_month", "SELECT AVG(x) FROM w WHERE d LIKE '2014-05-%'", "Average x in May 2014?", {}, "")
    assert tables_gen.meaningful(month, "3")


def test_a_question_says_the_direction_of_each_comparison_it_filters_with():
    sql = "SELECT COUNT(*) FROM w WHERE year(date) = 2013 AND temp_min > 13"
    assert not tables_gen.mentions_literals("How many days in 2013 had a minimum temperature of 13 degrees?", sql)
    assert tables_gen.mentions_literals("How many days in 2013 had a minimum temperature above 13 degrees?", sql)
    assert tables_gen.states_comparisons("On how many days was the high higher than the low?", "SELECT COUNT(*) FROM w WHERE a > b")
    assert not tables_gen.states_comparisons("How many releases came out after 2000?", "SELECT COUNT(*) FROM r WHERE d < '2000-01-01'")
    assert tables_gen.states_comparisons("How many releases came out between 2000 and 2009?",
                                         "SELECT COUNT(*) FROM r WHERE d >= '2000-01-01' AND d < '2010-01-01'")
    assert tables_gen.states_comparisons("Which names are not x?", "SELECT n FROM r WHERE n <> 'a>b'")


def test_document_tasks_state_facts_and_never_ask_for_section_numbers(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "terms.md").write_text(
        "# Terms\n\n1.1. Contributor means each individual or legal entity that creates a contribution.\n\n"
        "Copyright 2019 the authors; this licence grants 3 rights without warranty of any kind.\n\n"
        "Bikes must be returned to the depot within 4 hours of the end of the rental.\n\n"
        "Late returns are charged by the front desk, Marta Jensen.\n")
    kit = get_toolkit("general", docs=docs)
    try:
        tasks = list(docs_gen.generate(kit, random.Random(0)))
    finally:
        kit.close()
    by_answer = {t.answer: t.question for t in tasks}
    assert "1.1" not in by_answer and "3" not in by_answer and "2019" not in by_answer
    assert by_answer.get("4") == "Bikes must be returned to the depot within how many hours of the end of the rental?"
    assert by_answer.get("Marta Jensen") == "Who is the front desk?"
    assert not any("___" in q for q in by_answer.values())
    # a number that is part of a name is not a count (Debian's python-policy.html: "New Python how many libraries ...?")
    named = [("New Python 2 libraries must not be introduced into the archive.", "2"),
             ("PEP 404 states that no more major releases are planned.", "404"),
             ("The suite is tested on Windows 10 machines every night.", "10"), ("See section 4 for the rules on boats.", "4")]
    assert [docs_gen.states_a_fact(s, n, "number") for s, n in named] == [False] * 4
    assert docs_gen.states_a_fact("Only 3 boats may moor at the pier overnight.", "3", "number")
    # a manual page's option text is a fragment, and a number after a symbol is no fact in words
    assert not docs_gen.states_a_fact("pad with zeros, and put '+' before future years with 4 digits", "4", "number")
    assert not docs_gen.states_a_fact("Put '+' before future years with >4 digits of the year.", "4", "number")


def test_a_reworded_question_needs_a_second_derivation(weather):
    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.change_dates")
    sql = task.calls[0].args["query"]
    lits = tables_gen.literals(sql)
    a, b = lits[0], lits[1]
    kept = task.question.replace(" change from", " go up or down from")
    assert phrasing.keeps_literals(task, kept)
    assert not phrasing.keeps_literals(task, "By how much did the high temperature change?")
    right = json.dumps({"sql": sql})
    assert phrasing.second_derivation(Scripted([right], repeat_last=False), weather, task, kept) == "sampled-sql"
    reversed_sql = sql.replace(f"'{a}'", "'@A@'").replace(f"'{b}'", f"'{a}'").replace("'@A@'", f"'{b}'")
    assert phrasing.second_derivation(Scripted([json.dumps({"sql": reversed_sql})], repeat_last=False), weather, task, kept) is None
    assert phrasing.second_derivation(Scripted(["not json"], repeat_last=False), weather, task, kept) is None


def test_rephrase_keeps_only_wordings_with_every_value(weather):
    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.lookup")
    day = tables_gen.literals(task.calls[0].args["query"])[0]
    good = f"How hot did it get in Seattle on {day}?"
    assert phrasing.rephrase(Scripted([json.dumps({"question": good})], repeat_last=False), task) == good
    assert phrasing.rephrase(Scripted([json.dumps({"question": "How hot did it get in Seattle?"})], repeat_last=False), task) is None
    assert phrasing.request_of(task).endswith(f"\nThe question must state each of: {day}")
    assert phrasing.rephrase(Scripted(["{"], repeat_last=False), task) is None


def test_the_wording_request_shows_a_row_and_a_wording_may_not_borrow_from_it(weather):
    """The model is shown the table's first row, so it can say what a row is; a wording that takes
    a value from that row the query does not use is refused."""
    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.lookup")
    row = task.covers["row"]
    first_date = row.split("date=", 1)[1].split(",", 1)[0]
    assert f"(its first row: {row})" in phrasing.request_of(task) and "temp_max=" in row
    day = tables_gen.literals(task.calls[0].args["query"])[0]
    assert first_date != day
    assert phrasing.keeps_literals(task, f"How hot did it get in Seattle on {day}?")
    assert not phrasing.keeps_literals(task, f"How hot did it get in Seattle on {day}, counting from {first_date}?")


def test_values_count_as_said_in_the_forms_people_write_them(weather):
    """The 1.5B's keys came back with "8:15 PM" for 20:15 and "April 1, 2016" for 2016-04-01;
    an exact-text check threw them away. The same value in another unambiguous form counts, a
    different value does not."""
    from seer_cli.practice.spoken import mentioned

    said = [("20:15", "What's the time in Tokyo for 8:15 PM in New York?"), ("08:15", "at 8:15 a.m. in London?"),
            ("09:00", "at 9 am?"), ("12:00", "at noon in Paris?"), ("2016-04-01", "What changed on April 1st, 2016?"),
            ("2016-04-01", "on 1 Apr 2016?"), ("2015-07", "in July 2015?"), ("1000", "more than 1,000 riders?"),
            ("Gentoo", "How many Gentoos?")]
    unsaid = [("20:15", "at 18:15 pm?"), ("09:00", "at 19 am?"), ("2016-04-01", "on April 11, 2016?"),
              ("2016-04-01", "on April 1, 2017?"), ("1000", "more than 10,000 riders?")]
    assert [v for v, q in said if not mentioned(v, q)] == [] and [v for v, q in unsaid if mentioned(v, q)] == []
    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.lookup")
    day = tables_gen.literals(task.calls[0].args["query"])[0]
    y, m, d = (int(x) for x in day.split("-"))
    person = f"How hot did it get in Seattle on {calendar.month_name[m]} {d}, {y}?"
    assert phrasing.rephrase(Scripted([json.dumps({"question": person})], repeat_last=False), task) == person


def test_paraphrase_keys_keep_every_value_and_never_the_answer(weather):
    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.lookup")
    day = tables_gen.literals(task.calls[0].args["query"])[0]
    reply = json.dumps({"short": f"Seattle high on {day}", "casual": "how hot was it that day in seattle",
                        "domain": f"Maximum temperature recorded on {day} is {task.answer}?"})
    keys = phrasing.paraphrases(Scripted([reply], repeat_last=False), task, f"How hot did it get in Seattle on {day}?")
    assert keys == [f"Seattle high on {day}?"]  # the casual one lost the date, the domain one gave the answer away
    assert phrasing.paraphrases(Scripted(["{"], repeat_last=False), task, "anything?") == []
    off = json.dumps({"short": "Data analyst?", "casual": "Seattle?", "domain": f"Seattle maximum temperature on {day}?"})
    assert phrasing.paraphrases(Scripted([off], repeat_last=False), task, f"How hot did it get in Seattle on {day}?") == [
        f"Seattle maximum temperature on {day}?"]  # a key off the topic, or of one word, is dropped
    assert not phrasing._on_topic("Data analyst?", "What is the lowest high?")  # no value to check: the words must be on topic
    assert not phrasing._on_topic("Lowest high?", "What is the lowest high?") and phrasing._on_topic("How many rows?", "How many rows are there?")


def test_an_admitted_worked_example_carries_its_keys(weather):
    from seer_cli.pool.masking import keys_of
    from seer_cli.practice.generated import AutoConfig, practise_one

    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.lookup")
    sql = task.calls[0].args["query"]
    day = tables_gen.literals(sql)[0]
    asked = f"How hot did it get in Seattle on {day}?"
    backend = Scripted([json.dumps({"question": asked}), json.dumps({"sql": sql}),
                        json.dumps({"short": f"Seattle high {day}", "casual": f"how warm was seattle on {day}", "domain": ""})],
                       repeat_last=False)

    class Agent:  # what practise_one needs of an agent with --tries 0: its backend
        pass

    agent = Agent()
    agent.backend = backend
    row, exp = practise_one(agent, weather, task, AutoConfig(tries=0, phrase=True), ["seattle-weather.csv"])
    assert exp is not None and row["derivation"] == "sampled-sql" and exp.question == asked
    assert keys_of(exp) == [asked, f"Seattle high {day}?", f"how warm was seattle on {day}?"]
    assert row["keys"] == keys_of(exp)[1:] and backend.calls == 3


def test_a_monthly_table_is_not_asked_about_days(tmp_path):
    csv = tmp_path / "employment.csv"
    csv.write_text("month,nonfarm,mining\n" + "".join(f"20{y:02d}-{m:02d}-01,{130000 + y * 100 + m},{600 + m}\n"
                                                      for y in range(10, 14) for m in range(1, 13)))
    kit = get_toolkit("general", data=[csv])
    try:
        tasks = list(tables_gen.generate(kit, random.Random(0)))
    finally:
        kit.close()
    assert tasks and not any(" days " in t.question or "which day" in t.question.lower() for t in tasks)


def test_no_unlike_columns_compared_no_percentage_of_a_signed_measure_no_months_of_yearly_dates(tmp_path):
    rows = ["name,year,horsepower,acceleration,ret,price"]
    rng = random.Random(1)
    for i in range(120):
        rows.append(f"car {i},{1970 + i % 12}-01-01,{rng.randint(60, 220)},{rng.uniform(8, 24):.1f},"
                    f"{rng.uniform(-9, 9):.3f},{rng.randint(1800, 9000)}")
    csv = tmp_path / "cars.csv"
    csv.write_text("\n".join(rows) + "\n")
    kit = get_toolkit("general", data=[csv])
    try:
        tasks = list(tables_gen.generate(kit, random.Random(0)))
    finally:
        kit.close()
    assert tasks
    for t in tasks:
        q = t.question
        assert not ("horsepower" in q and "acceleration" in q), q  # not one quantity: never compared
        assert not (t.generator.startswith("table.pct_change") and "ret" in q.split()), q
        assert not re.search(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b", q), q
        assert " a cylinders" not in q
        m = re.search(r"above (\d+(?:\.\d+)?)", q)
        if m:
            digits = m.group(1).replace(".", "").lstrip("0").rstrip("0")
            assert len(digits) <= 2, q  # a threshold as a person says it
    assert table_sql._nice(43.2667) == 43 and table_sql._nice(16374) == 16000 and table_sql._nice(0.0345) == 0.035


def test_a_proposer_model_words_and_derives_instead_of_the_agents(weather):
    from seer_cli.practice.generated import AutoConfig, practise_one

    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.lookup")
    sql = task.calls[0].args["query"]
    day = tables_gen.literals(sql)[0]
    asked = f"How hot did it get in Seattle on {day}?"
    proposer = Scripted([json.dumps({"question": asked}), json.dumps({"sql": sql}), json.dumps({"short": "", "casual": "", "domain": ""})],
                        repeat_last=False)

    class Agent:
        backend = Scripted([], repeat_last=False)  # the agent's model is never asked: a call would raise

    row, exp = practise_one(Agent(), weather, task, AutoConfig(tries=0, phrase=True, proposer=proposer), ["seattle-weather.csv"])
    assert exp is not None and exp.question == asked and row["derivation"] == "sampled-sql"
    assert proposer.calls == 3 and Agent.backend.calls == 0


def test_proposer_options_belong_to_auto():
    from typer.testing import CliRunner

    from seer_cli.cli import app

    res = CliRunner().invoke(app, ["practice", "tasks.jsonl", "--proposer-model", "big.gguf"])
    assert res.exit_code != 0 and "--proposer-model applies to --auto only" in res.output


def test_document_facts_stand_on_their_own():
    """Sentences read from a real PDF (the Debian FAQ) that made questions naming nothing."""
    assert not docs_gen.states_a_fact("It was designed by Richard Stallman and preceded the WWW.", "Richard Stallman", "name")
    assert not docs_gen.states_a_fact("After them, the FAQ was maintained by Santiago Vila and, later, by Josip Rodin.",
                                      "Santiago Vila", "name")
    assert not docs_gen.states_a_fact('Debian 8 "jessie" in April 2015 was the first release to ship with systemd.', "2015", "number")
    assert not docs_gen.states_a_fact("A package will not go into testing after the 5 days.", "5", "number")
    assert docs_gen.spans("The current maintainer is Javier Fernandez-Sanguino and it works.") == []
    assert docs_gen.question_for("Let’s say this threshold is 5 days.", "5", "number") is None
    assert docs_gen.question_for("The number 5 should not be taken literally.", "5", "number") is None
    # a value inside a condition (logrotate(8): asked "What is if count old versions are removed ...?")
    assert docs_gen.question_for("If count is 0, old versions are removed rather than rotated.", "0", "number") is None
    assert docs_gen.question_for("If a warning occurs, exit status is 2.", "2", "number") == "What is the exit status if a warning occurs?"
    # a term after "so-called" is no person; one number of a list or range, or "a value of" with its subject above, is no fact (wget(1))
    assert not docs_gen.states_a_fact("Specifying PFS enforces the use of the so-called Perfect Forward Security cipher suites.",
                                      "Perfect Forward Security", "name")
    assert not docs_gen.states_a_fact("Metalink version 3 and 4 are supported.", "3", "number")
    assert not docs_gen.states_a_fact("The server waits 5 to 10 seconds.", "5", "number")
    assert not docs_gen.states_a_fact("By default, Wget will assume a value of 10 seconds.", "10", "number")
    # a number with its unit is asked "how many" of the unit (journald.conf(5) was asked "What is the default timeout minutes?")
    assert docs_gen.question_for("The default timeout is 5 minutes.", "5", "number") == "How many minutes is the default timeout?"
    # ssh-keygen(1), xz(1): asked "How many bits is For RSA keys, the minimum size and the default is 3072 bits?" (gold 1024),
    # "a good value is 2–how many times ...", "an odd number like how many bytes"
    assert docs_gen.question_for("For RSA keys, the minimum size is 1024 bits and the default is 3072 bits.", "1024", "number") \
        == "How many bits is the minimum size for RSA keys?"
    assert not docs_gen.states_a_fact("Typically a good value is 2–4 times the size of the LZMA2 dictionary.", "4", "number")
    assert not docs_gen.states_a_fact("If the alignment is an odd number like 3 bytes, pb=0 might be the best choice.", "3", "number")
    assert docs_gen.sentences("Volunteers are im\ufffe proving Debian every single day of the year.") == [
        "Volunteers are improving Debian every single day of the year."]
    assert docs_gen.states_a_fact("Bikes must be returned to the depot within 4 hours of the end of the rental.", "4", "number")
    # an option's text starts at its verb: its subject is the option's name above it (timesyncd.conf(5))
    assert not docs_gen.states_a_fact("Defaults to 30 seconds and must not be smaller than 1 second.", "30", "number")
    assert docs_gen.states_a_fact("PollIntervalMinSec= defaults to 32 seconds and must not be smaller than 16 seconds.",
                                  "32", "number")
    # an example leans on the sentence before it (gzip(1): "For example, if file names are limited to 14 characters, ...")
    assert not docs_gen.states_a_fact("For example, if file names are limited to 14 characters, gzip.msdos.exe is compressed "
                                      "to gzi.msd.exe.gz.", "14", "number")
    # curl(1), xz(1), systemd.timer(5): a condition's number, an option named by no name, one of a list, a
    # table row's tag and a definition's term run in, a version written with a slash
    allow = "If curl is told to allow 10 requests per minute, it will not start the next request until 6 seconds have elapsed."
    assert not docs_gen.states_a_fact(allow, "10", "number")
    assert docs_gen.states_a_fact(allow, "6", "number")
    assert docs_gen.states_a_fact("If a warning occurs, exit status is 2.", "2", "number")
    assert not docs_gen.states_a_fact("If unspecified, the option defaults to 60 seconds.", "60", "number")
    assert not docs_gen.states_a_fact("The highest three bits are 010 for upper-case letters and 011 for lower-case letters.",
                                      "010", "number")
    assert not docs_gen.states_a_fact("Stability is shown as 0 for alpha, 1 for beta, and 2 for stable.", "2", "number")
    assert not docs_gen.states_a_fact("S Stability. The value is 2 when stable.", "2", "number")
    assert not docs_gen.states_a_fact("SCP curl supports SSH version 2 scp transfers.", "2", "number")
    assert docs_gen.states_a_fact("SSH keys are rotated every 90 days.", "90", "number")
    assert docs_gen.spans("HTTP/3 is only available for HTTPS and not for HTTP URLs.") == []
    # tail(1)'s option text in the imperative was asked "Print the last how many lines of each FILE ...?"
    assert not docs_gen.states_a_fact("Print the last 10 lines of each FILE to standard output.", "10", "number")
    # the 1.5B proposed "What is the name of the software mentioned in the passage?" (a reader has no passage)
    from seer_cli.practice.doc_questions import acceptable

    passage = "Full documentation is maintained as part of GNU coreutils and available locally."
    assert not acceptable("What is the name of the software mentioned in the passage?", "GNU coreutils", passage)
    assert acceptable("Which package maintains the full documentation of ls?", "GNU coreutils", passage)


def test_a_solved_task_is_admitted_only_while_its_table_has_no_experience(weather, seer_home, monkeypatch):
    """A task the model solves counts for coverage; the first for a table the pool knows nothing
    of is admitted (its trajectory and the executed gold agreed), the next on that table is not."""
    from seer_cli.agent.assemble import open_agent
    from seer_cli.config import load_settings
    from seer_cli.practice.generated import AutoConfig, auto_practice

    lookups = [t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.lookup"][:2]
    script = []
    for t in lookups:
        script += [{"thought": "Query it.", "tool": "SQL", "args": {"query": t.calls[0].args["query"]}},
                   {"thought": "Done.", "tool": "Finish", "args": {"answer": t.answer}}]
    agent = open_agent(load_settings(), weather, backend=Scripted(script, repeat_last=False), max_steps=4)
    config = AutoConfig(tasks=2, tries=1, phrase=False)
    import seer_cli.practice.generated as generated
    from seer_cli.practice.examples import ORIGIN

    monkeypatch.setattr(generated, "generate_tasks", lambda *a, **k: lookups)  # these two tasks, in this order
    summary = auto_practice(agent, weather, seer_home / "auto.jsonl", config)
    assert summary["tasks"] == 2 and summary["solved_by_model"] == 2 and summary["admitted"] == 1
    (exp,) = [e for e in agent.pool.experiences() if e.origin == ORIGIN]
    assert exp.question == lookups[0].question and exp.success_details["first_of_its_kind"] is True
    assert exp.success_details["derivation"] == "model"


def test_a_wording_that_claims_the_world_for_a_table_is_refused(weather):
    """A question with no value passes the literal check, so a wording that widens its scope past
    the data ("in the world", "of all time") is refused; the same question in the data's scope is kept."""
    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.most_rows")
    wider = "What is the most common weather in the world?"
    assert phrasing.rephrase(Scripted([json.dumps({"question": wider})], repeat_last=False), task) is None
    ever = "What is the most common weather of all time?"
    assert phrasing.rephrase(Scripted([json.dumps({"question": ever})], repeat_last=False), task) is None
    kept = "What kind of weather does Seattle get most often?"
    assert phrasing.rephrase(Scripted([json.dumps({"question": kept})], repeat_last=False), task) == kept
    assert not phrasing.widens("How many rows in total across all stores?", "SQL: SELECT ... in total across all stores")


def test_a_wording_ending_in_two_question_marks_keeps_one(weather):
    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.most_rows")
    reply = json.dumps({"question": "What kind of weather does Seattle get most often ??"})
    assert phrasing.rephrase(Scripted([reply], repeat_last=False), task) == "What kind of weather does Seattle get most often?"


def test_a_unit_ending_a_column_name_is_said_as_a_unit():
    """The real-files practice asked "What is the average body mass g in the penguins data?"."""
    from seer_cli.practice.table_roles import Column

    said = {n: Column(n, "DOUBLE", 100, 0).words for n in ("body_mass_g", "bill_length_mm", "price_usd", "g", "temp_max")}
    assert said == {"body_mass_g": "body mass in grams", "bill_length_mm": "bill length in mm",
                    "price_usd": "price in US dollars", "g": "g", "temp_max": "temp max"}


def test_a_series_table_counts_its_periods_and_odd_column_names_are_said_and_quoted(tmp_path):
    """matplotlib's sample data: Stocks.csv has a row a month and a column per ticker ("How many
    stocks in 2005 had an aapl above 1.6?"), msft.csv a column "Adj. Close*" (quoted as a schema
    and table, it failed every template on the table) and a high always above its low."""
    days = [f"2003-{m:02d}-{d:02d}" for m in (6, 7, 8) for d in range(1, 29)]
    (tmp_path / "msft.csv").write_text("Date,High,Low,Adj. Close*\n" + "".join(
        f"{day},{30 + i % 7},{20 + i % 5},{25 + (i * 3) % 11}\n" for i, day in enumerate(days)))
    (tmp_path / "stocks.csv").write_text("Date,AAPL,^GSPC\n" + "".join(
        f"{y}-{m:02d}-01,{1 + (y * m) % 9},{300 + m * 7 + y % 13}\n" for y in (2004, 2005) for m in range(1, 13)))
    kit = get_toolkit("general", data=[tmp_path / "msft.csv", tmp_path / "stocks.csv"])
    try:
        tasks = list(tables_gen.generate(kit, random.Random(0)))
    finally:
        kit.close()
    msft = [t for t in tasks if t.covers["table"] == "msft"]
    stocks = [t for t in tasks if t.covers["table"] == "stocks"]
    assert msft and stocks  # the dotted column no longer fails the table
    assert any("adj close" in t.question for t in msft) and not any("*" in t.question or "close*" in t.question for t in tasks)
    assert not any("high higher than the low" in t.question for t in msft)
    counted = [t.question for t in stocks if t.question.startswith(("How many", "On how many"))]
    assert counted and not any(q.startswith("How many stocks") for q in counted) and any("many months" in q for q in counted)
    assert not any("aapl" in t.question or "^" in t.question or " a AAPL" in t.question for t in stocks)


def test_a_table_of_named_things_with_dates_gets_lookups_firsts_and_counts_in_a_year(tmp_path):
    """A release table (a name, a version, dates; later columns left off old rows, as in
    distro-info's CSVs) is read whole, and asked what people ask of it: a field of a named row, which
    came first or last, how many in a year; its version is never averaged and its rows are releases,
    not "dates"."""
    (tmp_path / "releases.csv").write_text(
        "version,codename,created,release,eol,eol-extended\n"
        "1.0,Amber Ant,2001-02-01,2001-09-10,2004-01-31\n2.0,Brisk Badger,2001-09-10,2002-04-22,2005-03-31\n"
        "3.0,Calm Crane,2002-04-22,2003-10-15,2006-06-30,2009-06-30\n3.5,Dusty Dingo,2003-10-15,2004-04-20,2007-01-31\n"
        "4.0,Eager Eel,2004-04-20,2005-10-01,2008-10-31,2012-10-31\n")
    kit = get_toolkit("general", data=[tmp_path / "releases.csv"])
    try:
        assert "eol-extended DATE" in kit.call("Tables", {})  # null padding: the short rows did not make one text column
        tasks = list(tables_gen.generate(kit, random.Random(0)))
    finally:
        kit.close()
    by_gen: dict[str, list] = {}
    for t in tasks:
        by_gen.setdefault(t.generator, []).append(t)
    assert {"table.lookup_field", "table.count_in_year"} <= set(by_gen) and {"table.first_key", "table.last_key"} & set(by_gen)
    for t in by_gen["table.lookup_field"]:
        assert re.fullmatch(r"What is the [\w ]+ of [\w. ]+\?", t.question), t.question
    assert all("version" not in t.question for g in by_gen for t in by_gen[g] if g.startswith(("table.avg", "table.max", "table.sum")))
    assert not any("dates" in t.question or "days" in t.question for t in tasks)
    count = by_gen["table.count_in_year"][0]
    year = re.search(r"\b(\d{4})\b", count.question).group(1)
    col = count.covers["columns"][0]
    rows = [line.split(",") for line in (tmp_path / "releases.csv").read_text().splitlines()]
    at = rows[0].index(col)
    assert int(count.answer) == sum(1 for r in rows[1:] if len(r) > at and r[at].startswith(year))


def test_a_table_of_several_series_is_asked_about_one_series_at_a_time(tmp_path):
    """Prices of three companies, a row per symbol and month: a price is never averaged or counted
    over all of them ("the average price in January 2008" mixed five companies); one company's
    value on a date, its extreme in a year, its percentage change, and comparisons between companies
    are asked instead, each question naming the company."""
    lines = ["symbol,date,price"]
    for i, sym in enumerate(("ACME", "BOLT", "CRUX")):
        for mo in range(1, 15):
            lines.append(f"{sym},{2000 + (mo - 1) // 12}-{(mo - 1) % 12 + 1:02d}-01,{10 * (i + 1) + mo * (i + 1) * 0.5}")
    (tmp_path / "prices.csv").write_text("\n".join(lines) + "\n")
    kit = get_toolkit("general", data=[tmp_path / "prices.csv"])
    try:
        tasks = list(tables_gen.generate(kit, random.Random(0)))
    finally:
        kit.close()
    gens = {t.generator for t in tasks}
    assert {"table.series_lookup", "table.series_pct_change"} <= gens and any(g.startswith("table.series_") and g.endswith("_year") for g in gens)
    for t in tasks:
        sql = t.calls[0].args["query"]
        assert "price" not in sql or "symbol" in sql, (t.question, sql)  # a price only within a company, or by company
        assert t.generator not in ("table.count", "table.count_in_year", "table.count_where", "table.share_rows"), t.question
        if t.generator.startswith("table.series_"):
            assert any(s in t.question for s in ("ACME", "BOLT", "CRUX"))
    pct = next(t for t in tasks if t.generator == "table.series_pct_change")
    sym, x, y = re.search(r"price of (\w+) change from (\S+) to (\S+),", pct.question).groups()
    price = {(r.split(",")[0], r.split(",")[1]): float(r.split(",")[2]) for r in lines[1:]}
    assert float(pct.answer) == pytest.approx(round(100 * (price[sym, y] - price[sym, x]) / price[sym, x], 2))




def test_a_dated_table_is_asked_how_often_a_measure_rose_or_fell(tmp_path):
    csv = tmp_path / "employment.csv"
    values = [130000 + (7 if (y * 12 + m) % 3 else -5) * (y * 12 + m) for y in range(10, 14) for m in range(1, 13)]
    csv.write_text("month,nonfarm\n" + "".join(f"20{y:02d}-{m:02d}-01,{v}\n" for (y, m), v in
                                                zip([(y, m) for y in range(10, 14) for m in range(1, 13)], values)))
    kit = get_toolkit("general", data=[csv])
    try:
        trend = [t for t in tables_gen.generate(kit, random.Random(0)) if t.generator in ("table.count_rises_year", "table.count_falls_year")]
    finally:
        kit.close()
    assert trend
    for t in trend:
        year = int(re.search(r"of (20\d\d)", t.question).group(1))
        pairs = [(b, a) for (i, b), a in zip(enumerate(values), [None, *values[:-1]]) if 2000 + 10 + i // 12 == year and a is not None]
        want = sum((b > a) if t.generator.endswith("rises_year") else (b < a) for b, a in pairs)
        assert t.answer == str(want) and "months of" in t.question and "than the month before" in t.question, t.question
        assert tables_gen.mentions_literals(t.question, t.calls[0].args["query"])


def test_a_wording_may_not_add_a_number_or_a_month_the_query_lacks(weather):
    lowest = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.min")
    assert phrasing.keeps_literals(lowest, "What was the lowest precipitation in Seattle?")
    assert not phrasing.keeps_literals(lowest, "What was the minimum precipitation in Seattle in January 2012?")
    assert phrasing.keeps_literals(lowest, "What was the lowest precipitation you may find in Seattle?")  # a verb, no month
    in_month = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator.endswith("_month"))
    month, year = re.search(r"in (\w+) (\d{4})", in_month.question).groups()
    kept = in_month.question.replace(f"{month} {year}", f"{month} of {year}")
    assert phrasing.keeps_literals(in_month, kept)  # the month and the year it filters on, said another way
    other = calendar.month_name[calendar.month_name[:].index(month) % 12 + 1]
    assert not phrasing.keeps_literals(in_month, kept.replace(month, f"{month} and {other}"))


def test_a_table_of_one_row_a_year_is_asked_about_years(tmp_path):
    """A yearly series (marriages since 1867, a sea temperature with a column a month) is asked
    what people ask of one: the value in a year, a change between two years, the year of the
    highest value, a count of years over a span, an average over a span; a month column by its
    month's name."""
    from seer_cli.practice.tasks import format_value

    csv = tmp_path / "sea.csv"
    months = [calendar.month_abbr[i].upper() for i in range(1, 13)]
    rows = {y: [round(20 + random.Random(y * 13 + i).random() * 8, 2) for i in range(12)] for y in range(1950, 1990)}
    csv.write_text("YEAR," + ",".join(months) + "\n" + "".join(f"{y}," + ",".join(map(str, v)) + "\n" for y, v in rows.items()))
    kit = get_toolkit("general", data=[csv])
    try:
        tasks = [t for t in tables_gen.generate(kit, random.Random(0))]
    finally:
        kit.close()
    gens = {t.generator for t in tasks}
    assert {"table.value_in_year", "table.year_of_max", "table.avg_years"} <= gens, gens
    assert {"table.count_years_above", "table.count_years_below"} & gens and {"table.change_between_years", "table.pct_change_years"} & gens
    for t in tasks:
        assert tables_gen.mentions_literals(t.question, t.calls[0].args["query"]), t.question
        if t.generator == "table.value_in_year":
            month, year = re.search(r"value in (\w+) (\d{4})", t.question).groups()
            assert t.answer == format_value(rows[int(year)][list(calendar.month_name).index(month) - 1]), t.question
        if t.generator == "table.count":
            assert t.question.startswith("How many years")
    assert not any(re.search(r"\b(JAN|FEB|DEC)\b", t.question) for t in tasks if t.generator.endswith("_years") or "value_in" in t.generator)


def test_a_whole_number_measure_of_few_values_is_grouped_by():
    """Cylinders (3 to 8 on 400 cars) are counted and compared by, as a category is; a population
    in a yearly series is never summed over years."""
    from seer_cli.practice.table_roles import Column, _discrete

    cyl = Column("cyl", "BIGINT", 5, 0, low=3, high=8, role="measure")
    assert _discrete(cyl, 392) and not _discrete(cyl, 30) and not _discrete(Column("mpg", "DOUBLE", 120, 0, low=9.0, high=46.6), 392)
    pop = Column("Population", "BIGINT", 140, 0, low=3e7, high=3e8, role="measure", in_series=True)
    assert not pop.additive and Column("Population", "BIGINT", 140, 0, low=3e7, high=3e8, role="measure").additive
    # a property of one thing is never summed over things (the fifth set's practice asked "What is the total boiling point?")
    assert not any(Column(n, "BIGINT", 90, 0, low=4, high=6000, role="measure").additive for n in ("boiling point", "atomic radius"))


def test_a_monthly_table_kept_as_year_and_month_columns_is_asked_about_months(tmp_path):
    """Home sales by city with a year and a month column (and a date written as a decimal year)
    get what people ask of them: a city's value in a month said by name, its change between two
    months, the city highest in a month, months above a level, a year's average; the decimal
    date is never a measure, and every query's month number is said as the month's name."""
    from seer_cli.practice.tasks import format_value

    csv = tmp_path / "homes.csv"
    cities = ["Austin", "Dallas", "El Paso"]
    lines = ["city,year,month,sales,median,date"]
    for ci, c in enumerate(cities):
        for y in (2010, 2011):
            for mo in range(1, 13):
                r = random.Random(ci * 1000 + y * 13 + mo)
                lines.append(f"{c},{y},{mo},{r.randint(50, 900)},{r.randint(100, 300) * 1000},{y + (mo - 1) / 12:.5f}")
    csv.write_text("\n".join(lines) + "\n")
    kit = get_toolkit("general", data=[csv])
    try:
        tasks = list(tables_gen.generate(kit, random.Random(0)))
        con = kit.sql_tables().con
        for t in tasks:
            assert tables_gen.mentions_literals(t.question, t.calls[0].args["query"]), t.question
            assert format_value(con.execute(t.calls[0].args["query"]).fetchone()[0]) == t.answer, t.question
    finally:
        kit.close()
    gens = {t.generator for t in tasks}
    assert {"table.value_in_month", "table.argmax_month", "table.argmin_month"} & gens and "table.value_in_month" in gens, gens
    assert {"table.change_months", "table.pct_change_months"} & gens and {"table.count_months_above", "table.count_months_below"} & gens
    month_names = "|".join(calendar.month_name[1:])
    for t in tasks:
        if t.generator == "table.value_in_month":
            city, month, year = re.search(rf"of ([A-Z][\w ]+) in ({month_names}) (\d{{4}})\?", t.question).groups()
            assert f"\"month\" = {list(calendar.month_name).index(month)}" in t.calls[0].args["query"] and year in t.calls[0].args["query"]
    assert not any(re.search(r"\bdate\b", t.question) for t in tasks), [t.question for t in tasks if "date" in t.question]
    assert not tables_gen.mentions_literals("What was the sales of Austin in 2010?",
                                            "SELECT \"sales\" FROM \"homes\" WHERE \"city\" = 'Austin' AND \"year\" = 2010 AND \"month\" = 6")
