"""``seer practice TASKS.jsonl``: try tasks with known answers until solved; learn the successes.

Thin: options -> Settings, toolkit, pool, backend, Agent -> :func:`seer_cli.agent.practice.practice_tasks`;
a Rich progress bar shows the solved-at-try counts, the summary is their histogram.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import UserError
from .console import emit_json, err, out, progress, warn
from .evals import Admit
from .options import (DataOpt, DemosK, DocsOpt, JsonFlag, LlmUrlOpt, MaxStepsOpt, McpOpt, ModelOpt, PoolOpt, RecallMode,
                      ToolkitOpt, ToolqaDirOpt, ToolsOpt)


def practice(
    tasks_file: Annotated[Path, typer.Argument(metavar="TASKS.jsonl", help='One task a line: {"question": ..., "answer": ...} (optional "id", "intent").')],
    pool: PoolOpt = None,
    tries: Annotated[int, typer.Option("--tries", "-T", min=1, max=10, help="Tries per task until one is judged correct.")] = 3,
    admit: Annotated[Admit, typer.Option(help="What judges a try: em, lenient (number-aware) or llm (needs a judge model).")] = Admit.lenient,
    toolkit: ToolkitOpt = "general",
    toolqa_dir: ToolqaDirOpt = None,
    data: DataOpt = None,
    docs: DocsOpt = None,
    tools: ToolsOpt = None,
    mcp: McpOpt = None,
    model: ModelOpt = None,
    llm_url: LlmUrlOpt = None,
    recall: Annotated[Optional[RecallMode], typer.Option("--recall", help="Recall mode of every try.")] = None,
    k: DemosK = None,
    max_steps: MaxStepsOpt = None,
    judge_model: Annotated[Optional[str], typer.Option("--judge-model", metavar="GGUF", help="With --admit llm: the judge's model.")] = None,
    judge_url: Annotated[Optional[str], typer.Option("--judge-url", metavar="URL", help="With --admit llm: the judge's OpenAI-compatible server.")] = None,
    log: Annotated[Optional[Path], typer.Option("--log", help="Practice log (JSONL, one row per task); an existing log is resumed.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sampled retries.")] = 0,
    json: JsonFlag = False,
):
    """Practise tasks with known answers: up to T varied tries each, the first judged success joins the pool.

    Try 1 is greedy with recall; try 2 shows other demos at temperature 0.7 with a note on what
    failed; try 3 reveals the answer and is admitted only if a tool's observation shows it.
    Resumable: rerun with the same --log to continue.

    Example: seer practice tasks.jsonl --data sales.csv --tries 3
    """
    from ..agent.assemble import open_agent
    from ..agent.practice import load_tasks, practice_tasks
    from ..config import load_settings
    from ..toolkits.build import build_toolkit

    task_list = load_tasks(tasks_file)
    settings = load_settings().replace(model=model, llm_url=llm_url, pool=pool, recall=recall.value if recall else None,
                                       k=k, max_steps=max_steps, seed=seed)
    if admit == Admit.llm and not (judge_model or judge_url):
        raise UserError("--admit llm: name a judge with --judge-model or --judge-url (the agent judging itself admits its own mistakes)")
    log = log or settings.home / "practice" / f"{tasks_file.stem}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)
    kit = build_toolkit(toolkit, data=data, docs=docs, tools=tools, mcp=mcp, toolqa_dir=toolqa_dir, settings=settings, on_warning=warn)
    try:
        with err.status("Loading the model, the embedder and the pool…"):
            agent = open_agent(settings, kit)
            the_pool = agent.pool
            llm_judge = None
            if admit == Admit.llm:
                from ..backends.registry import get_backend
                from ..evals import scoring

                jb = get_backend(settings.replace(model=judge_model, llm_url=judge_url))
                llm_judge = lambda q, gold, pred: scoring.llm_judge(jb, q, pred, gold)  # noqa: E731
        with progress() as bar:
            state = {"task": None, "hist": {}, "t0": time.perf_counter(), "n": 0}

            def on_start(total: int, done: int) -> None:
                state["task"] = bar.add_task("practice", total=total, completed=done, status="")

            def on_task(row) -> None:
                key = str(row["solved_at"]) if row["solved_at"] else "never"
                state["hist"][key] = state["hist"].get(key, 0) + 1
                state["n"] += 1
                hist = "  ".join(f"try {k}: {v}" if k != "never" else f"never: {v}" for k, v in sorted(state["hist"].items()))
                rate = (time.perf_counter() - state["t0"]) / state["n"]
                bar.update(state["task"], advance=1, status=f"{hist}  {rate:.0f} s/task")

            summary = practice_tasks(agent, task_list, log, tries=tries, admit=admit.value, llm_judge=llm_judge,
                                     seed=seed, details={"practice_log": log.name}, on_start=on_start, on_task=on_task)
    finally:
        kit.close()
    summary = {**summary, "log": str(log), "pool": str(getattr(the_pool, "path", settings.pool)), "pool_size": len(the_pool)}
    if json:
        emit_json(summary)
        return
    from rich.table import Table

    t = Table(title=f"Practice: {summary['solved']} of {summary['tasks']} tasks solved")
    t.add_column("solved at")
    t.add_column("tasks", justify="right")
    for key, n in summary["solved_at"].items():
        t.add_row(f"try {key}" if key != "never" else "never", str(n))
    out.print(t)
    out.print(f"pool: {summary['pool']} ({summary['pool_size']} experiences)  log: {log}", markup=False)
