"""What a run means: summaries, tables, learning-curve plots and paired run comparison.

Why this module exists: ``results.jsonl`` is the record; everything people read (per-domain
accuracy beside the published baseline, accuracy per batch as the pool grows, "is run A really
better than run B") is derived here from it, so that a finished or half-finished run can be
re-reported at any time. Functions return values (dicts, Rich tables, file paths); the CLI prints.

Published baseline: ReAct with gpt-3.5-turbo, from the "Model Performances" tables of
``benchmark/README.md`` in night-chen/ToolQA (commit acf55534d6dcd81df84df7b5d01ebdd14508367a),
the same numbers as Tables 3-4 of the ToolQA paper (arXiv 2306.13304). They are success rates in
percent, scored by the official exact match.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

METRICS = ("em", "lenient", "llm")
REACT_GPT35 = {
    "easy": {"flight": 48.0, "coffee": 81.0, "agenda": 24.0, "yelp": 64.0, "dblp": 23.0, "gsm8k": 2.0, "scirex": 23.0, "airbnb": 29.0},
    "hard": {"flight": 5.0, "coffee": 17.7, "agenda": 7.0, "yelp": 8.0, "dblp": 7.0, "scirex": 5.0, "airbnb": 8.0},
}
REACT_SOURCE = "ReAct (GPT-3.5), ToolQA benchmark/README.md @ acf5553 (arXiv 2306.13304, Tables 3-4)"


def _acc(rows: list[dict[str, Any]], metric: str) -> float | None:
    vals = [bool(r[metric]) for r in rows if r.get("scored", True) and r.get(metric) is not None]
    return round(100.0 * sum(vals) / len(vals), 2) if vals else None


def _ci(rows: list[dict[str, Any]], metric: str) -> list[float] | None:
    from .scoring import wilson

    vals = [bool(r[metric]) for r in rows if r.get("scored", True) and r.get(metric) is not None]
    return list(wilson(sum(vals), len(vals))) if vals else None


def _group(rows, metric_rows) -> dict[str, Any]:
    return {"n": len(rows), **{m: _acc(metric_rows, m) for m in METRICS}, **{f"{m}_ci": _ci(metric_rows, m) for m in METRICS}}


def summarize(rows: list[dict[str, Any]], config=None) -> dict[str, Any]:
    """Accuracy (percent of scored questions) overall, per split/domain and per batch."""
    domains = []
    for split, domain in sorted({(r["split"], r["domain"]) for r in rows}):
        sub = [r for r in rows if r["split"] == split and r["domain"] == domain]
        domains.append({"split": split, "domain": domain, **_group(sub, sub), "react_gpt35": REACT_GPT35.get(split, {}).get(domain)})
    batches = []
    for b in sorted({r.get("batch", 0) for r in rows}):
        sub = [r for r in rows if r.get("batch", 0) == b]
        batches.append({"batch": b, **_group(sub, sub)})
    n = len(rows)
    return {
        "questions": n,
        "scored": sum(1 for r in rows if r.get("scored", True)),
        "overall": _group(rows, rows),
        "domains": domains,
        "batches": batches,
        "admitted": sum(1 for r in rows if r.get("admitted")),
        "seconds_per_question": round(sum(r.get("seconds", 0) for r in rows) / n, 2) if n else None,
        "tokens_evaluated": sum(r.get("tokens_evaluated", 0) for r in rows),
        "tokens_reused": sum(r.get("tokens_reused", 0) for r in rows),
        "baseline": REACT_SOURCE,
        "config": config.to_dict() if hasattr(config, "to_dict") else config,
    }


def _fmt(v) -> str:
    return "-" if v is None else f"{v:.1f}"


def _fmt_ci(d: dict[str, Any], metric: str) -> str:
    """``"40.0 [19.8, 64.3]"``: accuracy with its Wilson 95 % interval."""
    v, ci = d.get(metric), d.get(f"{metric}_ci")
    if v is None:
        return "-"
    return f"{v:.1f} [{ci[0]:.1f}, {ci[1]:.1f}]" if ci else f"{v:.1f}"


def domain_table(summary: dict[str, Any]):
    """A Rich table: one row per split/domain, our EM/lenient/LLM beside ReAct (GPT-3.5)."""
    from rich.table import Table

    t = Table(title="ToolQA accuracy (%, Wilson 95 % interval)", caption=f"baseline: {REACT_SOURCE}")
    for col in ("split", "domain", "n", "EM", "lenient", "LLM judge", "ReAct GPT-3.5"):
        t.add_column(col, justify="left" if col in ("split", "domain") else "right")
    for d in summary["domains"]:
        t.add_row(d["split"], d["domain"], str(d["n"]), _fmt_ci(d, "em"), _fmt_ci(d, "lenient"), _fmt(d["llm"]), _fmt(d["react_gpt35"]))
    o = summary["overall"]
    t.add_row("all", "all", str(o["n"]), _fmt_ci(o, "em"), _fmt_ci(o, "lenient"), _fmt(o["llm"]), "", style="bold")
    return t


def batch_table(summary: dict[str, Any]):
    from rich.table import Table

    t = Table(title="Learning curve: accuracy (%) per batch")
    for col in ("batch", "n", "EM", "lenient", "LLM judge"):
        t.add_column(col, justify="right")
    for b in summary["batches"]:
        t.add_row(str(b["batch"] + 1), str(b["n"]), _fmt(b["em"]), _fmt(b["lenient"]), _fmt(b["llm"]))
    return t


def write_plots(summary: dict[str, Any], out_dir: Path) -> list[Path]:
    """PNG plots (accuracy per domain, learning curve per batch); [] without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    doms = summary["domains"]
    if doms:
        fig, ax = plt.subplots(figsize=(max(6, len(doms) * 0.9), 4))
        xs: Sequence[int] = range(len(doms))
        width = 0.2
        for i, (key, label) in enumerate((("em", "EM"), ("lenient", "lenient"), ("llm", "LLM judge"), ("react_gpt35", "ReAct GPT-3.5"))):
            ax.bar([x + (i - 1.5) * width for x in xs], [d[key] or 0 for d in doms], width, label=label)
        ax.set_xticks(list(xs), [f"{d['domain']}\n{d['split']}" for d in doms])
        ax.set_ylabel("accuracy (%)")
        ax.set_ylim(0, 100)
        ax.legend(fontsize=8)
        fig.tight_layout()
        paths.append(out_dir / "accuracy_per_domain.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)
    if summary["batches"]:
        fig, ax = plt.subplots(figsize=(6, 4))
        xs = [b["batch"] + 1 for b in summary["batches"]]
        styles = {"em": ("EM", "--", "s"), "lenient": ("lenient", "-", "o"), "llm": ("LLM judge", ":", "^")}
        for key, (label, line, mark) in styles.items():  # EM often equals lenient: dashed, so both show
            ax.plot(xs, [b[key] if b[key] is not None else float("nan") for b in summary["batches"]],
                    linestyle=line, marker=mark, label=label)
        ax.set_xticks(xs)
        ax.set_xlabel("batch (questions in run order)")
        ax.set_ylabel("accuracy (%)")
        ax.set_ylim(0, 100)
        ax.legend(fontsize=8)
        fig.tight_layout()
        paths.append(out_dir / "learning_curve.png")
        fig.savefig(paths[-1], dpi=100)
        plt.close(fig)
    return paths


def compare_runs(a_rows: list[dict[str, Any]], b_rows: list[dict[str, Any]], *, n: int = 10000, seed: int = 0) -> dict[str, Any]:
    """Paired comparison of two runs on the scored questions both answered: per metric the
    accuracies, the difference A - B with a 95 % paired-bootstrap interval, and McNemar's exact p."""
    from .scoring import mcnemar, paired_bootstrap

    a = {r["qid"]: r for r in a_rows if r.get("scored", True)}
    b = {r["qid"]: r for r in b_rows if r.get("scored", True)}
    shared = sorted(set(a) & set(b))
    metrics: dict[str, dict[str, Any] | None] = {}
    for m in METRICS:
        qids = [q for q in shared if a[q].get(m) is not None and b[q].get(m) is not None]
        if not qids:
            metrics[m] = None
            continue
        xa = [bool(a[q][m]) for q in qids]
        xb = [bool(b[q][m]) for q in qids]
        diff, lo, hi = paired_bootstrap(xa, xb, n=n, seed=seed)
        metrics[m] = {
            "n": len(qids),
            "a": round(100.0 * sum(xa) / len(qids), 2),
            "b": round(100.0 * sum(xb) / len(qids), 2),
            "diff": round(100.0 * diff, 2),
            "ci95": [round(100.0 * lo, 2), round(100.0 * hi, 2)],
            "mcnemar_p": mcnemar(xa, xb),
            "only_a": sum(1 for x, y in zip(xa, xb) if x and not y),
            "only_b": sum(1 for x, y in zip(xa, xb) if y and not x),
        }
    return {"shared": len(shared), "only_in_a": len(set(a) - set(b)), "only_in_b": len(set(b) - set(a)), "metrics": metrics}


def compare_table(result: dict[str, Any], name_a: str, name_b: str):
    from rich.table import Table

    t = Table(title=f"A = {name_a}  vs  B = {name_b}  ({result['shared']} shared questions)")
    for col in ("metric", "n", "A %", "B %", "A - B", "95% CI", "McNemar p", "only A", "only B"):
        t.add_column(col, justify="left" if col == "metric" else "right")
    for m, r in result["metrics"].items():
        if r is None:
            t.add_row(m, "0", "-", "-", "-", "-", "-", "-", "-")
            continue
        t.add_row(m, str(r["n"]), _fmt(r["a"]), _fmt(r["b"]), f"{r['diff']:+.1f}", f"[{r['ci95'][0]:+.1f}, {r['ci95'][1]:+.1f}]", f"{r['mcnemar_p']:.3g}", str(r["only_a"]), str(r["only_b"]))
    return t
