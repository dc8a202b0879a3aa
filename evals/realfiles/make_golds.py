"""Compute the gold answers of the table questions of the real-files suite from the CSVs, and check
that ``questions.jsonl`` agrees.

    python evals/realfiles/make_golds.py            # check: exit 1 when a gold differs
    python evals/realfiles/make_golds.py --write    # rewrite the data golds in questions.jsonl
    python evals/realfiles/make_golds.py --show     # print every computed gold
    python evals/realfiles/make_golds.py --mcp      # also call the MCP server once per mcp question,
                                                    # check its golds, save the replies to mcp_calls.json

Only the ``data`` questions are computed here (with the standard csv module, no third-party
code, so the golds do not depend on a library's type guessing); the docs, mcp and math golds were
written by hand from the documents, time-zone offsets and arithmetic, and are checked here only for
being present; the one arithmetic gold that is a computation is recomputed too. With ``--mcp`` the
mcp golds are checked against the real server (``mcp-server-time``, run with this Python): its
``convert_time`` converts on today's date, so the check holds on dates with the DST state the
README names (2026-11-01 to 2027-03-13).

Number formatting: a gold is printed at the precision the question asks for ("rounded to 1
decimal" -> one decimal, else the value as the file has it, trailing zeros dropped).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
QUESTIONS = HERE / "questions.jsonl"


def rows(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def num(s: str) -> float | None:
    return None if s in ("", "NA") else float(s)


def fmt(v, places: int | None = None) -> str:
    if isinstance(v, str):
        return v
    if places is not None:
        v = round(v, places)
        return f"{v:.{places}f}"
    if float(v).is_integer():
        return str(int(v))
    return f"{v}".rstrip("0").rstrip(".")


# --- seattle-weather.csv: date (YYYY/MM/DD), precipitation (mm), temp_max, temp_min (deg C), wind, weather

def weather() -> list[dict]:
    out = []
    for r in rows("seattle-weather.csv"):
        d = datetime.strptime(r["date"], "%Y/%m/%d").date()
        out.append({"date": d, "precipitation": float(r["precipitation"]), "temp_max": float(r["temp_max"]),
                    "temp_min": float(r["temp_min"]), "wind": float(r["wind"]), "weather": r["weather"]})
    return out


# --- stocks.csv: symbol, date ("Jan 1 2000", first of each month), price

def stocks() -> list[dict]:
    return [{"symbol": r["symbol"], "date": datetime.strptime(r["date"], "%b %d %Y").date(), "price": float(r["price"])}
            for r in rows("stocks.csv")]


def price(symbol: str, year: int, month: int) -> float:
    (p,) = [r["price"] for r in stocks() if r["symbol"] == symbol and (r["date"].year, r["date"].month) == (year, month)]
    return p


# --- penguins.csv: species, island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex, year (NA = missing)

def penguins() -> list[dict]:
    return rows("penguins.csv")


# --- us-employment.csv: month (YYYY-MM-01), one column per supersector (thousands of jobs), nonfarm_change

def employment() -> dict[str, dict]:
    return {r["month"]: r for r in rows("us-employment.csv")}


def golds() -> dict[str, str]:
    w = weather()
    s = stocks()
    p = penguins()
    e = employment()

    def mean(xs):
        xs = list(xs)
        return sum(xs) / len(xs)

    g: dict[str, str] = {}
    # Seattle weather
    g["d01"] = fmt(max(r["temp_max"] for r in w if r["date"].year == 2015))
    g["d02"] = fmt(sum(1 for r in w if r["date"].year == 2014 and r["precipitation"] > 10))
    g["d03"] = fmt(sum(1 for r in w if r["date"].year == 2012 and r["weather"] == "snow"))
    (low,) = [r["temp_min"] for r in w if r["date"].isoformat() == "2013-12-25"]
    g["d04"] = fmt(low)
    g["d05"] = fmt(mean(r["temp_max"] for r in w if (r["date"].year, r["date"].month) == (2013, 7)), 1)
    # stocks
    g["d06"] = fmt(max(r["price"] for r in s if r["symbol"] == "AAPL" and r["date"].year == 2008))
    g["d07"] = fmt(100 * (price("AMZN", 2010, 1) - price("AMZN", 2000, 1)) / price("AMZN", 2000, 1), 1)
    g["d08"] = fmt(price("IBM", 2005, 3))
    avg09 = defaultdict(list)
    for r in s:
        if r["date"].year == 2009:
            avg09[r["symbol"]].append(r["price"])
    avg09 = {k: mean(v) for k, v in avg09.items()}
    assert len(avg09) == 5
    g["d09"] = min(avg09, key=avg09.get)
    # penguins
    mass = defaultdict(list)
    for r in p:
        if num(r["body_mass_g"]) is not None:
            mass[r["island"]].append(num(r["body_mass_g"]))
    mass = {k: mean(v) for k, v in mass.items()}
    g["d10"] = max(mass, key=mass.get)
    g["d11"] = fmt(sum(1 for r in p if r["species"] == "Gentoo" and r["year"] == "2009"))
    g["d12"] = fmt(mean(num(r["flipper_length_mm"]) for r in p
                        if r["species"] == "Chinstrap" and r["sex"] == "female" and num(r["flipper_length_mm"]) is not None), 1)
    g["d13"] = fmt(sum(1 for r in p if r["sex"] == "NA"))
    # US employment (thousands of jobs)
    g["d14"] = fmt(float(e["2015-12-01"]["nonfarm"]))
    g["d15"] = fmt(sum(1 for m, r in e.items() if m.startswith("2009-") and float(r["nonfarm_change"]) < 0))
    june = e["2012-06-01"]
    g["d16"] = fmt(float(june["government"]) - float(june["manufacturing"]))
    a, b = float(e["2006-01-01"]["education_and_health_services"]), float(e["2015-12-01"]["education_and_health_services"])
    g["d17"] = fmt(100 * (b - a) / a, 1)
    # arithmetic
    g["x02"] = fmt(26 / 348 * 100, 1)
    return g


# --- mcp: one convert_time call per question, and what of its reply is the answer
MCP_CALLS = {
    "t01": ({"source_timezone": "America/New_York", "time": "09:00", "target_timezone": "Europe/London"}, "time"),
    "t02": ({"source_timezone": "Asia/Tokyo", "time": "15:30", "target_timezone": "America/Los_Angeles"}, "time"),
    "t03": ({"source_timezone": "Europe/Berlin", "time": "12:00", "target_timezone": "Australia/Sydney"}, "hours"),
    "t04": ({"source_timezone": "Asia/Kolkata", "time": "18:45", "target_timezone": "UTC"}, "time"),
    "t05": ({"source_timezone": "America/Sao_Paulo", "time": "10:00", "target_timezone": "Europe/Paris"}, "time"),
    "t06": ({"source_timezone": "America/Chicago", "time": "16:00", "target_timezone": "Pacific/Auckland"}, "time"),
}


def mcp_golds() -> dict[str, str]:
    """Call ``convert_time`` of ``python -m mcp_server_time --local-timezone UTC`` once per mcp
    question; save the calls and replies to ``mcp_calls.json``; return the answers they give."""
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server_time", "--local-timezone", "UTC"])
    calls, out = [], {}

    async def go():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            tools = [t.name for t in (await session.list_tools()).tools]
            for qid, (args, what) in MCP_CALLS.items():
                res = await session.call_tool("convert_time", args)
                reply = json.loads(res.content[0].text)
                calls.append({"id": qid, "tool": "convert_time", "arguments": args, "reply": reply})
                if what == "hours":
                    out[qid] = fmt(float(reply["time_difference"].rstrip("h")))
                else:
                    out[qid] = reply["target"]["datetime"][11:16]
            return tools

    tools = anyio.run(go)
    (HERE / "mcp_calls.json").write_text(json.dumps({"server": "mcp-server-time (python -m mcp_server_time --local-timezone UTC)",
                                                     "called_on": datetime.now().date().isoformat(), "tools": tools,
                                                     "calls": calls}, indent=2) + "\n")
    return out


def load() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="rewrite the computed golds into questions.jsonl")
    ap.add_argument("--show", action="store_true", help="print every computed gold")
    ap.add_argument("--mcp", action="store_true", help="check the mcp golds against the real server (date-dependent)")
    args = ap.parse_args(argv)
    qs = load()
    g = golds()
    mg = mcp_golds() if args.mcp else {}
    if args.show:
        for q in qs:
            print(f"{q['id']}  {g.get(q['id'], q['gold'])!s:>14}  {q['question']}")
    ids = [q["id"] for q in qs]
    bad = [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    bad += [f"{i}: no question in questions.jsonl" for i in g if i not in ids]
    for q in qs:
        if q["kind"] not in ("data", "docs", "mcp", "math") or not str(q.get("gold", "")).strip():
            bad.append(f"{q['id']}: kind {q['kind']!r}, gold {q.get('gold')!r}")
        if q["kind"] == "data" and q["id"] not in g:
            bad.append(f"{q['id']}: a data question without a computed gold")
        if q["id"] in mg and q["gold"] != mg[q["id"]]:
            bad.append(f"{q['id']}: questions.jsonl says {q['gold']!r}, the MCP server says {mg[q['id']]!r} today")
        if q["id"] in g and q["gold"] != g[q["id"]]:
            if args.write:
                q["gold"] = g[q["id"]]
            else:
                bad.append(f"{q['id']}: questions.jsonl says {q['gold']!r}, the files say {g[q['id']]!r}")
    if args.write:
        QUESTIONS.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in qs), encoding="utf-8")
        print(f"wrote {QUESTIONS}")
    for b in bad:
        print(b, file=sys.stderr)
    if not bad:
        print(f"{len(qs)} questions, {len(g)} computed golds agree" + (f", {len(mg)} mcp golds agree with the server" if mg else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
