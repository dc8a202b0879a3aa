"""Options shared by several commands, defined once."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

PoolOpt = Annotated[
    Optional[str],
    typer.Option("--pool", "-p", help="Pool name (under the seer data dir) or a directory path.", envvar="SEER_POOL"),
]
ModelOpt = Annotated[
    Optional[str],
    typer.Option("--model", "-m", help="GGUF path or alias (qwen2.5-coder-0.5b, qwen2.5-coder-1.5b).", envvar="SEER_MODEL"),
]
LlmUrlOpt = Annotated[
    Optional[str],
    typer.Option("--llm-url", help="OpenAI-compatible server base URL (llama-server, vLLM). Key from SEER_API_KEY or OPENAI_API_KEY."),
]
ToolkitOpt = Annotated[str, typer.Option("--toolkit", "-t", help="Toolkit: general or toolqa.")]
ToolqaDirOpt = Annotated[Optional[Path], typer.Option("--toolqa-dir", envvar="SEER_TOOLQA_DIR", help="ToolQA data directory (toolkit toolqa).")]
DataOpt = Annotated[Optional[list[Path]], typer.Option("--data", help="CSV/TSV/Excel/Parquet/JSON/SQLite file the SQL tool can query (repeatable).")]
DocsOpt = Annotated[Optional[Path], typer.Option("--docs", help="Directory of documents (.txt .md .rst .pdf .html .docx) for the Retrieve tool.")]
ToolsOpt = Annotated[Optional[Path], typer.Option("--tools", help="Python file whose typed, documented functions become extra tools.")]
McpOpt = Annotated[
    Optional[list[str]],
    typer.Option("--mcp", help='MCP server whose tools become extra tools: a command line ("npx server-x --flag", stdio) '
                 "or an http(s):// URL (streamable HTTP). Repeatable.", metavar="CMD|URL"),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
DemosK = Annotated[Optional[int], typer.Option("--k", "-k", min=0, max=16, help="Number of demonstrations.")]
MaxStepsOpt = Annotated[Optional[int], typer.Option("--max-steps", min=1, max=50, help="Stop an episode after this many steps.")]
TopK = Annotated[int, typer.Option("--k", "-k", min=1, max=64, help="Number of results / demonstrations.")]


class RecallMode(str, Enum):
    """How demonstrations are recalled: before every step, once per task, or never."""

    stepwise = "stepwise"
    task = "task"
    none = "none"


class Demos(str, Enum):
    """Where demonstrations come from: recall, or the seed pool's fixed set."""

    recall = "recall"
    static = "static"
