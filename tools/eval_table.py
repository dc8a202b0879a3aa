"""Summarise several `seer eval toolqa` run directories: the README's tables and plot.

    python tools/eval_table.py RUN_DIR [RUN_DIR ...] [--baseline RUN_DIR] [--plot FILE.png]

Prints Markdown:
  1. one row per run and domain: questions, EM / lenient / llm-judge accuracy, mean seconds,
     mean prompt tokens evaluated (not served from the KV cache) and mean steps per question, and
     how episodes ended;
  2. lenient (and EM) correct per domain and run, beside the published ReAct (GPT-3.5) accuracy;
  3. one row per run over all its questions (the same columns), plus the run's cost relative to
     the baseline run (seconds and prompt tokens evaluated per question, a ratio measured in the
     same session on the same questions);
  4. with --baseline, the `seer eval compare` verdict of every other run against it (lenient and
     EM: paired difference, 95 % bootstrap interval, McNemar's p, questions only one side solved);
  5. the learning curve (lenient accuracy per batch) of every run with more than one batch;
  6. how often the LLM judge agrees with the lenient score.
--plot writes lenient accuracy per domain per run as grouped bars (needs matplotlib).
The run's mode (recall, demo source, online/frozen) comes from its saved config.json.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from seer_cli.evals.report import REACT_GPT35, compare_runs  # noqa: E402
from seer_cli.evals.scoring import wilson  # noqa: E402


def rows_of(run: Path) -> tuple[dict, list[dict]]:
    config = orjson.loads((run / "config.json").read_bytes()) if (run / "config.json").exists() else {}
    rows = [orjson.loads(line) for line in (run / "results.jsonl").read_bytes().splitlines() if line.strip()]
    return config, rows


def mode_of(config: dict) -> str:
    mode = config.get("recall", "?") if config.get("demos", "recall") == "recall" else "static demos"
    if config.get("demo_order") not in (None, "sticky"):
        mode += f", {config['demo_order']}"
    if config.get("practice_tries"):
        mode += f", practised ({config['practice_tries']} tries)"
    elif config.get("pool"):
        mode += f", pool {Path(config['pool']).parent.name or config['pool']}"
    if config.get("hint") not in (None, "intent"):
        mode += f", hint {config['hint']}"
    if config.get("dominant_margin") is not None:
        mode += f", dominant {config['dominant_margin']}"
    if config.get("k") not in (None, 4):
        mode += f", k={config['k']}"
    return mode + (" (online)" if config.get("online") else " (frozen)")


def wilson_cell(rows: list[dict], key: str) -> str:
    """``"9/16 (56 %, 33-77)"``: correct/scored with the Wilson 95 % interval."""
    scored = [r for r in rows if r.get("scored", True) and r.get(key) is not None]
    if not scored:
        return "-"
    k = sum(bool(r[key]) for r in scored)
    lo, hi = wilson(k, len(scored))
    return f"{k}/{len(scored)} ({100 * k / len(scored):.0f} %, {lo:.0f}-{hi:.0f})"


def frac(rows: list[dict], key: str) -> str:
    scored = [r for r in rows if r.get("scored", True) and r.get(key) is not None]
    return f"{sum(bool(r[key]) for r in scored)}/{len(scored)}" if scored else "-"


def cells(rows: list[dict]) -> list[str]:
    n = len(rows)
    ended = Counter(r.get("reason", "?") for r in rows)
    return [str(n), frac(rows, "em"), frac(rows, "lenient"), frac(rows, "llm"),
            f"{sum(r['seconds'] for r in rows) / n:.0f}", f"{sum(r['tokens_evaluated'] for r in rows) / n:.0f}",
            f"{sum(r['steps'] for r in rows) / n:.1f}", ", ".join(f"{k} {v}" for k, v in ended.most_common())]


HEAD = "| n | EM | lenient | llm judge | s/question | prompt tokens evaluated/question | steps/question | ended by |"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--baseline", type=Path, help="run the others are compared against")
    ap.add_argument("--plot", type=Path, help="write a PNG of lenient accuracy per domain per run")
    args = ap.parse_args(argv)
    runs = {run: rows_of(run) for run in args.runs}

    print("| run | mode | domain " + HEAD)
    print("|---" * 11 + "|")
    for run, (config, rows) in runs.items():
        by_domain: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            by_domain[f"{r['split']}/{r['domain']}"].append(r)
        for domain, rs in sorted(by_domain.items()):
            print(f"| {run.name} | {mode_of(config)} | {domain} | " + " | ".join(cells(rs)) + " |")

    # domain x run: the comparison at a glance, with the published ReAct (GPT-3.5) accuracy
    domains = sorted({(r["split"], r["domain"]) for _, rows in runs.values() for r in rows})
    print("\nLenient correct (accuracy, Wilson 95 % interval):\n")
    print("| domain | " + " | ".join(run.name for run in runs) + " | ReAct GPT-3.5 (paper) |")
    print("|---" * (len(runs) + 2) + "|")
    for split, domain in domains:
        line = f"| {split}/{domain} | "
        for run, (config, rows) in runs.items():
            rs = [r for r in rows if (r["split"], r["domain"]) == (split, domain)]
            line += (f"{wilson_cell(rs, 'lenient')}" if rs else "-") + " | "
        react = REACT_GPT35.get(split, {}).get(domain)
        print(line + (f"{react:.1f} %" if react is not None else "-") + " |")

    base_rows = runs[args.baseline][1] if args.baseline in runs else (rows_of(args.baseline)[1] if args.baseline else None)
    print("\n| run | mode " + HEAD + (" s/question vs baseline | tokens evaluated vs baseline |" if base_rows else ""))
    print("|---" * (10 + (2 if base_rows else 0)) + "|")
    for run, (config, rows) in runs.items():
        line = f"| {run.name} | {mode_of(config)} | " + " | ".join(cells(rows)) + " |"
        if base_rows:
            shared = {r["qid"] for r in base_rows} & {r["qid"] for r in rows}
            mine = [r for r in rows if r["qid"] in shared]
            base = [r for r in base_rows if r["qid"] in shared]
            sec = sum(r["seconds"] for r in mine) / max(1e-9, sum(r["seconds"] for r in base))
            tok = sum(r["tokens_evaluated"] for r in mine) / max(1, sum(r["tokens_evaluated"] for r in base))
            line += f" {sec:.2f}x | {tok:.2f}x |" if shared else " - | - |"
        print(line)

    if base_rows:
        print(f"\n`seer eval compare` against {args.baseline.name} (A = the run, B = the baseline):\n")
        print("| run | metric | n | A % | B % | A - B | 95 % CI | McNemar p | only A | only B |")
        print("|---" * 10 + "|")
        for run, (config, rows) in runs.items():
            if run == args.baseline:
                continue
            result = compare_runs(rows, base_rows)
            for metric in ("lenient", "em"):
                m = result["metrics"].get(metric)
                if m:
                    print(f"| {run.name} | {metric} | {m['n']} | {m['a']:.1f} | {m['b']:.1f} | {m['diff']:+.1f} | "
                          f"[{m['ci95'][0]:+.1f}, {m['ci95'][1]:+.1f}] | {m['mcnemar_p']:.3g} | {m['only_a']} | {m['only_b']} |")

    for run in runs:
        log = run / "practice.jsonl"
        if log.exists():
            prows = [orjson.loads(x) for x in log.read_bytes().splitlines() if x.strip()]
            hist = Counter(str(r["solved_at"]) if r.get("solved_at") else "never" for r in prows)
            by_dom = Counter(r["id"].split("-")[0] + "/" + r["id"].split("-")[1] for r in prows if r.get("solved_at"))
            tries = [t for r in prows for t in r["tries"]]
            variants = Counter(t["variant"] for r in prows for t in r["tries"] if t.get("verdict"))
            print(f"\nPractice in {run.name}: {sum(1 for r in prows if r.get('solved_at'))} of {len(prows)} train questions solved; "
                  "solved at " + ", ".join(f"try {k}: {hist[k]}" for k in sorted(k for k in hist if k != "never"))
                  + f", never: {hist['never']}; by variant: {dict(variants)}; per split/domain: {dict(by_dom)}; "
                  f"{len(tries)} tries, {sum(t['seconds'] for t in tries) / max(1, len(tries)):.0f} s and "
                  f"{sum(t['tokens_evaluated'] for t in tries) / max(1, len(tries)):.0f} prompt tokens evaluated per try")

    curves = {run: rows for run, (config, rows) in runs.items() if len({r.get("batch", 0) for r in rows}) > 1}
    if curves:
        print("\nLearning curve (lenient correct / questions, per batch in run order):\n")
        for run, rows in curves.items():
            parts = []
            for b in sorted({r.get("batch", 0) for r in rows}):
                rs = [r for r in rows if r.get("batch", 0) == b]
                parts.append(f"batch {b + 1}: {frac(rs, 'lenient')}")
            admitted = sum(bool(r.get("admitted")) for r in rows)
            print(f"- {run.name} ({mode_of(runs[run][0])}): " + "; ".join(parts) + f"; {admitted} trajectories admitted")

    judged = [r for _, rows in runs.values() for r in rows if r.get("llm") is not None and r.get("scored", True)]
    if judged:
        right = [r for r in judged if r["lenient"]]
        wrong = [r for r in judged if not r["lenient"]]
        print(f"\nLLM judge against the lenient score, all runs: [Match] on {sum(r['llm'] for r in right)} of "
              f"{len(right)} lenient-correct answers and on {sum(r['llm'] for r in wrong)} of {len(wrong)} lenient-wrong "
              f"ones ({sum(r['llm'] for r in wrong if r['finished'])} of {sum(1 for r in wrong if r['finished'])} finished wrong answers).")

    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        domains = sorted({f"{r['split']}/{r['domain']}" for _, rows in runs.values() for r in rows})
        width = 0.8 / len(runs)
        fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(domains)), 4))
        for i, (run, (config, rows)) in enumerate(runs.items()):
            acc = []
            for d in domains:
                rs = [r for r in rows if f"{r['split']}/{r['domain']}" == d and r.get("scored", True)]
                acc.append(100.0 * sum(bool(r["lenient"]) for r in rs) / len(rs) if rs else 0.0)
            ax.bar([j + i * width for j in range(len(domains))], acc, width, label=f"{run.name}")
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(domains))], domains)
        ax.set_ylabel("lenient accuracy (%)")
        ax.set_title("ToolQA accuracy per domain per mode")
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        print(f"\nplot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
