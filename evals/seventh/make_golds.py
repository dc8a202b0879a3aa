"""Compute the gold answers of the table questions of the seventh suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/seventh/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/seventh/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/seventh/make_golds.py --show     # print every computed gold

Only the ``data`` questions are computed (with the standard csv module, no third-party code);
the docs golds were written by hand from the manual pages. A gold is printed at the precision
the question asks for ("Round to 1 decimal" -> one decimal), else as the file writes it. A
rounded gold is computed with ``Decimal`` from the file's text, and refused when the exact value
lies on a rounding half (then float noise could decide it).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from golds import check_golds  # noqa: E402  (evals/golds.py, beside the sets)
DATA = HERE / "data"
QUESTIONS = HERE / "questions.jsonl"
AGGREGATES = (
    "Sub-Saharan Africa (IFC classification)",
    "Latin America & Caribbean (all income levels)",
    "OECD members",
    "Other small states",
    "Pacific island small states",
)


def rows(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def rounded(v: Decimal, places: int) -> str:
    step = Decimal(1).scaleb(-places)
    scaled = v / step
    assert scaled - scaled.to_integral_value(rounding="ROUND_FLOOR") != Decimal("0.5"), f"{v} is on a rounding half"
    return str(v.quantize(step, rounding=ROUND_HALF_EVEN))


def mean(values: list[Decimal]) -> Decimal:
    return sum(values) / len(values)


def argmax(d: dict, lowest: bool = False) -> str:
    items = sorted(d.items(), key=lambda kv: kv[1], reverse=not lowest)
    assert items[0][1] != items[1][1], f"a tie: {items[:2]}"
    return items[0][0]


def golds() -> dict[str, str]:
    g: dict[str, str] = {}
    # glucose.csv (bokeh-sampledata CGM.csv.gz, decompressed; CRLF line ends): isig, datetime
    # ('YYYY-MM-DD HH:MM:SS', about every 5 minutes from 2010-03-24 09:51 to 2010-10-10 23:57, some
    # hours and one whole day, 2010-07-23, missing; three times written twice), glucose (mg/dL,
    # whole numbers 40..400); no empty cell
    c = rows("glucose.csv")
    assert all(r["isig"] and r["datetime"] and r["glucose"] for r in c)
    twice = Counter(r["datetime"] for r in c)
    assert twice["2010-06-15 08:02:00"] == 1
    g["v1"] = next(r["glucose"] for r in c if r["datetime"] == "2010-06-15 08:02:00")
    month = defaultdict(list)
    day = defaultdict(list)
    for r in c:
        month[r["datetime"][:7]].append(Decimal(r["glucose"]))
        day[r["datetime"][:10]].append(Decimal(r["glucose"]))
    g["v2"] = rounded(mean(month["2010-06"]), 1)
    g["v3"] = str(sum(int(r["glucose"]) < 70 for r in c))
    g["v4"] = argmax({k: mean(v) for k, v in day.items()})
    g["v5"] = argmax({r["datetime"]: int(r["glucose"]) for r in c})
    top = max(int(r["glucose"]) for r in c)
    assert sum(int(r["glucose"]) == top for r in c) == 1 and twice[g["v5"]] == 1
    # tips.csv (plotly tips.csv.gz, decompressed): 244 restaurant bills: total_bill, tip (dollars),
    # sex, smoker (Yes/No), day (Thur, Fri, Sat, Sun), time (Lunch/Dinner), size (people); no empty cell
    t = rows("tips.csv")
    assert len(t) == 244 and all(v for r in t for v in r.values())
    g["v6"] = rounded(mean([Decimal(r["tip"]) for r in t if r["day"] == "Sat"]), 2)
    g["v7"] = str(sum(int(r["size"]) >= 4 for r in t))
    total = defaultdict(Decimal)
    for r in t:
        total[r["day"]] += Decimal(r["total_bill"])
    g["v8"] = argmax(total)
    smokers = mean([Decimal(r["total_bill"]) for r in t if r["smoker"] == "Yes"])
    others = mean([Decimal(r["total_bill"]) for r in t if r["smoker"] == "No"])
    g["v9"] = rounded(smokers - others, 2)
    g["v10"] = t[int(argmax({str(i): Decimal(r["tip"]) for i, r in enumerate(t)}))]["total_bill"]
    # fertility.csv (statsmodels, World Bank): a wide table, one row a country (and five
    # aggregates, named above), one column a year 1960..2013 (2012 and 2013 all empty), births per
    # woman written with float noise ('7.617000000000001'); the cells used are asserted not empty
    f = rows("fertility.csv")
    country = {r["Country Name"]: r for r in f}
    assert all(a in country for a in AGGREGATES)
    for name, years in (("Brazil", ["1980"]), ("India", ["1960", "2010"]), ("United States", [str(y) for y in range(1990, 2000)])):
        assert all(country[name][y] for y in years), name
    g["v11"] = country["Brazil"]["1980"]
    g["v12"] = argmax({r["Country Name"]: Decimal(r["2010"]) for r in f if r["2010"]})
    assert g["v12"] not in AGGREGATES
    india = {y: Decimal(country["India"][y]) for y in ("1960", "2010")}
    g["v13"] = rounded(100 * (india["1960"] - india["2010"]) / india["1960"], 1)
    low = [r["Country Name"] for r in f if r["2005"] and Decimal(r["2005"]) < Decimal("1.3")]
    assert not set(low) & set(AGGREGATES) and not [r for r in f if r["2005"] and Decimal(r["2005"]) == Decimal("1.3")]
    g["v14"] = str(len(low))
    g["v15"] = rounded(mean([Decimal(country["United States"][str(y)]) for y in range(1990, 2000)]), 2)
    # longley.csv (statsmodels): 16 years 1947..1962: Obs, TOTEMP (total employment), GNPDEFL (GNP
    # deflator), GNP, UNEMP (unemployed), ARMED (armed forces), POP (population), YEAR; no empty cell
    lo = rows("longley.csv")
    assert len(lo) == 16 and all(v for r in lo for v in r.values())
    year = {r["YEAR"]: r for r in lo}
    g["v16"] = year["1955"]["GNP"]
    g["v17"] = argmax({r["YEAR"]: int(r["UNEMP"]) for r in lo})
    emp = {y: Decimal(year[y]["TOTEMP"]) for y in ("1947", "1962")}
    g["v18"] = rounded(100 * (emp["1962"] - emp["1947"]) / emp["1947"], 1)
    assert not [r for r in lo if int(r["ARMED"]) == 3000]
    g["v19"] = str(sum(int(r["ARMED"]) > 3000 for r in lo))
    g["v20"] = rounded(mean([Decimal(year[str(y)]["GNPDEFL"]) for y in range(1950, 1960)]), 2)
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
