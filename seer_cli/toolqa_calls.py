"""ToolQA's call vocabulary: each tool's argument names, in the order ToolQA writes them.

Two layers read it and neither owns it: the ToolQA toolkit (``seer_cli/toolkits/toolqa.py``),
whose tools take exactly these arguments, and the ``library`` trajectory reader
(``seer_cli/pool/readers.py``), which turns a logged ``Tool[raw]`` call into named arguments so a
library experience replays as a ToolQA call. It lives at the bottom of the layers so that both
import it downward and reading a ``library.json`` imports no toolkit.
"""

from __future__ import annotations

# ``Tool[raw]`` in library.json -> these argument names (tests/test_toolqa_tools.py checks the
# toolkit's tools against them).
TOOLQA_ARGS: dict[str, list[str]] = {
    "LoadDB": ["db"], "FilterDB": ["condition"], "GetValue": ["column"], "SQLInterpreter": ["sql"],
    "RetrieveAgenda": ["query"], "RetrieveScirex": ["query"], "LoadGraph": ["graph"],
    "NeighbourCheck": ["graph", "node"], "NodeCheck": ["graph", "node"], "EdgeCheck": ["graph", "node1", "node2"],
    "Calculate": ["expression"], "PythonInterpreter": ["code"], "Finish": ["answer"],
}
