"""Run the agent over ToolQA questions: resumable, optionally learning online.

Why this module exists: an eval is hours of model time on a laptop, so it must survive being
killed, must not touch the user's pools, and must record enough per question to compare runs.

A run directory holds::

    RUN_DIR/config.json     the EvalConfig (``--resume RUN_DIR`` reads it back)
    RUN_DIR/pool/           the run's own pool: a copy of the starting pool (toolqa-seed unless
                            --pool says otherwise); --online adds judged successes to it
    RUN_DIR/results.jsonl   one row per finished question, appended and fsync'ed at once
    RUN_DIR/summary.json    accuracies per domain and per batch (rewritten at the end)

Guarantees: a row is written (and fsync'ed) before the next question starts and before its
trajectory is added to the pool, so after a ``kill -9`` every finished question is kept, none is
run twice on ``--resume``, and no question can recall its own successful trajectory. A torn last
line (killed mid-write) is cut off on resume. The question order is a pure function of the config
(``--seed`` shuffles, ``--batches`` splits), so a resumed run continues the same plan.

Each question is scored three ways (EM, lenient, LLM judge: the agent's backend unless
``--judge-model``/``--judge-url`` name a stronger one); ``--admit``
picks which verdict lets a trajectory into the pool when ``--online``.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, cast

from ..config import check_choice
from ..errors import UserError
from . import scoring
from .harness import Recorder, RunDir, open_run_pool, run_items
from .plan import ADMIT, SEED_POOL, EvalConfig, Planned, plan
from .toolqa import Question, load_questions

if TYPE_CHECKING:
    from ..backends.openai_http import OpenAIBackend

# --- results file ----------------------------------------------------------------------------


def read_results(run_dir: Path, *, repair: bool = False) -> list[dict[str, Any]]:
    """Rows of ``results.jsonl`` (see :class:`seer_cli.evals.harness.RowLog`)."""
    return RunDir(run_dir, key="qid").results.rows(repair=repair)


# --- running -----------------------------------------------------------------------------------


class _Worker(threading.local):
    agent = None


TRACE_CHARS = 400  # observations and unparsed output are cut to this in results.jsonl


def _trace(actions: list) -> list[dict[str, Any]]:
    """What the agent did, step by step, so a wrong answer can be read without rerunning it."""
    out = []
    for s in actions:
        item = {"thought": s.thought, "tool": s.tool, "args": s.args, "observation": s.observation[:TRACE_CHARS]}
        if s.error:
            item["error"] = s.error[:TRACE_CHARS]
        if s.raw:
            item["raw"] = s.raw[:TRACE_CHARS]
        out.append(item)
    return out


def _settings(config: EvalConfig):
    """The run's settings: the user's, with what the config fixes; recorded back into the config
    so a resumed run keeps what it started with and the config says what was measured."""
    from ..config import load_settings

    settings = load_settings().replace(model=config.model, llm_url=config.llm_url, max_steps=config.max_steps, seed=config.seed,
                                       demo_order=config.demo_order, demo_layout=config.demo_layout,
                                       thought_max_chars=config.thought_max_chars, hint=config.hint, dominant_margin=config.dominant_margin,
                                       w_utility=config.w_utility)
    check_choice("hint", settings.hint, "--hint")
    config.demo_order, config.hint = settings.demo_order, settings.hint
    config.demo_layout, config.thought_max_chars = settings.demo_layout, settings.thought_max_chars
    config.dominant_margin, config.w_utility = settings.dominant_margin, settings.w_utility
    return settings


def _row(q: Question, p: Planned, ep) -> dict[str, Any]:
    """A results row before scoring: what was asked, what the agent did."""
    finished, pred, usage = ep.finished, ep.answer, ep.usage
    return {
        "qid": q.qid,
        "domain": q.domain,
        "split": q.split,
        "question": q.question,
        "gold": q.answer,
        "scored": q.scored,
        "prediction": pred,
        "finished": finished,
        "reason": ep.reason,
        "em": scoring.em_match(pred, q.answer) if finished else False,
        "lenient": scoring.lenient_match(pred, q.answer) if finished else False,
        "llm": None,
        "steps": len(ep.actions),
        "tools": ep.tools,
        "recalled": [[r.get("id") for r in s.recalled] for s in ep.actions],
        "tokens_evaluated": usage.prompt_tokens_evaluated,
        "tokens_reused": sum(s.prompt_tokens_reused for s in ep.actions),
        "completion_tokens": usage.completion_tokens,
        "batch": p.batch,
        "intent": ep.task.intent if ep.task else None,
        "trace": _trace(ep.actions),
    }


def run_eval(
    config: EvalConfig,
    run_dir: Path,
    *,
    resume: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    on_index: Callable[[int, int, str], None] | None = None,
    on_practice_start: Callable[[int, int], None] | None = None,
    on_practice: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run (or continue) an eval into ``run_dir``; returns the summary.

    ``on_start(total, already_done)`` is called once the plan is known, ``on_result(row)`` after
    every finished question, ``on_warning(message)`` for skipped domains, ``on_index(done, total,
    what)`` while a retrieval corpus is embedded (once per machine, minutes for scirex).
    """
    from ..embedder import get_embedder

    rd, config, planned, practice_qs, settings = _open_run(config, run_dir, resume, on_warning)
    embedder = get_embedder()
    pool = open_run_pool(rd.path, settings, embedder, seed=SEED_POOL, start=config.pool)
    backend, judge_backend = _backends(config, settings)
    done = rd.results.done(repair=True)
    todo = [p for p in planned if p.question.qid not in done]
    if on_start:
        on_start(len(planned), len(planned) - len(todo))
    run = _Episodes(config, settings, rd, pool, embedder, backend, judge_backend, Recorder(rd.results, on_result), on_index)
    try:
        if practice_qs:
            with run.recorder.lock:
                _practise(run.agent(), practice_qs, config, rd.path, judge_backend, on_practice_start, on_practice)
        check_leakage(pool, [p.question for p in todo], embedder)
        for batch in sorted({p.batch for p in todo}):
            run_items([p for p in todo if p.batch == batch], run.one, config.concurrency)
    finally:
        pool.close()
    return _summary(rd, config)


