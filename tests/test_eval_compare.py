"""`seer eval compare` on two constructed result files with a known answer, through the real CLI."""

from __future__ import annotations

import json

import orjson
import pytest
from typer.testing import CliRunner

from seer_cli.cli import app


def _write_run(path, outcomes, extra=()):
    path.mkdir(parents=True)
    with (path / "results.jsonl").open("wb") as f:
        for i, ok in enumerate(outcomes):
            row = {"qid": f"q{i:03d}", "domain": "coffee", "split": "easy", "scored": True, "em": ok, "lenient": ok, "llm": None, "batch": 0}
            f.write(orjson.dumps(row) + b"\n")
        for row in extra:
            f.write(orjson.dumps(row) + b"\n")


@pytest.fixture
def runs(tmp_path):
    # 20 shared questions: A alone right on 6, B alone right on 1, both right on 5, both wrong on 8.
    a = [True] * 6 + [False] + [True] * 5 + [False] * 8
    b = [False] * 6 + [True] + [True] * 5 + [False] * 8
    only_a = {"qid": "extra-a", "domain": "coffee", "split": "easy", "scored": True, "em": True, "lenient": True, "llm": None}
    _write_run(tmp_path / "A", a, [only_a])
    _write_run(tmp_path / "B", b)
    return tmp_path / "A", tmp_path / "B"


def test_compare_json_known_answer(runs):
    res = CliRunner().invoke(app, ["eval", "compare", str(runs[0]), str(runs[1]), "--json", "--samples", "2000"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert (data["shared"], data["only_in_a"], data["only_in_b"]) == (20, 1, 0)
    em = data["metrics"]["em"]
    assert (em["a"], em["b"], em["diff"]) == (55.0, 30.0, 25.0)
    assert (em["only_a"], em["only_b"]) == (6, 1)
    assert em["mcnemar_p"] == pytest.approx(16 / 128)  # 2 * (C(7,0) + C(7,1)) / 2^7
    lo, hi = em["ci95"]
    assert 0 <= lo < 25.0 < hi  # A is better; the interval does not go below zero
    assert data["metrics"]["llm"] is None  # not computed in either run


def test_compare_table_and_reversed_sign(runs):
    res = CliRunner().invoke(app, ["eval", "compare", str(runs[1] / "results.jsonl"), str(runs[0])])
    assert res.exit_code == 0, res.output
    assert "-25.0" in res.stdout and "0.125" in res.stdout


def test_compare_errors_are_one_line(tmp_path, runs):
    res = CliRunner().invoke(app, ["eval", "compare", str(tmp_path / "nope"), str(runs[0])])
    assert res.exit_code == 1
    assert res.stderr.strip() == f"Error: {tmp_path / 'nope'}: no results.jsonl (not a seer eval run directory)"
    other = tmp_path / "C"
    _write_run(other, [])
    (other / "results.jsonl").write_text('{"qid": "zzz", "scored": true, "em": true}\n')
    res = CliRunner().invoke(app, ["eval", "compare", str(other), str(runs[0])])
    assert res.exit_code == 1 and "share no scored question" in res.stderr
