"""Compute the gold answers of the table questions of the ninth suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/ninth/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/ninth/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/ninth/make_golds.py --show     # print every computed gold

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
    # elec_equip.csv (statsmodels, Eurostat): 257 months Jan-1-1995 .. May-1-2016, columns DATE
    # ('Mon-1-YYYY') and STS.M.I7.W.TOVT.NS0016.4.000 (a turnover index of the euro area's
    # manufacture of electrical equipment); no empty cell, every month written once
    e = rows("elec_equip.csv")
    col = "STS.M.I7.W.TOVT.NS0016.4.000"
    assert list(e[0]) == ["DATE", col] and len(e) == 257 and all(r["DATE"] and r[col] for r in e)
    dates = [r["DATE"] for r in e]
    assert len(set(dates)) == len(dates)
    assert dates == [f"{m}-1-{y}" for y in range(1995, 2017) for m in MONTHS][:257]
    idx = {r["DATE"]: Decimal(r[col]) for r in e}
    g["n1"] = next(r[col] for r in e if r["DATE"] == "Mar-1-2008")
    start, end = idx["Jan-1-2000"], idx["Jan-1-2010"]
    assert end < start  # the question asks how much it fell
    g["n2"] = rounded(100 * (start - end) / start, 1)
    year = defaultdict(list)
    for r in e:
        year[r["DATE"][-4:]].append(Decimal(r[col]))
    full = {y: mean(v) for y, v in year.items() if len(v) == 12}
    assert set(full) == {str(y) for y in range(1995, 2016)}  # 2016 has 5 months; the question asks full years
    g["n3"] = argmax(full)
    assert mean(year["2016"]) < full[g["n3"]]  # nor would the partial year win
    assert not [v for v in idx.values() if v == 100]
    g["n4"] = str(sum(v > 100 for v in idx.values()))
    assert len(year["2009"]) == 12
    g["n5"] = rounded(mean(year["2009"]), 2)
    # superstore.csv (bokeh-sampledata SampleSuperstore.csv.gz, decompressed): 9,994 order lines,
    # Ship Mode, Segment, Country, City, State, Postal Code, Region, Category, Sub-Category, Sales,
    # Quantity, Discount, Profit; no empty cell
    s = rows("superstore.csv")
    assert len(s) == 9994 and all(v for r in s for v in r.values())
    profit = defaultdict(Decimal)
    for r in s:
        profit[r["Region"]] += Decimal(r["Profit"])
    assert set(profit) == {"West", "East", "Central", "South"}
    g["n6"] = argmax(profit)
    g["n7"] = rounded(sum(Decimal(r["Sales"]) for r in s if r["Category"] == "Technology"), 0)
    assert Counter(r["Ship Mode"] for r in s).keys() == {"Standard Class", "Second Class", "First Class", "Same Day"}
    g["n8"] = str(sum(r["Ship Mode"] == "Same Day" for r in s))
    sub = defaultdict(Decimal)
    for r in s:
        sub[r["Sub-Category"]] += Decimal(r["Profit"])
    g["n9"] = argmax(sub, lowest=True)
    assert sub[g["n9"]] < 0
    g["n10"] = rounded(mean([Decimal(r["Profit"]) for r in s if r["Segment"] == "Home Office"]), 2)
    # election.csv (plotly election.csv.gz, decompressed; UTF-8): the 2013 Montreal mayoral
    # election, 58 districts: district ('111-Mile-End'), one column of votes a candidate (Coderre,
    # Bergeron, Joly), total, winner, result ('majority'/'plurality'), district_id; no empty cell
    el = rows("election.csv")
    cands = ("Coderre", "Bergeron", "Joly")
    assert len(el) == 58 and all(v for r in el for v in r.values())
    assert all(sum(int(r[c]) for c in cands) == int(r["total"]) for r in el)
    for r in el:
        votes = {c: int(r[c]) for c in cands}
        assert r["winner"] == argmax(votes)
        assert (r["result"] == "majority") == (2 * votes[r["winner"]] > int(r["total"])), r["district"]
    mile_end = [r for r in el if "Mile-End" in r["district"]]
    assert len(mile_end) == 1
    g["n11"] = mile_end[0]["Joly"]
    g["n12"] = str(sum(r["winner"] == "Coderre" for r in el))
    total = sum(int(r["total"]) for r in el)
    g["n13"] = rounded(Decimal(100 * sum(int(r["Joly"]) for r in el)) / total, 1)
    best = argmax({r["district"]: Decimal(r["Joly"]) / Decimal(r["total"]) for r in el})
    number, name = best.split("-", 1)
    assert number.isdigit() and sum(name in r["district"] for r in el) == 1
    g["n14"] = name
    g["n15"] = str(sum(r["result"] == "majority" for r in el))
    # nile.csv (statsmodels): annual flow of the Nile at Aswan, 100 years 1871..1970, columns
    # year, volume (10^8 cubic metres, whole numbers); no empty cell
    ni = rows("nile.csv")
    assert [r["year"] for r in ni] == [str(y) for y in range(1871, 1971)] and all(r["volume"] for r in ni)
    flow = {r["year"]: int(r["volume"]) for r in ni}
    g["n16"] = str(flow["1950"])
    g["n17"] = argmax(flow, lowest=True)
    g["n18"] = rounded(mean([Decimal(flow[str(y)]) for y in range(1890, 1900)]), 1)
    assert not [v for v in flow.values() if v == 1000]
    g["n19"] = str(sum(v > 1000 for v in flow.values()))
    assert not [v for v in flow.values() if v == 700]
    g["n20"] = next(y for y, v in flow.items() if v < 700)
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
