"""Compute the gold answers of the table questions of the third suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/third/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/third/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/third/make_golds.py --show     # print every computed gold

Only the ``data`` questions are computed (with the standard csv module, no third-party code);
the docs golds were written by hand from the manual pages. A gold is printed at the precision
the question asks for ("Round to one decimal" -> one decimal), else as the file writes it.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from golds import check_golds  # noqa: E402  (evals/golds.py, beside the sets)
DATA = HERE / "data"
QUESTIONS = HERE / "questions.jsonl"


def rows(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def fmt(v, places: int | None = None) -> str:
    if isinstance(v, str):
        return v
    if places is not None:
        return f"{round(v, places):.{places}f}"
    return str(int(v)) if float(v).is_integer() else f"{v}".rstrip("0").rstrip(".")


def argmax(d: dict, lowest: bool = False) -> str:
    items = sorted(d.items(), key=lambda kv: kv[1], reverse=not lowest)
    assert items[0][1] != items[1][1], f"a tie: {items[:2]}"
    return items[0][0]


def golds() -> dict[str, str]:
    g: dict[str, str] = {}
    # macrodata.csv (statsmodels): year, quarter, realgdp, ..., unemp (%), infl (%)
    m = rows("macrodata.csv")
    q = {(int(r["year"]), int(r["quarter"])): r for r in m}
    g["m1"] = q[(1975, 2)]["unemp"]
    by_year = defaultdict(list)
    for r in m:
        by_year[r["year"]].append(float(r["unemp"]))
    g["m2"] = argmax({y: sum(v) / len(v) for y, v in by_year.items()})
    g["m3"] = fmt(sum(float(r["infl"]) > 10 for r in m))
    a, b = float(q[(2000, 1)]["realgdp"]), float(q[(2008, 1)]["realgdp"])
    g["m4"] = fmt(100 * (b - a) / a, 1)
    # grunfeld.csv (statsmodels): invest, value, capital, firm, year
    gr = rows("grunfeld.csv")
    g["g1"] = next(r["invest"] for r in gr if r["firm"] == "General Motors" and r["year"] == "1950")
    total = defaultdict(float)
    for r in gr:
        total[r["firm"]] += float(r["invest"])
    g["g2"] = argmax(total)
    us = [float(r["value"]) for r in gr if r["firm"] == "US Steel"]
    g["g3"] = fmt(sum(us) / len(us), 1)
    g["g4"] = fmt(len({r["firm"] for r in gr}))
    # statecrime.csv (statsmodels): state (50 states and the District of Columbia), violent, murder, hs_grad, poverty, ...
    sc = rows("statecrime.csv")
    g["s1"] = argmax({r["state"]: float(r["poverty"]) for r in sc}, lowest=True)
    g["s2"] = next(r["poverty"] for r in sc if r["state"] == "Texas")
    g["s3"] = fmt(sum(float(r["hs_grad"]) < 82 for r in sc))
    poorest = argmax({r["state"]: float(r["poverty"]) for r in sc})
    g["s4"] = next(r["murder"] for r in sc if r["state"] == poorest)
    # iowa-electricity.csv (vega_datasets): year (YYYY-01-01), source, net_generation
    ie = rows("iowa-electricity.csv")
    at = {(r["year"][:4], r["source"]): float(r["net_generation"]) for r in ie}
    g["i1"] = fmt(at[("2010", "Renewables")])
    years = sorted({y for y, _ in at})
    g["i2"] = next(y for y in years if at[(y, "Renewables")] > at[(y, "Nuclear Energy")])
    g["i3"] = fmt(sum(v for (y, _), v in at.items() if y == "2015"))
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
