"""Practice (seer_cli/agent/practice.py), the refused error-Finish, per-experience utility and the
eval's leakage guard.

Real model, real embedder and real pools wherever the behaviour is the model's. Two tests use a
scripted stand-in backend, and say why: the refused error-Finish needs a model that Finishes with
an error message on cue, which the real model does only sometimes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from scripted import Scripted
from typer.testing import CliRunner

from seer_cli.agent.loop import ERROR_FINISH_NOTE, Agent, is_error_answer
from seer_cli.practice.answered import gold_judge, load_tasks, practice_task, schedule, supported
from seer_cli.agent.steps import ActionStep, FinalStep
from seer_cli.cli import app
from seer_cli.config import load_settings
from seer_cli.errors import InvalidRecord, UserError
from seer_cli.pool import Pool
from seer_cli.pool.records import Experience, Step
from seer_cli.pool.summary import utility
from seer_cli.rowlog import RowLog
from seer_cli.toolkits import get_toolkit

REPO = Path(__file__).resolve().parent.parent


def _steps(agent, question, **kw):
    out = list(agent.run(question, intent="math", **kw))
    return [s for s in out if isinstance(s, ActionStep)], out[-1]


# --- the refused error-Finish ----------------------------------------------------------------


def test_error_answers_are_recognised():
    assert is_error_answer("NULL", ["max(High) NULL"]) and is_error_answer("'nan'", ["Close: nan"])  # nothing matched
    assert not is_error_answer("NULL", []) and not is_error_answer("0", ["count_star() 0"])
    assert is_error_answer("Error: no such column year", [])
    assert is_error_answer("Traceback (most recent call last)", [])
    obs = ["Error: Binder Error: Referenced column \"year\" not found in FROM clause"]
    assert is_error_answer("Binder Error: Referenced column \"year\" not found", obs)  # copied from an error observation
    assert is_error_answer("Error: Binder Error: Referenced column", obs)
    assert not is_error_answer("391", obs)
    assert not is_error_answer("", obs)
    assert not is_error_answer("error-free", [])
    assert not is_error_answer("year", obs)  # too short to be a copied error
    # a failure retold in the model's own words, after a call failed (the newcomer suite's SQL on a demo's table)
    assert is_error_answer("The table 'sales' does not exist.", obs)
    assert is_error_answer("The Close column is not available in the coffee database.", obs)
    assert not is_error_answer("The table 'sales' does not exist.", ["sales | 570"])  # no call failed: an answer


def test_a_finish_with_an_error_message_is_refused_and_the_episode_goes_on(embedder):
    backend = Scripted([
        {"thought": "compute", "tool": "Calculate", "args": {"expression": "17 *"}},
        {"thought": "done", "tool": "Finish", "args": {"answer": "Error: could not evaluate"}},
        {"thought": "fix it", "tool": "Calculate", "args": {"expression": "17 * 23"}},
        {"thought": "done", "tool": "Finish", "args": {"answer": "391"}},
    ])
    kit = get_toolkit("general")
    agent = Agent(backend, kit, None, embedder, load_settings(), recall="none", max_steps=6)
    actions, final = _steps(agent, "What is 17 * 23?")
    assert isinstance(final, FinalStep)
    assert final.finished and final.answer == "391" and final.reason == "finish"
    refused = actions[1]
    assert refused.tool == "Finish" and refused.observation == ERROR_FINISH_NOTE and refused.error
    # the refusal is shown to the model in the next prompt
    assert any(ERROR_FINISH_NOTE in m["content"] for m in agent.last_prompts[2])
    # and the stored trajectory holds no refused Finish
    assert [s.tool for s in final.experience.steps] == ["Calculate", "Calculate", "Finish"]


def test_an_agent_that_insists_on_an_error_answer_is_stopped(embedder):
    backend = Scripted([{"thought": "done", "tool": "Finish", "args": {"answer": "Error: nothing"}}])
    agent = Agent(backend, get_toolkit("general"), None, embedder, load_settings(), recall="none", max_steps=10)
    actions, final = _steps(agent, "What is 2 + 2?")
    assert not final.finished and final.reason == "error_answer"
    assert len(actions) == 3 and final.answer is None


# --- practice ----------------------------------------------------------------------------------


def test_schedule_varies_the_retries():
    names = [v.name for v in schedule(5)]
    assert names == ["greedy", "retry", "guided", "sample", "sample"]
    assert schedule(1)[0].temperature == 0.0 and schedule(3)[1].note and schedule(3)[2].reveal and schedule(4)[3].exclude_shown


def test_a_revealed_answer_counts_only_when_a_tool_computed_it():
    told = Experience("q?", [Step("", "Calculate", {"expression": "146.2"}, "146.2"), Step("", "Finish", {"answer": "146.2"}, "")], "146.2")
    looked_up = Experience("q?", [Step("", "GetValue", {"column": "High"}, "146.20"), Step("", "Finish", {"answer": "146.2"}, "")], "146.2")
    assert not supported("146.2", told)
    assert supported("146.2", looked_up)
    assert not supported("99", looked_up)
    # a zero inside a date the query filters on is no echo of the answer 0
    dated = Experience("q?", [Step("", "SQL", {"query": "SELECT MIN(p) FROM t WHERE d = '2012-01-01'"}, "0.0"),
                              Step("", "Finish", {"answer": "0"}, "")], "0")
    assert supported("0", dated)


def test_practice_admits_only_the_judged_success_and_stops_at_it(llm, embedder, tmp_path):
    """Real model; the checker is a stand-in that fails the first judged try and passes the next."""
    pool = Pool.open(tmp_path / "pool", load_settings(), embedder=embedder, create=True, seed="general-seed")
    before = len(pool)
    kit = get_toolkit("general")
    agent = Agent(llm, kit, pool, embedder, load_settings(), recall="stepwise", k=1, max_steps=3)
    verdicts: list[str | None] = []

    def checker(answer):
        verdicts.append("user" if len(verdicts) == 1 else None)
        return verdicts[-1]

    outcome = practice_task(agent, "What is 12 * 12?", "144", checker, tries=4, seed=1)
    judged = [t for t in outcome.tries if t.finished]
    assert outcome.solved_at == outcome.tries[-1].index  # stopped at the first success
    assert [t.verdict for t in outcome.tries if t.verdict] == ["user"] and len(verdicts) == 2
    assert outcome.admitted and len(pool) == before + 1
    added = pool.experiences()[-1]
    assert added.success_source == "user" and added.success_details["practice_try"] == outcome.solved_at
    assert "Practice:" not in added.question and added.question == "What is 12 * 12?"
    # every judged try's outcome was counted against the demos it was shown
    usage = pool.usage()
    shown = [i for t in judged for i in t.shown]
    assert shown and all(usage[i].get("judged", 0) >= 1 for i in shown)
    kit.close()


def test_practice_never_admits_a_failure(embedder, tmp_path):
    """Stand-in model (scripted) whose every answer is wrong: nothing joins the pool."""
    pool = Pool.open(tmp_path / "pool", load_settings(), embedder=embedder, create=True, seed="general-seed")
    before = len(pool)
    backend = Scripted([{"thought": "guess", "tool": "Finish", "args": {"answer": "7"}}])
    agent = Agent(backend, get_toolkit("general"), pool, embedder, load_settings(), recall="stepwise", k=2, max_steps=3)
    outcome = practice_task(agent, "What is 12 * 12?", "144", gold_judge("144"), tries=3)
    assert outcome.solved_at is None and not outcome.admitted and len(outcome.tries) == 3
    assert len(pool) == before
    assert all(utility(pool.usage()[i]) < 0.5 for i in outcome.tries[0].shown)


def test_task_files_are_checked_line_by_line(tmp_path):
    f = tmp_path / "tasks.jsonl"
    f.write_text('{"question": "What is 2+2?", "answer": 4}\n{"question": "", "answer": "x"}\n')
    with pytest.raises(InvalidRecord, match=r"tasks.jsonl:2: question"):
        load_tasks(f)
    f.write_text('{"question": "What is 2+2?", "answer": 4}\n{"question": "q", "answer": true}\n')
    with pytest.raises(InvalidRecord, match=r"tasks.jsonl:2: answer"):
        load_tasks(f)
    f.write_text('{"question": "What is 2+2?", "answer": 4}\nnot json\n')
    with pytest.raises(InvalidRecord, match=r"tasks.jsonl:2: not valid JSON"):
        load_tasks(f)
    with pytest.raises(UserError, match="no such file"):
        load_tasks(tmp_path / "missing.jsonl")
    res = CliRunner().invoke(app, ["practice", str(f)])
    assert res.exit_code == 1 and res.stderr.strip().startswith("Error: ") and "tasks.jsonl:2" in res.stderr
    assert "\n" not in res.stderr.strip()


# --- utility survives kill -9 -------------------------------------------------------------------


def test_practice_log_and_utility_survive_kill_9_and_resume(tmp_path, gguf_path, embedder):
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_bytes(b"".join(orjson.dumps({"id": f"t{i}", "question": f"What is {a} * {b}?", "answer": a * b}) + b"\n"
                               for i, (a, b) in enumerate([(12, 12), (7, 8), (15, 3), (9, 9), (21, 2), (6, 13)])))
    log, pool_dir = tmp_path / "practice.jsonl", tmp_path / "pool"
    Pool.open(pool_dir, load_settings(), embedder=embedder, create=True, seed="general-seed")  # demos from the first try on
    env = {**os.environ, "SEER_THREADS": os.environ.get("SEER_THREADS", "1")}
    cmd = [sys.executable, "-c", "from seer_cli.cli import main; main()", "practice", str(tasks), "--pool", str(pool_dir), "--log", str(log),
           "--tries", "1", "--max-steps", "2", "-k", "1", "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if log.exists() and log.read_bytes().count(b"\n") >= 2:
            break
        time.sleep(0.2)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    usage_path = pool_dir / "usage.json"
    usage = orjson.loads(usage_path.read_bytes())  # whole and readable after kill -9
    rows_before = RowLog(log, key="id").rows()  # a torn last line is left out; amendment lines fold into their rows
    judged_before = sum(e.get("judged", 0) for e in usage.values())
    assert rows_before and judged_before >= sum(1 for r in rows_before for t in r["tries"] if t["shown"])

    res = subprocess.run(cmd, env=env, capture_output=True, timeout=600)
    assert res.returncode == 0, res.stderr.decode()[-2000:]
    summary = orjson.loads(res.stdout)
    rows = RowLog(log, key="id").rows()
    assert sorted(r["id"] for r in rows) == [f"t{i}" for i in range(6)]  # each task once
    # the log says which tasks the pool holds: an admitted task's row reads admitted (an amendment line)
    assert all(r["admitted"] == bool(r.get("experience")) for r in rows)
    assert sum(r["admitted"] for r in rows) == len({r["experience"] for r in rows if r["admitted"]})
    assert summary["tasks"] == 6 and sum(summary["solved_at"].values()) == 6
    usage_after = orjson.loads(usage_path.read_bytes())
    assert all(usage_after[i].get("judged", 0) >= usage[i].get("judged", 0) for i in usage)
    assert sum(e.get("judged", 0) for e in usage_after.values()) > judged_before


# --- model-free repair ------------------------------------------------------------------------------


def test_repair_finds_the_plan_one_argument_word_away(tmp_path):
    """The real toolqa toolkit over the made-up corpus of tools/make_synthetic_toolqa.py: a try
    that read ``Open`` when the gold answer is the day's ``High`` is repaired by swapping the
    column the LoadDB observation named; the judge decides, and a hopeless try stays failed."""
    import importlib.util

    from seer_cli.practice.answered import repair

    spec = importlib.util.spec_from_file_location("make_synthetic_toolqa", REPO / "tools" / "make_synthetic_toolqa.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    root = mod.make(tmp_path / "synth")
    high = str(mod._coffee("2019-10-02", "High"))
    kit = get_toolkit("toolqa", data_dir=root, cache_dir=tmp_path / "cache")
    failed = Experience("What was the highest price of coffee on 2019-10-02?", [
        Step("Load the coffee database.", "LoadDB", {"db": "coffee"}, ""),
        Step("Filter the day.", "FilterDB", {"condition": "Date=2019-10-02"}, ""),
        Step("Get the Open price.", "GetValue", {"column": "Open"}, ""),
        Step("done", "Finish", {"answer": "0"}, ""),
    ], "0", intent="coffee")
    for i, st in enumerate(failed.steps[:3]):  # the observations the try saw
        failed.steps[i] = Step(st.thought, st.tool, st.args, kit.call(st.tool, st.args))
    fixed = repair(kit, failed, gold_judge(high))
    assert fixed is not None and fixed.answer == high and fixed.success_source == "gold-em"
    assert [s.tool for s in fixed.steps] == ["LoadDB", "FilterDB", "GetValue", "Finish"]
    assert fixed.steps[2].args == {"column": "High"} and fixed.steps[2].thought == "Get the High price."
    assert fixed.steps[2].observation.strip() == high and fixed.steps[3].args == {"answer": high}
    assert repair(kit, failed, gold_judge("-123456.789")) is None
    kit.close()
