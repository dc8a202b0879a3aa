"""What a layout of recalled demonstrations costs and what it answers, on the same ToolQA questions.

Why: stepwise recall re-ranks the pool before every step; when the demo block changes, llama.cpp
evaluates everything after the change again, every step (issue 17 measured stepwise at 8.5x the
prompt tokens of task-level recall). A cheaper layout is only worth having if it answers as well,
so this script runs the configurations on the same held-out questions and prints, side by side:
prompt tokens evaluated, completion tokens, seconds and thought length per question, the ratio
to the reference configuration, accuracy with a paired test against the first configuration,
and how often the answers agree.

Configurations (``--configs``, comma-separated; the first is the baseline of the paired tests,
``--ref`` the denominator of the ratios):

    rerank        stepwise recall, the demo block follows recall every step (sticky order)
    append        stepwise recall, step 1's block stays; a demo recalled later is added after it (at most 2)
    canonical     rerank with demos in canonical order (SEER_DEMO_ORDER=canonical)
    task          task-level recall (the demos of step 1 for the whole episode, no newcomers)
    append-t60    append with the thought capped at 60 characters (SEER_THOUGHT_MAX_CHARS)
    append-t0     append with no thought at all

    python tools/bench_layout.py run --out runs/layout --toolqa-dir ~/ToolQA --pool runs/coffee-pool \\
        --configs rerank,append,task --sample 20 --parallel 2     # 40 held-out coffee questions each
    python tools/bench_layout.py table runs/layout [--ref task] [--json]

``run`` calls ``seer eval toolqa`` once per configuration (coffee easy and hard, split 50/50 by
template with ``--seed``, only test questions scored, frozen pool, no LLM judge), each in its own
seer home so saved prefix states never cross configurations; rerunning resumes. With
``--parallel 2`` two configurations run at once on one llama.cpp thread each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CONFIGS = {  # name -> (--recall, environment)
    "rerank": ("stepwise", {"SEER_DEMO_LAYOUT": "rerank"}),
    "append": ("stepwise", {"SEER_DEMO_LAYOUT": "append"}),
    "canonical": ("stepwise", {"SEER_DEMO_LAYOUT": "rerank", "SEER_DEMO_ORDER": "canonical"}),
    "task": ("task", {}),
    "append-t60": ("stepwise", {"SEER_DEMO_LAYOUT": "append", "SEER_THOUGHT_MAX_CHARS": "60"}),
    "append-t0": ("stepwise", {"SEER_DEMO_LAYOUT": "append", "SEER_THOUGHT_MAX_CHARS": "0"}),
}


def seer_command() -> list[str]:
    exe = Path(sys.executable).parent / "seer"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from seer_cli.cli import main; main()"]


def eval_command(name: str, args) -> tuple[list[str], dict]:
    recall, env = CONFIGS[name]
    out = (args.out / name).resolve()
    cmd = [*seer_command(), "eval", "toolqa", "--split", "all", "--domains", args.domains, "--split-train", "0.5",
           "--sample", str(args.sample), "--seed", str(args.seed), "-k", str(args.k), "--max-steps", str(args.max_steps),
           "--no-judge", "--frozen", "--no-plots", "--recall", recall, "--toolqa-dir", str(args.toolqa_dir), "--out", str(out), "--json"]
    if args.pool:
        cmd += ["--pool", str(Path(args.pool).resolve())]
    if args.model:
        cmd += ["--model", args.model]
    full_env = dict(os.environ, SEER_HOME=str((args.out / f"home-{name}").resolve()), **env)
    if args.parallel > 1:
        full_env.setdefault("SEER_THREADS", "1")
    return cmd, full_env


def run(args) -> None:
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        raise SystemExit(f"--configs: unknown {unknown[0]!r}; choose from {', '.join(CONFIGS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    waiting, running = list(names), []
    while waiting or running:
        while waiting and len(running) < args.parallel:
            name = waiting.pop(0)
            cmd, env = eval_command(name, args)
            log = (args.out / f"{name}.log").open("a")
            print(f"start {name}: {' '.join(cmd[1:])}", flush=True)
            running.append((name, subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)))
        time.sleep(5)
        for name, p in list(running):
            if p.poll() is not None:
                running.remove((name, p))
                print(f"done {name}: exit {p.returncode}", flush=True)
    table(args.out, names, args.ref, as_json=False)


def load_rows(path: Path) -> dict[str, dict]:
    from seer_cli.rowlog import RowLog

    rows = RowLog(path / "results.jsonl").rows() if (path / "results.jsonl").exists() else []
    return {r["qid"]: r for r in rows if r.get("scored", True)}


def summarise(rows: list[dict]) -> dict:
    thoughts = [len(s.get("thought") or "") for r in rows for s in r.get("trace", [])]
    n = len(rows)
    return {
        "n": n,
        "lenient": sum(bool(r["lenient"]) for r in rows),
        "em": sum(bool(r["em"]) for r in rows),
        "tokens_evaluated": round(sum(r["tokens_evaluated"] for r in rows) / n, 1),
        "completion_tokens": round(sum(r["completion_tokens"] for r in rows) / n, 1),
        "seconds": round(sum(r["seconds"] for r in rows) / n, 1),
        "steps": round(sum(r["steps"] for r in rows) / n, 2),
        "thought_chars": round(statistics.mean(thoughts), 1) if thoughts else 0.0,
    }


def table(out: Path, names: list[str] | None, ref: str | None, as_json: bool) -> dict:
    from seer_cli.evals.scoring import mcnemar, paired_bootstrap

    names = names or sorted(p.name for p in out.iterdir() if p.is_dir() and p.name in CONFIGS)
    runs = {n: load_rows(out / n) for n in names}
    runs = {n: r for n, r in runs.items() if r}
    if not runs:
        raise SystemExit(f"{out}: no finished rows yet")
    names = list(runs)
    ref = ref if ref in runs else ("task" if "task" in runs else names[0])
    base = names[0]
    result = {"baseline": base, "ref": ref, "configs": {}}
    for n in names:
        # each comparison on the questions both of its runs answered: a reference cut short for
        # time still gives ratios on its questions, and the paired test keeps every pair it has
        with_base = sorted(set(runs[n]) & set(runs[base]))
        with_ref = sorted(set(runs[n]) & set(runs[ref]))
        s = summarise([runs[n][q] for q in with_base])
        mine, theirs = summarise([runs[n][q] for q in with_ref]), summarise([runs[ref][q] for q in with_ref])
        s["ref_questions"] = len(with_ref)
        s["tokens_ratio_to_ref"] = round(mine["tokens_evaluated"] / max(theirs["tokens_evaluated"], 1e-9), 2)
        s["seconds_ratio_to_ref"] = round(mine["seconds"] / max(theirs["seconds"], 1e-9), 2)
        s["agree_with_baseline"] = sum(str(runs[n][q]["prediction"]) == str(runs[base][q]["prediction"]) for q in with_base)
        if n != base:
            a = [bool(runs[n][q]["lenient"]) for q in with_base]
            b = [bool(runs[base][q]["lenient"]) for q in with_base]
            diff, lo, hi = paired_bootstrap(a, b)
            s["vs_baseline"] = {"points": round(100 * diff, 1), "ci": [round(100 * lo, 1), round(100 * hi, 1)],
                                "mcnemar_p": round(mcnemar(a, b), 3), "only_this": sum(x and not y for x, y in zip(a, b)),
                                "only_baseline": sum(y and not x for x, y in zip(a, b))}
        result["configs"][n] = s
    if as_json:
        print(json.dumps(result, indent=2))
        return result
    print(f"each row on the questions it shares with {base} (paired tests, lenient); ratios to {ref} on the questions it shares with {ref}\n")
    print("| config | lenient | EM | prompt tokens evaluated / q | x ref | completion tokens / q | seconds / q | x ref "
          "| steps / q | thought chars / step | same answer as baseline | vs baseline (points, 95 % CI, McNemar p) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, s in result["configs"].items():
        vs = s.get("vs_baseline")
        vs_text = f"{vs['points']:+.1f} [{vs['ci'][0]:+.1f}, {vs['ci'][1]:+.1f}] p = {vs['mcnemar_p']} ({vs['only_this']}/{vs['only_baseline']})" if vs else "baseline"
        print(f"| {n} | {s['lenient']}/{s['n']} | {s['em']}/{s['n']} | {s['tokens_evaluated']:.0f} | {s['tokens_ratio_to_ref']} (n={s['ref_questions']}) "
              f"| {s['completion_tokens']:.0f} | {s['seconds']} | {s['seconds_ratio_to_ref']} | {s['steps']} | {s['thought_chars']} "
              f"| {s['agree_with_baseline']}/{s['n']} | {vs_text} |")
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="one seer eval toolqa per configuration, then the table")
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--toolqa-dir", type=Path, default=os.environ.get("SEER_TOOLQA_DIR"), required="SEER_TOOLQA_DIR" not in os.environ)
    r.add_argument("--pool", help="the practised starting pool (name or path); default: the toolqa seed")
    r.add_argument("--configs", default="rerank,append,task")
    r.add_argument("--ref", default="task")
    r.add_argument("--domains", default="coffee")
    r.add_argument("--sample", type=int, default=20, help="test questions per split (easy, hard)")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("-k", type=int, default=4)
    r.add_argument("--max-steps", type=int, default=8)
    r.add_argument("--model", default=None)
    r.add_argument("--parallel", type=int, default=1)
    t = sub.add_parser("table", help="the table of finished (or partial) runs")
    t.add_argument("out", type=Path)
    t.add_argument("--configs", default="")
    t.add_argument("--ref", default="task")
    t.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "run":
        run(args)
    else:
        table(args.out, [n for n in args.configs.split(",") if n] or None, args.ref, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
