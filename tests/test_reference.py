"""docs/reference.md cannot drift: it is what tools/make_reference.py generates from the code
(every command's options, every setting and its variable), and every SEER_* variable the package
reads is named in it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _maker():
    spec = importlib.util.spec_from_file_location("make_reference", REPO / "tools" / "make_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_reference_is_what_the_code_generates():
    maker = _maker()
    assert (REPO / "docs" / "reference.md").read_text(encoding="utf-8") == maker.render(), \
        "docs/reference.md is out of date: run python tools/make_reference.py"


def test_every_variable_the_code_reads_is_in_the_reference():
    maker = _maker()
    text = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    missing = sorted(v for v in maker.variables_in_code() if f"`{v}`" not in text and v != "SEER_")
    assert not missing, f"SEER_* variables the code reads but docs/reference.md does not name: {missing}"
