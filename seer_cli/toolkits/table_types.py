"""Column types a person would give a table: numbers with gaps, and dates written the way people write them.

Why: DuckDB's CSV sniffer types a column from its values, so one ``NA`` (R's missing value) in a
column of measurements makes the whole column text, and ``AVG(bill_length_mm)`` fails; dates
written ``Jan 1 2000`` or ``25/12/2013`` stay text, and ``year(date) = 2008`` fails. A small
model writes the query the column's meaning calls for, not the cast its storage needs, and
seldom recovers from the error. So after loading, each text column is retyped when every value
agrees:

* **numbers with missing markers**: every value is a number or a missing marker (``NA``,
  ``N/A``, ``NaN``, ``null``, ``None``, ``nil``, ``-``, ``?``, empty) → ``BIGINT`` or ``DOUBLE``, markers
  ``NULL``. Codes with a leading zero (``02134``) stay text, as do columns of markers alone.
* **numbers with thousands separators**: every value is ``1,000`` or ``12,500.75`` or a plain
  number → ``BIGINT`` or ``DOUBLE``.
* **dates**: every value parses with one of the usual written formats → ``DATE``. When two
  formats fit and read some value as different days (``01/02/2000``: January or February?),
  the column is left as it is.

* **words with missing markers**: a text column of words (``male``, ``female``) that also holds
  ``NA``, ``N/A``, ``NaN`` or ``null`` → the same text, markers ``NULL``, so "how many have no
  recorded sex" is ``sex IS NULL`` as a person means it (penguins.csv from R writes its gaps
  ``NA``; pandas and R read them as missing). A column of short capital codes keeps its values:
  there ``NA`` may be Namibia or North America.

* **dates written as one number**: a whole-number column named as a date (``date``, ``day``,
  ``obs_date``) whose every value reads as ``YYYYMMDD`` (statsmodels' co2.csv: ``19580329``)
  → ``DATE``. As a number it was averaged and summed by self-practice ("What is the total
  date?"), and ``year(date) = 1995`` failed for the model.

A column with any other value is left alone: nothing is guessed, only agreed.
"""

from __future__ import annotations

import re

from .sql_names import quote

# DuckDB's names of number types (a DECIMAL is written with its precision: DECIMAL(18,3))
INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL", "DECIMAL")


def numeric(typ: str) -> bool:
    """Whether a column of DuckDB type ``typ`` holds numbers."""
    return typ.upper().startswith(INT_TYPES + FLOAT_TYPES)


_IDENTIFIER = re.compile(r"(?:^|[^A-Za-z])(?:id|ID|Id)$|(?<=[a-z])ID$|^(?:id|ID|Id)(?:[^A-Za-z]|$)")


def identifier(column: str) -> bool:
    """Whether a column's name says it identifies rows (``AirportID``, ``customer_id``, ``station id``):
    its numbers are labels, not a measure."""
    return _IDENTIFIER.search(column) is not None


MISSING = ("", "NA", "N/A", "n/a", "na", "#N/A", "NaN", "nan", "null", "NULL", "Null", "None", "none", "nil", "NIL", "-", "--",
           "?", ".")
# in a column of words, only the markers that mean nothing else ("None" may be a category, "-" a value)
TEXT_MISSING = ("NA", "N/A", "n/a", "#N/A", "NaN", "nan", "null", "NULL", "Null")

# strptime formats people write dates in (ISO dates DuckDB's sniffer already reads)
DATE_FORMATS = (
    "%b %d %Y", "%b %d, %Y", "%B %d %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y",
    "%b-%d-%Y", "%B-%d-%Y", "%d-%B-%Y",  # statsmodels' elec_equip.csv: Jan-1-1995
    "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y", "%m-%d-%Y", "%d-%m-%Y", "%Y-%m-%d",
)


def refine(con, table: str) -> list[tuple[str, str]]:
    """Retype the text columns of ``table`` where every value agrees, and whole-number date
    columns (:func:`_compact_date`); returns ``[(column, new type)]``."""
    cols = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                       "ORDER BY ordinal_position", [table]).fetchall()
    changes = []
    for col, typ in cols:
        expr = _retyped(con, table, col) if typ == "VARCHAR" else _compact_date(con, table, col) if typ.startswith(INT_TYPES) else None
        if expr is not None:
            changes.append((col, *expr))
    if changes:
        replaced = ", ".join(f"{sql} AS {quote(col)}" for col, _typ, sql in changes)
        con.execute(f"CREATE OR REPLACE TABLE {quote(table)} AS SELECT * REPLACE ({replaced}) FROM {quote(table)}")
    return [(col, typ) for col, typ, _sql in changes]


