"""ToolQA's four databases as DuckDB tables, built once per corpus file and cached.

Why a module of its own: the table layer (typing, the pandas-like string view ``<db>_str`` that
LoadDB/FilterDB/GetValue read, the MySQL-like ``<db>.<db>_data`` view SQLInterpreter reads) is
independent of the tools' wording, which lives in :mod:`.toolqa`. See that module's docstring
for the conventions both views keep.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from ..errors import ToolCallError
from .sql_names import quote

DB_FILES = {
    "flights": "flights/Combined_Flights_2022.csv",
    "coffee": "coffee/coffee_price.csv",
    "airbnb": "airbnb/Airbnb_Open_Data.csv",
    "yelp": "yelp/yelp_academic_dataset_business.json",
}

_LOCK = threading.Lock()
_TABLES: dict[tuple[str, str], "Tables"] = {}


def file_key(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]


def missing(path: Path) -> ToolCallError:
    return ToolCallError(f"{path} is missing: download the ToolQA external corpus (see the ToolQA README) into the data dir")


def _mysql_name(db: str, column: str) -> str:
    if db == "airbnb":  # mysql_db_create.py, quirks included
        return column.replace(" ", "_").replace("lat", "latitude").replace("long", "longitude")
    return column


def _yelp_to_csv(src: Path, dst: Path) -> dict[str, str]:
    """yelp JSON lines -> CSV; returns DuckDB column types. Dicts/None print as pandas would."""
    import csv

    rows = [json.loads(line) for line in src.open(encoding="utf-8") if line.strip()]
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    types = {}
    for c in cols:
        vals = [r.get(c) for r in rows if r.get(c) is not None]
        if vals and all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            types[c] = "BIGINT"
        elif vals and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
            types[c] = "DOUBLE"
        else:
            types[c] = "VARCHAR"
    with dst.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(list(cols))
        for r in rows:
            w.writerow(["" if (r.get(c) is None and types[c] != "VARCHAR") else str(r.get(c)) for c in cols])
    return types


class Tables:
    """One DuckDB connection over the cached copies of the four databases of one data dir."""

    def __init__(self, corpus: Path, cache_dir: Path):
        import duckdb

        self.corpus, self.cache_dir = corpus, cache_dir / "toolqa-db"
        self.con = duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")  # core modules never print
        self.columns: dict[str, list[str]] = {}
        self.lock = threading.RLock()

    def ensure(self, db: str) -> list[str]:
        with self.lock:
            if db not in self.columns:
                self._attach(db, self._build(db))
            return self.columns[db]

    def _build(self, db: str) -> Path:
        import duckdb
        from filelock import FileLock

        src = self.corpus / DB_FILES[db]
        if not src.is_file():
            raise missing(src)
        st = src.stat()
        out = self.cache_dir / f"{db}-{file_key(src.resolve(), st.st_size, st.st_mtime_ns, 2)}.duckdb"
        if out.is_file():
            return out
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(out) + ".lock"):
            if out.is_file():
                return out
            tmp = out.with_suffix(f".tmp{os.getpid()}")
            tmp.unlink(missing_ok=True)
            con = duckdb.connect(str(tmp))
            try:
                con.execute("SET enable_progress_bar = false")
                if db == "yelp":
                    csv_path = tmp.with_suffix(".csv")
                    types = _yelp_to_csv(src, csv_path)
                    spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in types.items()) + "}"
                    con.execute(f"CREATE TABLE raw AS SELECT * FROM read_csv(?, header=true, columns={spec}, nullstr='')", [str(csv_path)])
                    csv_path.unlink()
                else:
                    con.execute(
                        "CREATE TABLE raw AS SELECT * FROM read_csv(?, header=true, sample_size=-1, "
                        "auto_type_candidates=['BIGINT','DOUBLE','VARCHAR'])", [str(src)])
            finally:
                con.close()
            os.replace(tmp, out)
        return out

    def _attach(self, db: str, path: Path) -> None:
        alias = f"cache_{db}"
        self.con.execute(f"ATTACH '{path}' AS {alias} (READ_ONLY)")
        info = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog=? AND table_name='raw' "
            "ORDER BY ordinal_position", [alias]).fetchall()
        nulls = self.con.execute(
            "SELECT " + ", ".join(f"count(*) - count({quote(c)})" for c, _ in info) + f" FROM {alias}.raw").fetchall()[0]  # an aggregate: always one row
        as_str, as_sql = [], []
        for (col, typ), n_null in zip(info, nulls):
            c = quote(col)
            if typ == "BIGINT" and n_null:
                expr = f"COALESCE(CAST(CAST({c} AS DOUBLE) AS VARCHAR), 'nan')"
            else:
                expr = f"COALESCE(CAST({c} AS VARCHAR), 'nan')"
            as_str.append(f"{expr} AS {c}")
            as_sql.append(f"{c} AS {quote(_mysql_name(db, col))}")
        self.con.execute(f"CREATE VIEW {db}_str AS SELECT row_number() OVER () AS __row, {', '.join(as_str)} FROM {alias}.raw")
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {db}")
        self.con.execute(f"CREATE VIEW {db}.{db}_data AS SELECT {', '.join(as_sql)} FROM {alias}.raw")
        self.columns[db] = [c for c, _ in info]


def tables(data_dir: Path, cache_dir: Path) -> Tables:
    key = (str(data_dir.resolve()), str(cache_dir))
    with _LOCK:
        if key not in _TABLES:
            _TABLES[key] = Tables(data_dir / "data" / "external_corpus", cache_dir)
        return _TABLES[key]


def is_number(text: str) -> bool:
    """Whether a FilterDB value is a finite number (then compared as one, unquoted)."""
    try:
        return text.strip().lower() not in ("nan", "inf", "-inf", "infinity") and bool(text.strip()) and float(text) == float(text)
    except ValueError:
        return False


def cell_text(v) -> str:
    """A cell as ToolQA's tools print it: ``---`` for a missing value."""
    return "---" if v is None else str(v)
