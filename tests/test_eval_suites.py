"""The real-files suites (``evals/realfiles``, ``evals/unseen``, ``evals/third``, ``evals/fourth``, ``evals/fifth``, ``evals/sixth``, ``evals/seventh``, ``evals/eighth``): well formed,
their table golds recomputed from the files, and none of their questions in a seed pool (a
benchmark question in a pool would be tuning to it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from seer_cli.evals.scoring import normalize_answer

from test_newcomer_suite import seed_questions

ROOT = Path(__file__).resolve().parent.parent
SUITES = ("realfiles", "unseen", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _questions(name: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / "evals" / name / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", SUITES)
def test_a_suite_is_well_formed_and_its_files_exist(name):
    qs = _questions(name)
    assert len(qs) >= 20 and len({q["id"] for q in qs}) == len(qs) and len({q["question"] for q in qs}) == len(qs)
    for q in qs:
        assert q["kind"] in ("data", "docs", "mcp", "math") and str(q["gold"]).strip(), q
        flags = q["flags"]
        for opt, val in zip(flags[::2], flags[1::2]):
            if opt in ("--data", "--docs"):
                assert (ROOT / "evals" / name / val).exists(), (q["id"], val)


@pytest.mark.parametrize("name", SUITES)
def test_no_suite_question_is_in_a_seed_pool(name):
    seeds = {normalize_answer(s) for s in seed_questions()}
    assert not [q["question"] for q in _questions(name) if normalize_answer(q["question"]) in seeds]


GOLD_SETS = sorted(p.parent.name for p in (ROOT / "evals").glob("*/make_golds.py") if p.parent.name != "realfiles")


@pytest.mark.parametrize("name", GOLD_SETS)
def test_each_held_out_sets_table_golds_are_what_its_files_say(name):
    """Every set's make_golds.py (its own computation, evals/golds.py's check) agrees with its questions."""
    run = subprocess.run([sys.executable, str(ROOT / "evals" / name / "make_golds.py")], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout.strip() == "OK", run.stderr


def test_the_gold_check_refuses_a_gold_that_differs_and_one_computed_for_no_question(tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("golds", ROOT / "evals" / "golds.py")
    assert spec is not None and spec.loader is not None
    golds = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(golds)
    check_golds = golds.check_golds

    qs = tmp_path / "questions.jsonl"
    qs.write_text('{"id": "a", "kind": "data", "question": "?", "gold": "3"}\n{"id": "b", "kind": "docs", "question": "?", "gold": "-v"}\n')
    assert check_golds({"a": "3"}, qs, []) == 0
    assert check_golds({"a": "4"}, qs, []) == 1 and "a: gold '3', computed '4'" in capsys.readouterr().err
    assert check_golds({"a": "3", "z": "1"}, qs, []) == 1 and "computed but not asked: ['z']" in capsys.readouterr().err
    assert check_golds({"a": "5"}, qs, ["--write"]) == 0 and '"gold": "5"' in qs.read_text()
