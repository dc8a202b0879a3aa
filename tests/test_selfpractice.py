"""Self-practice (``seer practice --auto``): tasks from a user's files, golds from execution.

Real files written here (a library's loans and members tables, a club's rules, a fines tool),
the real general toolkit (DuckDB, Retrieve over the real embedder, the user's functions), the
real pool. The model-free tests cover generation, verification and bad input; one model test
practises two tasks with the real 0.5B and checks that whatever it admitted re-verifies.
"""

from __future__ import annotations

import random
import time

import orjson
import pytest
from typer.testing import CliRunner

from seer_cli.cli import app
from seer_cli.config import load_settings
from seer_cli.pool import Pool
from seer_cli.rowlog import RowLog
from seer_cli.practice import docs as docs_gen
from seer_cli.practice import tables as tables_gen
from seer_cli.practice import tools as tools_gen
from seer_cli.practice.examples import ORIGIN, reverify, worked
from seer_cli.practice.generated import generate_tasks
from seer_cli.toolkits import get_toolkit



def test_table_tasks_have_executed_golds_and_joins(files, embedder):
    kit = get_toolkit("general", data=[files["loans"], files["members"]], embedder=embedder)
    try:
        tasks = list(tables_gen.generate(kit, random.Random(0)))
        gens = {t.generator for t in tasks}
        assert {"table.count", "table.sum_where", "table.argmax_group", "table.join_sum"} <= gens
        assert gens & {"table.sum_month", "table.avg_month"} and gens & {"table.sum_year", "table.avg_year", "table.max_year"}
        for t in tasks:
            assert t.answer and t.question.endswith("?")
            # the gold is what the recorded SQL gives through the real SQL tool
            obs = kit.call("SQL", t.calls[0].args)
            assert t.answer in obs.replace(",", ""), (t.question, t.answer, obs)
        # identifiers are never aggregated
        assert not any("loan id" in t.question or "member id" in t.question and "total" in t.question for t in tasks)
    finally:
        kit.close()


def test_text_dates_are_dates_and_ranges_hold_their_golds(tmp_path, embedder):
    """A table whose dates are text (a SQLite file's TEXT column, ToolQA's coffee view) still gets
    year, month and date-range tasks, filtered by the text's prefix; every gold re-executes."""
    import sqlite3

    db = tmp_path / "readings.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE readings (day TEXT, celsius REAL, rain_mm INTEGER)")
    rng = random.Random(5)
    con.executemany("INSERT INTO readings VALUES (?, ?, ?)",
                    [(f"2023-{m:02d}-{d:02d}", round(rng.uniform(-5, 30), 1), rng.randint(0, 40)) for m in range(1, 13) for d in range(1, 29, 3)])
    con.commit()
    con.close()
    kit = get_toolkit("general", data=[db], embedder=embedder)
    try:
        (table,) = tables_gen.describe_tables(kit.sql_tables().con, list(kit.sql_tables().tables))
        assert [c.name for c in table.dates()] == ["day"] and table.columns[0].iso_text
        tasks = list(tables_gen.generate(kit, random.Random(1)))
        gens = {t.generator for t in tasks}
        assert gens & {"table.avg_range", "table.max_range", "table.min_range"} and gens & {"table.sum_month", "table.avg_month"}
        for t in tasks:
            assert t.calls[0].tool == "SQL" and t.calls[0].thought.startswith("Use SQL")
            assert t.answer in kit.call("SQL", t.calls[0].args).replace(",", ""), (t.question, t.answer)
        month = next(t for t in tasks if t.generator.endswith("_month"))
        assert "LIKE '2023-" in month.calls[0].args["query"]
    finally:
        kit.close()


def test_toolqa_tables_practise_through_sqlinterpreter(shared_toolqa, seer_home, scripted_model):
    """The toolqa toolkit offers its coffee table to --auto: tasks call SQLInterpreter on
    coffee.coffee_data with the coffee intent, start from the toolqa seed, and every admitted
    worked example re-verifies through the real tool. --tries 0: the model is never called."""
    model = scripted_model([], repeat_last=False)
    runner = CliRunner()
    log = seer_home / "coffee.jsonl"
    res = runner.invoke(app, ["practice", "--auto", "8", "--tries", "0", "--no-breadth", "--toolkit", "toolqa", "--toolqa-dir", str(shared_toolqa),
                              "--pool", str(seer_home / "coffee-pool"), "--log", str(log), "--json"])
    assert res.exit_code == 0, res.output
    assert model.calls == 0
    rows = RowLog(log).rows()
    assert len(rows) == 8 and sum(r["admitted"] for r in rows) >= 7
    pool = Pool.open(seer_home / "coffee-pool", load_settings(), create=False)
    mine = [e for e in pool.experiences() if e.origin == ORIGIN]
    assert len(pool.experiences()) > len(mine)  # the toolqa seed came first
    assert all(e.steps[0].tool == "SQLInterpreter" and e.intent == "coffee" and "coffee_data" in e.steps[0].args["sql"] for e in mine)
    kit = get_toolkit("toolqa", data_dir=shared_toolqa, cache_dir=load_settings().cache_dir)
    try:
        assert all(reverify(kit, e) for e in mine)
    finally:
        kit.close()


