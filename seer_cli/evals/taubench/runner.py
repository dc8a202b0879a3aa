"""Run the SEER agent on τ-bench: ``seer eval taubench``. Resumable, like the ToolQA runner.

A run directory holds::

    RUN_DIR/config.json     the TauConfig (``--resume RUN_DIR`` reads it back)
    RUN_DIR/pool/           the run's own pool: retail starts from the shipped
                            taubench-retail-seed (built from *train* tasks, never test); airline
                            has no train split, so its pool starts empty. --online adds
                            episodes with reward 1.0 that ended with the user leaving or a
                            transfer and called at least one tool
    RUN_DIR/results.jsonl   one row per (task, trial), appended and fsync'ed at once
    RUN_DIR/summary.json    pass^k, average reward, the do-nothing floor (rewritten at the end)

Everything the user can get wrong (env, split, sample size, a resume directory, the settings
file) is checked before the run directory is created, so a bad command leaves nothing behind.
A row is written before its trajectory may enter the pool, so a killed run never recalls its
own episode and ``--resume`` never runs a (task, trial) twice.

Scores: ``pass^k`` (τ-bench's metric) is the mean over tasks of C(c, k) / C(n, k) with n
trials of which c got reward 1.0; pass^1 is the average reward. Beside it: the *do-nothing
floor*, the pass^1 of an agent that transfers to a human at once (1.0 exactly on the tasks whose
gold database is the untouched one and that expect no output), and the SEER paper's numbers.
"""

from __future__ import annotations

import dataclasses
import random
import time
from dataclasses import dataclass
from math import comb
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, cast

from ...config import check_choice
from ...errors import UserError
from ..harness import Recorder, RunDir, open_run_pool, run_items
from ..plan import RunConfig
from .env import RESPOND, SPLITS, Task, TauEnv, check_env, db_hash, gold_hash, load_data, load_tasks

if TYPE_CHECKING:
    from ...agent.contracts import BackendLike, EmbedderLike, PoolLike
    from ...backends.openai_http import OpenAIBackend

SEED_POOLS = {"retail": "taubench-retail-seed", "airline": None}
PAPER = ("paper (SEER, arXiv 2508.15214, τ-bench): Qwen2.5-7B +7.44 points with SEER; "
         "Qwen2.5-72B 51.84 % with SEER vs GPT-4o 54.76 %")
OBS_CHARS = 2000  # observations kept per step in results.jsonl
USER_N_CTX = 4096  # the simulated user's context: its instruction and one short line per turn


@dataclass
class TauConfig(RunConfig):
    env: str = "retail"
    split: str = "test"
    sample: int | None = None  # N tasks drawn with --seed; None = all
    seed: int = 0
    trials: int = 1
    recall: str = "stepwise"
    demos: str = "recall"
    k: int = 4
    online: bool = True
    pool: str | None = None  # starting pool; None = the shipped seed of the env (if any)
    concurrency: int = 1
    model: str | None = None
    llm_url: str | None = None
    user_model: str | None = None  # the simulated user's own GGUF/alias; default: the agent's model
    user_url: str | None = None  # or its own OpenAI-compatible server
    max_steps: int = 30
    user_max_turns: int = 20

    def validate(self) -> "TauConfig":
        check_env(self.env, self.split)
        check_choice("recall", self.recall, "--recall")
        check_choice("demos", self.demos, "--demos")
        for name in ("trials", "concurrency", "max_steps", "user_max_turns"):
            if getattr(self, name) < 1:
                raise UserError(f"--{name.replace('_', '-')}: must be at least 1")
        if self.sample is not None and self.sample < 1:
            raise UserError("--sample: must be at least 1")
        if self.concurrency > 1 and not self.llm_url:
            raise UserError("--concurrency: more than 1 needs an HTTP backend (--llm-url); the in-process model runs one episode at a time")
        if self.concurrency > 1 and self.user_model and not self.user_url:
            raise UserError("--concurrency: more than 1 needs the simulated user on HTTP too (--user-url), not an in-process --user-model")
        return self


def plan(config: TauConfig) -> list[tuple[Task, int]]:
    """(task, trial) pairs in run order: the sampled tasks (file order), each ``trials`` times."""
    tasks = load_tasks(config.env, config.split)
    if config.sample is not None:
        if config.sample > len(tasks):
            raise UserError(f"--sample: {config.env} {config.split} has {len(tasks)} tasks, not {config.sample}")
        chosen = sorted(random.Random(config.seed).sample(range(len(tasks)), config.sample))
        tasks = [tasks[i] for i in chosen]
    return [(t, trial) for trial in range(config.trials) for t in tasks]


# --- scores ------------------------------------------------------------------------------------


