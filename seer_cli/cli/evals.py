"""``seer eval toolqa``, ``seer eval taubench`` and ``seer eval compare``: thin wrappers over :mod:`seer_cli.evals`."""

from __future__ import annotations

import time
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from .console import emit_json, err, out, progress, warn
from .options import Demos, JsonFlag, LlmUrlOpt, ModelOpt, RecallMode, TopK

app = typer.Typer(no_args_is_help=True, help="Benchmarks: run ToolQA or τ-bench, compare two runs.")


class Split(str, Enum):
    easy = "easy"
    hard = "hard"
    all = "all"


class Admit(str, Enum):
    em = "em"
    lenient = "lenient"
    llm = "llm"


def _default_out(split: str, prefix: str = "toolqa-") -> Path:
    from ..config import load_settings

    return load_settings().home / "runs" / f"{prefix}{split}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"


@app.command("toolqa")
def toolqa(
    split: Annotated[Split, typer.Option(help="Question split.")] = Split.easy,
    domains: Annotated[Optional[str], typer.Option(help="Comma-separated domains (flight,coffee,yelp,airbnb,dblp,scirex,agenda,gsm8k); default: every domain whose corpus is present.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="At most N questions per domain (the first N in file order: smoke tests only; use --sample).")] = None,
    sample: Annotated[Optional[int], typer.Option(min=1, help="N test questions per split and domain, drawn with --seed across question templates.")] = None,
    split_train: Annotated[Optional[float], typer.Option("--split-train", metavar="F", help="Per split and domain, this fraction (by template, seeded) is train, the rest test; only test questions are scored.")] = None,
    practice_tries: Annotated[int, typer.Option("--practice-tries", min=0, max=10, help="Practise the train questions first: up to T varied tries each, the first judged success joins the run's pool.")] = 0,
    practice_sample: Annotated[Optional[int], typer.Option("--practice-sample", min=1, help="Practise only M train questions per split and domain (stratified); default all.")] = None,
    hint: Annotated[Optional[str], typer.Option("--hint", help="The hint under the question: intent (the domain's tool list), plan (the best demo's tool chain) or none. Default from SEER_HINT, else intent.")] = None,
    dominant_margin: Annotated[Optional[float], typer.Option("--dominant-margin", help="Show the best demo alone when its similarity leads the next by this margin (off by default).")] = None,
    w_utility: Annotated[Optional[float], typer.Option("--w-utility", help="Weight of per-experience utility in the recall score (0 = off, the default).")] = None,
    seed: Annotated[int, typer.Option(help="Shuffles the question order (and seeds the model).")] = 0,
    recall: Annotated[RecallMode, typer.Option(help="Experience recall: before every step, once per task, or never.")] = RecallMode.stepwise,
    demos: Annotated[Demos, typer.Option(help="Demonstrations from recall, or a fixed static set.")] = Demos.recall,
    k: TopK = 4,
    online: Annotated[bool, typer.Option("--online/--frozen", help="Add judged successes to the run's pool as it goes, or never write it.")] = True,
    batches: Annotated[int, typer.Option(min=1, help="Split the shuffled questions into B batches; accuracy per batch is the learning curve.")] = 1,
    pool: Annotated[Optional[str], typer.Option("--pool", "-p", help="Starting pool, copied into the run (name or path). Default: the shipped toolqa-seed pool.")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Episodes at once (threads); more than 1 needs --llm-url.")] = 1,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Run directory (default: <seer home>/runs/toolqa-<split>-<time>).")] = None,
    resume: Annotated[Optional[Path], typer.Option(help="Continue the run in this directory with its saved settings.")] = None,
    admit: Annotated[Admit, typer.Option(help="Which verdict admits a trajectory into the pool with --online.")] = Admit.lenient,
    model: ModelOpt = None,
    llm_url: LlmUrlOpt = None,
    max_steps: Annotated[Optional[int], typer.Option(min=1, help="Steps per episode (default from settings).")] = None,
    toolqa_dir: Annotated[Optional[Path], typer.Option(envvar="SEER_TOOLQA_DIR", help="ToolQA checkout with data/external_corpus/ (env SEER_TOOLQA_DIR). Without it only gsm8k runs.")] = None,
    toolqa_strict: Annotated[bool, typer.Option("--toolqa-strict", help="ToolQA tools keep the official FilterDB string-comparison quirks exactly.")] = False,
    judge: Annotated[bool, typer.Option("--judge/--no-judge", help="Also score every answer with the LLM judge.")] = True,
    judge_model: Annotated[Optional[str], typer.Option("--judge-model", metavar="GGUF", help="The judge's own model (path or alias); default: the agent's.")] = None,
    judge_url: Annotated[Optional[str], typer.Option("--judge-url", metavar="URL", help="The judge's own OpenAI-compatible server (a stronger model judges better than the 0.5B).")] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Write PNG plots into the run directory (needs matplotlib: pip install 'seer-cli[plots]').")] = True,
    json: JsonFlag = False,
):
    """Run the agent on ToolQA questions; resumable, scored by EM, lenient match and an LLM judge.

    Example: seer eval toolqa --split easy --domains coffee --limit 20 --batches 4 --toolqa-dir ~/ToolQA
    """
    from ..evals.report import batch_table, domain_table, write_plots
    from ..evals.plan import EvalConfig
    from ..evals.runner import run_eval

    config = EvalConfig(
        split=split.value,
        domains=[d.strip() for d in domains.split(",") if d.strip()] if domains else None,
        limit=limit,
        sample=sample,
        split_train=split_train,
        practice_tries=practice_tries,
        practice_sample=practice_sample,
        hint=hint,
        dominant_margin=dominant_margin,
        w_utility=w_utility,
        seed=seed,
        recall=recall.value,
        demos=demos.value,
        k=k,
        online=online,
        batches=batches,
        pool=pool,
        concurrency=concurrency,
        admit=admit.value,
        model=model,
        llm_url=llm_url,
        max_steps=max_steps,
        toolqa_dir=str(toolqa_dir) if toolqa_dir else None,
        judge=judge,
        judge_model=judge_model,
        judge_url=judge_url,
        strict=toolqa_strict,
    )
    run_dir = resume or out_dir or _default_out(split.value)
    warned_hint: list[bool] = []

    def on_warning(message: str) -> None:
        from ..evals.toolqa import CORPUS_HINT

        warn(message)
        if not warned_hint:
            warned_hint.append(True)
            err.print(f"  to run these: {CORPUS_HINT}", markup=False)

    with progress() as bar:
        state: dict[str, Any] = {"task": None, "n": 0, "em": 0, "len": 0, "t0": time.perf_counter()}

        def on_start(total: int, done: int) -> None:
            state["task"] = bar.add_task("ToolQA", total=total, completed=done, status="")

        def on_result(row) -> None:
            state["n"] += 1
            state["em"] += bool(row["em"])
            state["len"] += bool(row["lenient"])
            n = state["n"]
            rate = (time.perf_counter() - state["t0"]) / n
            status = f"EM {100 * state['em'] / n:.0f}%  lenient {100 * state['len'] / n:.0f}%  {rate:.1f} s/q"
            bar.update(state["task"], advance=1, status=status)

        def on_practice_start(total: int, done: int) -> None:
            state["practice"] = bar.add_task("practice", total=total, completed=done, status="")
            state["hist"] = {}

        def on_practice(row) -> None:
            key = f"try {row['solved_at']}" if row["solved_at"] else "never"
            state["hist"][key] = state["hist"].get(key, 0) + 1
            bar.update(state["practice"], advance=1, status="  ".join(f"{k}: {v}" for k, v in sorted(state["hist"].items())))

        def on_index(done: int, total: int, what: str) -> None:
            if state.get(what) is None:
                state[what] = bar.add_task(what, total=total, status="once per machine")
            bar.update(state[what], completed=done)

        summary = run_eval(config, Path(run_dir), resume=resume is not None, on_start=on_start, on_result=on_result,
                           on_warning=on_warning, on_index=on_index, on_practice_start=on_practice_start, on_practice=on_practice)
    pngs = write_plots(summary, Path(run_dir) / "plots") if plots else []
    if plots and not pngs:
        warn("no plots: matplotlib is not installed (pip install 'seer-cli[plots]'); the numbers are in summary.json")
    if json:
        emit_json({**summary, "run_dir": str(run_dir), "plots": [str(p) for p in pngs]})
        return
    if summary.get("practice"):
        pr = summary["practice"]
        hist = ", ".join(f"try {k}: {v}" if k != "never" else f"never: {v}" for k, v in pr["solved_at"].items())
        out.print(f"practice: {pr['solved']} of {pr['tasks']} train questions solved ({hist})", markup=False)
    out.print(domain_table(summary))
    if len(summary["batches"]) > 1:
        out.print(batch_table(summary))
    out.print(f"run: {run_dir}  (results.jsonl, summary.json{', plots/' if pngs else ''})")


class TauEnvName(str, Enum):
    retail = "retail"
    airline = "airline"


class TauSplit(str, Enum):
    test = "test"
    dev = "dev"
    train = "train"


@app.command("taubench")
def taubench(
    env: Annotated[TauEnvName, typer.Option("--env", help="τ-bench domain.")] = TauEnvName.retail,
    split: Annotated[TauSplit, typer.Option(help="Task split (airline has test only).")] = TauSplit.test,
    sample: Annotated[Optional[int], typer.Option(min=1, help="Run N tasks drawn with --seed (default: all).")] = None,
    seed: Annotated[int, typer.Option(help="Draws the sample (and seeds the models).")] = 0,
    trials: Annotated[int, typer.Option(min=1, help="Trials per task; pass^k is reported for k = 1..K.")] = 1,
    recall: Annotated[RecallMode, typer.Option(help="Experience recall: before every step, once per task, or never.")] = RecallMode.stepwise,
    demos: Annotated[Demos, typer.Option(help="Demonstrations from recall, or a fixed static set.")] = Demos.recall,
    k: TopK = 4,
    online: Annotated[bool, typer.Option("--online/--frozen", help="Add episodes with reward 1 to the run's pool as it goes, or never write it.")] = True,
    pool: Annotated[Optional[str], typer.Option("--pool", "-p", help="Starting pool, copied into the run (name or path). Default: taubench-retail-seed (retail), empty (airline).")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Episodes at once (threads); more than 1 needs --llm-url.")] = 1,
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Run directory (default: <seer home>/runs/taubench-<env>-<time>).")] = None,
    resume: Annotated[Optional[Path], typer.Option(help="Continue the run in this directory with its saved settings.")] = None,
    model: ModelOpt = None,
    llm_url: LlmUrlOpt = None,
    user_model: Annotated[Optional[str], typer.Option("--user-model", metavar="GGUF", help="The simulated user's own model (path or alias); default: the agent's.")] = None,
    user_url: Annotated[Optional[str], typer.Option("--user-url", metavar="URL", help="The simulated user's own OpenAI-compatible server.")] = None,
    max_steps: Annotated[int, typer.Option(min=1, help="Agent steps (tool calls and replies) per episode.")] = 30,
    json: JsonFlag = False,
):
    """Run the agent on τ-bench (v1) retail or airline tasks with a simulated user; pass^k by the official reward.

    Example: seer eval taubench --env airline --sample 2 --max-steps 10
    """
    from ..evals.taubench.runner import TauConfig, run_taubench

    config = TauConfig(env=env.value, split=split.value, sample=sample, seed=seed, trials=trials, recall=recall.value,
                       demos=demos.value, k=k, online=online, pool=pool, concurrency=concurrency, model=model,
                       llm_url=llm_url, user_model=user_model, user_url=user_url, max_steps=max_steps)
    run_dir = resume or out_dir or _default_out(f"taubench-{env.value}", prefix="")
    with progress() as bar:
        state: dict[str, Any] = {"task": None, "n": 0, "ok": 0, "t0": time.perf_counter()}

        def on_start(total: int, done: int, floor) -> None:
            state["task"] = bar.add_task(f"τ-bench {config.env}", total=total, completed=done, status="")

        def on_result(row) -> None:
            state["n"] += 1
            state["ok"] += row["reward"] == 1.0
            n = state["n"]
            rate = (time.perf_counter() - state["t0"]) / n
            bar.update(state["task"], advance=1, status=f"reward {state['ok']}/{n}  {rate:.0f} s/episode")

        summary = run_taubench(config, Path(run_dir), resume=resume is not None, on_start=on_start, on_result=on_result,
                               on_warning=warn)
    if json:
        emit_json({**summary, "run_dir": str(run_dir)})
        return
    out.print(_tau_text(summary), markup=False)
    out.print(f"run: {run_dir}  (results.jsonl, summary.json)", markup=False)


def _tau_text(summary) -> str:
    floor = summary["floor"]
    lines = [f"τ-bench {summary['env']} {summary['split']}: {summary['tasks']} tasks x {summary['trials']} trials, {summary['episodes']} episodes"]
    for k, value in summary["pass_hat_k"].items():
        shown = "n/a" if value is None else f"{100 * value:.1f} %"
        lines.append(f"  pass^{k}: {shown}   (do-nothing floor {100 * (floor['pass_hat_1'] or 0):.1f} %: {floor['solved']}/{floor['tasks']} tasks)")
    failed = ", ".join(f"{k} {v}" for k, v in sorted(summary["failed_check"].items()))
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(summary["reasons"].items()))
    lines.append(f"  failed check: {failed}; episodes ended: {reasons}")
    lines.append(f"  per episode: {summary['mean_steps']} steps, {summary['mean_tool_calls']} tool calls, "
                 f"{summary['mean_tokens_evaluated']} tokens evaluated, {summary['mean_seconds']} s")
    lines.append(f"  {summary['paper']}")
    return "\n".join(lines)


@app.command("compare")
def compare(
    run_a: Annotated[Path, typer.Argument(help="First run directory (or its results.jsonl).")],
    run_b: Annotated[Path, typer.Argument(help="Second run directory (or its results.jsonl).")],
    samples: Annotated[int, typer.Option("--samples", min=100, help="Bootstrap resamples.")] = 10000,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 0,
    json: JsonFlag = False,
):
    """Compare two runs on their shared questions: A - B with a 95 % paired-bootstrap interval and McNemar's p.

    Example: seer eval compare runs/stepwise runs/none --json
    """
    from ..errors import UserError
    from ..evals.report import compare_runs, compare_table
    from ..evals.runner import read_results

    import orjson

    rows, train = [], set()
    for path in (run_a, run_b):
        run_dir = path.parent if path.name == "results.jsonl" else path
        if not (run_dir / "results.jsonl").is_file():
            raise UserError(f"{path}: no results.jsonl (not a seer eval run directory)")
        rows.append(read_results(run_dir))
        cfg = run_dir / "config.json"
        if cfg.is_file():  # a question either run trained on is never paired
            train |= set(orjson.loads(cfg.read_bytes()).get("train_qids") or [])
    rows = [[r for r in rs if r["qid"] not in train] for rs in rows]
    result = compare_runs(rows[0], rows[1], n=samples, seed=seed)
    result["excluded_train"] = len(train)
    if result["shared"] == 0:
        raise UserError(f"{run_a} and {run_b} share no scored question")
    if json:
        emit_json({"a": str(run_a), "b": str(run_b), **result})
        return
    out.print(compare_table(result, str(run_a), str(run_b)))