def test_argmax_with_a_tie_is_not_a_task(tmp_path, embedder):
    csv = tmp_path / "tie.csv"
    csv.write_text("team,score\nred,5\nblue,5\ngreen,1\nred,0\nblue,0\ngreen,1\n")
    kit = get_toolkit("general", data=[csv], embedder=embedder)
    try:
        tasks = list(tables_gen.generate(kit, random.Random(0)))
        assert not [t for t in tasks if t.generator == "table.argmax_group"]  # red and blue tie at 5
    finally:
        kit.close()


def test_doc_tasks_hold_the_span_out_of_the_question_and_retrieve_finds_it(files, embedder):
    kit = get_toolkit("general", docs=files["docs"], embedder=embedder)
    tasks = list(docs_gen.generate(kit, random.Random(0)))
    answers = {t.answer for t in tasks}
    assert {"35", "6:45", "Ingrid Solberg"} <= answers
    for t in tasks:
        assert t.answer.lower() not in t.question.lower()
        assert t.answer in kit.call("Retrieve", t.calls[0].args)


def test_tool_tasks_sample_documented_options_and_skip_a_raising_tool(files):
    warnings: list[str] = []
    kit = get_toolkit("general", tools_file=files["tools"], on_warning=lambda m: None)
    tasks = list(tools_gen.generate(kit, random.Random(0), on_warning=warnings.append))
    calls = [t for t in tasks if t.generator == "tools.call"]
    assert calls and all(c.calls[0].tool == "late_fine" for c in calls)
    assert {c.calls[0].args["kind"] for c in calls} <= {"book", "dvd", "magazine"}
    for c in calls:
        assert str(c.calls[0].args["days_late"]) in c.question and c.calls[0].args["kind"] in c.question
    assert any("broken" in w for w in warnings)


def test_a_hanging_tool_times_out():
    from seer_cli.toolkits.base import make_tool

    def slow(n: int) -> int:
        """Sleeps.

        Args:
            n: ignored.
        """
        time.sleep(30)
        return n

    t0 = time.perf_counter()
    with pytest.raises(TimeoutError):
        tools_gen.call_with_timeout(make_tool(slow), {"n": 1}, timeout=0.5)
    assert time.perf_counter() - t0 < 5


def test_bad_input_gives_reasons_and_no_tasks(tmp_path, embedder):
    empty = tmp_path / "empty.csv"
    empty.write_text("a,b\n")
    nulls = tmp_path / "nulls.csv"
    nulls.write_text("name,value\nx,\ny,\n")
    docs = tmp_path / "nodocs"
    docs.mkdir()
    (docs / "note.md").write_text("# Title\n\nShort.\n")
    kit = get_toolkit("general", data=[empty, nulls], docs=docs, embedder=embedder)
    warnings: list[str] = []
    try:
        tasks = generate_tasks(kit, seed=0, on_warning=warnings.append)
    finally:
        kit.close()
    assert all(t.answer not in ("", "None") for t in tasks)
    assert any(w.startswith("documents: no task") for w in warnings)


def test_worked_examples_reverify_and_break_when_the_data_changes(files, embedder, tmp_path):
    kit = get_toolkit("general", data=[files["loans"]], embedder=embedder)
    try:
        task = next(t for t in tables_gen.generate(kit, random.Random(1))
                    if t.generator in ("table.sum_where", "table.avg_where", "table.max_where") and '"pages"' in t.calls[0].args["query"])
        exp = worked(kit, task)
        assert exp is not None and exp.origin == ORIGIN and exp.success_source == "executed"
        assert exp.success_details["gold_calls"][0]["args"]["query"] == task.calls[0].args["query"]
        assert reverify(kit, exp)
    finally:
        kit.close()
    changed = tmp_path / "changed" / "loans.csv"  # same table name, other numbers
    changed.parent.mkdir()
    changed.write_text(files["loans"].read_text().replace(",9\n", ",19\n").replace(",8\n", ",28\n").replace("novel", "novel"))
    text = changed.read_text().splitlines()
    changed.write_text("\n".join([text[0]] + [ln.rsplit(",", 2)[0] + ",999," + ln.rsplit(",", 1)[1] for ln in text[1:]]) + "\n")
    kit2 = get_toolkit("general", data=[changed], embedder=embedder)
    try:
        assert not reverify(kit2, exp)
    finally:
        kit2.close()


