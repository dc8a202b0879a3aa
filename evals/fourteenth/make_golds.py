"""Compute the gold answers of the table questions of the fourteenth suite from the CSVs, and
check that ``questions.jsonl`` agrees.

    python evals/fourteenth/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/fourteenth/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/fourteenth/make_golds.py --show     # print every computed gold

Only the ``data`` questions are computed, with DuckDB (the project's own dependency) reading
each CSV as text (``all_varchar``) and casting in the query, so that no type sniffing and no
``NA`` handling of the reader decides anything; the docs golds were written by hand from the
manual pages. Every measure these questions use is an integer in the file, so sums, counts and
differences come back exact and a mean or a percentage is finished with ``Decimal``. A gold is
printed at the precision the question asks for ("Round to 1 decimal" -> one decimal), else as the
file writes it; a rounded gold is refused when the exact value lies on a rounding half.
"""

from __future__ import annotations

import sys
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from golds import check_golds  # noqa: E402  (evals/golds.py, beside the sets)
DATA = HERE / "data"
QUESTIONS = HERE / "questions.jsonl"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def rounded(v: Decimal, places: int) -> str:
    step = Decimal(1).scaleb(-places)
    scaled = v / step
    assert scaled - scaled.to_integral_value(rounding="ROUND_FLOOR") != Decimal("0.5"), f"{v} is on a rounding half"
    return str(v.quantize(step, rounding=ROUND_HALF_EVEN))


def ratio(total, count) -> Decimal:
    """An exact sum over an exact count (both integers from DuckDB)."""
    assert count, "an empty group"
    return Decimal(int(total)) / Decimal(int(count))


def one(con: duckdb.DuckDBPyConnection, sql: str, *params) -> tuple:
    rows = con.execute(sql, list(params)).fetchall()
    assert len(rows) == 1, f"{len(rows)} rows from {sql!r}"
    return rows[0]


def scalar(con: duckdb.DuckDBPyConnection, sql: str, *params):
    return one(con, sql, *params)[0]


