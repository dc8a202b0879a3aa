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


@pytest.mark.model
@pytest.mark.parametrize("recall", ["stepwise", "task", "none"])
def test_end_to_end_each_recall_mode(recall, tmp_path, synth, seer_home):
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


@pytest.mark.model
def test_resume_after_kill_9(tmp_path, synth):
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


@pytest.mark.model
def test_the_judge_can_be_another_backend(tmp_path, synth):
    """--judge-url gives the judge its own server, asked for its model list before the first
    question: with a port nobody listens on, the run stops at once with one line naming the URL
    (the agent's in-process model loaded fine) and no question is run."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends
    res = _invoke("--toolqa-dir", str(synth), "--domains", "coffee", "--split", "easy", "--limit", "1", "-k", "1",
                  "--max-steps", "1", "--frozen", "--judge-url", f"http://127.0.0.1:{port}", "--out", str(tmp_path / "r"))
    assert res.exit_code == 1
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith("Error: ") and f"127.0.0.1:{port}" in line, line
    assert not (tmp_path / "r" / "results.jsonl").exists()
