"""`seer doctor` through the real CLI: healthy install, and each kind of bad --model."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from seer_cli.backends.registry import clear_cache
from seer_cli.cli import app


@pytest.fixture
def runner():
    yield CliRunner()
    clear_cache()


def _fails_with(runner, args, message):
    result = runner.invoke(app, ["doctor", *args])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == f"Error: {message}"
    assert "Traceback" not in result.output
    return result


def test_missing_model_file(runner):
    result = _fails_with(runner, ["--model", "/nonexistent"], "model file /nonexistent does not exist")
    assert "FAIL" in result.stdout


def test_not_a_gguf(runner, tmp_path):
    bad = tmp_path / "notes.gguf"
    bad.write_text("hello")
    _fails_with(runner, ["--model", str(bad)], f"model file {bad} is not a GGUF file (bad magic b'hell')")


def test_truncated_gguf(runner, tmp_path, gguf_path):
    cut = tmp_path / "cut.gguf"
    with open(gguf_path, "rb") as f:
        cut.write_bytes(f.read(16 << 20))  # the header (~6 MB of tokenizer) and some tensor data
    result = runner.invoke(app, ["doctor", "--model", str(cut)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: model file {cut} is truncated ({16 << 20} bytes, tensor data needs ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_directory_as_model(runner, tmp_path):
    _fails_with(runner, ["--model", str(tmp_path)], f"model path {tmp_path} is a directory, not a GGUF file")


def test_unknown_config_value_is_one_line(runner, seer_home):
    seer_home.mkdir(parents=True, exist_ok=True)
    (seer_home / "config.toml").write_text("n_ctx = 'lots'\n")
    _fails_with(runner, [], "config: n_ctx must be int, got 'lots'")


def test_healthy_install_json(runner, gguf_path):
    result = runner.invoke(app, ["doctor", "--model", str(gguf_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert report["ok"] is True
    assert list(checks) == ["versions", "sandbox", "model", "cpu", "backend", "generate", "embedder"]
    assert checks["cpu"]["data"]["source"] in ("probe", "default", "setting") and "extra buffer types" in checks["cpu"]["detail"]
    assert all(c["ok"] for c in checks.values())
    assert checks["model"]["data"]["sha256"] == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert checks["generate"]["data"]["completion_tokens"] == 1
    assert checks["embedder"]["data"]["dim"] == 384
    assert checks["versions"]["data"]["llama_cpp"]


def test_healthy_install_table(runner, real_model):
    result = runner.invoke(app, ["doctor"])  # default: best bundled model installed
    assert result.exit_code == 0, result.output
    for name in ("versions", "model", "backend", "generate", "embedder"):
        assert name in result.stdout
    assert "FAIL" not in result.stdout and "qwen2.5-coder" in result.stdout
    assert "all checks passed" in result.stderr
