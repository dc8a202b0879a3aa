"""Compute the gold answers of the table questions of the fourth suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/fourth/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/fourth/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/fourth/make_golds.py --show     # print every computed gold

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
    # lincoln_weather.csv (bokeh-sampledata): STATION, NAME, DATE (YYYY-MM-DD, 2016), TMAX, TMIN (degrees F)
    w = rows("lincoln_weather.csv")  # 2016-06-17 has both temperatures empty: left out below
    g["w1"] = next(r["TMAX"] for r in w if r["DATE"] == "2016-07-04")
    g["w2"] = str(sum(bool(r["TMIN"]) and int(r["TMIN"]) <= 32 for r in w))
    g["w3"] = rounded(mean([Decimal(r["TMAX"]) for r in w if r["DATE"].startswith("2016-08-")]), 1)
    lows = defaultdict(list)
    for r in w:
        if r["TMIN"]:
            lows[calendar.month_name[int(r["DATE"][5:7])]].append(Decimal(r["TMIN"]))
    g["w4"] = argmax({m: mean(v) for m, v in lows.items()}, lowest=True)
    # us_marriages_divorces.csv (bokeh-sampledata): Year, Marriages, Divorces, Population,
    # Marriages_per_1000, Divorces_per_1000; some years are empty
    u = rows("us_marriages_divorces.csv")
    year = {r["Year"]: r for r in u}
    g["u1"] = year["1946"]["Divorces_per_1000"]
    g["u2"] = argmax({r["Year"]: Decimal(r["Marriages_per_1000"]) for r in u if r["Marriages_per_1000"]})
    a, b = Decimal(year["1950"]["Marriages"]), Decimal(year["2000"]["Marriages"])
    g["u3"] = rounded(100 * (b - a) / a, 1)
    g["u4"] = str(sum(1900 <= int(r["Year"]) <= 1950 and Decimal(r["Marriages_per_1000"]) > Decimal("12.5") for r in u))
    # auto-mpg.csv (bokeh-sampledata): mpg, cyl, displ, hp, weight, accel, yr (two digits), origin, name
    am = rows("auto-mpg.csv")
    g["a1"] = str(sum(r["cyl"] == "8" for r in am))
    g["a2"] = rounded(mean([Decimal(r["mpg"]) for r in am if r["yr"] == "80"]), 1)
    heaviest = argmax({i: int(r["weight"]) for i, r in enumerate(am)})
    g["a3"] = am[heaviest]["mpg"]
    four = mean([Decimal(r["mpg"]) for r in am if r["cyl"] == "4"])
    eight = mean([Decimal(r["mpg"]) for r in am if r["cyl"] == "8"])
    g["a4"] = rounded(four - eight, 1)
    # elnino.csv (statsmodels): YEAR, JAN ... DEC (sea surface temperature, degrees C, Nino 1+2)
    e = rows("elnino.csv")
    months = [m.upper() for m in calendar.month_abbr[1:]]
    g["e1"] = next(r["DEC"] for r in e if r["YEAR"] == "1997")
    g["e2"] = argmax({r["YEAR"]: mean([Decimal(r[m]) for m in months]) for r in e})
    g["e3"] = str(sum(Decimal(r["MAR"]) > 27 for r in e))
    g["e4"] = rounded(mean([Decimal(r["JAN"]) for r in e if 1990 <= int(r["YEAR"]) <= 1999]), 2)
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
