"""Compute the gold answers of the table questions of the tenth suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/tenth/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/tenth/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/tenth/make_golds.py --show     # print every computed gold

Only the ``data`` questions are computed (with the standard csv module, no third-party code);
the docs golds were written by hand from the manual pages. A gold is printed at the precision
the question asks for ("Round to 1 decimal" -> one decimal), else as the file writes it. A
rounded gold is computed with ``Decimal`` from the file's text, and refused when the exact value
lies on a rounding half (then float noise could decide it).
"""

from __future__ import annotations

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


def ranked(d: dict, lowest: bool = False) -> list:
    """Keys best first; refuses a tie anywhere in the order."""
    items = sorted(d.items(), key=lambda kv: kv[1], reverse=not lowest)
    values = [v for _, v in items]
    assert len(set(values)) == len(values), f"a tie: {items}"
    return [k for k, _ in items]


def argmax(d: dict, lowest: bool = False) -> str:
    items = sorted(d.items(), key=lambda kv: kv[1], reverse=not lowest)
    assert items[0][1] != items[1][1], f"a tie: {items[:2]}"
    return items[0][0]


def golds() -> dict[str, str]:
    g: dict[str, str] = {}
    # sunspots.csv (statsmodels, NOAA NGDC): yearly sunspot numbers, 309 years 1700..2008, columns
    # YEAR and SUNACTIVITY (whole numbers before 1749, one decimal after, e.g. '66.6'); no empty cell
    s = rows("sunspots.csv")
    assert list(s[0]) == ["YEAR", "SUNACTIVITY"] and all(r["SUNACTIVITY"] for r in s)
    assert [r["YEAR"] for r in s] == [str(y) for y in range(1700, 2009)]
    sun = {int(r["YEAR"]): Decimal(r["SUNACTIVITY"]) for r in s}
    g["t1"] = next(r["SUNACTIVITY"] for r in s if r["YEAR"] == "1850")
    g["t2"] = str(argmax(sun))
    assert sun[2000] > sun[1996] > 0  # the question asks how much it increased
    g["t3"] = rounded(100 * (sun[2000] - sun[1996]) / sun[1996], 1)
    assert not [v for v in sun.values() if v == 150]
    g["t4"] = str(sum(v > 150 for v in sun.values()))
    assert not [y for y, v in sun.items() if y > 1900 and v == 100]
    g["t5"] = str(next(y for y in sorted(sun) if y > 1900 and sun[y] > 100))
    # cows.csv (bokeh-sampledata): butterfat percentage of 100 cows, columns butterfat (two
    # decimals at most), age ('Mature' / '2 years old'), breed (Ayrshire, Canadian, Guernsey,
    # Holstein-Friesian, Jersey); 10 cows in each breed and age; no empty cell
    c = rows("cows.csv")
    assert list(c[0]) == ["butterfat", "age", "breed"] and len(c) == 100
    assert all(v for r in c for v in r.values())
    breeds = {"Ayrshire", "Canadian", "Guernsey", "Holstein-Friesian", "Jersey"}
    ages = {"Mature", "2 years old"}
    assert {r["breed"] for r in c} == breeds and {r["age"] for r in c} == ages
    cell = defaultdict(list)
    for r in c:
        cell[(r["breed"], r["age"])].append(Decimal(r["butterfat"]))
    assert all(len(cell[(b, a)]) == 10 for b in breeds for a in ages)
    by_breed = {b: mean(cell[(b, "Mature")] + cell[(b, "2 years old")]) for b in breeds}
    g["t6"] = argmax(by_breed)
    g["t7"] = rounded(by_breed["Holstein-Friesian"], 2)
    assert not [r for r in c if Decimal(r["butterfat"]) == 5]
    g["t8"] = str(sum(Decimal(r["butterfat"]) > 5 for r in c))
    young, mature = mean(cell[("Guernsey", "2 years old")]), mean(cell[("Guernsey", "Mature")])
    assert young > mature  # the question asks how much higher the 2-year-olds are
    g["t9"] = rounded(young - mature, 3)
    g["t10"] = ranked({b: mean(cell[(b, "2 years old")]) for b in breeds})[1]
    # browsers_nov_2013.csv (bokeh-sampledata, Statcounter): 118 rows, columns 'Browser Version'
    # (e.g. 'Chrome 30.0', 'IE 10.0', 'Safari iPad', 'Other') and 'Market Share Perc. (Nov 2013)'
    # (percent, two decimals at most; the column sums to 99.99); every name written once
    b = rows("browsers_nov_2013.csv")
    name, share = "Browser Version", "Market Share Perc. (Nov 2013)"
    assert list(b[0]) == [name, share] and len(b) == 118 and all(r[name] and r[share] for r in b)
    assert len({r[name] for r in b}) == len(b)
    pct = {r[name]: Decimal(r[share]) for r in b}
    g["t11"] = b[[r[name] for r in b].index("Firefox 25.0")][share]
    ie = [n for n in pct if n.startswith("IE")]
    assert sorted(ie) == sorted(f"IE {v}.0" for v in (6, 7, 8, 9, 10, 11))  # no other Internet Explorer row
    assert not [n for n in pct if "explorer" in n.lower() and not n.startswith("Sogou")]
    g["t12"] = str(sum(pct[n] for n in ie))
    assert not [v for v in pct.values() if v == 1]
    g["t13"] = str(sum(v >= 1 for v in pct.values()))
    assert not [n for n in pct if "firefox" in n.lower() and not n.startswith("Firefox ")]
    g["t14"] = str(sum(n.startswith("Firefox ") for n in pct))
    top = sorted(pct.values(), reverse=True)
    assert top[2] > top[3]
    g["t15"] = str(sum(top[:3]))
    # stackloss.csv (statsmodels, Brownlee): 21 runs of a plant oxidising ammonia, columns
    # STACKLOSS, AIRFLOW, WATERTEMP, ACIDCONC (whole numbers); no empty cell
    st = rows("stackloss.csv")
    assert list(st[0]) == ["STACKLOSS", "AIRFLOW", "WATERTEMP", "ACIDCONC"] and len(st) == 21
    assert all(v.isdigit() for r in st for v in r.values())
    loss = [Decimal(r["STACKLOSS"]) for r in st]
    g["t16"] = rounded(mean(loss), 2)
    g["t17"] = str(sum(int(r["WATERTEMP"]) >= 20 for r in st))
    air = [int(r["AIRFLOW"]) for r in st]
    g["t18"] = str(max(air) - min(air))
    at62 = [Decimal(r["STACKLOSS"]) for r in st if r["AIRFLOW"] == "62"]
    assert len(at62) == 5
    g["t19"] = rounded(mean(at62), 1)
    low = [r for r in st if int(r["STACKLOSS"]) == min(map(int, loss))]
    assert len(low) == 1  # one run has the lowest stack loss
    g["t20"] = low[0]["WATERTEMP"]
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
