"""The install is true: every third-party module the package, its tests and tools import is declared.

A test file that imports something only the developer's machine happens to have passes there and
fails on a clean clone (``pip install -e '.[dev]'``), so this walks every import statement with
``ast`` and checks that each top-level module is the standard library, seer itself, a local test or
tool module, or provided by a distribution named in ``pyproject.toml`` (runtime dependencies for
``seer_cli/``, runtime + ``dev`` for ``tests/`` and ``tools/``).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))

#: modules imported only inside a try/except ImportError or an optional extra, by design
OPTIONAL = {"matplotlib": "plots"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(*groups: str) -> set[str]:
    reqs = list(PYPROJECT["project"]["dependencies"])
    for g in groups:
        reqs += PYPROJECT["project"]["optional-dependencies"][g]
    return {_norm(re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0]) for r in reqs}


def _imports(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {(a.name.split(".")[0], node.lineno) for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
    return found


def _undeclared(folder: str, groups: tuple[str, ...]) -> list[str]:
    declared = _declared(*groups)
    local = {p.stem for p in (REPO / folder).rglob("*.py")} | {"seer_cli"}
    dists = packages_distributions()
    problems = []
    for path in sorted((REPO / folder).rglob("*.py")):
        for module, line in sorted(_imports(path)):
            if module in sys.stdlib_module_names or module in local or module == "__future__":
                continue
            if module in OPTIONAL and OPTIONAL[module] in PYPROJECT["project"]["optional-dependencies"]:
                continue
            names = {_norm(d) for d in dists.get(module, [])}
            if not names & declared:
                problems.append(f"{path.relative_to(REPO)}:{line}: imports {module} (from {sorted(names) or 'nothing installed'}), "
                                f"not declared in pyproject.toml ({' + '.join(('dependencies',) + groups)})")
    return problems


@pytest.mark.parametrize("folder, groups", [("seer_cli", ()), ("tests", ("dev",)), ("tools", ("dev",))])
def test_every_import_is_declared(folder, groups):
    assert _undeclared(folder, groups) == []


def test_every_package_folder_is_installed():
    """pyproject.toml lists its packages by name; a package folder that is moved or added must be
    listed, or `pip install .` builds without it (an editable install made before the move hides it)."""
    dirs = {str(p.parent.relative_to(REPO)).replace("/", ".") for p in (REPO / "seer_cli").rglob("__init__.py")}
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert dirs <= listed, sorted(dirs - listed)
    assert listed - dirs <= set(PYPROJECT["tool"]["setuptools"].get("package-dir", {})), sorted(listed - dirs)  # mapped elsewhere
