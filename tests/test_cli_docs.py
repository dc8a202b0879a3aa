"""Help and docs can't drift: every command has help ending in an example and is in README.md."""

from __future__ import annotations

import re

from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

import seer_cli
from seer_cli.cli import app

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands(group, prefix: str = "seer"):
    # Typer may bundle its own click, so recognise groups by shape rather than by class.
    for name, cmd in group.commands.items():
        path = f"{prefix} {name}"
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, path)
        else:
            yield path, cmd


def test_every_command_has_help_with_an_example_and_is_in_readme():
    root = typer.main.get_command(app)
    commands = list(_commands(root))
    assert len(commands) >= 12, [c for c, _ in commands]
    for path, cmd in commands:
        help_text = cmd.help or ""
        assert help_text.strip(), f"{path} has no help"
        assert re.search(r"Example", help_text), f"{path}: help should end with an example"
        assert path in README, f"{path} is not documented in README.md"


@pytest.mark.parametrize("path", [p for p, _ in _commands(typer.main.get_command(app))])
def test_help_runs_for_every_command(path):
    result = CliRunner().invoke(app, path.split()[1:] + ["--help"])  # one test each: the workers share them out
    assert result.exit_code == 0, (path, result.output)
    assert "Usage" in result.output


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"seer {seer_cli.__version__}"


def test_public_api_names_resolve():
    for name in seer_cli.__all__:
        assert getattr(seer_cli, name) is not None, name
