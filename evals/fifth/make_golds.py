"""Compute the gold answers of the table questions of the fifth suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/fifth/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/fifth/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/fifth/make_golds.py --show     # print every computed gold

Only the ``data`` questions are computed (with the standard csv module, no third-party code);
the docs golds were written by hand from the manual pages. A gold is printed at the precision
the question asks for ("Round to 1 decimal" -> one decimal), else as the file writes it. A
rounded gold is computed with ``Decimal`` from the file's text, and refused when the exact value
lies on a rounding half (then float noise could decide it).
"""

from __future__ import annotations

import calendar
import csv
import sys
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from golds import check_golds  # noqa: E402  (evals/golds.py, beside the sets)
DATA = HERE / "data"
QUESTIONS = HERE / "questions.jsonl"


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
    # co2.csv (statsmodels): date (YYYYMMDD, weekly, Saturdays 1958-03-29 .. 2001-12-29), co2 (ppm);
    # 59 weeks are empty, all of them before 1986: every question below is about 1990 or later
    c = rows("co2.csv")
    assert not [r for r in c if not r["co2"] and r["date"] >= "1986"]
    week = {r["date"]: r["co2"] for r in c}
    g["c1"] = week["19900106"]
    y1995 = [Decimal(r["co2"]) for r in c if r["date"].startswith("1995")]
    assert len(y1995) == 52
    g["c2"] = rounded(mean(y1995), 2)
    g["c3"] = str(max(Decimal(r["co2"]) for r in c if r["date"].startswith("2000")))
    g["c4"] = str(Decimal(week["20000101"]) - Decimal(week["19900106"]))
    by_month = defaultdict(list)
    for r in c:
        if r["date"].startswith("1999"):
            by_month[calendar.month_name[int(r["date"][4:6])]].append(Decimal(r["co2"]))
    assert len(by_month) == 12
    g["c5"] = argmax({m: mean(v) for m, v in by_month.items()})
    # titanic_all.csv (bokeh-sampledata): name, class (1st, 2nd, 3rd; one passenger '*'), age
    # (often empty: no question uses it), sex, survived (0/1)
    t = rows("titanic_all.csv")
    g["t1"] = str(sum(r["survived"] == "1" for r in t))
    women = [r for r in t if r["sex"] == "female"]
    g["t2"] = rounded(100 * Decimal(sum(r["survived"] == "1" for r in women)) / len(women), 1)
    died = {cls: sum(r["class"] == cls and r["survived"] == "0" for r in t) for cls in ("1st", "3rd")}
    g["t3"] = str(died["3rd"] - died["1st"])
    g["t4"] = str(sum(r["class"] == "2nd" for r in t))
    g["t5"] = str(sum(r["class"] == "1st" and r["sex"] == "male" and r["survived"] == "1" for r in t))
    # elements.csv (bokeh-sampledata): one row an element; atomic mass, density, melting point (K),
    # 'metal' (the family: noble gas, halogen, ...), year discovered (a year or 'Ancient'), period
    el = rows("elements.csv")
    name = {r["name"]: r for r in el}
    g["el1"] = name["Iron"]["atomic mass"]
    g["el2"] = str(sum(r["metal"] == "noble gas" for r in el))
    g["el3"] = name["Gold"]["density"]
    g["el4"] = str(sum(r["year discovered"].isdigit() and 1800 <= int(r["year discovered"]) <= 1899 for r in el))
    period4 = [r for r in el if r["period"] == "4"]
    assert all(r["melting point"] for r in period4)
    g["el5"] = argmax({r["name"]: int(r["melting point"]) for r in period4})
    # percent-bachelors-degrees-women-usa.csv (bokeh-sampledata): Year (1970-2011), then one column
    # a field of study: the percentage of that year's bachelor's degrees in it earned by women
    b = rows("percent-bachelors-degrees-women-usa.csv")
    year = {r["Year"]: r for r in b}
    g["b1"] = year["1990"]["Computer Science"]
    g["b2"] = argmax({r["Year"]: Decimal(r["Computer Science"]) for r in b})
    g["b3"] = rounded(Decimal(year["2011"]["Biology"]) - Decimal(year["1970"]["Biology"]), 1)
    g["b4"] = str(sum(Decimal(r["Biology"]) > 50 for r in b))
    g["b5"] = argmax({k: Decimal(v) for k, v in year["2011"].items() if k != "Year"}, lowest=True)
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
