"""What the model sees of the passage it needs: Retrieve ranked by its query alone or with the question too.

Why: on a docqa set the evidence of a question lies inside Retrieve's top 3 passages far more often
than inside the snippets the model is shown, and the 1.5B's queries drop what a question turns on
("package installation and removal scripts" for "What must a package's install and removal scripts
do when there is no terminal to talk to the user?"). This bench takes the model's own first call
for each question, then replays its query through Retrieve's ranking two ways (the query alone; the
query fused with the question, as inside an episode) and counts where the verbatim evidence shows:
inside the 3 passages, and inside the snippets for each snippet budget.

    # 1. the model's first step per question (one model process, ~15 s a question on 2 cores)
    SEER_HOME=H python tools/bench_retrieve_words.py queries --docs evals/docqa-dev/docs \\
        --questions evals/docqa-dev/questions.jsonl --out runs/queries-dev.jsonl
    # 2. no model: where the evidence shows, per ranking and snippet budget
    SEER_HOME=H python tools/bench_retrieve_words.py shown --docs evals/docqa-dev/docs \\
        --questions evals/docqa-dev/questions.jsonl --queries runs/queries-dev.jsonl

``queries`` is resumable (one row per question). ``shown`` prints one line per (ranking, budget) and
the paired difference of the chosen pair (bootstrap 95 % interval, exact McNemar p).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_docqa as bd  # noqa: E402  (its evidence matching: lower-cased, whitespace removed)

BUDGETS = {"220x3 (before)": (220, 220, 220), "300/300/150 (now)": (300, 300, 150), "320x2": (320, 320)}


def first_calls(docs: Path, questions: Path, out: Path) -> None:
    """The model's first step for each question (tool and arguments), one row each, resumable."""
    from seer_cli.agent import ActionStep
    from seer_cli.agent.assemble import open_agent
    from seer_cli.config import load_settings
    from seer_cli.toolkits import get_toolkit

    done = {json.loads(line)["id"] for line in out.open()} if out.exists() else set()
    kit = get_toolkit("general", docs=docs, on_warning=lambda m: None)
    try:
        kit.prepare()
        agent = open_agent(load_settings(), kit, max_steps=1)
        for line in questions.open():
            q = json.loads(line)
            if q["id"] in done:
                continue
            steps = [s for s in agent.run(q["question"]) if isinstance(s, ActionStep)]
            row = {"id": q["id"], "tool": steps[0].tool if steps else None, "args": steps[0].args if steps else None}
            with out.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(json.dumps(row), flush=True)
    finally:
        kit.close()


def shown(docs: Path, questions: Path, queries: Path, as_json: bool) -> dict:
    """Per question whose first call was Retrieve: evidence inside the top 3 passages and inside
    the snippets, for the query alone and for query + question, per budget of :data:`BUDGETS`."""
    from seer_cli.evals.scoring import mcnemar, paired_bootstrap
    from seer_cli.toolkits.general import GeneralToolkit
    from seer_cli.toolkits.retrieval import snippet

    qs = {q["id"]: q for q in (json.loads(line) for line in questions.open())}
    firsts = [r for r in (json.loads(line) for line in queries.open()) if r["tool"] == "Retrieve"]
    kit = GeneralToolkit(docs=docs, on_warning=lambda m: None)
    rows = []
    try:
        for f in firsts:
            q, query = qs[f["id"]], str(f["args"]["query"])
            row = {"id": f["id"], "query": query}
            for ranking, also in (("query", None), ("fused", q["question"])):
                hits = kit.search_documents(query, 3, also=also)
                words = f"{query} {also}" if also else query
                row[f"{ranking}:passages"] = any(bd.contains(q["evidence"], c.text) for c in hits)
                for name, budget in BUDGETS.items():
                    row[f"{ranking}:{name}"] = any(bd.contains(q["evidence"], snippet(c.text, words, n)) for c, n in zip(hits, budget))
            rows.append(row)
    finally:
        kit.close()
    keys = [k for k in rows[0] if ":" in k] if rows else []
    totals = {k: sum(r[k] for r in rows) for k in keys}
    a = [r["fused:300/300/150 (now)"] for r in rows]
    b = [r["query:220x3 (before)"] for r in rows]
    diff, lo, hi = paired_bootstrap(a, b)
    result = {"questions": len(qs), "retrieve_first": len(rows), "totals": totals,
              "now_minus_before": {"points": round(100 * diff, 1), "ci": [round(100 * lo, 1), round(100 * hi, 1)],
                                   "mcnemar_p": round(mcnemar(a, b), 3),
                                   "only_now": sum(x and not y for x, y in zip(a, b)), "only_before": sum(y and not x for x, y in zip(a, b))},
              "rows": rows}
    if as_json:
        print(json.dumps(result, indent=1))
    else:
        print(f"{len(rows)} of {len(qs)} questions opened with Retrieve; evidence shown (of {len(rows)}):")
        for k, v in totals.items():
            print(f"  {k:32} {v}")
        p = result["now_minus_before"]
        print(f"fused 300/300/150 - query 220x3: {p['points']:+.1f} points [{p['ci'][0]:+.1f}, {p['ci'][1]:+.1f}], "
              f"McNemar p = {p['mcnemar_p']} ({p['only_now']} only now, {p['only_before']} only before)")
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("queries", "shown"):
        p = sub.add_parser(name)
        p.add_argument("--docs", type=Path, required=True)
        p.add_argument("--questions", type=Path, required=True)
        if name == "queries":
            p.add_argument("--out", type=Path, required=True)
        else:
            p.add_argument("--queries", type=Path, required=True)
            p.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "queries":
        first_calls(args.docs, args.questions, args.out)
    else:
        shown(args.docs, args.questions, args.queries, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
