"""Options shared by several commands, defined once."""

from __future__ import annotations

from enum import Enum
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
JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
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
