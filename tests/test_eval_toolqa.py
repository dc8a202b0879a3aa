"""`seer eval toolqa` end to end through the real CLI, with the real 0.5B model, the real embedder
and the real toolqa toolkit, on a synthetic ToolQA directory (tools/make_synthetic_toolqa.py):
invented questions over a made-up corpus, never benchmark data. Episodes are kept tiny
(--max-steps 1 or 2, -k 1, one or two questions per domain) because the model runs on CPU and
schema-constrained decoding is slow there."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from seer_cli.cli import app

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("make_synthetic_toolqa", REPO / "tools" / "make_synthetic_toolqa.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.make(tmp_path_factory.mktemp("synthetic-toolqa"))


def _rows(run_dir: Path) -> list[dict]:
    return [orjson.loads(line) for line in (run_dir / "results.jsonl").read_bytes().splitlines() if line.strip()]


def _invoke(*args: str):
    return CliRunner().invoke(app, ["eval", "toolqa", *args])


# --- option errors: one line, exit 1, before any model loads --------------------------------------


def test_concurrency_needs_an_http_backend(tmp_path, synth):
    res = _invoke("--toolqa-dir", str(synth), "--concurrency", "2", "--out", str(tmp_path / "r"))
    assert res.exit_code == 1
    assert res.stderr.strip() == ("Error: --concurrency: more than 1 needs an HTTP backend (--llm-url); "
                                  "the in-process model runs one episode at a time")


def test_asking_for_a_domain_without_corpus_is_an_error(tmp_path):
    res = _invoke("--domains", "coffee", "--out", str(tmp_path / "r"))
    assert res.exit_code == 1
    line = res.stderr.strip()
    assert line.startswith("Error: --domains coffee: missing coffee/coffee_price.csv") and "\n" not in line
    assert "external_corpus" in line


def test_resume_needs_a_run_dir(tmp_path):
    res = _invoke("--resume", str(tmp_path))
    assert res.exit_code == 1
    assert "no config.json there" in res.stderr


# --- real runs ------------------------------------------------------------------------------


@pytest.mark.parametrize("recall", ["stepwise", "task", "none"])
def test_end_to_end_each_recall_mode(recall, tmp_path, synth, seer_home, real_model):
    run = tmp_path / f"run-{recall}"
    judge = ["--judge", "--max-steps", "2"] if recall == "stepwise" else ["--no-judge", "--max-steps", "1"]
    res = _invoke("--toolqa-dir", str(synth), "--domains", "coffee", "--split", "all",
                  "-k", "1", "--recall", recall, "--batches", "2", "--out", str(run), "--json", *judge)
    assert res.exit_code == 0, res.output
    summary = orjson.loads(res.stdout)
    rows = _rows(run)
    assert sorted(r["qid"] for r in rows) == ["easy-coffee-0000", "easy-coffee-0001", "hard-coffee-0000"]
    assert summary["questions"] == 3 and [b["n"] for b in summary["batches"]] == [2, 1]
    assert {(d["split"], d["domain"]) for d in summary["domains"]} == {("easy", "coffee"), ("hard", "coffee")}
    for r in rows:
        assert 1 <= r["steps"] <= 2 and len(r["tools"]) == r["steps"] == len(r["recalled"])
        assert isinstance(r["em"], bool) and isinstance(r["lenient"], bool)
        assert (r["llm"] is None) == (recall != "stepwise")
        assert r["tokens_evaluated"] > 0 and r["seconds"] > 0
        assert r["intent"] in ("coffee", "gsm8k") and len(r["trace"]) == r["steps"]  # the synthetic dir has only coffee
        assert [t["tool"] for t in r["trace"]] == r["tools"] and all("observation" in t for t in r["trace"])
        if recall == "none":
            assert all(ids == [] for ids in r["recalled"])
        else:
            assert all(len(ids) == 1 for ids in r["recalled"])
    if recall == "task":  # recalled once from the question: the same demo at every step
        assert all(len({tuple(ids) for ids in r["recalled"]}) == 1 for r in rows)
    assert (run / "summary.json").is_file() and (run / "config.json").is_file()
    assert (run / "pool" / "experiences.jsonl").read_bytes().count(b"\n") >= 33  # the toolqa-seed copy
    assert not (seer_home / "pools").exists()  # a user's pools are never touched


def test_resume_after_kill_9(tmp_path, synth, real_model):
    run = tmp_path / "run"
    cmd = [sys.executable, "-c", "from seer_cli.cli import main; main()", "eval", "toolqa", "--toolqa-dir", str(synth),
           "--domains", "coffee,gsm8k", "--limit", "1", "--split", "all", "--max-steps", "1", "-k", "1", "--no-judge", "--frozen",
           "--out", str(run)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    results = run / "results.jsonl"
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if results.exists() and results.read_bytes().count(b"\n") >= 1:
                break
            time.sleep(0.2)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    first = _rows(run)
    assert 1 <= len(first) < 3, "the run should have been killed part-way"
    with results.open("ab") as f:  # a torn line, as if killed mid-write
        f.write(b'{"qid": "easy-coffee-00')
    pool_before = (run / "pool" / "experiences.jsonl").read_bytes()

    res = _invoke("--resume", str(run), "--json")
    assert res.exit_code == 0, res.output
    rows = _rows(run)
    qids = [r["qid"] for r in rows]
    assert sorted(qids) == ["easy-coffee-0000", "easy-gsm8k-0000", "hard-coffee-0000"]
    assert len(set(qids)) == 3  # nothing redone, nothing lost
    assert rows[: len(first)] == first  # finished rows kept as they were
    assert orjson.loads(res.stdout)["questions"] == 3
    assert (run / "pool" / "experiences.jsonl").read_bytes() == pool_before  # --frozen never writes


def test_the_judge_can_be_another_backend(tmp_path, synth, scripted_model):
    """--judge-url gives the judge its own server, asked for its model list before the first
    question: with a port nobody listens on, the run stops at once with one line naming the URL
    (the agent's backend, scripted here, was served) and no question is run."""
    import socket

    agent_model = scripted_model([])

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends
    res = _invoke("--toolqa-dir", str(synth), "--domains", "coffee", "--split", "easy", "--limit", "1", "-k", "1",
                  "--max-steps", "1", "--frozen", "--judge-url", f"http://127.0.0.1:{port}", "--out", str(tmp_path / "r"))
    assert res.exit_code == 1
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith("Error: ") and f"127.0.0.1:{port}" in line, line
    assert not (tmp_path / "r" / "results.jsonl").exists() and agent_model.calls == 0


# --- held-out evaluation: split, practice, leakage guard ------------------------------------------


def test_leakage_guard_fires_on_a_planted_test_question(tmp_path, embedder):
    """A scored question already in the run's pool (exactly, or paraphrased with the same dates
    and numbers) stops the run; a question of the same template with other dates does not."""
    from seer_cli.config import load_settings
    from seer_cli.errors import UserError
    from seer_cli.evals.runner import check_leakage
    from seer_cli.evals.toolqa import Question
    from seer_cli.pool import Pool
    from seer_cli.pool.records import Experience, Step

    pool = Pool.open(tmp_path / "pool", load_settings(), embedder=embedder, create=True, seed="toolqa-seed")
    q = Question("hard-coffee-0042", "coffee", "hard", "What was the highest coffee price from 2004-03-01 to 2004-03-19?",
                 "75.5", "test.jsonl:43", "hard-coffee-0042")
    other_dates = Question("hard-coffee-0043", "coffee", "hard", "What was the highest coffee price from 2011-07-05 to 2011-08-02?",
                           "1", "test.jsonl:44", "hard-coffee-0043")

    def planted(text):
        return Experience(text, [Step("", "SQLInterpreter", {"sql": "SELECT 1"}, "1"), Step("", "Finish", {"answer": "1"}, "")],
                          "1", intent="coffee", success_source="gold-em")

    check_leakage(pool, [q, other_dates], embedder)  # the seed pool holds neither
    pool.add([planted("What was the highest coffee price from 2011-07-05 to 2011-08-02 ?")])
    with pytest.raises(UserError, match="leakage: test question hard-coffee-0043 .*line 34"):
        check_leakage(pool, [q, other_dates], embedder)
    check_leakage(pool, [q], embedder)  # same template, other dates: what practice is for
    pool2 = Pool.open(tmp_path / "pool2", load_settings(), embedder=embedder, create=True, seed="toolqa-seed")
    pool2.add([planted("Between 2004-03-01 and 2004-03-19, what was the highest price of coffee?")])
    with pytest.raises(UserError, match="near-duplicate"):
        check_leakage(pool2, [q], embedder, threshold=0.8)


def test_sample_and_limit_exclude_each_other(tmp_path, synth):
    res = _invoke("--toolqa-dir", str(synth), "--sample", "2", "--limit", "2", "--out", str(tmp_path / "r"))
    assert res.exit_code == 1 and "--limit and --sample" in res.stderr
    res = _invoke("--toolqa-dir", str(synth), "--practice-tries", "2", "--out", str(tmp_path / "r"))
    assert res.exit_code == 1 and "--practice-tries: needs --split-train" in res.stderr


def test_practice_then_held_out_test(tmp_path, synth, real_model):
    """--split-train with --practice-tries: the train part is practised first (practice.jsonl, a
    histogram in the summary), only test questions are scored, and compare never pairs a train
    question."""
    run = tmp_path / "run"
    res = _invoke("--toolqa-dir", str(synth), "--domains", "coffee", "--split", "easy", "--split-train", "0.5",
                  "--practice-tries", "2", "-k", "1", "--max-steps", "2", "--no-judge", "--frozen", "--out", str(run), "--json")
    assert res.exit_code == 0, res.output
    summary = orjson.loads(res.stdout)
    cfg = orjson.loads((run / "config.json").read_bytes())
    assert len(cfg["train_qids"]) == 1 and len(cfg["test_qids"]) == 1 and cfg["practice_qids"] == cfg["train_qids"]
    practice_rows = [orjson.loads(x) for x in (run / "practice.jsonl").read_bytes().splitlines()]
    assert [r["id"] for r in practice_rows] == cfg["train_qids"]
    assert 1 <= len(practice_rows[0]["tries"]) <= 2
    assert summary["practice"]["tasks"] == 1 and sum(summary["practice"]["solved_at"].values()) == 1
    assert [r["qid"] for r in _rows(run)] == cfg["test_qids"]
    cmp = CliRunner().invoke(app, ["eval", "compare", str(run), str(run), "--json"])
    assert cmp.exit_code == 0, cmp.output
    assert orjson.loads(cmp.stdout)["shared"] == 1
