"""The import layers of seer_cli, kept by a test.

Every module is parsed with `ast` (nothing is imported, so this runs in a second with no model and
no optional dependency); every import of a seer_cli module, at module level or inside a function,
absolute or relative, becomes an arrow. The test fails on an import cycle between modules and on an
arrow that points up `LAYERS`. An import inside a function still counts: it is a dependency all the
same, and a lazy import is the way to hide a cycle, not to remove it.

An arrow goes to the module named (`from seer_cli.pool.records import Step` -> seer_cli.pool.records;
`from seer_cli.pool import store` -> seer_cli.pool.store); the package `__init__` files Python runs
on the way are not counted, since every package here keeps its `__init__` small.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "seer_cli"

# Lowest first. A module belongs to the layer of the longest prefix listed here; an arrow may go to
# its own layer or any layer below. Within a layer only cycles are forbidden.
LAYERS: list[tuple[str, list[str]]] = [
    ("foundation", ["seer_cli.errors", "seer_cli.config", "seer_cli.fsutil", "seer_cli.answers", "seer_cli.rowlog",
                    "seer_cli.toolqa_calls"]),
    ("records", ["seer_cli.pool.records", "seer_cli.pool.migrations"]),
    ("models", ["seer_cli.embedder", "seer_cli.backends"]),
    ("pool", ["seer_cli.pool"]),
    ("toolkits", ["seer_cli.toolkits"]),
    ("agent", ["seer_cli.agent"]),
    ("practice", ["seer_cli.practice"]),  # practises with the agent (answered and generated tasks); runners and commands use it
    ("evals", ["seer_cli.evals"]),  # seer_cli.evals.taubench included
    ("cli", ["seer_cli.cli"]),
]
# seer_cli/__init__.py, the public API, names its modules as strings for importlib (so `seer --help`
# stays fast) and imports nothing itself; it counts as foundation, and test_root_package_gives_only_version
# keeps the rest of the package from reaching other modules through it.
ROOT_PACKAGE = "seer_cli"

# (importer, imported) -> why this upward arrow is allowed. Keep it empty if at all possible.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}
# Cycles (as the set of their modules) -> why they are tolerated. Keep it empty.
ALLOWED_CYCLES: dict[frozenset[str], str] = {}


def _modules() -> dict[str, tuple[Path, bool]]:
    mods = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        mods[".".join(parts)] = (path, is_package)
    assert "seer_cli.pool.store" in mods, f"no seer_cli package at {PACKAGE_DIR}"
    return mods


def _import_base(node: ast.ImportFrom, package: str) -> str:
    """The absolute module a `from X import ...` reads from, relative imports resolved."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _imports(name: str, path: Path, is_package: bool, known: set[str]) -> dict[str, int]:
    """seer_cli modules `name` imports -> the first line that imports each."""
    package = name if is_package else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _import_base(node, package)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            while target and target not in known:  # `import seer_cli.pool.store as s` etc.
                target = target.rpartition(".")[0]
            if target.startswith("seer_cli") and target != name:
                found.setdefault(target, node.lineno)
    return found


def _graph() -> dict[str, dict[str, int]]:
    mods = _modules()
    return {name: _imports(name, path, is_pkg, set(mods)) for name, (path, is_pkg) in mods.items()}


def layer_of(module: str) -> int:
    if module == ROOT_PACKAGE:
        return 0
    best, best_len = None, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = i, len(prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS in tests/test_layers.py"
    return best


def find_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each as one cycle path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                components.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_cycle_in(comp, graph) for comp in components]


def _cycle_in(component: list[str], graph: dict[str, dict[str, int]]) -> list[str]:
    """The shortest cycle a -> ... -> a through the component's first module, for the message."""
    members, start = set(component), component[0]
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if w in members and w not in came_from:
                    came_from[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no cycle through {start}")  # unreachable for a strongly connected component


def test_every_module_has_a_layer():
    for name in _modules():
        layer_of(name)


def test_no_import_cycles():
    graph = _graph()
    cycles = [c for c in find_cycles(graph) if frozenset(c) not in ALLOWED_CYCLES]
    lines = []
    for cycle in cycles:
        arrows = [f"{a} -> {b} (line {graph[a][b]})" for a, b in zip(cycle, cycle[1:])]
        lines.append("cycle: " + "; ".join(arrows))
    assert not cycles, "\n".join(lines)


def test_no_upward_imports():
    wrong = []
    for importer, targets in sorted(_graph().items()):
        for target, line in sorted(targets.items()):
            if layer_of(target) > layer_of(importer) and (importer, target) not in ALLOWED_UPWARD:
                wrong.append(
                    f"{importer} ({LAYERS[layer_of(importer)][0]}) imports {target} "
                    f"({LAYERS[layer_of(target)][0]}) at line {line}"
                )
    assert not wrong, "imports that go up the layers:\n" + "\n".join(wrong)


def test_allowed_exceptions_are_still_needed():
    graph = _graph()
    stale = [pair for pair in ALLOWED_UPWARD if pair[1] not in graph.get(pair[0], {})]
    assert not stale, f"ALLOWED_UPWARD lists arrows that no longer exist: {stale}"
    cycles = {frozenset(c) for c in find_cycles(graph)}
    gone = [sorted(c) for c in ALLOWED_CYCLES if c not in cycles]
    assert not gone, f"ALLOWED_CYCLES lists cycles that no longer exist: {gone}"


MAX_MODULE_LINES = 450  # a module past this holds two concepts: split it where they part


def test_no_module_is_longer_than_a_concept():
    long = {str(p.relative_to(PACKAGE_DIR)): n for p in PACKAGE_DIR.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_root_package_gives_only_version():
    """`from seer_cli import Agent` inside the package would hide an arrow behind importlib."""
    wrong = []
    for name, (path, is_package) in _modules().items():
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and _import_base(node, package) == ROOT_PACKAGE:
                wrong += [f"{name} line {node.lineno}: {a.name}" for a in node.names if a.name != "__version__"]
    assert not wrong, "import these from their own module, not from seer_cli:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"a": {"b": 1}, "b": {"a": 2}}, [["a", "b", "a"]]),
        ({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}, [["a", "b", "c", "a"]]),
        ({"a": {"b": 1}, "b": {}}, []),
    ],
)
def test_find_cycles_on_small_graphs(graph, expected):
    assert find_cycles(graph) == expected