def _retyped(con, table: str, col: str) -> tuple[str, str] | None:
    """(type, SQL expression) that retypes the column, or None when its values do not all agree."""
    c, t = quote(col), quote(table)
    missing = ", ".join(f"'{m}'" for m in MISSING)
    present = f"FROM {t} WHERE {c} IS NOT NULL AND trim({c}) NOT IN ({missing})"
    n = con.execute(f"SELECT count(DISTINCT {c}) {present}").fetchone()[0]
    if not n:
        return None  # empty, or markers alone: nothing to agree on
    blank = f"CASE WHEN trim({c}) IN ({missing}) THEN NULL ELSE trim({c}) END"
    bad_int, bad_num, zero_led = con.execute(
        f"SELECT count(*) FILTER (WHERE NOT regexp_full_match(trim({c}), '[-+]?[0-9]+')), "
        f"count(*) FILTER (WHERE TRY_CAST(trim({c}) AS DOUBLE) IS NULL), "
        f"count(*) FILTER (WHERE regexp_full_match(trim({c}), '[-+]?0[0-9]+')) {present}").fetchone()
    if not zero_led and not bad_int:
        return "BIGINT", f"CAST({blank} AS BIGINT)"
    if not zero_led and not bad_num:
        return "DOUBLE", f"CAST({blank} AS DOUBLE)"
    grouped = _grouped_numbers(con, present, c, blank)
    if grouped:
        return grouped
    sample = con.execute(f"SELECT trim({c}) {present} LIMIT 1").fetchone()[0]
    fits = [f for f in DATE_FORMATS if con.execute("SELECT TRY_STRPTIME(?, ?)", [sample, f]).fetchone()[0] is not None]
    fits = [f for f in fits if not con.execute(f"SELECT count(*) {present} AND TRY_STRPTIME(trim({c}), ?) IS NULL", [f]).fetchone()[0]]
    # %Y reads "03" as the year 3: "19-Sep-03" (matplotlib's msft.csv) fitted %d-%b-%Y and %d-%b-%y, the two
    # disagreed, and the column stayed text (so min(Date) was '1-Aug-03'). A four-digit year is what %Y means.
    fits = [f for f in fits if "%Y" not in f or not con.execute(
        f"SELECT count(*) {present} AND year(strptime(trim({c}), ?)) < 1000", [f]).fetchone()[0]]
    if fits and all(_same_dates(con, present, c, fits[0], f) for f in fits[1:]):
        return "DATE", f"CAST(strptime({blank}, '{fits[0]}') AS DATE)"
    if fits:
        return None  # dates read two ways (01/02/2000: January or February?)
    return _words_with_gaps(con, t, c)


_DATE_NAME = re.compile(r"(^|[_ ])(date|day|dt)($|[_ ])", re.IGNORECASE)


def _compact_date(con, table: str, col: str) -> tuple[str, str] | None:
    """("DATE", SQL) for a whole-number column named as a date whose every value is a day written
    ``YYYYMMDD`` between the years 1700 and 2199; None otherwise (an id or a count never is one:
    the name must say date)."""
    if not _DATE_NAME.search(col):
        return None
    c, t = quote(col), quote(table)
    day = f"TRY_STRPTIME(CAST({c} AS VARCHAR), '%Y%m%d')"
    present, bad = con.execute(f"SELECT count({c}), count(*) FILTER (WHERE {c} IS NOT NULL AND ({c} < 17000101 OR {c} > 21991231 "
                               f"OR {day} IS NULL)) FROM {t}").fetchone()
    if not present or bad:
        return None
    return "DATE", f"CAST({day} AS DATE)"


def _words_with_gaps(con, t: str, c: str) -> tuple[str, str] | None:
    """("VARCHAR", SQL with the markers NULL) for a column of words that holds :data:`TEXT_MISSING`
    markers, or None: no marker, or values that are short capital codes ("NA" may be a code there)."""
    markers = ", ".join(f"'{m}'" for m in TEXT_MISSING)
    gaps, codes, words = con.execute(
        f"SELECT count(*) FILTER (WHERE trim({c}) IN ({markers})), "
        f"count(*) FILTER (WHERE trim({c}) NOT IN ({markers}) AND regexp_full_match(trim({c}), '[A-Z0-9]{{1,3}}')), "
        f"count(*) FILTER (WHERE trim({c}) NOT IN ({markers}) AND trim({c}) <> '') FROM {t}").fetchone()
    if not gaps or not words or codes:
        return None
    return "VARCHAR", f"CASE WHEN trim({c}) IN ({markers}) THEN NULL ELSE {c} END"


def _grouped_numbers(con, present: str, c: str, blank: str) -> tuple[str, str] | None:
    """("BIGINT" or "DOUBLE", SQL) for numbers written with thousands separators ("1,000",
    "12,500.75", quoted in a comma-separated file), every value either so or a plain number."""
    plain, grouped, decimals = r"-?[0-9]+(\.[0-9]+)?", r"-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", r"\.[0-9]"
    odd, commas, points = con.execute(
        f"SELECT count(*) FILTER (WHERE NOT regexp_full_match(trim({c}), '{plain}') AND NOT regexp_full_match(trim({c}), '{grouped}')), "
        f"count(*) FILTER (WHERE contains({c}, ',')), count(*) FILTER (WHERE regexp_matches({c}, '{decimals}')) {present}").fetchone()
    if odd or not commas:
        return None
    typ = "DOUBLE" if points else "BIGINT"
    return typ, f"CAST(replace({blank}, ',', '') AS {typ})"


def _same_dates(con, present: str, c: str, f1: str, f2: str) -> bool:
    """Whether two formats read every value as the same day ("May 1 2000" is %b and %B alike)."""
    return not con.execute(f"SELECT count(*) {present} AND strptime(trim({c}), ?) <> strptime(trim({c}), ?)",
                           [f1, f2]).fetchone()[0]


