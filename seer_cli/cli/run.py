"""`seer run`: answer one question with the SEER agent, show every step, learn from success.

Thin by design: options -> Settings, toolkit, pool, backend -> :class:`seer_cli.agent.Agent`;
the step stream is rendered live on stderr (thought, call, observation, recalled experiences
with their scores), the answer goes to stdout (or the whole trajectory with ``--json``), then a
judge decides whether the pool learns the trajectory.
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from .console import emit_json, err, out, warn
from .options import (DataOpt, Demos, DemosK, DocsOpt, MaxStepsOpt, JsonFlag, LlmUrlOpt, McpOpt, ModelOpt, PoolOpt, RecallMode, ToolkitOpt,
                      ToolqaDirOpt, ToolsOpt)


class Learn(str, Enum):
    auto = "auto"
    ask = "ask"
    self_check = "self-check"
    off = "off"

# `seer run`'s exit codes: 0 answered; 1 bad input (one line on stderr); 2 a usage error (Click's);
# 3 the episode ended without an answer (the reason on stderr; with --json, "finished": false too)
NO_ANSWER = 3
NO_ANSWER_REASONS = {
    "repeat": "the same call three times in a row",
    "max_steps": "the step limit was reached (--max-steps)",
    "context": "the next step would not fit the model's context window",
    "parse": "the model's step could not be parsed twice",
    "error_answer": "every answer offered was an error message",
    "done": "the tool side ended the conversation",
}


def _short(text: str, n: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def render_step(step) -> None:
    """Live view of one step on stderr."""
    from rich.markup import escape

    from ..agent.steps import ActionStep, FinalStep, TaskStep
    from ..pool.records import call_text

    if isinstance(step, TaskStep):
        err.print(f"[bold]Question:[/] {escape(step.question)}  [dim](intent {step.intent}, {step.intent_source}; "
                  f"recall {step.recall}, demos {step.demos}, k={step.k})[/]")
    elif isinstance(step, ActionStep):
        err.print(f"\n[bold cyan]Step {step.index}[/] [dim]{step.seconds:.1f}s, {step.prompt_tokens_evaluated}/{step.prompt_tokens} "
                  f"prompt tokens evaluated, recall {step.recall_ms:.1f} ms[/]")
        for r in step.recalled:
            if r.get("score") is None:
                err.print(f"  [dim]demo {r['id']} (static)[/]")
            else:
                terms = " + ".join(f"{name} {value:.3f}" for name, value in r.get("terms", {}).items())
                err.print(f"  [dim]recalled {r['id']} score {r['score']:.3f} = {terms}[/]")
        if not step.tool:
            err.print(f"  [red]unparsable output:[/] {escape(_short(step.raw))}")
            return
        err.print(f"  [italic]{escape(step.thought)}[/]")
        err.print(f"  [bold]→ {escape(call_text(step.tool, step.args))}[/]")
        if step.tool != "Finish":
            style = "red" if step.error else "green"
            err.print(f"  [{style}]{escape(_short(step.observation))}[/]")
    elif isinstance(step, FinalStep):
        t = step.totals
        what = "finished" if step.finished else f"stopped ({step.reason})"
        err.print(f"\n[dim]{what} after {t['steps']} steps in {t['seconds']:.1f}s; prompt tokens evaluated "
                  f"{t['prompt_tokens_evaluated']} of {t['prompt_tokens']}; parse failures {t['parse_failures']}[/]")


def sources_line(sources: list[dict], limit: int = 4) -> str:
    """``Sources: policy.pdf p.3; notes.md § Refunds (+2 more)``: the passages Retrieve showed."""
    shown = "; ".join(s["citation"] for s in sources[:limit])
    return f"Sources: {shown}" + (f" (+{len(sources) - limit} more)" if len(sources) > limit else "")


def teach_hint(settings, pool, kit, *, data, docs, tools) -> None:
    """Once per input: say that the pool has no experience of it and how to teach it."""
    from ..practice.ledger import first_mention, unpractised
    from ..practice.generated import COST_NOTE

    new = first_mention(settings.home, unpractised(pool, kit))
    if not new:
        return
    opts = " ".join([*(f"--data {f}" for f in data or []), *([f"--docs {docs}"] if docs else []),
                     *([f"--tools {tools}"] if tools else [])])
    names = ", ".join(Path(f).name for f in new)
    err.print(f"[yellow]seer has not practised on {escape(names)} yet.[/] Teach it once before asking: "
              f"[bold]seer practice --auto 30 {escape(opts)}[/] ({COST_NOTE})")


def judge_and_learn(agent, final, *, learn: Learn, expect: str | None, interactive: bool):
    """Pick a judge from the options, run it, add a success to the pool. ``(verdict, AddResult)``."""
    from ..agent import by_expected, by_self_check, by_user

    if learn == Learn.off or not final.finished:
        return None, None
    if expect is not None:
        verdict = by_expected(final.answer, expect)
    elif learn == Learn.self_check:
        verdict = by_self_check(agent.backend, final.experience)
    elif learn == Learn.ask or (learn == Learn.auto and interactive):
        verdict = by_user(final.experience, lambda q: typer.confirm(q, default=False, err=True))
    else:
        return None, None
    return verdict, (agent.learn(final.experience, verdict) if verdict.success else None)


def run(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    pool: PoolOpt = None,
    toolkit: ToolkitOpt = "general",
    toolqa_dir: ToolqaDirOpt = None,
    toolqa_strict: Annotated[bool, typer.Option("--toolqa-strict", help="ToolQA tools keep the official FilterDB string-comparison quirks exactly.")] = False,
    data: DataOpt = None,
    docs: DocsOpt = None,
    tools: ToolsOpt = None,
    mcp: McpOpt = None,
    model: ModelOpt = None,
    llm_url: LlmUrlOpt = None,
    recall: Annotated[Optional[RecallMode], typer.Option("--recall", help="Recall before every step (stepwise), once (task), or never (none).")] = None,
    demos: Annotated[Optional[Demos], typer.Option("--demos", help="Demonstrations: recalled, or a fixed set (static: the pool's first k of the intent).")] = None,
    k: DemosK = None,
    max_steps: MaxStepsOpt = None,
    intent: Annotated[Optional[str], typer.Option("--intent", help="Skip intent classification and use this intent.")] = None,
    expect: Annotated[Optional[str], typer.Option("--expect", help="The expected answer: judge by exact/lenient match and learn on success.")] = None,
    learn: Annotated[Learn, typer.Option("--learn", help="auto: --expect, else ask on a terminal; ask; self-check (the model checks itself); off.")] = Learn.auto,
    no_learn: Annotated[bool, typer.Option("--no-learn", help="Same as --learn off.")] = False,
    json_out: JsonFlag = False,
):
    """Answer a question with tools, recalling past experiences before every step.

    Steps (recalled experiences with scores, thought, call, observation) go to stderr, the answer to stdout.
    A success is learned with --expect, a y/N answer on a terminal, or --learn self-check.

    Exit codes: 0 answered; 1 bad input; 2 bad usage; 3 no answer (the reason on stderr).

    Example: seer run "What is 17 * 23?"
    """
    from ..agent.assemble import open_agent
    from ..agent.steps import collect
    from ..config import load_settings
    from ..toolkits.build import build_toolkit

    settings = load_settings().replace(model=model, llm_url=llm_url, pool=pool, recall=recall.value if recall else None,
                                       demos=demos.value if demos else None, k=k, max_steps=max_steps)
    if no_learn:
        learn = Learn.off
    with err.status("Starting the MCP servers…") if mcp else nullcontext():
        kit = build_toolkit(toolkit, data=data, docs=docs, tools=tools, mcp=mcp, toolqa_dir=toolqa_dir,
                            toolqa_strict=toolqa_strict, settings=settings, on_warning=warn)
    try:
        with err.status("Loading the model, the embedder and the pool…"):
            agent = open_agent(settings, kit)
        the_pool = agent.pool
        if data or docs or tools:
            teach_hint(settings, the_pool, kit, data=data, docs=docs, tools=tools)
        with err.status("Thinking…") as status:
            def show(step) -> None:
                render_step(step)
                if step.kind == "action":
                    status.update(f"Thinking… (step {step.index + 1})")

            ep = collect(agent.run(question, intent=intent), on_step=show)
        final, actions, task = ep.final, ep.actions, ep.task
        assert final is not None  # agent.run always ends with a FinalStep
        sources = list({c.citation(): c.source() for c in kit.sources}.values())  # what its Retrieve calls showed
    finally:
        kit.close()

    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    verdict, added = judge_and_learn(agent, final, learn=learn, expect=expect, interactive=interactive)
    learned = None
    if verdict is not None:
        learned = {**verdict.to_dict(), "pool": str(getattr(the_pool, "path", settings.pool)),
                   "added": list(added.added) if added else [], "duplicates": (added.duplicates + added.near_duplicates) if added else 0}
        if not verdict.success:
            err.print(f"[yellow]Not learned:[/] {verdict.details.get('reason', 'judged unsuccessful')}")
        elif added and added.added:
            err.print(f"[green]Learned:[/] added {added.added[0]} to the pool ({verdict.source})")
        else:
            err.print("[dim]Already in the pool (duplicate); nothing added.[/]")

    if not final.finished:  # one contract, with or without --json: the reason on stderr, exit NO_ANSWER
        err.print(f"no answer: the episode stopped ({final.reason}: {NO_ANSWER_REASONS.get(final.reason, 'see the steps above')})",
                  markup=False)
    if json_out:
        emit_json({
            "question": question,
            "intent": task.intent if task else intent,
            "answer": final.answer,
            "finished": final.finished,
            "reason": final.reason,
            "steps": [a.to_dict() for a in actions],
            "totals": final.totals,
            "experience": final.experience.to_dict(),
            "learned": learned,
            "sources": sources,
        })
    elif final.finished:
        out.print(final.answer, markup=False)
        if sources:
            err.print(sources_line(sources), markup=False)
    if not final.finished:
        raise typer.Exit(NO_ANSWER)