def _open_run(config: EvalConfig, run_dir: Path, resume: bool, on_warning):
    """Everything checked before anything is written (a bad config file leaves no run dir
    behind): ``(RunDir, config, planned, practice questions, settings)``."""
    rd = RunDir(run_dir, key="qid")
    if resume:
        config = rd.load_config(EvalConfig, "seer eval")
    else:
        rd.refuse_existing()
    config.validate()
    planned = plan(config)
    wanted = set(config.practice_qids)
    practice_qs = [q for q in load_questions(config.split, config.domains and list(config.domains),
                                             Path(config.toolqa_dir) if config.toolqa_dir else None) if q.qid in wanted]
    for message in config.skipped:
        if on_warning:
            on_warning(message)
    settings = _settings(config)
    rd.start(config, resume=resume)
    return rd, config, planned, practice_qs, settings


class _Episodes:
    """One scored question at a time: each worker thread's agent, the row, its admission."""

    def __init__(self, config: EvalConfig, settings, rd: RunDir, pool, embedder, backend, judge_backend, recorder: Recorder, on_index):
        self.config, self.settings, self.rd, self.pool = config, settings, rd, pool
        self.embedder, self.backend, self.judge_backend = embedder, backend, judge_backend
        self.recorder, self.on_index = recorder, on_index
        self.local = _Worker()
        self.data_dir: str | Path | None = config.toolqa_dir
        if self.data_dir is None:  # gsm8k only: the toolkit still wants a directory (its tables stay unused)
            self.data_dir = rd.path / "no-corpus"
            self.data_dir.mkdir(exist_ok=True)

    def agent(self):
        if self.local.agent is None:
            from ..agent.assemble import open_agent
            from ..toolkits import get_toolkit

            s, c = self.settings, self.config
            kit = get_toolkit("toolqa", data_dir=self.data_dir, strict=c.strict, cache_dir=s.cache_dir,
                              sandbox_timeout=s.sandbox_timeout, sandbox_memory_mb=s.sandbox_memory_mb, on_progress=self.on_index)
            self.local.agent = open_agent(s, kit, pool=self.pool, embedder=self.embedder, backend=self.backend, recall=c.recall,
                                          demos=c.demos, k=c.k, max_steps=c.max_steps)
        return self.local.agent

    def one(self, p: Planned) -> dict[str, Any]:
        from ..agent.steps import collect

        q, config = p.question, self.config
        t0 = time.perf_counter()
        a = self.agent()
        ep = collect(a.run(q.question))
        row = _row(q, p, ep)
        if config.judge:
            row["llm"] = bool(ep.finished and q.scored and scoring.llm_judge(self.judge_backend, q.question, ep.answer, q.answer))
        row["seconds"] = round(time.perf_counter() - t0, 3)
        verdict = {"em": row["em"], "lenient": row["lenient"], "llm": bool(row["llm"])}[config.admit]
        row["admitted"] = bool(config.online and ep.finished and q.scored and verdict)
        admit = None
        if row["admitted"]:
            final = ep.final
            assert final is not None  # admitted: the episode finished
            admit = lambda: a.learn(final.experience, ADMIT[config.admit], {"qid": q.qid, "run": self.rd.path.name})  # noqa: E731
        self.recorder.record(row, admit)  # first the row: a killed run never recalls its own answer
        return row


