"""Benchmark the SEER agent loop: recall cost, prompt-cache reuse, parse failures.

Why: stepwise recall is only worth it if it is cheap next to the LLM and does not wreck the
llama.cpp KV cache. This script measures, in one run on this machine:

1. recall at scale: a synthetic pool of N (default 10,000) experiences whose stored vectors are
   random (a hash-seeded stand-in embedder writes them: embedding 10k texts with MiniLM would
   only measure MiniLM), queried with the real MiniLM embedder. Per recall: embedding the
   history, index search, exact re-scoring (goal: search + rescore <= 2 ms at 10k);
2. episodes with the real bundled 0.5B model on invented questions, seeded general pool, for
   ``stepwise`` (sticky demo order), ``stepwise`` with demos re-sorted by score, ``task`` and
   ``none``: prompt tokens evaluated per episode (goal: stepwise <= 1.3x none), whole recall as
   % of the step's LLM time (goal <= 2 %), parse failures (goal 0).

3. levers of the prompt cost (``--levers kv``): the same questions answered back to back by one
   backend, as ``seer eval`` does (intent classified by the model, as in an eval), with the saved
   prefix states of the llama.cpp backend off (one-slot KV reuse only) and on: prompt tokens
   evaluated and seconds per question, completion tokens per LLM second, peak resident memory,
   and whether the answers are the same. Ratios come from one run on one machine.

Prints a table; ``--json`` prints the raw numbers.

    python tools/bench_agent.py                 # minutes on 2 idle cores
    python tools/bench_agent.py --modes stepwise,task,none --questions 4
    python tools/bench_agent.py --skip-episodes  # recall cost only
    python tools/bench_agent.py --skip-episodes --levers kv --questions 4 --modes stepwise,task
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

QUESTIONS = [  # (question, intent), invented for this benchmark; none is in the seed pool
    ("What is 29 * 31?", "math"),
    ("How many vowels are in the word 'encyclopedia'?", "code"),
    ("What is 12% of 450?", "math"),
    ("Convert 7 kilometers to miles.", "math"),
]
CONFIGS = {  # name -> (recall mode, demo order)
    "stepwise": ("stepwise", "sticky"),
    "stepwise-score": ("stepwise", "score"),
    "task": ("task", "sticky"),
    "none": ("none", "sticky"),
}

TOOLS = ["Calculate", "PythonInterpreter", "SQL", "Retrieve"]


class RandomEmbedder:
    """Stand-in embedder for the synthetic pool only: a unit vector seeded by the text's hash.

    It exists so a 10k-entry pool can be built in seconds; its vectors are never compared with
    real ones except in the timing loop, where only the cost of search and re-scoring matters.
    """

    dim = 384
    fingerprint = "bench-random-384"

    def embed_batch(self, texts):
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out

    def embed(self, text):
        return self.embed_batch([text])[0]


def synthetic_experiences(n: int, seed: int = 0):
    from seer_cli.pool.records import Experience, Step

    rng = np.random.default_rng(seed)
    intents = ["math", "python", "sql", "retrieve", "general"]
    exps = []
    for i in range(n):
        chain = list(rng.choice(TOOLS, size=int(rng.integers(1, 4))))
        steps = [Step(f"step {j} of task {i}", t, {"input": f"x{i}-{j}"}, f"obs {i}-{j}") for j, t in enumerate(chain)]
        steps.append(Step("done", "Finish", {"answer": str(i)}))
        exps.append(Experience(f"synthetic question number {i} about topic {i % 97}", steps, str(i),
                               intent=str(rng.choice(intents)), success_source="imported", origin="bench"))
    return exps


def bench_recall(n: int, repeats: int, embedder) -> dict:
    from seer_cli.config import load_settings
    from seer_cli.pool import Pool
    from seer_cli.pool.recall import Recaller
    from seer_cli.pool.records import Step

    settings = load_settings()
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        pool = Pool.open(Path(d) / "synthetic", settings, embedder=RandomEmbedder())
        pool.add(synthetic_experiences(n), dedup=False)
        build_s = time.perf_counter() - t0
        recaller = Recaller(pool, embedder, k=settings.k, m=settings.candidates_m, mode="stepwise")
        history = [Step("multiply the two numbers", "Calculate", {"expression": "29*31"}, "899")]
        parts = {"embed_ms": [], "search_ms": [], "rescore_ms": [], "total_ms": []}
        recaller.recall("What is 29 * 31?", "math", history)  # warm-up
        for i in range(repeats):
            h = history + [Step(f"check {i}", "Calculate", {"expression": f"{i}+1"}, "")]
            t = time.perf_counter()
            found = recaller.recall("What is 29 * 31?", "math", h)
            parts["total_ms"].append((time.perf_counter() - t) * 1000)
            for key, value in found.timings.items():
                parts[key].append(value)
    med = {k: statistics.median(v) for k, v in parts.items()}
    return {"pool_size": n, "build_seconds": round(build_s, 1), **{k: round(v, 3) for k, v in med.items()},
            "search_plus_rescore_ms": round(med["search_ms"] + med["rescore_ms"], 3)}


@contextlib.contextmanager
def general_agent_setup(require_states: bool = False):
    """(settings, backend, embedder, pool, toolkit) for episodes: the configured backend, the real
    embedder, and a seer home made for the run whose default pool is seeded from general-seed."""
    from seer_cli.backends.registry import get_backend
    from seer_cli.config import load_settings
    from seer_cli.embedder import get_embedder
    from seer_cli.pool import Pool
    from seer_cli.toolkits import get_toolkit

    backend = get_backend(load_settings())
    if require_states and not hasattr(backend, "states"):
        raise SystemExit("--levers kv needs the in-process llama.cpp backend (not --llm-url)")
    embedder = get_embedder()
    with tempfile.TemporaryDirectory() as d:
        os.environ["SEER_HOME"] = d
        settings = load_settings()
        pool = Pool.open("default", settings, embedder=embedder)  # seeded from general-seed
        kit = get_toolkit("general")
        try:
            yield settings, backend, embedder, pool, kit
        finally:
            kit.close()


def bench_episodes(questions: list[tuple[str, str]], configs: list[str], max_steps: int) -> list[dict]:
    from seer_cli.agent.assemble import open_agent

    rows = []
    with general_agent_setup() as (settings, backend, embedder, pool, kit):
        for name in configs:
            mode, order = CONFIGS[name]
            agent = open_agent(settings, kit, pool=pool, embedder=embedder, backend=backend, recall=mode, max_steps=max_steps, demo_order=order)
            evaluated, prompt, steps, parse, recall_pct, answers = [], [], 0, 0, [], []
            for q, intent in questions:
                # start every episode from a cold cache so the modes compare fairly
                backend.complete([{"role": "user", "content": "hi"}], max_tokens=1)
                final = None
                for step in agent.run(q, intent=intent):  # intent given: the same for every mode
                    if step.kind == "action":
                        steps += 1
                        parse += step.parse_failures
                        if step.seconds > 0:
                            recall_pct.append(100 * step.recall_ms / 1000 / step.seconds)
                    elif step.kind == "final":
                        final = step
                print(f"  {name}: {q!r} -> {final.answer!r} ({final.reason}, {final.totals['steps']} steps, "
                      f"{final.totals['prompt_tokens_evaluated']} tokens evaluated, {final.totals['seconds']:.0f} s)", file=sys.stderr)
                evaluated.append(final.totals["prompt_tokens_evaluated"])
                prompt.append(final.totals["prompt_tokens"])
                answers.append(final.answer)
            rows.append({
                "recall": mode, "order": order, "episodes": len(questions), "steps": steps,
                "evaluated_per_episode": round(statistics.mean(evaluated), 1),
                "prompt_per_episode": round(statistics.mean(prompt), 1),
                "recall_pct_of_llm": round(statistics.median(recall_pct), 3) if recall_pct else 0.0,
                "recall_pct_max": round(max(recall_pct), 3) if recall_pct else 0.0,
                "parse_failures": parse, "answers": answers,
            })
    return rows


def _rss_mb() -> float:
    """Resident memory of this process now, in MB (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def bench_kv(questions: list[tuple[str, str]], modes: list[str], max_steps: int) -> list[dict]:
    """Saved prefix states off, then on: one backend, questions back to back per mode."""
    from seer_cli.agent.assemble import open_agent
    from seer_cli.backends.prefix_states import PrefixStates

    rows = []
    with general_agent_setup(require_states=True) as (settings, backend, embedder, pool, kit):
        for kv in ("off", "on"):
            for name in modes:
                mode, order = CONFIGS[name]
                backend.states = PrefixStates(max(1, settings.kv_cache_mb) * 1024 * 1024) if kv == "on" else None
                backend.complete([{"role": "user", "content": "hi"}], max_tokens=1)  # a cold live cache
                agent = open_agent(settings, kit, pool=pool, embedder=embedder, backend=backend, recall=mode, max_steps=max_steps, demo_order=order)
                per_q, answers, completion, llm_s, rss = [], [], 0, 0.0, 0.0
                for q, _intent in questions:
                    final = None
                    for step in agent.run(q):  # intent classified by the model, as seer eval does
                        if step.kind == "final":
                            final = step
                    t = final.totals
                    per_q.append((t["prompt_tokens_evaluated"], t["prompt_tokens"], t["seconds"]))
                    completion += t["completion_tokens"]
                    llm_s += t["llm_seconds"]
                    answers.append(final.answer)
                    rss = max(rss, _rss_mb())
                    print(f"  kv {kv} {name}: {q!r} -> {final.answer!r} ({t['steps']} steps, {t['prompt_tokens_evaluated']} of "
                          f"{t['prompt_tokens']} prompt tokens evaluated, {t['seconds']:.1f} s)", file=sys.stderr)
                states = backend.states
                rows.append({
                    "kv_states": kv, "recall": mode, "order": order, "questions": len(questions),
                    "evaluated_per_question": round(statistics.mean(e for e, _, _ in per_q), 1),
                    "prompt_per_question": round(statistics.mean(p for _, p, _ in per_q), 1),
                    "seconds_per_question": round(statistics.mean(s for _, _, s in per_q), 2),
                    "completion_tokens_per_llm_second": round(completion / llm_s, 1) if llm_s else 0.0,
                    "rss_mb": round(rss), "answers": answers,
                    "states": {"saved": states.saved, "restored": states.restored, "mb": round(states.bytes / 2**20, 1)} if states else None,
                })
    return rows


def kv_table(con, rows: list[dict]) -> None:
    from rich.table import Table

    t = Table(title="Lever: saved prefix states (one backend, questions back to back)")
    for col in ("recall", "states", "evaluated / q", "prompt / q", "vs off", "s / q", "vs off", "completion tok / LLM s",
                "RSS MB", "restored / saved (MB)", "same answers as off"):
        t.add_column(col)
    for r in rows:
        off = next(x for x in rows if x["kv_states"] == "off" and x["recall"] == r["recall"] and x["order"] == r["order"])
        st = r["states"]
        t.add_row(f"{r['recall']} ({r['order']})", r["kv_states"], f"{r['evaluated_per_question']:.0f}", f"{r['prompt_per_question']:.0f}",
                  f"{r['evaluated_per_question'] / max(1, off['evaluated_per_question']):.2f}x", f"{r['seconds_per_question']:.1f}",
                  f"{r['seconds_per_question'] / max(1e-9, off['seconds_per_question']):.2f}x",
                  f"{r['completion_tokens_per_llm_second']:.1f}", str(r["rss_mb"]),
                  f"{st['restored']} / {st['saved']} ({st['mb']})" if st else "",
                  "yes" if r["answers"] == off["answers"] else f"no: {r['answers']} vs {off['answers']}")
    con.print(t)
    task = {r["kv_states"]: r for r in rows if r["recall"] == "task"}
    for r in rows:
        if r["recall"] == "stepwise" and r["kv_states"] in task:
            con.print(f"stepwise / task evaluated, states {r['kv_states']}: "
                      f"{r['evaluated_per_question'] / max(1, task[r['kv_states']]['evaluated_per_question']):.2f}x ({r['order']} order)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool-size", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--questions", type=int, default=3)
    ap.add_argument("--modes", default="stepwise,stepwise-score,none", help=f"comma-separated, from {', '.join(CONFIGS)}")
    ap.add_argument("--max-steps", type=int, default=5)
    ap.add_argument("--skip-episodes", action="store_true")
    ap.add_argument("--levers", default="", help="kv: saved prefix states off vs on (the --modes, --questions)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from seer_cli.embedder import get_embedder

    recall = bench_recall(args.pool_size, args.repeats, get_embedder())
    episodes = [] if args.skip_episodes else bench_episodes(QUESTIONS[: args.questions], args.modes.split(","), args.max_steps)
    kv = bench_kv(QUESTIONS[: args.questions], args.modes.split(","), args.max_steps) if "kv" in args.levers.split(",") else []
    if args.json:
        import orjson

        sys.stdout.write(orjson.dumps({"recall": recall, "episodes": episodes, "kv": kv}, option=orjson.OPT_INDENT_2).decode() + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    con = Console(width=150)
    t = Table(title=f"Recall at {recall['pool_size']:,} experiences (median of {args.repeats}; pool built in {recall['build_seconds']} s)")
    for col in ("embed history ms", "index search ms", "exact rescore ms", "search+rescore ms (goal <= 2)", "whole recall ms"):
        t.add_column(col, justify="right")
    t.add_row(*(f"{recall[k]:.3f}" for k in ("embed_ms", "search_ms", "rescore_ms", "search_plus_rescore_ms", "total_ms")))
    con.print(t)
    if episodes:
        base = next((r for r in episodes if r["recall"] == "none"), episodes[-1])["evaluated_per_episode"] or 1
        t = Table(title="Episodes with the bundled model (cold cache per episode)")
        for col in ("recall", "demo order", "episodes", "steps", "prompt tokens / ep", "evaluated / ep", "vs none (goal <= 1.3x)",
                    "recall % of LLM (median, max; goal <= 2)", "parse failures (goal 0)", "answers"):
            t.add_column(col)
        for r in episodes:
            t.add_row(r["recall"], r["order"], str(r["episodes"]), str(r["steps"]), f"{r['prompt_per_episode']:.0f}",
                      f"{r['evaluated_per_episode']:.0f}", f"{r['evaluated_per_episode'] / base:.2f}x",
                      f"{r['recall_pct_of_llm']:.2f} / {r['recall_pct_max']:.2f}", str(r["parse_failures"]),
                      ", ".join(str(a) for a in r["answers"]))
        con.print(t)
    if kv:
        kv_table(con, kv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