def pass_hat_k(rows: list[dict[str, Any]], k: int) -> float | None:
    """τ-bench's pass^k: mean over tasks of C(c, k) / C(n, k); None when some task has < k trials."""
    by_task: dict[str, list[float]] = {}
    for r in rows:
        by_task.setdefault(r["task"], []).append(r["reward"])
    if not by_task or any(len(v) < k for v in by_task.values()):
        return None
    return sum(comb(sum(1 for x in v if x == 1.0), k) / comb(len(v), k) for v in by_task.values()) / len(by_task)


def do_nothing_floor(tasks: list[Task]) -> tuple[int, int]:
    """(tasks an agent that transfers at once solves, tasks): untouched gold database and no outputs."""
    if not tasks:
        return 0, 0
    initial = db_hash(load_data(tasks[0].env))
    return sum(1 for t in tasks if not t.outputs and gold_hash(t) == initial), len(tasks)


def summarize(rows: list[dict[str, Any]], config: TauConfig, tasks: list[Task]) -> dict[str, Any]:
    solved, n = do_nothing_floor(tasks)
    failed: dict[str, int] = {}
    reasons: dict[str, int] = {}
    for r in rows:
        failed[r["failed"] or "none"] = failed.get(r["failed"] or "none", 0) + 1
        reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
    mean = (lambda key: round(sum(r[key] for r in rows) / len(rows), 2)) if rows else (lambda key: None)
    return {
        "env": config.env,
        "split": config.split,
        "tasks": n,
        "trials": config.trials,
        "episodes": len(rows),
        "average_reward": round(sum(r["reward"] for r in rows) / len(rows), 4) if rows else None,
        "pass_hat_k": {str(k): pass_hat_k(rows, k) for k in range(1, config.trials + 1)},
        "floor": {"solved": solved, "tasks": n, "pass_hat_1": round(solved / n, 4) if n else None,
                  "what": "an agent that transfers to a human at once"},
        "failed_check": failed,
        "reasons": reasons,
        "mean_steps": mean("steps"),
        "mean_tool_calls": mean("tool_calls"),
        "mean_tokens_evaluated": mean("tokens_evaluated"),
        "mean_seconds": mean("seconds"),
        "paper": PAPER,
        "config": config.to_dict(),
    }


# --- one episode -------------------------------------------------------------------------------


def _conversation(first: str, actions: list) -> list[dict[str, Any]]:
    convo: list[dict[str, Any]] = [{"role": "user", "content": first}]
    for s in actions:
        if not s.tool:
            convo.append({"role": "assistant", "unparsed": s.raw, "error": s.error})
        elif s.tool == RESPOND:
            convo.append({"role": "assistant", "content": s.args.get("content", "")})
            if not s.error:
                convo.append({"role": "user", "content": s.observation})
        else:
            convo.append({"role": "tool", "name": s.tool, "args": s.args, "observation": s.observation[:OBS_CHARS]})
    return convo


def run_episode(task: Task, trial: int, *, backend: BackendLike, user_backend: BackendLike, pool: PoolLike,
                embedder: EmbedderLike, settings, config: TauConfig) -> tuple[dict[str, Any], Any]:
    """One conversation; returns (results row, the FinalStep)."""
    from ...agent.assemble import open_agent
    from ...agent.steps import Episode, collect
    from .toolkit import TauToolkit
    from .user import UserSimulator

    t0 = time.perf_counter()
    env = TauEnv(task.env, task)
    user = UserSimulator(user_backend, task.instruction, max_turns=config.user_max_turns, seed=config.seed + trial,
                         temperature=settings.temperature)
    settings = settings.replace(seed=config.seed + trial)  # trials differ when the temperature is above 0
    first = user.first_message()
    kit = TauToolkit(env, user)
    agent = open_agent(settings, kit, pool=pool, embedder=embedder, backend=backend, recall=config.recall, demos=config.demos,
                       k=config.k, max_steps=config.max_steps)
    ep = Episode() if kit.done else collect(agent.run(first))
    actions, final, start = ep.actions, ep.final, ep.task
    outcome = env.reward()
    calls = [s.tool for s in actions if s.tool and s.tool != RESPOND]
    row = {
        "task": task.tid,
        "env": task.env,
        "split": task.split,
        "index": task.index,
        "trial": trial,
        "reward": outcome.reward,
        "failed": outcome.failed,
        "missing_outputs": outcome.missing_outputs,
        "reason": final.reason if final else ("user-left" if kit.done else "none"),
        "user_stop": user.stop_reason,
        "transferred": env.done,
        "steps": len(actions),
        "tool_calls": len(calls),
        "tools": calls,
        "user_turns": user.turns,
        "intent": start.intent if start else None,
        "tokens_evaluated": ep.usage.prompt_tokens_evaluated + user.prompt_tokens_evaluated,
        "agent_tokens_evaluated": ep.usage.prompt_tokens_evaluated,
        "completion_tokens": ep.usage.completion_tokens + user.completion_tokens,
        "recalled": [[r.get("id") for r in s.recalled] for s in actions],
        "conversation": _conversation(first, actions),
    }
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return row, final


