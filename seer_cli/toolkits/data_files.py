"""The user's data files as DuckDB tables: one table a CSV, TSV, JSON or Parquet file, a sheet of a
workbook, or a table of an SQLite database, named from the file (``Sales 2024.csv`` is
``sales_2024``), then retyped as a person would read its columns (:mod:`.table_types`).

Why a module of its own: files as people keep them are where a data question first fails. A CSV
whose gap marker first shows past DuckDB's sniffer sample, or whose last line ends otherwise than
the rest, could not be loaded at all (bokeh's CGM.csv); a short row, an encoding, lines above the
header and decimal commas (:mod:`.csv_shape`) each made a table unreadable or one text column.
The toolkit (:mod:`.general`) only asks for the tables.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import duckdb

from ..errors import UserError
from . import csv_shape, table_types

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def load(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Each of ``paths`` as one or more tables of ``con``; a UserError naming the file that cannot be read."""
    taken: set[str] = set()
    for p in paths:
        suffix = p.suffix.lower()
        try:
            if suffix in SQLITE_SUFFIXES:
                _load_sqlite(con, p, taken)
            elif suffix in WORKBOOK_SUFFIXES:  # one table a sheet (:mod:`.spreadsheets`)
                from .spreadsheets import load_workbook

                for name in load_workbook(con, p, lambda stem: table_name(stem, taken)):
                    table_types.refine(con, name)
            else:
                name = table_name(p.stem, taken)
                _load_file(con, p, name)
                if suffix != ".parquet":
                    table_types.refine(con, name)  # NA in a column of numbers, "Jan 1 2000" (:mod:`.table_types`)
        except duckdb.Error as e:
            raise UserError(f"{p}: cannot be read as a table ({str(e).splitlines()[0]})") from None


def table_name(stem: str, taken: set[str]) -> str:
    """A file's stem as an SQL name no other table has taken (lower case, ``_`` for other characters)."""
    name = re.sub(r"\W+", "_", stem.lower()).strip("_") or "t"
    if name[0].isdigit():
        name = "t_" + name
    base, i = name, 2
    while name in taken:
        name, i = f"{base}_{i}", i + 1
    taken.add(name)
    return name


def _load_file(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    """A CSV, TSV, JSON or Parquet file as the table ``name``.

    null_padding: a row with fewer fields than the header (distro-info's ubuntu.csv leaves the later
    end-of-life dates off old releases) is padded with NULLs; without it the sniffer read the whole
    file as one text column. Encoding, lines above the header and decimal commas: :mod:`.csv_shape`."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        shape = csv_shape.read_options(path, "\t" if suffix == ".tsv" else None)
        if suffix == ".tsv":
            shape.setdefault("delim", "\t")
        reader = f"read_csv(?, header=true, null_padding=true{csv_shape.sql_options(shape)})"
    else:
        reader = "read_parquet(?)" if suffix == ".parquet" else "read_json_auto(?)"
    try:
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM {reader}', [str(path)])
    except (duckdb.ConversionException, duckdb.InvalidInputException):
        if not reader.startswith("read_csv"):
            raise
        # bokeh's CGM.csv writes "nil" for a gap from its 39,460th line on, past the sniffer's sample, and
        # ends its last line with \n after 52,281 lines ended \r\n: every line sniffed, lines read as they
        # end (the markers are then read by table_types.refine)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM {reader[:-1]}, sample_size=-1, strict_mode=false)', [str(path)])
    if reader.startswith("read_csv"):
        csv_shape.unpad(con, name)


def _load_sqlite(con: duckdb.DuckDBPyConnection, path: Path, taken: set[str]) -> None:
    """Every table of an SQLite database, its columns typed from their declared types."""
    import sqlite3

    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            info = src.execute(f'PRAGMA table_info("{table}")').fetchall()
            cols = []
            for _cid, col, decl, *_ in info:
                d = (decl or "").upper()
                typ = "BIGINT" if "INT" in d else "DOUBLE" if any(x in d for x in ("REAL", "FLOA", "DOUB", "NUM", "DEC")) else "VARCHAR"
                cols.append((col, typ))
            name = table_name(table, taken)
            con.execute(f'CREATE TABLE "{name}" (' + ", ".join(f'"{c}" {t}' for c, t in cols) + ")")
            rows = src.execute(f'SELECT * FROM "{table}"').fetchall()
            if rows:
                con.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(cols))})', rows)
    except sqlite3.DatabaseError as e:
        raise UserError(f"{path}: not a readable SQLite database ({e})") from None
    finally:
        src.close()
