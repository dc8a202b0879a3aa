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


def test_the_third_suites_table_golds_are_what_the_files_say():
    run = subprocess.run([sys.executable, str(ROOT / "evals" / "third" / "make_golds.py")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_fourth_suites_table_golds_are_what_the_files_say():
    run = subprocess.run([sys.executable, str(ROOT / "evals" / "fourth" / "make_golds.py")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_fifth_suites_table_golds_are_what_the_files_say():
    run = subprocess.run([sys.executable, str(ROOT / "evals" / "fifth" / "make_golds.py")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_sixth_suites_table_golds_are_what_the_files_say():
    run = subprocess.run([sys.executable, str(ROOT / "evals" / "sixth" / "make_golds.py")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_the_seventh_suites_table_golds_are_what_the_files_say():
    run = subprocess.run([sys.executable, str(ROOT / "evals" / "seventh" / "make_golds.py")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
