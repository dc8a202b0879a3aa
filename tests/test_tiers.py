"""The two test tiers keep their promise (see tests/conftest.py): a plumbing test cannot load a
real model, a test that reaches one through a ``seer`` or llama.cpp server subprocess says so by
requesting a model fixture, and the scripted backend is selected like any other backend."""

from __future__ import annotations

import ast
from pathlib import Path

import orjson
import pytest
from conftest import MODEL_FIXTURES
from typer.testing import CliRunner

from seer_cli.backends.registry import get_backend
from seer_cli.cli import app
from seer_cli.config import load_settings

TESTS = Path(__file__).resolve().parent
# what a function's source holds when it starts a process that loads the real model
SPAWNS_A_MODEL = ("from seer_cli.cli import main", "llama_cpp.server")


def test_plumbing_cannot_load_a_model(tmp_path):
    from llama_cpp import Llama

    with pytest.raises(AssertionError, match="loads a real model without a model fixture"):
        Llama(model_path=str(tmp_path / "any.gguf"))


def test_every_function_that_spawns_a_model_requests_a_model_fixture():
    """A subprocess escapes the in-process guard, so a test or fixture that starts one must be
    marked by the fixtures it requests."""
    unmarked = []
    for path in sorted(TESTS.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()  # sliced by line: ast.get_source_segment re-splits the file on every call
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and any(s in "\n".join(lines[node.lineno - 1:node.end_lineno])
                                                         for s in SPAWNS_A_MODEL):
                if not MODEL_FIXTURES & {a.arg for a in node.args.args}:
                    unmarked.append(f"{path.name}:{node.lineno} {node.name}")
    assert not unmarked, f"spawn a model without requesting one of {sorted(MODEL_FIXTURES)}: {unmarked}"


def test_the_scripted_backend_is_selected_by_model_name(scripted_model):
    backend = scripted_model(["hello"])
    assert get_backend(load_settings()) is backend  # SEER_MODEL=scripted:<n>, through the registry
    assert get_backend(load_settings()).complete([{"role": "user", "content": "x"}]).text == "hello"


def test_seer_run_on_the_scripted_backend(scripted_model):
    backend = scripted_model([
        {"thought": "multiply", "tool": "Calculate", "args": {"expression": "17 * 23"}},
        {"thought": "done", "tool": "Finish", "args": {"answer": "391"}},
    ])
    res = CliRunner().invoke(app, ["run", "--json", "--no-learn", "--recall", "none", "What is 17 * 23?"])
    assert res.exit_code == 0, res.output
    reply = orjson.loads(res.stdout)
    assert reply["answer"] == "391" and [s["tool"] for s in reply["steps"]] == ["Calculate", "Finish"]
    assert reply["steps"][0]["observation"] == "391" and backend.calls == 2