def top(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The first key of a query ordered by a value, descending; refused on a tie for first."""
    rows = con.execute(sql).fetchall()
    assert len(rows) >= 2 and rows[0][1] != rows[1][1], f"a tie or a single row: {rows[:2]}"
    return rows[0][0]


def load(con: duckdb.DuckDBPyConnection, table: str, name: str, columns: list[str], n: int) -> None:
    path = str(DATA / name)
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header = true, all_varchar = true)", [path])
    got = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    assert got == columns, got
    assert scalar(con, f"SELECT count(*) FROM {table}") == n, name


def empty_cells(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict[str, int]:
    """Cells read as NULL (an empty field: the files here write no quoted empty string)."""
    counts = one(con, "SELECT " + ", ".join(f'count(*) - count("{c}")' for c in columns) + f" FROM {table}")
    return {c: k for c, k in zip(columns, counts) if k}


def na_cells(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict[str, int]:
    counts = one(con, "SELECT " + ", ".join(f"count(*) FILTER (WHERE \"{c}\" = 'NA')" for c in columns)
                 + f" FROM {table}")
    return {c: k for c, k in zip(columns, counts) if k}


def golds() -> dict[str, str]:
    g: dict[str, str] = {}
    con = duckdb.connect()
    # Airline.csv (sktime, Box & Jenkins's series G): monthly totals of international airline
    # passengers (thousands, though the file does not say so), one row a month from 1949-01 to
    # 1960-12 (144 rows), columns Date ('YYYY-MM', no day) and Passengers (an integer); no empty cell
    cols = ["Date", "Passengers"]
    load(con, "air", "Airline.csv", cols, 144)
    assert not empty_cells(con, "air", cols) and not na_cells(con, "air", cols)
    months = [f"{1949 + i // 12}-{i % 12 + 1:02d}" for i in range(144)]
    assert [r[0] for r in con.execute("SELECT Date FROM air").fetchall()] == months  # every month once, in order
    month = "SELECT CAST(Passengers AS INTEGER) FROM air WHERE Date = ?"
    g["f1"] = str(scalar(con, month, "1955-03"))
    best = top(con, "SELECT Date, CAST(Passengers AS INTEGER) AS p FROM air WHERE Date LIKE '1958-%' ORDER BY p DESC")
    g["f2"] = MONTHS[int(best[5:7]) - 1]
    jan50, jan60 = scalar(con, month, "1950-01"), scalar(con, month, "1960-01")
    assert jan60 > jan50  # the question asks how much they grew
    g["f3"] = rounded(100 * Decimal(jan60 - jan50) / Decimal(jan50), 1)
    year = "SELECT sum(CAST(Passengers AS INTEGER)), count(*) FROM air WHERE Date LIKE ?"
    total, count = one(con, year, "1954-%")
    assert count == 12
    g["f4"] = rounded(ratio(total, count), 2)
    total, count = one(con, year, "1957-%")
    assert count == 12
    g["f5"] = str(total)
    # gbsg2.csv (lifelines, the German Breast Cancer Study Group's trial 2): 686 women with
    # node-positive breast cancer, columns horTh (hormone therapy: 'yes'/'no'), age (years),
    # menostat ('Pre'/'Post' menopausal), tsize (tumour size), tgrade ('I', 'II', 'III'), pnodes
    # (positive lymph nodes), progrec and estrec (progesterone and estrogen receptors), time
    # (recurrence-free survival), cens (1 = an event); the file and lifelines give no units (R's
    # TH.data documents mm, fmol and days); every cell an integer or a label, no empty cell
    cols = ["horTh", "age", "menostat", "tsize", "tgrade", "pnodes", "progrec", "estrec", "time", "cens"]
    load(con, "bc", "gbsg2.csv", cols, 686)
    assert not empty_cells(con, "bc", cols) and not na_cells(con, "bc", cols)
    assert {r[0] for r in con.execute("SELECT DISTINCT horTh FROM bc").fetchall()} == {"yes", "no"}
    assert {r[0] for r in con.execute("SELECT DISTINCT menostat FROM bc").fetchall()} == {"Pre", "Post"}
    assert {r[0] for r in con.execute("SELECT DISTINCT tgrade FROM bc").fetchall()} == {"I", "II", "III"}
    g["f6"] = rounded(ratio(*one(con, "SELECT sum(CAST(tsize AS INTEGER)), count(*) FROM bc WHERE tgrade = 'III'")), 2)
    g["f7"] = str(scalar(con, "SELECT count(*) FROM bc WHERE horTh = 'yes'"))
    # the highest mean: compared as exact fractions (sum and count), then ordered by them
    grades = {k: ratio(s, n) for k, s, n in con.execute(
        "SELECT tgrade, sum(CAST(pnodes AS INTEGER)), count(*) FROM bc GROUP BY tgrade").fetchall()}
    ranked = sorted(grades.items(), key=lambda kv: kv[1], reverse=True)
    assert ranked[0][1] != ranked[1][1]
    g["f8"] = ranked[0][0]
    age = "SELECT sum(CAST(age AS INTEGER)), count(*) FROM bc WHERE menostat = ?"
    post, pre = ratio(*one(con, age, "Post")), ratio(*one(con, age, "Pre"))
    assert post > pre  # the question asks how much older the postmenopausal women are
    g["f9"] = rounded(post - pre, 1)
    g["f10"] = str(scalar(con, "SELECT count(*) FROM bc WHERE CAST(pnodes AS INTEGER) >= 10"))
    # dd.csv (lifelines, Cheibub, Gandhi and Vreeland's Democracy and Dictatorship data): 1,808
    # spells of heads of government in 200 countries, 1946 (or independence) to 2008, columns
    # ctryname, cowcode2, politycode (7 empty cells: Montenegro 1, Tuvalu 6; written '700.0'),
    # un_region_name ('South America', ...), un_continent_name, ehead (the leader), leaderspellreg
    # (leader.country.first.last.regime), democracy ('Democracy'/'Non-democracy'), regime
    # ('Parliamentary Dem', 'Mixed Dem', 'Presidential Dem', 'Civilian Dict', 'Military Dict',
    # 'Monarchy'), start_year, duration (years), observed (0/1); 36 names carry the three
    # characters 'ï¿½' where an accented letter was ('Franï¿½ois Fillon'); one spell has two rows
    # (Meles Zenawi, Ethiopia, 1991, written alike but for politycode: '530.0' and '529.0')
    cols = ["ctryname", "cowcode2", "politycode", "un_region_name", "un_continent_name", "ehead", "leaderspellreg",
            "democracy", "regime", "start_year", "duration", "observed"]
    load(con, "dd", "dd.csv", cols, 1808)
    assert empty_cells(con, "dd", cols) == {"politycode": 7} and not na_cells(con, "dd", cols)
    assert scalar(con, "SELECT count(DISTINCT ctryname) FROM dd") == 200
    assert scalar(con, "SELECT count(DISTINCT leaderspellreg) FROM dd") == 1807
    twice = one(con, "SELECT ehead, ctryname, start_year, regime FROM dd GROUP BY ALL HAVING count(*) > 1")
    assert twice == ("Meles Zenawi", "Ethiopia", "1991", "Civilian Dict"), twice  # in none of the groups asked
    assert scalar(con, "SELECT count(*) FROM dd WHERE ehead LIKE '%ï¿½%'") == 36
    assert {r[0] for r in con.execute("SELECT DISTINCT regime FROM dd").fetchall()} == {
        "Parliamentary Dem", "Mixed Dem", "Presidential Dem", "Civilian Dict", "Military Dict", "Monarchy"}
    g["f11"] = str(scalar(con, "SELECT start_year FROM dd WHERE ehead = 'Margaret Thatcher'"))
    g["f12"] = scalar(con, "SELECT ehead FROM dd WHERE ctryname = 'United Kingdom' AND start_year = '1990'")
    g["f13"] = top(con, "SELECT ctryname, count(*) AS n FROM dd WHERE un_region_name = 'South America' "
                        "GROUP BY ctryname ORDER BY n DESC")
    spell = "SELECT sum(CAST(duration AS INTEGER)), count(*) FROM dd WHERE regime = ?"
    g["f14"] = rounded(ratio(*one(con, spell, "Military Dict")), 2)
    monarchy, parliament = ratio(*one(con, spell, "Monarchy")), ratio(*one(con, spell, "Parliamentary Dem"))
    assert monarchy > parliament  # the question asks how much longer the monarchies last
    g["f15"] = rounded(monarchy - parliament, 2)
    # planes.csv (nycflights13, from the FAA aircraft registry): 3,322 aircraft that flew from New
    # York in 2013, columns tailnum, year (of manufacture), type, manufacturer (upper case, one maker
    # written several ways: 'AIRBUS' and 'AIRBUS INDUSTRIE'), model, engines, seats, speed, engine;
    # a missing value is the unquoted text NA (year 70, speed 3,299), never an empty cell
    cols = ["tailnum", "year", "type", "manufacturer", "model", "engines", "seats", "speed", "engine"]
    load(con, "pl", "planes.csv", cols, 3322)
    assert not empty_cells(con, "pl", cols)
    assert na_cells(con, "pl", cols) == {"year": 70, "speed": 3299}
    assert scalar(con, "SELECT count(DISTINCT tailnum) FROM pl") == 3322
    g["f16"] = scalar(con, "SELECT year FROM pl WHERE tailnum = 'N915DE'")
    assert g["f16"] != "NA"
    g["f17"] = str(scalar(con, "SELECT count(*) FROM pl WHERE year = 'NA'"))
    makers = {r[0] for r in con.execute("SELECT DISTINCT manufacturer FROM pl WHERE manufacturer ILIKE '%airbus%'")
              .fetchall()}
    assert makers == {"AIRBUS", "AIRBUS INDUSTRIE"}, makers  # the two spellings the question names, no other
    g["f18"] = str(scalar(con, "SELECT count(*) FROM pl WHERE manufacturer IN ('AIRBUS', 'AIRBUS INDUSTRIE')"))
    makers = {r[0] for r in con.execute("SELECT DISTINCT manufacturer FROM pl WHERE manufacturer ILIKE '%embraer%'")
              .fetchall()}
    assert makers == {"EMBRAER"}, makers
    g["f19"] = rounded(ratio(*one(con, "SELECT sum(CAST(seats AS INTEGER)), count(*) FROM pl "
                                       "WHERE manufacturer = 'EMBRAER'")), 1)
    total, count = one(con, "SELECT sum(CAST(speed AS INTEGER)), count(*) FROM pl WHERE speed <> 'NA'")
    assert count == 23
    g["f20"] = rounded(ratio(total, count), 1)
    return g


def main() -> int:
    return check_golds(golds(), QUESTIONS)

if __name__ == "__main__":
    sys.exit(main())
