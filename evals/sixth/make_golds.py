"""Compute the gold answers of the table questions of the sixth suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/sixth/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/sixth/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/sixth/make_golds.py --show     # print every computed gold

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
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
    # sea_surface_temperature.csv (bokeh-sampledata, decompressed): 'time (UTC)' every 30 minutes
    # from 2016-02-15T00:00:00Z to 2017-03-22T00:00:00Z, 'temperature (celsius)'; no empty cell, a
    # few readings missing in June and July 2016 and one time written twice (2017-03-21T16:30)
    s = rows("sea_surface_temperature.csv")
    time, temp = "time (UTC)", "temperature (celsius)"
    assert all(r[temp] for r in s)
    at = {r[time]: r[temp] for r in s}
    g["s1"] = at["2016-07-04T12:00:00Z"]
    month = defaultdict(list)
    for r in s:
        month[r[time][:7]].append(Decimal(r[temp]))
    assert len(month["2016-08"]) == 31 * 48 and len(month["2016-05"]) == 31 * 48
    g["s2"] = rounded(mean(month["2016-08"]), 2)
    # every calendar month occurs once (Feb 2016 to Mar 2017 has February and March twice, but
    # neither is near the top): the warmest month on average
    g["s3"] = calendar.month_name[int(argmax({k: mean(v) for k, v in month.items()})[5:])]
    g["s4"] = str(sum(Decimal(r[temp]) > 20 for r in s))
    g["s5"] = rounded(mean(month["2016-08"]) - mean(month["2016-05"]), 2)
    # unemployment1948.csv (bokeh-sampledata): Year 1948-2016, a column a month (Jan..Dec), then
    # Annual; no empty cell. Where a question about years could be read off the Annual column or
    # the mean of the twelve months, both readings are computed and must agree.
    u = rows("unemployment1948.csv")
    assert all(v for r in u for v in r.values())
    year = {r["Year"]: r for r in u}

    def monthly_mean(r: dict) -> Decimal:
        return mean([Decimal(r[m]) for m in MONTHS])

    g["u1"] = year["1975"]["May"]
    top = argmax({r["Year"]: Decimal(r["Annual"]) for r in u})
    assert top == argmax({r["Year"]: monthly_mean(r) for r in u})
    g["u2"] = top
    above8 = sum(Decimal(r["Annual"]) > 8 for r in u)
    assert above8 == sum(monthly_mean(r) > 8 for r in u) and not [r for r in u if Decimal(r["Annual"]) == 8]
    g["u3"] = str(above8)
    sixties = [year[str(y)] for y in range(1960, 1970)]
    avg = rounded(mean([Decimal(r["Annual"]) for r in sixties]), 2)
    assert avg == rounded(mean([Decimal(r[m]) for r in sixties for m in MONTHS]), 2)
    g["u4"] = avg
    g["u5"] = str(Decimal(year["2010"]["Jan"]) - Decimal(year["2008"]["Jan"]))
    # gapminder.csv (bokeh-sampledata, decompressed): country, year (1964-2013), fertility,
    # life_expectancy, population; many countries have empty cells, so every question is about
    # named countries, whose cells used here are asserted not empty
    gm = rows("gapminder.csv")
    cy = {(r["country"], r["year"]): r for r in gm}
    for key in (("Japan", "2000"), ("India", "1990"), ("India", "2010"), ("China", "2000"),
                ("United States", "2000"), ("Norway", "2010"), ("Nigeria", "2010")):
        assert all(cy[key].values()), key
    g["g1"] = cy[("Japan", "2000")]["life_expectancy"]
    pop = {k: Decimal(cy[k]["population"]) for k in (("India", "1990"), ("India", "2010"), ("China", "2000"), ("United States", "2000"))}
    g["g2"] = rounded(100 * (pop[("India", "2010")] - pop[("India", "1990")]) / pop[("India", "1990")], 1)
    g["g3"] = rounded(pop[("China", "2000")] / pop[("United States", "2000")], 2)
    g["g4"] = rounded(Decimal(cy[("Norway", "2010")]["life_expectancy"]) - Decimal(cy[("Nigeria", "2010")]["life_expectancy"]), 1)
    japan = [r for r in gm if r["country"] == "Japan"]
    assert len(japan) == 50 and all(r["fertility"] for r in japan)
    g["g5"] = argmax({r["year"]: Decimal(r["fertility"]) for r in japan}, lowest=True)
    # airports.csv (bokeh-sampledata): 514 airports (OurAirports): Name, City, Country, IATA, ICAO,
    # Latitude, Longitude, Altitude (feet, never empty), Type (large_airport, medium_airport,
    # small_airport); Timezone, DST and TZ are always empty and unused
    a = rows("airports.csv")
    assert all(r["Altitude"] and r["Name"] and r["Type"] for r in a)
    by_name = {r["Name"]: r for r in a}
    g["a1"] = by_name["Denver International Airport"]["Altitude"]
    g["a2"] = str(sum(r["Type"] == "large_airport" for r in a))
    g["a3"] = argmax({r["Name"]: int(r["Altitude"]) for r in a})
    g["a4"] = rounded(mean([Decimal(r["Altitude"]) for r in a if r["Type"] == "large_airport"]), 1)
    under = [r["Name"] for r in a if int(r["Altitude"]) < 0]
    assert len(under) == 1, under
    g["a5"] = under[0]
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
