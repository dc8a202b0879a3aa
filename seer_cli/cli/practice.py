"""``seer practice``: practise tasks with known answers, or (``--auto N``) tasks seer makes from
your own files; the verified successes join the pool.

Thin: options -> Settings, toolkit -> :func:`seer_cli.agent.assemble.open_agent` ->
:func:`seer_cli.practice.answered.practice_tasks` or :func:`seer_cli.practice.generated.auto_practice`;
a Rich progress bar shows progress, the summary is printed as a table (or ``--json``).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import UserError
from .console import emit_json, err, out, progress, warn
from .evals import Admit
from .options import (DataOpt, DemosK, DocsOpt, JsonFlag, LlmUrlOpt, McpOpt, ModelOpt, PoolOpt, RecallMode,
                      ToolkitOpt, ToolqaDirOpt, ToolsOpt)


def practice(
    tasks_file: Annotated[Optional[Path], typer.Argument(metavar="[TASKS.jsonl]", help='One task a line: {"question": ..., "answer": ...} (optional "id", "intent"). Not with --auto.')] = None,
    auto: Annotated[Optional[int], typer.Option("--auto", min=1, max=10_000, metavar="N", help="Make N tasks from --data/--docs/--tools/--mcp, or from the tables of --toolkit toolqa (golds computed by running the tools), and practise them.")] = None,
    minutes: Annotated[Optional[float], typer.Option("--minutes", min=0.1, help="With --auto: start no new task after M minutes.")] = None,
    examples: Annotated[str, typer.Option("--examples", help="With --auto: what a task the model fails may still teach: worked, recovery, both (worked,recovery) or none.")] = "worked,recovery",
    phrase: Annotated[Optional[bool], typer.Option("--phrase/--no-phrase", help="With --auto: the model words each task's question as a person would ask it, admitted only when a second derivation from the question agrees (default: on when --tries > 0).")] = None,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="With --auto: tasks at once (threads); more than 1 needs --llm-url.")] = 1,
    breadth: Annotated[bool, typer.Option("--breadth/--no-breadth", help="With --auto: after the N tasks, every other task the rules made joins the pool as a worked example when replaying its calls shows its answer (seconds, no model).")] = True,
    proposer_model: Annotated[Optional[str], typer.Option("--proposer-model", metavar="GGUF", help="With --auto: a stronger model for the wording, the second derivation and the paraphrase keys (the agent keeps --model).")] = None,
    proposer_url: Annotated[Optional[str], typer.Option("--proposer-url", metavar="URL", help="With --auto: the proposer on an OpenAI-compatible server.")] = None,
    pool: PoolOpt = None,
    tries: Annotated[Optional[int], typer.Option("--tries", "-T", min=0, max=10, help="Tries per task until one is judged correct (default 3; 1 with --auto, where 0 means worked examples only).")] = None,
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
    max_steps: Annotated[Optional[int], typer.Option("--max-steps", min=1, max=50, help="Stop a try after this many steps (default 6 with --auto, where no solved try took more; else from settings).")] = None,
    judge_model: Annotated[Optional[str], typer.Option("--judge-model", metavar="GGUF", help="With --admit llm: the judge's model.")] = None,
    judge_url: Annotated[Optional[str], typer.Option("--judge-url", metavar="URL", help="With --admit llm: the judge's OpenAI-compatible server.")] = None,
    log: Annotated[Optional[Path], typer.Option("--log", help="Practice log (JSONL, one row per task); an existing log is resumed.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sampled retries (and, with --auto, of the generated tasks).")] = 0,
    json: JsonFlag = False,
):
    """Practise tasks: the first verified success of each joins the pool.

    With TASKS.jsonl: up to T varied tries per task (greedy; temperature 0.7 with a note on what
    failed; the answer revealed, admitted only if a tool's observation shows it).
    With --auto N: seer makes N tasks from your files (SQL over your tables, facts in your
    documents, calls of your tools), each answer computed by running the tools, never by the
    model; an episode is admitted only when its answer matches and an observation shows it, and
    a task the model fails can still teach a worked example of the generator's own calls.
    Resumable: rerun with the same --log to continue.

    Example: seer practice --auto 30 --data sales.csv --docs notes/ --tools my_tools.py
    """
    from ..config import load_settings
    from ..toolkits.build import build_toolkit

    if (tasks_file is None) == (auto is None):
        raise UserError("give a TASKS.jsonl file or --auto N (tasks made from --data/--docs/--tools/--mcp), not both" if tasks_file
                        else "give a TASKS.jsonl file, or --auto N to make tasks from --data/--docs/--tools/--mcp")
    _refuse_other_mode(auto is not None, minutes=minutes, examples=examples != "worked,recovery", concurrency=concurrency > 1, breadth=not breadth,
                       admit=admit != Admit.lenient, judge_model=judge_model, judge_url=judge_url,
                       proposer_model=proposer_model, proposer_url=proposer_url)
    chosen = [x.strip() for x in examples.split(",") if x.strip()]
    bad = [x for x in chosen if x not in ("worked", "recovery", "none")]
    if bad:
        raise UserError(f"--examples: {bad[0]!r} is not worked, recovery or none")
    if auto is not None and toolkit == "general" and not (data or docs or tools or mcp):
        raise UserError("--auto: name what to practise on: --data FILE, --docs DIR, --tools FILE or --mcp CMD")
    if concurrency > 1 and not llm_url:
        raise UserError("--concurrency: more than 1 needs an HTTP backend (--llm-url); the in-process model runs one episode at a time")
    if tasks_file is not None:
        from ..practice.answered import load_tasks

        task_list = load_tasks(tasks_file)  # a bad file fails before the model loads
    settings = load_settings().replace(model=model, llm_url=llm_url, pool=pool, recall=recall.value if recall else None,
                                       k=k, max_steps=_steps(max_steps, auto is not None), seed=seed)
    if admit == Admit.llm and not (judge_model or judge_url):
        raise UserError("--admit llm: name a judge with --judge-model or --judge-url (the agent judging itself admits its own mistakes)")
    stem = tasks_file.stem if tasks_file else "auto"
    log = log or settings.home / "practice" / f"{stem}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.jsonl"
    log.parent.mkdir(parents=True, exist_ok=True)

    def make_kit():
        return build_toolkit(toolkit, data=data, docs=docs, tools=tools, mcp=mcp, toolqa_dir=toolqa_dir, settings=settings,
                             on_warning=warn)

    kit = make_kit()
    try:
        if auto is not None:
            summary = _auto(settings, kit, make_kit, log, auto=auto, minutes=minutes, tries=1 if tries is None else tries,
                            examples=tuple(x for x in chosen if x != "none"), seed=seed, concurrency=concurrency, phrase=phrase,
                            proposer=(proposer_model, proposer_url), breadth=breadth)
        else:
            summary = _from_file(settings, kit, task_list, log, tries=3 if tries is None else max(1, tries), admit=admit,
                                 judge_model=judge_model, judge_url=judge_url, seed=seed)
    finally:
        kit.close()
    if json:
        emit_json(summary)
        return
    (_render_auto if auto is not None else _render_file)(summary)
    out.print(f"pool: {summary['pool']} ({summary['pool_size']} experiences)  log: {log}", markup=False)


def _steps(given: int | None, auto: bool) -> int | None:
    """The steps of a try: ``--max-steps``, else with ``--auto`` :data:`~seer_cli.practice.generated.AUTO_MAX_STEPS`
    (no solved try took more), else the settings'."""
    if given is not None or not auto:
        return given
    from ..practice.generated import AUTO_MAX_STEPS

    return AUTO_MAX_STEPS


_AUTO_ONLY = {"minutes": "--minutes", "examples": "--examples", "concurrency": "--concurrency",
              "proposer_model": "--proposer-model", "proposer_url": "--proposer-url", "breadth": "--no-breadth"}
_FILE_ONLY = {"admit": "--admit", "judge_model": "--judge-model", "judge_url": "--judge-url"}


def _refuse_other_mode(auto: bool, **given) -> None:
    """An option of the other mode is an error, not silently ignored."""
    for key, flag in (_FILE_ONLY if auto else _AUTO_ONLY).items():
        if given.get(key):
            raise UserError(f"{flag} applies to {'a TASKS.jsonl file' if auto else '--auto'} only, not to {'--auto' if auto else 'a TASKS.jsonl file'}")


def _from_file(settings, kit, task_list, log: Path, *, tries: int, admit, judge_model, judge_url, seed: int) -> dict:
    from ..agent.assemble import open_agent
    from ..practice.answered import practice_tasks

    with err.status("Loading the model, the embedder and the pool…"):
        agent = open_agent(settings, kit)
        llm_judge = None
        if admit == Admit.llm:
            from ..backends.registry import get_backend
            from ..evals import scoring

            jb = get_backend(settings.replace(model=judge_model, llm_url=judge_url))
            llm_judge = lambda q, gold, pred: scoring.llm_judge(jb, q, pred, gold)  # noqa: E731
    with progress() as bar:
        state: dict[str, Any] = {"task": None, "hist": {}, "t0": time.perf_counter(), "n": 0}

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
    return {**summary, "log": str(log), "pool": str(agent.pool.path), "pool_size": len(agent.pool)}


def _auto(settings, kit, make_kit, log: Path, *, auto: int, minutes, tries: int, examples, seed: int, concurrency: int,
          phrase: bool | None = None, proposer: tuple[str | None, str | None] = (None, None), breadth: bool = True) -> dict:
    from ..agent.assemble import open_agent
    from ..practice.generated import AutoConfig, auto_practice

    with err.status("Loading the model, the embedder and the pool…"):
        agent = open_agent(settings, kit)
        proposer_backend = None
        if any(proposer):
            from ..backends.registry import get_backend

            proposer_backend = get_backend(settings.replace(model=proposer[0], llm_url=proposer[1]))
    config = AutoConfig(tasks=auto, minutes=minutes, tries=tries, examples=examples, seed=seed, concurrency=concurrency, phrase=phrase,
                        proposer=proposer_backend, breadth=breadth)

    def new_agent():  # a worker thread's own toolkit, the same pool, embedder and server
        return open_agent(settings, make_kit(), pool=agent.pool, embedder=agent.embedder, backend=agent.backend)

    with progress() as bar:
        state: dict[str, Any] = {"task": bar.add_task("self-practice", total=None, status="proposing tasks…"), "tried": 0,
                                 "admitted": 0, "t0": time.perf_counter()}

        def on_status(text: str) -> None:  # the model proposes and checks tasks before the first is practised
            bar.update(state["task"], status=text + "…")

        def on_start(total: int, done: int) -> None:
            state["t0"] = time.perf_counter()
            bar.update(state["task"], total=total, completed=done, status="practising…")

        def on_task(row) -> None:
            state["tried"] += 1
            state["admitted"] += bool(row.get("admitted"))
            rate = (time.perf_counter() - state["t0"]) / state["tried"]
            bar.update(state["task"], advance=1, status=f"admitted {state['admitted']}/{state['tried']}  {rate:.0f} s/task")

        summary = auto_practice(agent, kit, log, config, new_agent=new_agent, on_start=on_start, on_task=on_task, on_warning=warn,
                                on_status=on_status)
    return {**summary, "log": str(log), "pool": str(agent.pool.path), "pool_size": len(agent.pool)}


def _render_file(summary: dict) -> None:
    from rich.table import Table

    t = Table(title=f"Practice: {summary['solved']} of {summary['tasks']} tasks solved")
    t.add_column("solved at")
    t.add_column("tasks", justify="right")
    for key, n in summary["solved_at"].items():
        t.add_row(f"try {key}" if key != "never" else "never", str(n))
    out.print(t)


def _render_auto(summary: dict) -> None:
    from rich.table import Table

    t = Table(title=f"Self-practice: {summary['admitted']} of {summary['tasks']} tasks admitted "
                    f"({summary['solved_by_model']} solved by the model)")
    for col in ("kind", "tasks", "solved by the model", "admitted"):
        t.add_column(col, justify="left" if col == "kind" else "right")
    for kind, k in summary["kinds"].items():
        t.add_row(kind, str(k["tasks"]), str(k["solved"]), str(k["admitted"]))
    out.print(t)
    made = ", ".join(f"{n} {m}" for m, n in summary["made_by"].items()) or "none"
    per = f", {summary['seconds_per_admitted']} s per admitted experience" if summary["seconds_per_admitted"] is not None else ""
    checked = ", ".join(f"{n} {d}" for d, n in (summary.get("derivations") or {}).items()) or "none"
    out.print(f"admitted: {made}; second derivations: {checked}; {summary['seconds']} s in all{per}", markup=False)
    if b := summary.get("breadth"):
        out.print(f"then worked examples of the other tasks: {b['admitted']} of {b['tasks']} admitted in {b['seconds']} s", markup=False)
