"""The newcomer benchmark: a new user's own table, documents and tools, asked through `seer run`.

Why: seer's benchmarks (ToolQA, τ-bench) come with their own toolkits; a user brings a CSV, a
folder of notes and a Python file of functions. This script makes such a user's files (seeded, so
every run sees the same bytes), asks 24 questions of five kinds, and the six tool questions again over MCP,
through the real `seer run` command line, exactly as a user types it, and scores the answers:

    data   8  a 144-row shop orders CSV (`--data`): filters by year and month, group-by, averages,
              counts, a share of a total
    docs   6  two Markdown documents (`--docs`): facts (retrieve-then-answer) and facts to compute
              with (retrieve-then-calculate)
    tools  6  a Python file with two typed functions and one-line docstrings (`--tools`)
    mcp    6  the same six questions, the same two functions served by an MCP server over stdio
              (`--mcp "python shop_mcp.py"`, written with the official SDK's server side)
    math   2  / code 2: no files

Each kind gets only the option a user would give for it. Every question runs in a fresh process
on the default pool of a seer home made for the run (seeded from `pools/general-seed`, never
written: `--no-learn`), so questions are independent and the order does not matter.

The questions and files are invented for this suite, and are not a tuning set: none of them is in
a seed pool (`tests/test_newcomer_suite.py` checks text and embedding similarity). Their answers
are computed from the generated files, not written by hand.

Scoring: ``found`` = the gold answer is in the reply (a number anywhere in it equal to the gold at
the gold's precision, or the gold words in order), which is what a user reading the reply checks;
``lenient`` = seer's ToolQA lenient match (the reply *is* the answer).

    python tools/newcomer_suite.py run --out runs/newcomer            # ~15 min on 2 cores
    python tools/newcomer_suite.py run --out runs/old --seer "/path/to/old/bin/seer"
    python tools/newcomer_suite.py run --out runs/auto --auto 30      # seer practice --auto 30 on the files first
    python tools/newcomer_suite.py table runs/newcomer [runs/old]     # scores, paired difference
    python tools/newcomer_suite.py make DIR                           # only write the files

`run` is resumable (one fsync'ed row per question in ``results.jsonl``); ``--kinds data,docs``
runs a subset; ``--json`` prints the summary as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from suite_harness import (  # noqa: E402, F401  (scoring, asking, tables: shared with the real-files suites)
    KINDS, ask, default_seer, found, load, pin_model, practise, progress_line, summary, table)

from seer_cli.rowlog import RowLog  # noqa: E402

PRODUCTS = {"Lamp": 24.5, "Kettle": 39.0, "Toaster": 32.0, "Blender": 58.0}
REGIONS = ["North", "South", "East", "West"]
DAYS = [3, 8, 13, 18, 23, 28]

HANDBOOK = """# Harbor Street office handbook

## Getting in
The office building opens at 7:30 and closes at 20:00 on weekdays. It is closed on weekends.
Visitors must be registered by their host at least 24 hours in advance.

## Parking and bikes
A parking permit for the underground garage costs 45 euros per month and is ordered from the
Facilities team. Bikes are kept in the bike storage on basement level -1, free of charge.

## People
The Facilities team is led by Marta Jensen. The guest wifi network is called Harbor-Guest.
"""

EXPENSES = """# Travel and expenses policy

## Allowances
The meal allowance on business trips is 28 euros per day. Driving your own car is reimbursed
at 0.30 euros per km. Hotels are reimbursed up to 140 euros per night.

