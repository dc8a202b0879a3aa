"""One sentence after an SQL error that says what to write instead, from the tables' own columns.

Why: a small model names columns from the question's words (``temperature_min`` for
``temp_min``, ``closing_price`` for ``price``, ``month = 7`` where the table has a ``date``), and
DuckDB's own suggestion is by spelling alone ("Candidate bindings: precipitation" for
``closing_price``; "Did you mean pg_tables?" for a table it does not have). Read back after the
error, the model then repeats the call it made. A hint built from the schema, by the words the
names share, gives it the rewrite: "There is no column closing_price; did you mean price?".
"""

from __future__ import annotations

import difflib
import re

Schemas = dict[str, list[tuple[str, str]]]  # table -> [(column, type)]

DATE_PARTS = {"year": "year", "month": "month", "day": "day", "quarter": "quarter", "week": "week",
              "yr": "year", "mon": "month", "dow": "dayofweek", "weekday": "dayofweek"}


def advice(message: str, schemas: Schemas, query: str = "") -> str:
    """A sentence (with a leading space) for an error the model can fix by a known rewrite, else "";
    ``query``: the statement that failed (which tables it read)."""
    if m := re.search(r'Referenced column "([^"]+)" not found', message):
        return _column(m.group(1), schemas)
    if m := re.search(r"Table with name (\S+) does not exist", message):
        tables = ", ".join(schemas)
        return f" There is no table {m.group(1)}; the tables are: {tables}." if tables else ""
    if m := re.search(r'invalid date field format: "(\d{4})-(\d{1,2})"', message):
        return (f" A DATE is compared with a whole date ('{m.group(1)}-{int(m.group(2)):02d}-01'); for a month write"
                f" year(col) = {m.group(1)} AND month(col) = {int(m.group(2))}.")
    if "More than one row returned by a subquery" in message:
        return _one_row(queried(schemas, query) or schemas)
    return ""


def elsewhere(text: str, schemas: Schemas) -> str:
    """A sentence (with a leading space) for a failed Calculate or PythonInterpreter call whose
    argument names one of the user's tables, else "": those tools run without the user's files.
    The 1.5B, asked the average city mileage of a make over a table ``mpg``, sent
    ``mpg[mpg['manufacturer'] == 'Honda']['cty'].mean()`` to Calculate, then ``tables['mpg']`` to
    PythonInterpreter four times ("name 'tables' is not defined"); asked how many mammals are
    endangered, it looped over ``msleep`` in PythonInterpreter until the episode stopped; given the
    values of a column after a query, it sent the query's text to Calculate five times."""
    named = list(queried(schemas, text))
    if not named:
        return ""
    which = " and ".join(named[:2])
    return (f" {which} {'is a table' if len(named) == 1 else 'are tables'} that only the SQL tool reads (Calculate and "
            f"PythonInterpreter run without the user's files): write this as one SQL query.")


def queried(schemas: Schemas, query: str) -> Schemas:
    """The tables (with their columns) that ``query`` names."""
    return {t: cols for t, cols in schemas.items() if re.search(rf"\b{re.escape(t)}\b", query, re.IGNORECASE)}


def _one_row(schemas: Schemas) -> str:
    """A sub-query compared or subtracted must give one row: in a table with a row per date *and*
    per name (stocks: date, symbol), filtering by the date alone gives one row per name (the 1.5B's
    "price change of AMZN from 2000 to 2010" filtered only the dates)."""
    texts = [f"{c} = '...'" for cols in schemas.values() for c, ty in cols if ty.upper().startswith("VARCHAR")][:3]
    also = f" too ({' or '.join(texts)})" if texts else ""
    return f" Each sub-query must give one row: filter it by every column that tells rows apart{also}."


def date_part(name: str) -> str | None:
    """The part of a date a column name means ("year" of ``start_year``, "dayofweek" of ``weekday``), or None."""
    return next((DATE_PARTS[w] for w in _words(name) if w in DATE_PARTS), None)


def _column(name: str, schemas: Schemas) -> str:
    dates = [c for cols in schemas.values() for c, ty in cols if ty.upper().startswith(("DATE", "TIMESTAMP"))]
    part = date_part(name)
    if part and dates:
        d = dates[0]
        return (f" There is no column {name}; write {part}({d}) for the {part} of the date column"
                f" (e.g. WHERE month({d}) = 7 AND year({d}) = 2012).")
    near = similar(name, [c for cols in schemas.values() for c, _ in cols])
    if not near:
        return ""
    return f" There is no column {name}; did you mean " + " or ".join(near) + "?"


def similar(name: str, columns: list[str], n: int = 2) -> list[str]:
    """The columns most like ``name``: sharing a word (``temp`` of ``temperature_min``, ``price`` of
    ``closing_price``) first, by how much of the name they share, then close spellings."""
    words = _words(name)

    def shared(col: str) -> float:
        cw = _words(col)
        hits = sum(1 for w in words if any(w == x or (min(len(w), len(x)) >= 3 and (w.startswith(x) or x.startswith(w)))
                                          for x in cw))
        return hits / max(len(words), 1)

    columns = list(dict.fromkeys(columns))
    ranked = sorted((c for c in columns if shared(c) > 0),
                    key=lambda c: (-shared(c), -difflib.SequenceMatcher(None, name.lower(), c.lower()).ratio()))
    if ranked:
        return ranked[:n]
    return difflib.get_close_matches(name, columns, n=n, cutoff=0.75)


# the same word as column names shorten it, and as questions say it
SAME = {"maximum": "max", "high": "max", "highest": "max", "minimum": "min", "low": "min", "lowest": "min",
        "average": "avg", "mean": "avg", "temperature": "temp", "quantity": "qty", "amount": "amt",
        "number": "num", "count": "num"}


def _words(name: str) -> list[str]:
    split = re.split(r"[^a-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower())
    return [SAME.get(w, w) for w in split if w]