# --- the run -----------------------------------------------------------------------------------


def run_taubench(
    config: TauConfig,
    run_dir: Path,
    *,
    resume: bool = False,
    on_start: Callable[[int, int, tuple[int, int]], None] | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run (or continue) a τ-bench eval into ``run_dir``; returns the summary.

    ``on_start(total, already_done, floor)`` once the plan is known; ``on_result(row)`` per episode;
    ``on_warning(message)`` when the run measures something other than it seems to.
    """
    from ...embedder import get_embedder

    rd = RunDir(run_dir, key=lambda r: (r["task"], r["trial"]))
    run_dir = rd.path
    if resume:
        config = rd.load_config(TauConfig, "seer eval taubench")
    else:
        rd.refuse_existing()
    config.validate()
    planned = plan(config)
    tasks = list({t.tid: t for t, _ in planned}.values())
    floor = do_nothing_floor(tasks)
    if config.split == "train" and config.pool is None and SEED_POOLS[config.env] and config.recall != "none" and on_warning:
        on_warning(f"--split train: the {SEED_POOLS[config.env]} pool is built from train tasks, so recall can show "
                   "the very task being run; scores on train are not comparable to test")
    settings = _settings(config)  # before anything is written: a bad config file leaves no run dir
    backend, user_backend = _backends(config, settings)

    rd.start(config, resume=resume)
    embedder = get_embedder()
    pool = open_run_pool(run_dir, settings, embedder, seed=SEED_POOLS[config.env], start=config.pool)

    done = rd.results.done(repair=True)
    todo = [(t, trial) for t, trial in planned if (t.tid, trial) not in done]
    if on_start:
        on_start(len(planned), len(planned) - len(todo), floor)
    recorder = Recorder(rd.results, on_result)

    def one(item: tuple[Task, int]) -> None:
        task, trial = item
        row, final = run_episode(task, trial, backend=backend, user_backend=user_backend, pool=pool, embedder=embedder,
                                 settings=settings, config=config)
        recorder.record(row, _admission(row, final, pool, config, task, trial, run_dir.name))

    try:
        run_items(todo, one, config.concurrency)
    finally:
        pool.close()
    keys = {(t.tid, trial) for t, trial in planned}
    rows = [r for r in rd.results.rows() if (r["task"], r["trial"]) in keys]
    summary = summarize(rows, config, tasks)
    rd.write_summary(summary)
    return summary


def _settings(config: TauConfig):
    """The user's settings with the config's model and seed, and room for τ-bench's long
    observations (user and order JSON) and steps."""
    from ...config import load_settings

    s = load_settings()
    return s.replace(model=config.model, llm_url=config.llm_url, seed=config.seed, max_steps=config.max_steps,
                     step_max_tokens=max(s.step_max_tokens, 384),
                     prompt_observation_chars=max(s.prompt_observation_chars, 1500),
                     observation_max_chars=max(s.observation_max_chars, 1500),
                     demo_observation_chars=max(s.demo_observation_chars, 300))


def _admission(row: dict[str, Any], final, pool, config: TauConfig, task: Task, trial: int, run: str):
    """Decides ``row["admitted"]`` and returns the admission for :class:`Recorder` (None: none):
    only whole conversations that ended as they should (the user left or a transfer), called a
    tool and earned the reward. The row is written first: a killed run never recalls its own episode."""
    row["admitted"] = bool(config.online and row["reward"] == 1.0 and row["reason"] == "done" and row["tool_calls"] > 0)
    if not row["admitted"]:
        return None
    from ...agent.judge import admit_experience

    return lambda: admit_experience(pool, final.experience, "gold-reward", {"task": task.tid, "trial": trial, "run": run},
                                    require_finish=False)


def _backends(config: TauConfig, settings):
    """(the agent's backend, the simulated user's); servers are asked for their models now, so a
    wrong URL fails before the run directory exists."""
    from ...backends.registry import get_backend

    backend = get_backend(settings)
    if config.llm_url:
        cast("OpenAIBackend", backend).model  # noqa: B018  (an llm_url is the openai backend's)
    if config.user_model or config.user_url:
        user_backend = get_backend(dataclasses.replace(settings, model=config.user_model, llm_url=config.user_url, n_ctx=USER_N_CTX))
        if config.user_url:
            cast("OpenAIBackend", user_backend).model  # noqa: B018
    elif config.llm_url:
        user_backend = backend  # the same server plays the user
    else:  # the same model, its own in-process instance (backends are cached by n_ctx): each keeps its KV cache
        user_backend = get_backend(dataclasses.replace(settings, n_ctx=USER_N_CTX))
    return backend, user_backend


__all__ = ["TauConfig", "run_taubench", "pass_hat_k", "do_nothing_floor", "SPLITS"]