def test_cli_auto_worked_examples_all_reverify(files, seer_home, scripted_model):
    model = scripted_model([], repeat_last=False)  # --tries 0: the model is never called
    runner = CliRunner()
    log = seer_home / "auto.jsonl"
    args = ["practice", "--auto", "12", "--tries", "0", "--data", str(files["loans"]), "--data", str(files["members"]),
            "--docs", str(files["docs"]), "--tools", str(files["tools"]), "--log", str(log), "--json", "--no-breadth"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert model.calls == 0
    summary = orjson.loads(res.stdout[res.stdout.index("{"):])
    assert summary["tasks"] == 12 and summary["admitted"] >= 9
    assert set(summary["kinds"]) >= {"data", "docs", "tools"}
    rows = RowLog(log).rows()
    assert len(rows) == 12 and all(r["admitted"] == bool(r.get("experience")) for r in rows)
    # resumable: a larger budget continues the same log without repeating a task
    res = runner.invoke(app, [*args[:2], "16", *args[3:]])
    assert res.exit_code == 0, res.output
    rows = RowLog(log).rows()
    assert len(rows) == 16 and len({r["id"] for r in rows}) == 16
    # then, by default, every other task the rules made joins as a worked example (flagged "breadth"), no model call either
    res = runner.invoke(app, args[:-1])
    assert res.exit_code == 0, res.output
    summary = orjson.loads(res.stdout[res.stdout.index("{"):])
    rows = RowLog(log).rows()
    wide = [r for r in rows if r.get("breadth")]
    assert summary["tasks"] == 16 and summary["breadth"]["tasks"] == len(wide) >= 10 and summary["breadth"]["admitted"] >= 8
    assert len({r["id"] for r in rows}) == len(rows) and all(r["admitted"] == bool(r.get("experience")) for r in wide)
    assert all(r["derivation"] in ("replay", "volatile-call") and r["made_by"] in ("worked", None) for r in wide)
    assert model.calls == 0
    pool = Pool.open("default", load_settings())
    mine = [e for e in pool.experiences() if e.origin == ORIGIN]
    assert len(mine) == sum(bool(r["admitted"]) for r in rows)
    kit = get_toolkit("general", data=[files["loans"], files["members"]], docs=files["docs"], tools_file=files["tools"],
                      on_warning=lambda m: None)
    try:
        assert all(reverify(kit, e) for e in mine)  # every admitted experience re-executes to its answer
    finally:
        kit.close()
    stats = runner.invoke(app, ["pool", "stats", "--json"])
    assert stats.exit_code == 0 and '"self_practice"' in stats.stdout


def test_cli_auto_refuses_without_inputs():
    res = CliRunner().invoke(app, ["practice", "--auto", "5"])
    assert res.exit_code == 1 and "--auto: name what to practise on" in res.output


def test_auto_with_the_model_admits_only_verified_episodes(files, seer_home, llm):
    from seer_cli.agent.assemble import open_agent
    from seer_cli.practice.generated import AutoConfig, auto_practice

    settings = load_settings()
    kit = get_toolkit("general", data=[files["loans"]], tools_file=files["tools"], on_warning=lambda m: None)
    try:
        agent = open_agent(settings, kit, backend=llm, max_steps=4)
        summary = auto_practice(agent, kit, seer_home / "auto.jsonl", AutoConfig(tasks=2, tries=1))
        assert summary["tasks"] == 2
        for e in agent.pool.experiences():
            if e.origin == ORIGIN:
                assert e.success_details["made_by"] in ("model", "worked", "recovery")
                assert reverify(kit, e)
    finally:
        kit.close()


def test_run_says_once_how_to_teach_an_unpractised_file(files, seer_home, capsys):
    from seer_cli.cli.run import teach_hint

    settings = load_settings()
    pool = Pool.open("default", settings)  # the general seed: no self-practice yet
    kit = get_toolkit("general", data=[files["loans"]])
    try:
        teach_hint(settings, pool, kit, data=[files["loans"]], docs=None, tools=None)
        first = capsys.readouterr().err
        teach_hint(settings, pool, kit, data=[files["loans"]], docs=None, tools=None)
        second = capsys.readouterr().err
    finally:
        kit.close()
    assert "has not practised on loans.csv" in first and "seer practice --auto 30 --data" in first
    assert second == ""


def test_a_new_named_pool_starts_from_the_general_seed(seer_home, llm, monkeypatch, tmp_path):
    from seer_cli.agent.assemble import open_agent
    from seer_cli.pool.seeds import read_seed

    kit = get_toolkit("general")
    try:
        agent = open_agent(load_settings(), kit, pool="myproject", backend=llm)
        assert len(agent.pool) == len(read_seed("general-seed"))
        by_path = open_agent(load_settings(), kit, pool=str(tmp_path / "by-path"), backend=llm)
        assert len(by_path.pool) == len(agent.pool)
        monkeypatch.setenv("SEER_POOL_SEED", "")
        empty = open_agent(load_settings(), kit, pool="scratch", backend=llm)
        assert len(empty.pool) == 0
    finally:
        kit.close()


def test_the_same_files_and_seed_give_the_same_tasks(files, embedder):
    """Resuming a log relies on it: a task's id must come back."""
    def ids():
        kit = get_toolkit("general", data=[files["loans"], files["members"]], docs=files["docs"], tools_file=files["tools"],
                          embedder=embedder, on_warning=lambda m: None)
        try:
            return [t.id for t in generate_tasks(kit, seed=5)]
        finally:
            kit.close()

    assert ids() == ids()


DYING_SERVER = '''"""A shop fee served over MCP that dies after a few calls (the process exits)."""
import os

from mcp.server.mcpserver import MCPServer

server = MCPServer("dying")
CALLS = {"n": 0}


@server.tool()
def handling_fee(weight_kg: float, zone: str) -> float:
    """Handling fee in euros of a parcel of weight_kg kilograms to zone A, B or C."""
    CALLS["n"] += 1
    if CALLS["n"] > 3:
        os._exit(1)
    return round({"A": 1.0, "B": 2.0, "C": 3.0}[zone] + 0.5 * weight_kg, 2)


if __name__ == "__main__":
    server.run()
'''


def test_an_mcp_server_that_dies_mid_practice_leaves_log_and_pool_whole(tmp_path, seer_home, embedder):
    import shlex
    import sys

    from seer_cli.agent.assemble import open_agent
    from seer_cli.pool.check import check_pool
    from seer_cli.practice.generated import AutoConfig, auto_practice

    script = tmp_path / "dying.py"
    script.write_text(DYING_SERVER)
    settings = load_settings()
    kit = get_toolkit("general", mcp=[f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"], mcp_timeout=10)
    warnings: list[str] = []
    try:
        agent = open_agent(settings, kit, embedder=embedder, backend=object())  # --tries 0: the model is never called
        summary = auto_practice(agent, kit, seer_home / "auto.jsonl", AutoConfig(tasks=6, tries=0, breadth=False),
                                on_warning=warnings.append)
        pool_dir = agent.pool.path
        agent.pool.close()
    finally:
        kit.close()
    assert any("handling_fee" in w for w in warnings)  # the calls after the death: one reason, then skipped
    rows = RowLog(seer_home / "auto.jsonl").rows()
    assert len(rows) == summary["tasks"] and summary["tasks"] >= 1
    # what was admitted came from calls made while the server lived; nothing half-written
    assert all(r["made_by"] in ("worked", None) for r in rows)
    report = check_pool(pool_dir)
    assert not report.problems


def test_a_tool_that_returns_text_gives_call_tasks_and_no_sums(tmp_path):
    f = tmp_path / "desk.py"
    f.write_text('def desk_of(person: str) -> str:\n    """The desk of a colleague named Ann, Bo or Cy."""\n'
                 '    return {"Ann": "north wing", "Bo": "south wing", "Cy": "lab"}[person]\n')
    kit = get_toolkit("general", tools_file=f, on_warning=lambda m: None)
    tasks = list(tools_gen.generate(kit, random.Random(0)))
    assert tasks and {t.generator for t in tasks} == {"tools.call"}  # text cannot be added with Calculate
    assert {t.answer for t in tasks} <= {"north wing", "south wing", "lab"}


def test_cli_auto_stops_a_try_at_six_steps_unless_told(files, seer_home, scripted_model):
    """No try the 1.5B solved in 20 logged practice runs took more than 6 steps, and failed tries
    of 7 to 10 took minutes each: ``--auto`` stops a try at 6 unless ``--max-steps`` says otherwise."""
    import json as _json

    def wandering(n):  # a different query each step, never a Finish
        return [_json.dumps({"thought": "t", "tool": "SQL", "args": {"query": f"SELECT {i} AS x"}}) for i in range(n)]

    for flags, steps in (([], 6), (["--max-steps", "3"], 3)):
        scripted_model(wandering(40), repeat_last=False)
        log = seer_home / f"steps{steps}.jsonl"
        res = CliRunner().invoke(app, ["practice", "--auto", "1", "--no-phrase", "--no-breadth", "--examples", "none", "--data", str(files["loans"]),
                                       "--log", str(log), "--json", *flags])
        assert res.exit_code == 0, res.output
        (row,) = RowLog(log).rows()
        assert [t["steps"] for t in row["tries"]] == [steps] and row["tries"][0]["reason"] == "max_steps"
