"""One Markdown table of several `seer eval taubench` runs, task by task, with the floor beside.

Why: the runner's summary scores one run; comparing modes (none / static / stepwise frozen /
online) needs the same tasks side by side, each task marked when the do-nothing agent (transfer
at once) already gets reward 1 on it, and the cost of each mode (steps, prompt tokens evaluated,
seconds per episode). Only tasks that every run finished are scored, so a run stopped early
still compares fairly on what it did.

    python tools/tau_table.py runs/tau/ret-none runs/tau/ret-static runs/tau/ret-stepwise-frozen
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def load(run: Path) -> tuple[dict, list[dict]]:
    config = json.loads((run / "config.json").read_text())
    rows = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines() if line.strip()]
    return config, rows


def mode(config: dict) -> str:
    if config["recall"] == "none":
        return "none"
    if config["demos"] == "static":
        return "static demos"
    return f"{config['recall']} {'online' if config['online'] else 'frozen'}"


def main(argv=None) -> int:
    from seer_cli.evals.taubench.runner import do_nothing_floor
    from seer_cli.evals.taubench.env import load_tasks

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", type=Path, nargs="+")
    args = ap.parse_args(argv)
    runs = [(r, *load(r)) for r in args.runs]
    envs = {c["env"] for _, c, _ in runs}
    print("| env | run | mode | tasks | reward per task | pass^1 | floor on these tasks | steps / ep | tokens evaluated / ep | s / ep |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for env in sorted(envs):
        group = [(r, c, rows) for r, c, rows in runs if c["env"] == env]
        common = set.intersection(*({row["task"] for row in rows} for _, _, rows in group))
        tasks = {f"{t.env}-{c['split']}-{i}": t for _, c, _ in group for i, t in enumerate(load_tasks(env, c["split"]))}
        floor = {name: do_nothing_floor([tasks[name]])[0] == 1 for name in common}
        order = sorted(common, key=lambda n: int(n.rsplit("-", 1)[1]))
        for run, c, rows in group:
            rs = [row for row in rows if row["task"] in common]
            by = {row["task"]: row["reward"] for row in rs}
            cells = ", ".join(f"{n.rsplit('-', 1)[1]}{'*' if floor[n] else ''}: {by[n]:g}" for n in order)
            n = len(rs) or 1
            print(f"| {env} | {run.name} | {mode(c)} | {len(order)} | {cells} | {sum(by.values()) / max(1, len(by)):.2f} | "
                  f"{sum(floor.values())}/{len(order)} | {sum(r['steps'] for r in rs) / n:.1f} | "
                  f"{sum(r['tokens_evaluated'] for r in rs) / n:.0f} | {sum(r['seconds'] for r in rs) / n:.0f} |")
    print("\n`*`: a floor task (the do-nothing agent gets reward 1 on it).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