## Claims
Expense receipts must be submitted within 30 days of the end of the trip. Trips that cost more
than 2,000 euros must be approved in advance by the finance director, Hugo Lindqvist.
"""

TOOLS_PY = '''"""Two functions of the shop, as a user would write them."""

SHIP_BASE = {"A": 4.5, "B": 6.0, "C": 9.5}
SHIP_PER_KG = {"A": 0.8, "B": 1.1, "C": 1.6}
POINT_RATE = {"bronze": 1.0, "silver": 1.5, "gold": 2.0}


def shipping_cost(weight_kg: float, zone: str) -> float:
    """Shipping cost in euros of a parcel of weight_kg kilograms to delivery zone A, B or C."""
    z = zone.strip().upper()
    return round(SHIP_BASE[z] + SHIP_PER_KG[z] * weight_kg, 2)


def loyalty_points(amount_eur: float, tier: str) -> int:
    """Loyalty points that a customer of tier bronze, silver or gold earns for a purchase of amount_eur euros."""
    return int(amount_eur * POINT_RATE[tier.strip().lower()])
'''


MCP_SERVER_PY = '''"""The shop's two functions served over MCP (stdio), with the official SDK's server side."""
import sys
from pathlib import Path

from mcp.server.mcpserver import MCPServer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shop_tools import loyalty_points, shipping_cost  # noqa: E402

server = MCPServer("shop")
server.tool()(shipping_cost)
server.tool()(loyalty_points)

if __name__ == "__main__":
    server.run()
'''


def orders(seed: int = 7) -> list[dict]:
    """144 orders: six a month from January 2023 to December 2024, seeded."""
    rng = random.Random(seed)
    rows = []
    for year in (2023, 2024):
        for month in range(1, 13):
            for day in DAYS:
                product = rng.choice(list(PRODUCTS))
                units = rng.randint(1, 14)
                rows.append({"order_id": len(rows) + 1, "order_date": f"{year}-{month:02d}-{day:02d}",
                             "region": rng.choice(REGIONS), "product": product, "units": units,
                             "unit_price": PRODUCTS[product], "revenue": round(units * PRODUCTS[product], 2)})
    return rows


def make_files(root: Path) -> dict[str, Path]:
    """Write the user's files under ``root``; returns their paths."""
    root.mkdir(parents=True, exist_ok=True)
    rows = orders()
    csv = root / "shop_orders.csv"
    cols = list(rows[0])
    csv.write_text(",".join(cols) + "\n" + "".join(
        ",".join(f"{r[c]:.2f}" if isinstance(r[c], float) else str(r[c]) for c in cols) + "\n" for r in rows))
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "office-handbook.md").write_text(HANDBOOK)
    (docs / "travel-expenses.md").write_text(EXPENSES)
    tools = root / "shop_tools.py"
    tools.write_text(TOOLS_PY)
    mcp = root / "shop_mcp.py"
    mcp.write_text(MCP_SERVER_PY)
    return {"data": csv, "docs": docs, "tools": tools, "mcp": mcp}


def _tool_functions():
    ns: dict = {}
    exec(compile(TOOLS_PY, "shop_tools.py", "exec"), ns)  # our own constant text, to compute golds
    return ns["shipping_cost"], ns["loyalty_points"]


def questions() -> list[dict]:
    """The 24 questions (+ the 6 tool questions again as kind mcp), each with its kind and the gold answer computed from the files."""
    rows = orders()
    ship, points = _tool_functions()

    def total(pred):
        return round(sum(r["revenue"] for r in rows if pred(r)), 2)

    units_by = {p: sum(r["units"] for r in rows if r["product"] == p) for p in PRODUCTS}
    blender_by = {g: total(lambda r, g=g: r["region"] == g and r["product"] == "Blender") for g in REGIONS}
    kettle = [r["units"] for r in rows if r["product"] == "Kettle"]
    data = [
        ("What was the total revenue of the North region in 2024?",
         total(lambda r: r["region"] == "North" and r["order_date"].startswith("2024"))),
        ("Which product sold the most units in total?", max(units_by, key=units_by.get)),
        ("How many orders came from the West region?", sum(r["region"] == "West" for r in rows)),
        ("What is the average number of units per Kettle order, rounded to 2 decimals?", round(sum(kettle) / len(kettle), 2)),
        ("Which region had the highest Blender revenue?", max(blender_by, key=blender_by.get)),
        ("How many orders had more than 10 units?", sum(r["units"] > 10 for r in rows)),
        ("What was the total revenue in March 2024?", total(lambda r: r["order_date"].startswith("2024-03"))),
        ("What percentage of all units sold were lamps, rounded to 1 decimal?",
         round(100 * units_by["Lamp"] / sum(units_by.values()), 1)),
    ]
    docs = [
        ("How much does a parking permit cost per month?", 45),
        ("At what time does the office building open?", "7:30"),
        ("Within how many days must expense receipts be submitted?", 30),
        ("Who approves trips that cost more than 2,000 euros?", "Hugo Lindqvist"),
        ("What is the total meal allowance for a 3-day business trip, in euros?", 3 * 28),
        ("How much is reimbursed for driving 250 km with your own car, in euros?", round(250 * 0.30, 2)),
    ]
    tools = [
        ("What does it cost to ship a 4 kg parcel to zone B?", ship(4, "B")),
        ("How much is shipping for a 12.5 kg parcel to zone C?", ship(12.5, "C")),
        ("How many loyalty points does a gold customer earn for a 230 euro purchase?", points(230, "gold")),
        ("How many loyalty points does a silver customer get for spending 99.90 euros?", points(99.90, "silver")),
        ("What is the total shipping cost of two parcels to zone A, one of 2 kg and one of 5 kg?",
         round(ship(2, "A") + ship(5, "A"), 2)),
        ("A silver customer spends 64 euros. How many loyalty points is that?", points(64, "silver")),
    ]
    other = [
        ("math", "What is 18% of 650?", 117),
        ("math", "What is 7 cubed minus 100?", 7 ** 3 - 100),
        ("code", "How many times does the letter 'e' appear in 'independence'?", "independence".count("e")),
        ("code", "Sort the letters of the word 'kitchen' alphabetically.", "".join(sorted("kitchen"))),
    ]
    out = [{"kind": "data", "question": q, "answer": a} for q, a in data]
    out += [{"kind": "docs", "question": q, "answer": a} for q, a in docs]
    out += [{"kind": "tools", "question": q, "answer": a} for q, a in tools]
    out += [{"kind": k, "question": q, "answer": a} for k, q, a in other]
    for i, q in enumerate(out, 1):
        q["id"] = f"n{i:02d}"
        q["answer"] = _fmt(q["answer"])
    out += [{**q, "kind": "mcp", "id": "m" + q["id"][1:]} for q in out if q["kind"] == "tools"]
    return out


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)


