"""Compute the gold answers of the table questions of the twelfth suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/twelfth/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/twelfth/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/twelfth/make_golds.py --show     # print every computed gold

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
    # economics.csv (plotnine, from FRED): US economic series, one row a month from 1967-07-01 to
    # 2015-04-01 (574 rows), columns date (YYYY-MM-01), pce (personal consumption expenditures,
    # billions of dollars), pop (thousands), psavert (personal savings rate, %), uempmed (median
    # duration of unemployment, weeks), unemploy (number unemployed, thousands); no empty cell
    ec = rows("economics.csv")
    assert list(ec[0]) == ["date", "pce", "pop", "psavert", "uempmed", "unemploy"] and len(ec) == 574
    assert all(v for r in ec for v in r.values())
    months = [f"{1967 + (6 + i) // 12}-{(6 + i) % 12 + 1:02d}-01" for i in range(574)]
    assert [r["date"] for r in ec] == months  # every month once, in order, 1967-07 .. 2015-04
    eco = {r["date"]: r for r in ec}
    g["w1"] = eco["2000-01-01"]["unemploy"]
    g["w2"] = MONTHS[int(argmax({r["date"][5:7]: Decimal(r["psavert"]) for r in ec if r["date"].startswith("2012")})) - 1]
    y2000 = [Decimal(r["psavert"]) for r in ec if r["date"].startswith("2000-")]
    assert len(y2000) == 12
    g["w3"] = rounded(mean(y2000), 2)
    p2000, p2010 = Decimal(eco["2000-01-01"]["pce"]), Decimal(eco["2010-01-01"]["pce"])
    assert p2010 > p2000  # the question asks how much it grew
    g["w4"] = rounded(100 * (p2010 - p2000) / p2000, 1)
    g["w5"] = str(sum(Decimal(r["uempmed"]) >= 20 for r in ec))  # one month is exactly 20.0: counted
    # mpg.csv (plotnine, from the EPA's fueleconomy.gov): 234 cars of 38 models, 1999 and 2008,
    # columns manufacturer (lower case: 'honda'), model, displ (litres), year, cyl, trans
    # ('auto(l4)', 'manual(m5)', ...), drv ('f' front, 'r' rear, '4' four-wheel drive), cty and
    # hwy (miles per gallon, integers), fl (fuel type), class ('compact', 'suv', ...); no empty cell
    mp = rows("mpg.csv")
    assert list(mp[0]) == ["manufacturer", "model", "displ", "year", "cyl", "trans", "drv", "cty", "hwy", "fl",
                           "class"] and len(mp) == 234
    assert all(v for r in mp for v in r.values())
    assert {r["drv"] for r in mp} == {"f", "r", "4"} and {r["year"] for r in mp} == {"1999", "2008"}
    assert all(r["trans"].startswith(("auto(", "manual(")) for r in mp)
    cls = defaultdict(list)
    for r in mp:
        cls[r["class"]].append(Decimal(r["hwy"]))
    g["w6"] = argmax({k: mean(v) for k, v in cls.items()})
    g["w7"] = rounded(mean([Decimal(r["cty"]) for r in mp if r["manufacturer"] == "honda"]), 1)
    front = mean([Decimal(r["hwy"]) for r in mp if r["drv"] == "f"])
    four = mean([Decimal(r["hwy"]) for r in mp if r["drv"] == "4"])
    assert front > four  # the question asks how much more front-wheel drive cars get
    g["w8"] = rounded(front - four, 2)
    g["w9"] = str(sum(r["trans"].startswith("manual(") for r in mp))
    g["w10"] = argmax(Counter(r["manufacturer"] for r in mp))
    # txhousing.csv (plotnine, from the Texas A&M Real Estate Center): monthly home sales of 46
    # Texas cities and areas, 2000-01 .. 2015-07 (8,602 rows), columns city, year, month (1..12),
    # sales, volume (dollars), median (median sale price, dollars), listings, inventory (months),
    # date (decimal year: 2000.08333333333); a missing value is written NA (4,643 of them)
    tx = rows("txhousing.csv")
    assert list(tx[0]) == ["city", "year", "month", "sales", "volume", "median", "listings", "inventory",
                           "date"] and len(tx) == 8602
    assert all(v for r in tx for v in r.values())  # missing values are 'NA', never empty
    assert sum(v == "NA" for r in tx for v in r.values()) == 4643
    assert len({r["city"] for r in tx}) == 46
    txc = {(r["city"], int(r["year"]), int(r["month"])): r for r in tx}
    assert len(txc) == len(tx)
    g["w11"] = txc[("Austin", 2010, 6)]["median"]
    dec14 = {c: r for (c, y, m), r in txc.items() if (y, m) == (2014, 12)}
    assert len(dec14) == 46 and all(r["median"] != "NA" for r in dec14.values())
    g["w12"] = argmax({c: int(r["median"]) for c, r in dec14.items()})
    d05, d15 = Decimal(txc[("Dallas", 2005, 1)]["median"]), Decimal(txc[("Dallas", 2015, 1)]["median"])
    assert d15 > d05  # the question asks how much it rose
    g["w13"] = rounded(100 * (d15 - d05) / d05, 1)
    ep = [txc[("El Paso", 2012, m)]["sales"] for m in range(1, 13)]
    assert "NA" not in ep
    g["w14"] = rounded(mean([Decimal(v) for v in ep]), 1)
    sa = [r["median"] for r in tx if r["city"] == "San Antonio"]
    assert len(sa) == 187 and "NA" not in sa
    g["w15"] = str(sum(int(v) >= 180000 for v in sa))
    # msleep.csv (plotnine, from ggplot2: Savage and West 2007, with Wikipedia): 83 mammals,
    # columns name (common name; 'Vole ' with a trailing space), genus, vore ('carni', 'herbi',
    # 'insecti', 'omni'), order ('Primates', ...), conservation (IUCN codes: 'lc', 'nt', 'vu',
    # 'en', 'cd', and 'domesticated'), sleep_total, sleep_rem, sleep_cycle, awake (hours a day),
    # brainwt, bodywt (kg); a missing value is written NA (vore 7, conservation 29, sleep_rem 22,
    # sleep_cycle 51, brainwt 27)
    ms = rows("msleep.csv")
    assert list(ms[0]) == ["name", "genus", "vore", "order", "conservation", "sleep_total", "sleep_rem",
                           "sleep_cycle", "awake", "brainwt", "bodywt"] and len(ms) == 83
    assert all(v for r in ms for v in r.values())
    na = Counter(k for r in ms for k, v in r.items() if v == "NA")
    assert na == {"vore": 7, "conservation": 29, "sleep_rem": 22, "sleep_cycle": 51, "brainwt": 27}, na
    assert len({r["name"] for r in ms}) == 83
    g["w16"] = next(r["sleep_total"] for r in ms if r["name"] == "Giraffe")
    g["w17"] = argmax({r["name"]: Decimal(r["sleep_total"]) for r in ms})
    prim = [r["sleep_rem"] for r in ms if r["order"] == "Primates"]
    assert len(prim) == 12 and prim.count("NA") == 2  # the question leaves the two out
    g["w18"] = rounded(mean([Decimal(v) for v in prim if v != "NA"]), 2)
    assert {r["conservation"] for r in ms} == {"lc", "nt", "vu", "en", "cd", "domesticated", "NA"}
    g["w19"] = str(sum(r["conservation"] == "en" for r in ms))
    insect = mean([Decimal(r["sleep_total"]) for r in ms if r["vore"] == "insecti"])
    herb = mean([Decimal(r["sleep_total"]) for r in ms if r["vore"] == "herbi"])
    assert insect > herb  # the question asks how much longer the insect-eaters sleep
    g["w20"] = rounded(insect - herb, 2)
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
