"""Where the seconds of a warm `seer run` go: imports, model load, embedder, pool, recall, the model.

Why: a user's second question should answer in about the time the model needs to read the new
part of its prompt and write its steps. Everything else (Python imports, opening the GGUF,
loading the embedder, opening the pool and its index, intent classification, recall) is overhead
that a warm run pays every time, because every `seer run` is a new process. This script makes
the home warm (model assembled, prefix states saved: one run first, not counted), then times,
in fresh processes:

1. ``seer run --json --no-learn QUESTION`` end to end (wall seconds), ``--repeats`` times;
2. the same path piece by piece, in the order ``seer run`` takes it (``--phases``): importing
   the CLI, settings, toolkit, embedder, pool (and its index), the model, then the episode split
   into intent, recall, model calls and tools (from the episode's own totals).

Prints one table (median over the repeats) with each part's share of the wall time.

    python tools/bench_warm_run.py                      # "What is 17 * 23?", 3 repeats
    python tools/bench_warm_run.py --question "What is 12% of 450?" --repeats 5 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_layout import seer_command  # noqa: E402  (the seer beside this Python, one definition)

PHASES = r'''
import json, sys, time
t0 = time.perf_counter()
marks = {}
def mark(name):
    global t0
    now = time.perf_counter(); marks[name] = now - t0; t0 = now
from seer_cli.cli import app  # noqa: F401  (what the entry point imports)
mark("import the CLI")
from seer_cli.config import load_settings
settings = load_settings()
mark("settings")
from seer_cli.toolkits.build import build_toolkit
kit = build_toolkit("general", settings=settings)
mark("toolkit")
from seer_cli.embedder import get_embedder
embedder = get_embedder()
embedder.embed("warm up")
mark("embedder load")
from seer_cli.pool import Pool
from seer_cli.agent.assemble import new_pool_seed
pool = Pool.open(settings.pool, settings, embedder=embedder, seed=new_pool_seed(settings, kit))
pool.experiences()
mark("pool open")
from seer_cli.backends.registry import get_backend
backend = get_backend(settings)
getattr(backend, "llm", None)
mark("model load")
from seer_cli.agent import Agent
from seer_cli.agent.steps import collect
agent = Agent(backend, kit, pool, embedder, settings)
ep = collect(agent.run(sys.argv[1]))
t = ep.final.totals
episode = time.perf_counter() - t0
marks["intent"] = t["intent_seconds"]
marks["recall"] = t["recall_ms"] / 1000
marks["model calls"] = t["llm_seconds"]
marks["tools"] = t["tool_seconds"]
marks["rest of the episode"] = max(0.0, episode - t["intent_seconds"] - t["recall_ms"] / 1000 - t["llm_seconds"] - t["tool_seconds"])
marks["_tokens"] = [t["prompt_tokens_evaluated"], t["prompt_tokens"], t["completion_tokens"], t["steps"]]
kit.close()
print(json.dumps(marks))
'''


def end_to_end(question: str, env: dict) -> tuple[float, dict]:
    start = time.perf_counter()
    p = subprocess.run([*seer_command(), "run", "--json", "--no-learn", question], capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit(f"seer run failed: {p.stderr.strip().splitlines()[-1:]}")
    return wall, json.loads(p.stdout).get("totals", {})


def phases(question: str, env: dict) -> dict:
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", PHASES, question], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        raise SystemExit(f"phases failed: {p.stderr.strip().splitlines()[-3:]}")
    marks = json.loads(p.stdout.strip().splitlines()[-1])
    marks["interpreter start and exit"] = max(0.0, wall - sum(v for k, v in marks.items() if not k.startswith("_")))
    marks["_wall"] = wall
    return marks


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--question", default="What is 17 * 23?")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--home", type=Path, default=None, help="seer home to use (default: a new temporary one, made warm first)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    home = args.home or Path(tempfile.mkdtemp(prefix="seer-warm-"))
    env = dict(os.environ, SEER_HOME=str(home))
    end_to_end(args.question, env)  # warm: the model assembled, the prefix states saved
    walls, totals = [], []
    for _ in range(args.repeats):
        wall, t = end_to_end(args.question, env)
        walls.append(wall)
        totals.append(t)
    runs = [phases(args.question, env) for _ in range(args.repeats)]
    keys = [k for k in runs[0] if not k.startswith("_")]
    median = {k: round(statistics.median(r[k] for r in runs), 3) for k in keys}
    result = {"question": args.question, "repeats": args.repeats, "seer_run_wall_seconds": round(statistics.median(walls), 2),
              "phases_wall_seconds": round(statistics.median(r["_wall"] for r in runs), 2), "phases": median,
              "tokens": {"prompt_tokens_evaluated": runs[0]["_tokens"][0], "prompt_tokens": runs[0]["_tokens"][1],
                         "completion_tokens": runs[0]["_tokens"][2], "steps": runs[0]["_tokens"][3]}}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    total = result["phases_wall_seconds"]
    print(f"warm `seer run --no-learn {args.question!r}`: {result['seer_run_wall_seconds']} s end to end "
          f"(median of {args.repeats}); the same path in phases: {total} s")
    tok = result["tokens"]
    print(f"prompt tokens evaluated {tok['prompt_tokens_evaluated']} of {tok['prompt_tokens']}, "
          f"{tok['completion_tokens']} generated, {tok['steps']} steps\n")
    print("| part | seconds | share |")
    print("|---|---|---|")
    for k, v in sorted(median.items(), key=lambda kv: -kv[1]):
        print(f"| {k} | {v:.2f} | {100 * v / total:.0f} % |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