def _summary(rd: RunDir, config: EvalConfig) -> dict[str, Any]:
    from .report import summarize

    summary = summarize(rd.results.rows(), config)
    log = rd.path / "practice.jsonl"
    if config.practice_tries and log.exists():
        from ..practice.answered import histogram, read_log

        summary["practice"] = histogram(read_log(log), config.practice_tries)
    rd.write_summary(summary)
    return summary


def _backends(config: EvalConfig, settings):
    """(the agent's backend, the LLM judge's): servers are asked for their models now, so a wrong
    URL fails before the run, not hours in."""
    from ..backends.registry import get_backend

    backend = get_backend(settings)
    judge_backend = backend
    if config.judge and (config.judge_model or config.judge_url):
        judge_backend = get_backend(settings.replace(model=config.judge_model, llm_url=config.judge_url))
    for url, b in ((config.llm_url, backend), (config.judge_url if config.judge else None, judge_backend)):
        if url:
            cast("OpenAIBackend", b).model  # noqa: B018  (asks the server for its model list; an llm_url is the openai backend's)
    return backend, judge_backend


def _practise(agent, questions: list[Question], config: EvalConfig, run_dir: Path, judge_backend, on_start, on_task) -> None:
    """Practise the train questions into the run's pool before any test question is scored."""
    from ..practice.answered import Task, practice_tasks

    judge_fn = None
    if config.admit == "llm":
        judge_fn = lambda q, gold, pred: scoring.llm_judge(judge_backend, q, pred, gold)  # noqa: E731
    tasks = [Task(q.qid, q.question, q.answer, q.where) for q in questions if q.scored]
    practice_tasks(agent, tasks, run_dir / "practice.jsonl", tries=config.practice_tries, admit=config.admit,
                   llm_judge=judge_fn, seed=config.seed, details={"run": run_dir.name}, on_start=on_start, on_task=on_task)


# --- leakage -------------------------------------------------------------------------------------

LEAK_COSINE = 0.98


def _slots(text: str) -> tuple[str, ...]:
    """Dates and numbers of a question: two questions of one template differ only in these."""
    import re

    return tuple(re.findall(r"\d+(?:[.-]\d+)*", text))


def check_leakage(pool, questions: list[Question], embedder, *, threshold: float = LEAK_COSINE) -> None:
    """Raise :class:`UserError` when a question about to be scored is already in the pool: the
    same text after ToolQA's normalisation, or an embedding cosine >= ``threshold`` with the same
    dates and numbers (a paraphrase). Questions of one template with other dates are not leaks:
    that is the transfer practice is for."""
    import numpy as np

    if not questions or pool is None or not len(pool):
        return
    exps = pool.experiences()
    norm = {scoring.normalize_answer(e.question): i for i, e in enumerate(exps)}
    for q in questions:
        i = norm.get(scoring.normalize_answer(q.question))
        if i is not None:
            raise UserError(f"leakage: test question {q.qid} ({q.where}) is in the run's pool (line {i + 1}); "
                            "a scored question must never be recalled")
    vecs = embedder.embed_batch([q.question for q in questions])
    sims = np.asarray(vecs, dtype=np.float32) @ pool.vectors("question").T
    for qi, q in enumerate(questions):
        for j in np.nonzero(sims[qi] >= threshold)[0]:
            if _slots(exps[int(j)].question) == _slots(q.question):
                raise UserError(f"leakage: test question {q.qid} ({q.where}) has a near-duplicate in the run's pool "
                                f"(line {int(j) + 1}, cosine {float(sims[qi][j]):.3f}, same dates and numbers)")
