"""Compute the gold answers of the table questions of the thirteenth suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/thirteenth/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/thirteenth/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/thirteenth/make_golds.py --show     # print every computed gold

Only the ``data`` questions are computed (with the standard csv module, no third-party code);
the docs golds were written by hand from the manual pages. A gold is printed at the precision
the question asks for ("Round to 1 decimal" -> one decimal), else as the file writes it (a
whole number the file writes with ``.00`` is printed without them). A rounded gold is computed
with ``Decimal`` from the file's text, and refused when the exact value lies on a rounding half
(then float noise could decide it).
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
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def rows(name: str, **fmt) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, **fmt))


def rounded(v: Decimal, places: int) -> str:
    step = Decimal(1).scaleb(-places)
    scaled = v / step
    assert scaled - scaled.to_integral_value(rounding="ROUND_FLOOR") != Decimal("0.5"), f"{v} is on a rounding half"
    return str(v.quantize(step, rounding=ROUND_HALF_EVEN))


def whole(text: str) -> str:
    v = Decimal(text)
    assert v == v.to_integral_value(), f"{text} is not a whole number"
    return str(int(v))


def mean(values: list[Decimal]) -> Decimal:
    return sum(values) / len(values)


def argmax(d: dict, lowest: bool = False) -> str:
    items = sorted(d.items(), key=lambda kv: kv[1], reverse=not lowest)
    assert items[0][1] != items[1][1], f"a tie: {items[:2]}"
    return items[0][0]


def scotland() -> tuple[list[str], list[list[str]]]:
    """The table of scotland_population.csv: 15 lines of metadata, a line of '=', 'Table', the
    header (its first name blank), an empty line, the rows, a line of '=' and the footnotes."""
    lines = (DATA / "scotland_population.csv").read_text(encoding="utf-8").split("\n")
    start = lines.index("Table") + 1
    end = start + lines[start:].index("====================================")
    table = list(csv.reader(lines[start:end]))
    header, body = table[0], [r for r in table[1:] if r]
    return header, body


def golds() -> dict[str, str]:
    g: dict[str, str] = {}
    # NYSE.csv (ISLP, from the book's R package): one row a trading day of the New York Stock
    # Exchange from 1962-12-03 to 1986-12-31 (6,051 rows), columns date (YYYY-MM-DD, quoted),
    # day_of_week ('mon', 'tues', 'wed', 'thur', 'fri'), DJ_return (the Dow Jones Industrial
    # Average's return that day, a fraction: -0.004461), log_volume, log_volatility, train
    # (TRUE/FALSE); no empty cell
    ny = rows("NYSE.csv")
    assert list(ny[0]) == ["date", "day_of_week", "DJ_return", "log_volume", "log_volatility", "train"]
    assert len(ny) == 6051 and all(v for r in ny for v in r.values())
    dates = [r["date"] for r in ny]
    assert dates == sorted(set(dates)) and dates[0] == "1962-12-03" and dates[-1] == "1986-12-31"
    assert {r["day_of_week"] for r in ny} == {"mon", "tues", "wed", "thur", "fri"}
    nyd = {r["date"]: r for r in ny}
    g["h1"] = nyd["1980-03-27"]["DJ_return"]
    g["h2"] = argmax({r["date"]: Decimal(r["DJ_return"]) for r in ny}, lowest=True)
    mon = [Decimal(r["DJ_return"]) for r in ny if r["day_of_week"] == "mon"]
    g["h3"] = rounded(100 * mean(mon), 3)  # the question asks it in percent
    g["h4"] = str(sum(r["date"].startswith("1974-") and Decimal(r["DJ_return"]) < Decimal("-0.02") for r in ny))
    vol = defaultdict(list)
    for r in ny:
        vol[r["date"][:4]].append(Decimal(r["log_volatility"]))
    assert set(vol) == {str(y) for y in range(1962, 1987)}
    g["h5"] = argmax({y: mean(v) for y, v in vol.items()})  # 1962 (December only) is far from the top
    # Wage.csv (ISLP, from ISLR): 3,000 male workers of the Mid-Atlantic region, 2003-2009,
    # columns year, age, maritl ('1. Never Married', '2. Married', '3. Widowed', '4. Divorced',
    # '5. Separated'), race ('1. White', '2. Black', '3. Asian', '4. Other'), education ('1. < HS
    # Grad' .. '5. Advanced Degree'), region (one value), jobclass ('1. Industrial', '2.
    # Information'), health, health_ins ('1. Yes', '2. No'), logwage, wage (thousands of dollars);
    # no empty cell
    wa = rows("Wage.csv")
    assert list(wa[0]) == ["year", "age", "maritl", "race", "education", "region", "jobclass", "health",
                           "health_ins", "logwage", "wage"] and len(wa) == 3000
    assert all(v for r in wa for v in r.values())
    assert {r["year"] for r in wa} == {str(y) for y in range(2003, 2010)}
    assert {r["jobclass"] for r in wa} == {"1. Industrial", "2. Information"}
    assert {r["health_ins"] for r in wa} == {"1. Yes", "2. No"}
    g["h6"] = rounded(mean([Decimal(r["wage"]) for r in wa if r["jobclass"] == "2. Information"]), 2)
    mar = defaultdict(list)
    for r in wa:
        mar[r["maritl"]].append(Decimal(r["wage"]))
    assert len(mar) == 5
    g["h7"] = argmax({k: mean(v) for k, v in mar.items()})
    ins = mean([Decimal(r["wage"]) for r in wa if r["health_ins"] == "1. Yes"])
    unins = mean([Decimal(r["wage"]) for r in wa if r["health_ins"] == "2. No"])
    assert ins > unins  # the question asks how much more the insured earn
    g["h8"] = rounded(ins - unins, 2)
    w03 = mean([Decimal(r["wage"]) for r in wa if r["year"] == "2003"])
    w09 = mean([Decimal(r["wage"]) for r in wa if r["year"] == "2009"])
    assert w09 > w03  # the question asks how much it rose
    g["h9"] = rounded(100 * (w09 - w03) / w03, 1)
    g["h10"] = argmax(Counter(r["education"] for r in wa if r["race"] == "2. Black"))
    # committee.csv (statsmodels, from Jeff Gill's GLM book): 20 committees of the US House of
    # Representatives, columns COMMITTEE (names with underscores: 'Ways_and_Means'), BILLS104 and
    # BILLS103 (bill assignments in the first 100 days of the 104th House, 1995, and the 103rd),
    # SIZE (members), SUBS (subcommittees), STAFF, PRESTIGE (1: a high prestige committee)
    co = rows("committee.csv")
    assert list(co[0]) == ["COMMITTEE", "BILLS104", "SIZE", "SUBS", "STAFF", "PRESTIGE", "BILLS103"]
    assert len(co) == 20 and len({r["COMMITTEE"] for r in co}) == 20 and all(v for r in co for v in r.values())
    com = {r["COMMITTEE"]: r for r in co}
    g["h11"] = com["Judiciary"]["BILLS104"]
    g["h12"] = argmax({r["COMMITTEE"]: int(r["STAFF"]) for r in co})
    b103, b104 = Decimal(com["Ways_and_Means"]["BILLS103"]), Decimal(com["Ways_and_Means"]["BILLS104"])
    assert b104 < b103  # the question asks how much it fell
    g["h13"] = rounded(100 * (b103 - b104) / b103, 1)
    assert {r["PRESTIGE"] for r in co} == {"0", "1"}
    g["h14"] = whole(str(mean([Decimal(r["SIZE"]) for r in co if r["PRESTIGE"] == "1"])))
    assert not any(int(r["BILLS104"]) == int(r["BILLS103"]) for r in co)
    g["h15"] = str(sum(int(r["BILLS104"]) > int(r["BILLS103"]) for r in co))
    # scotland_population.csv (statsmodels, scotland/src, from ONS Regional Trends 33): 15 lines of
    # metadata, then a table of 1996: the United Kingdom, Scotland and Scotland's 32 council areas
    # ('Edinburgh, City of', 'Scottish Borders, The'), every number quoted with two decimals
    # ("349.00"), a comma after the last field, then footnotes
    header, body = scotland()
    assert header[0].strip() == "" and header[-1] == "" and len(header) == 14
    assert header[1:13] == ["Area (sq km)", "Persons per sq km", "Population (thousands) Males",
                            "Population (thousands) Females", "Population (thousands) Total",
                            "Total population percentage change 1981-1996", "Total period fertility rate (TPFR)<1>",
                            "Standardised mortality ratio (UK=100) (SMR)<2>", "Percentage of population aged under 5",
                            "Percentage of population aged 5-15",
                            "Percentage of population aged 16 up to pension age<3>",
                            "Percentage of population of pension age or over<4>"]
    assert all(len(r) == 14 and r[-1] == "" for r in body) and len(body) == 34
    assert [r[0] for r in body[:2]] == ["United Kingdom", "Scotland"]
    areas = {r[0]: r for r in body[2:]}
    assert len(areas) == 32
    g["h16"] = whole(areas["Fife"][5])
    g["h17"] = argmax({a: Decimal(r[2]) for a, r in areas.items()})
    g["h18"] = argmax({a: Decimal(r[6]) for a, r in areas.items()}, lowest=True)
    scot_tpfr = Decimal(body[1][7])
    g["h19"] = str(sum(Decimal(r[7]) > scot_tpfr for r in areas.values()))
    ed = areas["Edinburgh, City of"]
    assert Decimal(ed[4]) > Decimal(ed[3])  # the question asks how many more women than men
    g["h20"] = whole(str(Decimal(ed[4]) - Decimal(ed[3])))
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
