"""`seer eval taubench` through the real CLI: option errors are one line and leave nothing behind;
the scores (pass^k, the do-nothing floor) are computed as τ-bench defines them; the toolkit that
puts an environment in the agent loop; and one tiny real run with the bundled 0.5B model as both
agent and simulated user (marked ``model``: minutes on 2 cores)."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from seer_cli.cli import app
from seer_cli.errors import ToolCallError
from seer_cli.evals.taubench.env import TauEnv, load_tasks
from seer_cli.evals.taubench.runner import _conversation, do_nothing_floor, pass_hat_k
from seer_cli.evals.taubench.toolkit import INTENTS, TauToolkit, task_kind


def _invoke(*args: str):
    return CliRunner().invoke(app, ["eval", "taubench", *args])


def _rows(run_dir: Path) -> list[dict]:
    return [orjson.loads(line) for line in (run_dir / "results.jsonl").read_bytes().splitlines() if line.strip()]


# --- option errors: one line, exit 1, no run directory ------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "airline", "--split", "train"], "Error: --split: airline has test, not 'train'"),
        (["--env", "airline", "--sample", "51"], "Error: --sample: airline test has 50 tasks, not 51"),
        (["--concurrency", "2"], "Error: --concurrency: more than 1 needs an HTTP backend (--llm-url); the in-process model runs one episode at a time"),
    ],
)
def test_bad_options_are_one_line_and_leave_nothing(tmp_path, args, message):
    run = tmp_path / "run"
    res = _invoke(*args, "--out", str(run))
    assert res.exit_code == 1
    assert res.stderr.strip() == message
    assert not run.exists()


def test_unknown_env_is_rejected_by_the_cli(tmp_path):
    res = _invoke("--env", "bank", "--out", str(tmp_path / "r"))
    assert res.exit_code == 2 and "bank" in res.stderr
    assert not (tmp_path / "r").exists()


def test_resume_needs_a_run_dir(tmp_path):
    res = _invoke("--resume", str(tmp_path))
    assert res.exit_code == 1
    assert res.stderr.strip() == f"Error: --resume {tmp_path}: no config.json there (not a seer eval taubench run directory)"


def test_resume_with_a_broken_config(tmp_path):
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    res = _invoke("--resume", str(tmp_path))
    assert res.exit_code == 1
    assert res.stderr.strip() == f"Error: {tmp_path / 'config.json'}: not a valid run configuration"
    assert not (tmp_path / "results.jsonl").exists()


def test_out_that_holds_a_run_is_refused(tmp_path):
    (tmp_path / "results.jsonl").write_text("", encoding="utf-8")
    res = _invoke("--env", "airline", "--out", str(tmp_path))
    assert res.exit_code == 1
    assert res.stderr.strip() == f"Error: --out {tmp_path}: already holds a run; use --resume {tmp_path} or another directory"


# --- scores ---------------------------------------------------------------------------------------


def test_pass_hat_k_is_the_official_estimator():
    rows = [{"task": "a", "reward": r} for r in (1.0, 1.0, 0.0, 1.0)] + [{"task": "b", "reward": r} for r in (0.0, 0.0, 1.0, 0.0)]
    assert pass_hat_k(rows, 1) == pytest.approx((3 / 4 + 1 / 4) / 2)
    assert pass_hat_k(rows, 2) == pytest.approx((3 / 6 + 0) / 2)  # C(3,2)/C(4,2) and C(1,2)=0
    assert pass_hat_k(rows, 4) == 0.0
    assert pass_hat_k(rows, 5) is None  # fewer trials than k


@pytest.mark.slow  # hashes a fresh database per task: minutes
def test_do_nothing_floor_is_computed_from_the_data():
    assert do_nothing_floor(load_tasks("retail", "test")) == (7, 115)
    assert do_nothing_floor(load_tasks("airline", "test")) == (19, 50)


# --- the toolkit an episode runs in ---------------------------------------------------------------


def test_toolkit_offers_the_env_tools_and_respond():
    kit = TauToolkit(TauEnv("retail"))
    names = [t.name for t in kit.tools()]
    assert len(names) == 17 and names[-1] == "respond" and "Finish" not in names
    assert kit.intents == INTENTS["retail"]
    options = kit.step_schema()["anyOf"]
    assert [o["properties"]["tool"]["const"] for o in options] == names
    assert "# Retail agent policy" in kit.system_prompt() and "- respond(content: str)" in kit.system_prompt()
    assert kit.call("find_user_id_by_email", {"email": "noah.brown7922@example.com"}) == "noah_brown_6181"
    with pytest.raises(ToolCallError, match=r"^Unknown tool 'refund'\. Valid tools: calculate, cancel_pending_order"):
        kit.call("refund", {})
    with pytest.raises(ToolCallError, match=r"^get_order_details: missing order_id"):
        kit.call("get_order_details", {})
    assert not kit.done
    kit.call("transfer_to_human_agents", {"summary": "x"})
    assert kit.done


def test_task_kinds():
    assert task_kind("retail", ["find_user_id_by_email", "get_order_details", "cancel_pending_order"]) == "cancel"
    assert task_kind("retail", ["get_order_details"]) == "info"
    assert task_kind("airline", ["get_reservation_details", "update_reservation_baggages"]) == "change"


def test_an_unparsed_reply_is_recorded_in_the_conversation():
    from seer_cli.agent.steps import ActionStep

    bad = ActionStep(1, "", "", {}, error="could not parse the model's step (finish_reason=length)", raw='{"thought": "hm')
    said = ActionStep(2, "ask", "respond", {"content": "Your e-mail?"}, observation="jo@example.com")
    convo = _conversation("Hi, cancel my order", [bad, said])
    assert convo == [
        {"role": "user", "content": "Hi, cancel my order"},
        {"role": "assistant", "unparsed": '{"thought": "hm', "error": "could not parse the model's step (finish_reason=length)"},
        {"role": "assistant", "content": "Your e-mail?"},
        {"role": "user", "content": "jo@example.com"},
    ]


def test_seed_pool_is_built_from_train_tasks_only():
    from seer_cli.pool.records import Experience

    # the repository's file (an editable install may map seer_cli.seed_pools to another checkout)
    text = (Path(__file__).resolve().parent.parent / "pools" / "taubench-retail-seed" / "experiences.jsonl").read_text(encoding="utf-8")
    exps = [Experience.from_dict(json.loads(line)) for line in text.splitlines()]
    assert len(exps) == 120
    test_instructions = {t.instruction for t in load_tasks("retail", "test")} | {t.instruction for t in load_tasks("retail", "dev")}
    train = {t.index: t for t in load_tasks("retail", "train")}
    for e in exps:
        assert e.origin.startswith("taubench:retail-train:")
        assert e.question == train[int(e.origin.rsplit(":", 1)[1])].instruction
        assert e.question not in test_instructions


# --- a real run -----------------------------------------------------------------------------------


def test_tiny_airline_run_writes_a_valid_row_and_resumes(tmp_path, real_model):
    run = tmp_path / "run"
    res = _invoke("--env", "airline", "--sample", "1", "--max-steps", "3", "--out", str(run), "--json")
    assert res.exit_code == 0, res.output
    summary = orjson.loads(res.stdout)
    (row,) = _rows(run)
    assert row["env"] == "airline" and row["split"] == "test" and row["trial"] == 0
    assert row["reward"] in (0.0, 1.0) and row["failed"] in (None, "hash", "outputs", "hash+outputs")
    assert row["steps"] <= 3 and row["conversation"][0]["role"] == "user"
    assert row["reason"] in ("done", "max_steps", "repeat", "parse", "context", "user-left")
    assert summary["episodes"] == 1 and summary["floor"]["tasks"] == 1
    assert summary["pass_hat_k"]["1"] == row["reward"]
    assert "arXiv 2508.15214" in summary["paper"]
    again = _invoke("--resume", str(run), "--json")
    assert again.exit_code == 0, again.output
    assert len(_rows(run)) == 1  # nothing run twice


def test_train_split_warns_and_a_dead_server_fails_before_the_run_dir(tmp_path):
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = tmp_path / "run"
    res = _invoke("--split", "train", "--sample", "1", "--llm-url", f"http://127.0.0.1:{port}", "--out", str(run))
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert lines[0].startswith("warning: --split train: the taubench-retail-seed pool is built from train tasks")
    assert lines[-1].startswith("Error: ") and len(lines) == 2
    assert not run.exists()