# --- running ------------------------------------------------------------------------------

def _flags(kind: str, files: dict[str, Path]) -> list[str]:
    return {"data": ["--data", str(files["data"])], "docs": ["--docs", str(files["docs"])],
            "tools": ["--tools", str(files["tools"])],
            "mcp": ["--mcp", f"{shlex.quote(sys.executable)} {shlex.quote(str(files['mcp']))}"]}.get(kind, [])


def run(out: Path, seer: str, kinds: set[str] | None, timeout: float, echo=print, auto: int | None = None,
        tries: int = 1, model: str | None = None) -> list[dict]:
    out = out.resolve()  # the seer calls run in ``out``: relative file paths would point nowhere
    out.mkdir(parents=True, exist_ok=True)
    files = make_files(out / "files")
    results = out / "results.jsonl"
    done = {row["id"]: row for row in load(out, repair=True, qs=questions())} if results.exists() else {}
    model = pin_model(out, model)
    env = dict(os.environ, SEER_HOME=str(out / "home"), SEER_MODEL=model)
    echo(f"model: {model}")
    if auto:
        practise(out, seer, ["--data", str(files["data"]), "--docs", str(files["docs"]), "--tools", str(files["tools"])],
                 env, auto, tries, echo)
    todo = [q for q in questions() if (not kinds or q["kind"] in kinds) and q["id"] not in done]
    for n, q in enumerate(todo, 1):
        row = ask(seer, _flags(q["kind"], files), q, env, out, timeout, model)
        RowLog(results).append(row)
        done[q["id"]] = row
        echo(progress_line(n, len(todo), row))
    return [done[q["id"]] for q in questions() if q["id"] in done]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="ask every question through seer run")
    r.add_argument("--out", type=Path, required=True, help="run directory (resumable)")
    r.add_argument("--seer", default=default_seer(),
                   help="the seer command to test (default: the one installed beside this Python)")
    r.add_argument("--kinds", default="", help="comma-separated subset of " + ",".join(KINDS))
    r.add_argument("--timeout", type=float, default=900, help="seconds per question")
    r.add_argument("--auto", type=int, default=None, metavar="N",
                   help="first run seer practice --auto N on the suite's files (never its questions) into the run's pool")
    r.add_argument("--tries", type=int, default=1, help="with --auto: the model's tries per task (0: worked examples only)")
    r.add_argument("--model", default=None,
                   help="GGUF path or bundled alias for every seer call (default: $SEER_MODEL, else the best bundled model installed)")
    r.add_argument("--json", action="store_true")
    t = sub.add_parser("table", help="scores of one run, or two runs and their paired difference")
    t.add_argument("dirs", type=Path, nargs="+")
    t.add_argument("--json", action="store_true")
    m = sub.add_parser("make", help="write the user's files only")
    m.add_argument("dir", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "make":
        for name, path in make_files(args.dir).items():
            print(f"{name}: {path}")
        return 0
    if args.cmd == "table":
        if len(args.dirs) > 2:
            ap.error("table takes one or two run directories")
        table(args.dirs, args.json, qs=questions())
        return 0
    kinds = {k.strip() for k in args.kinds.split(",") if k.strip()} or None
    rows = run(args.out, args.seer, kinds, args.timeout, echo=(lambda *_: None) if args.json else print, auto=args.auto,
               tries=args.tries, model=args.model)
    if args.json:
        print(json.dumps(summary(rows), indent=2))
    else:
        table([args.out], False, qs=questions())
    return 0


if __name__ == "__main__":
    sys.exit(main())
