"""Compute the gold answers of the table questions of the eleventh suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/eleventh/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/eleventh/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/eleventh/make_golds.py --show     # print every computed gold

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
from datetime import datetime, timedelta
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


def mean(values: list[Decimal]) -> Decimal:
    return sum(values) / len(values)


def argmax(d: dict, lowest: bool = False) -> str:
    items = sorted(d.items(), key=lambda kv: kv[1], reverse=not lowest)
    assert items[0][1] != items[1][1], f"a tie: {items[:2]}"
    return items[0][0]


def golds() -> dict[str, str]:
    g: dict[str, str] = {}
    # sprint.csv (bokeh-sampledata): every medal of the men's Olympic 100 m, 1896..2012, 85 rows,
    # columns Name, Country (IOC code, e.g. 'USA', 'JAM'), Medal ('GOLD', 'SILVER', 'BRONZE'),
    # Time (seconds, two decimals), Year. The file is padded with spaces for alignment and
    # escapes quotes inside a name with a backslash (bokeh reads it with skipinitialspace=True,
    # escapechar='\\'; so does this script, and strips the padding after a quoted name).
    raw = rows("sprint.csv", skipinitialspace=True, escapechar="\\")
    sp = [{k.strip(): v.strip() for k, v in r.items()} for r in raw]
    assert list(sp[0]) == ["Name", "Country", "Medal", "Time", "Year"] and len(sp) == 85
    assert all(v for r in sp for v in r.values())
    assert {r["Medal"] for r in sp} == {"GOLD", "SILVER", "BRONZE"}
    gold = {int(r["Year"]): r for r in sp if r["Medal"] == "GOLD"}
    assert len(gold) == sum(r["Medal"] == "GOLD" for r in sp)  # one gold a Games
    g["k1"] = gold[1968]["Time"]
    g["k2"] = argmax(Counter(r["Country"] for r in gold.values()))
    g["k3"] = str(sum(r["Country"] == "JAM" for r in sp))
    t1900, t2012 = Decimal(gold[1900]["Time"]), Decimal(gold[2012]["Time"])
    assert t2012 < t1900  # the question asks how much it dropped
    g["k4"] = rounded(100 * (t1900 - t2012) / t1900, 1)
    bronze = [r for r in sp if r["Medal"] == "BRONZE" and 1980 <= int(r["Year"]) <= 2012]
    assert len(bronze) == 9 == len({r["Year"] for r in bronze})  # one bronze in each of 9 Games
    g["k5"] = rounded(mean([Decimal(r["Time"]) for r in bronze]), 2)
    # la-riots.csv (vega_datasets, Los Angeles Times): the 63 people who died in the 1992 Los
    # Angeles riots, columns first_name, last_name, age, gender ('Male', 'Female'), race ('Asian',
    # 'Black', 'Latino', 'White'), death_date (YYYY-MM-DD), address, neighborhood, type
    # ('Homicide', 'Death', 'Officer-involved shooting', 'Not riot-related'), longitude, latitude;
    # one empty cell: the age of 'John Doe #80'
    la = rows("la-riots.csv")
    assert len(la) == 63 and list(la[0])[:6] == ["first_name", "last_name", "age", "gender", "race", "death_date"]
    empty = [(r["last_name"], k) for r in la for k, v in r.items() if not v]
    assert empty == [("Doe #80", "age")], empty
    assert {r["gender"] for r in la} == {"Male", "Female"}
    g["k6"] = str(sum(r["death_date"] == "1992-04-30" for r in la))
    g["k7"] = argmax(Counter(r["type"] for r in la))
    shot = [r for r in la if r["type"] == "Officer-involved shooting"]
    assert all(r["age"] for r in shot)  # the victim of unknown age is not among them
    g["k8"] = rounded(mean([Decimal(r["age"]) for r in shot]), 1)
    g["k9"] = rounded(Decimal(100) * sum(r["gender"] == "Female" for r in la) / len(la), 1)
    race = Counter(r["race"] for r in la)
    assert race["Black"] != race["Latino"]
    g["k10"] = str(abs(race["Black"] - race["Latino"]))
    # seattle-temps.csv (vega_datasets, NOAA): hourly temperatures in Seattle (°F, one decimal)
    # through 2010, columns date ('2010/01/01 00:00') and temp; 8,759 rows, every hour of the year
    # once except 2010-03-14 03:00 (no row); no empty cell
    se = rows("seattle-temps.csv")
    assert list(se[0]) == ["date", "temp"] and len(se) == 8759 and all(r["temp"] for r in se)
    temp = {datetime.strptime(r["date"], "%Y/%m/%d %H:%M"): Decimal(r["temp"]) for r in se}
    hours = {datetime(2010, 1, 1) + timedelta(hours=h) for h in range(8760)}
    assert len(temp) == 8759 and hours - set(temp) == {datetime(2010, 3, 14, 3)} and set(temp) <= hours
    g["k11"] = next(r["temp"] for r in se if r["date"] == "2010/07/04 12:00")
    top = max(temp.values())
    days = {t.date() for t, v in temp.items() if v == top}
    assert len(days) == 1  # the highest reading falls on one day
    g["k12"] = days.pop().isoformat()
    month = defaultdict(list)
    for t, v in temp.items():
        month[t.month].append(v)
    g["k13"] = MONTHS[argmax({m: mean(v) for m, v in month.items()}, lowest=True) - 1]
    assert len(month[8]) == 31 * 24
    g["k14"] = rounded(mean(month[8]), 2)
    g["k15"] = str(sum(v >= 70 for v in temp.values()))  # 10 hours are exactly 70.0: counted
    # forensic_glass.csv (bokeh-sampledata, UCI Glass Identification): 214 glass samples,
    # columns RI (refractive index, shifted and scaled, with float noise: '3.009999999999991'),
    # Na, Mg, Al, Si, K, Ca, Ba, Fe (weight percent of the oxide) and type ('WinF' window float,
    # 'WinNF' window non-float, 'Veh' vehicle window, 'Con' container, 'Tabl' tableware, 'Head'
    # headlamp); no empty cell
    gl = rows("forensic_glass.csv")
    assert list(gl[0]) == ["RI", "Na", "Mg", "Al", "Si", "K", "Ca", "Ba", "Fe", "type"] and len(gl) == 214
    assert all(v for r in gl for v in r.values())
    assert {r["type"] for r in gl} == {"WinF", "WinNF", "Veh", "Con", "Tabl", "Head"}
    by = defaultdict(list)
    for r in gl:
        by[r["type"]].append(r)

    def avg(kind: str, col: str) -> Decimal:
        return mean([Decimal(r[col]) for r in by[kind]])

    g["k16"] = argmax({k: avg(k, "Mg") for k in by})
    g["k17"] = rounded(avg("Head", "Na"), 2)
    g["k18"] = str(sum(Decimal(r["Ba"]) == 0 for r in gl))
    con, winf = avg("Con", "Al"), avg("WinF", "Al")
    assert con > winf  # the question asks how much higher container glass is
    g["k19"] = rounded(con - winf, 2)
    si = max(by["Tabl"], key=lambda r: Decimal(r["Si"]))
    assert len({r["Si"] for r in by["Tabl"] if Decimal(r["Si"]) == Decimal(si["Si"])}) == 1
    g["k20"] = si["Si"]
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
