"""A mistake a small model keeps making in SQL, read as meant after DuckDB refused the query.

Why a module of its own: the 1.5B sends a refused query again and again (a table or column named
from the question's words, a bare name of several words, a year compared as text, ``MIN(x), y``
without a group, a filter copied from a demonstration), each time reading an error that tells it
what to write and writing the same query. Each read here rewrites one such mistake, runs the query
again and says what it read, so the tool (:mod:`.sql_run`) answers the query the model meant, or
reports the next mistake once the names are read (:class:`Misread`). :func:`read_as_meant` tries them
in order; every read is best effort and leaves the original error standing when it does not run.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Callable

from . import sql_hints, sql_shapes, table_types, table_values
from .sql_names import quote
from .sql_shapes import execute

Schemas = dict[str, list[tuple[str, str]]]


def read_as_meant(con, schemas: Schemas, stmt: str, msg: str, question: str | None = None):
    """``stmt``, refused with ``msg``, read as meant: ``(statement, names, rows, note)`` when a read
    runs, a :class:`Misread` when names were read and the query then failed on another mistake,
    else None. Names first (a wrong table, a spelled column, which then may fail on something
    else); a read that runs beats one that half-worked."""
    rewritten = _one_table_read(con, schemas, stmt, msg) or _missing_columns_read(con, schemas, stmt, msg, partly=True)
    if isinstance(rewritten, Misread) and (more := _other_reads(con, schemas, rewritten.stmt, rewritten.msg, question)) \
            and not isinstance(more, Misread):  # the names read, then the next mistake read too (a table's name, a made-up filter)
        return (*more[:3], f"Note: read {rewritten.read}.\n" + more[3])
    if rewritten is None or isinstance(rewritten, Misread):
        rewritten = _other_reads(con, schemas, stmt, msg, question) or rewritten
    return rewritten


def _other_reads(con, schemas: Schemas, stmt: str, msg: str, question: str | None):
    """The reads after the names', in order: the first that reads ``stmt`` (see :func:`read_as_meant`)."""
    return _text_numbers_read(con, schemas, stmt, msg) or _partial_dates_read(con, schemas, stmt, msg) \
        or sql_shapes.extreme_row_read(con, stmt, msg) or sql_shapes.order_by_aggregate_read(con, stmt, msg) \
        or sql_shapes.two_selects_read(con, stmt, msg) or _bare_names_read(con, schemas, stmt) \
        or _keyword_names_read(con, schemas, stmt, msg) or _value_column_read(con, schemas, stmt, msg) \
        or _copied_filter_read(con, schemas, stmt, msg, question)


# DuckDB's "Referenced column "x" not found", and "Column "units" referenced that exists in the SELECT clause" when
# the missing column is also an alias (``SUM(units) AS units``, a demonstration's name over another table)
MISSING_COLUMN = re.compile(r'(?:Referenced column|Column) "([^"]+)" (?:not found|referenced that exists in the SELECT clause)')


def first_line(error: Exception) -> str:
    """DuckDB's error as one sentence: its first line, at most 300 characters, no closing period."""
    return str(error).strip().splitlines()[0][:300].rstrip(".")


def _renamed(stmt: str, name: str, new: str) -> str:
    """``stmt`` with the name ``name`` (quoted or bare, never inside a string literal) written ``new``."""
    parts = re.split(r"('(?:[^']|'')*')", stmt)  # string literals stay as written
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(rf'"{re.escape(name)}"|(?<![\w."]){re.escape(name)}(?![\w"])', new.replace("\\", "\\\\"), parts[i])
    return "".join(parts)


def _one_table_read(con, schemas: Schemas, stmt: str, msg: str):
    """A table name the user's one table does not have (``FROM employees`` over ``us_employment``):
    the query run again on that table, then read as :func:`_missing_columns_read` reads it if it must;
    ``(statement, names, rows, note)`` when it then runs, else a :class:`Misread` (the next mistake is
    the one to report). The 1.5B named the employment table "employees" in four identical queries in
    a row, the error naming the one table each time."""
    m = re.search(r"Table with name (\S+) does not exist", msg)
    if not m or len(schemas) != 1:
        return None
    (table,) = schemas
    stmt = re.sub(rf'(?<![\w."]){re.escape(m.group(1))}(?![\w"])', quote(table), stmt)
    said = f"table {m.group(1)} as {table}"
    try:
        names, rows = execute(con, stmt)
        return stmt, names, rows, f"Note: read {said}.\n"
    except Exception as e:  # noqa: BLE001 (another mistake in it: read on, or report that one)
        msg = first_line(e)
    more = _missing_columns_read(con, schemas, stmt, msg, partly=True) or _text_numbers_read(con, schemas, stmt, msg)
    if more is None:
        return Misread(stmt, said, msg)
    if isinstance(more, Misread):
        return Misread(more.stmt, f"{said}, {more.read}", more.msg)
    return (*more[:3], f"Note: read {said}.\n" + more[3])


def _queried(schemas: Schemas, stmt: str) -> list[tuple[str, str]]:
    """(column, type) of every table the statement names."""
    return [col for cols in sql_hints.queried(schemas, stmt).values() for col in cols]


def _date_columns(schemas: Schemas, stmt: str) -> list[str]:
    """The date and time columns of the tables the statement names."""
    return list(dict.fromkeys(c for c, ty in _queried(schemas, stmt) if ty.upper().startswith(("DATE", "TIMESTAMP"))))


_DATE_WORDS = {"date", "time", "timestamp", "datetime", "dt"}


def _names_a_date(name: str) -> bool:
    """Whether a column name says a date or time (``visit_date``, ``time``), not a part of one."""
    return bool(_DATE_WORDS & set(_spelled(name).split("_")))


def _unqualified(column: str) -> str:
    """A column name without its unit or qualifier in brackets ("temperature (celsius)" is "temperature")."""
    return re.sub(r"\s*[(\[][^()\[\]]*[)\]]\s*$", "", column) or column


def _date_part(schemas: Schemas, stmt: str, name: str) -> tuple[str, str] | None:
    """(``stmt`` with the missing column ``name`` read as that part of the queried tables' one date
    column, what was read) when ``name`` names a part of a date (year, month, start_year...)."""
    part = sql_hints.date_part(name)
    dates = _date_columns(schemas, stmt)
    if not part or len(dates) != 1:
        return None
    stmt = re.sub(rf'(?<![\w."]){re.escape(name)}(?![\w"(])', f"{part}({quote(dates[0])})", stmt)
    return stmt, f"{name} as {part}({dates[0]})"


def _sole_measure(schemas: Schemas, stmt: str, name: str) -> str | None:
    """The one column of numbers the queried tables measure with (not a date part such as
    ``year``, not an identifier), for a missing column ``name`` the query uses as a number (in
    ``avg``, ``sum``, ``min``, ``max`` or compared with a number) that names no date part and is
    spelled like no column; None when the tables have several. A series a person keeps has one:
    the 1.5B asked the Nile's yearly table (``year``, ``volume``) for ``flow < 700`` in four
    identical queries, and a turnover index whose column is the code ``STS.M.I7.W.TOVT.NS0016.4.000``
    for ``avg(index)``, ``index_reading > 100`` and, copying a demonstration, ``sum(salary)``."""
    n = re.escape(name)
    as_number = re.search(rf'\b(?:avg|sum|min|max|median|stddev)\s*\(\s*"?{n}"?\s*\)|(?<![\w."]){n}"?\s*(?:[<>]=?|=|<>|!=|BETWEEN)\s*-?\d',
                          stmt, re.IGNORECASE)
    cols = _queried(schemas, stmt)
    if not as_number or sql_hints.date_part(name) or _names_a_date(name) \
            or difflib.get_close_matches(_spelled(name), [_spelled(c) for c, _ in cols], n=1, cutoff=0.75):
        return None
    measures = [c for c, ty in cols if table_types.numeric(ty) and not sql_hints.date_part(c) and not table_types.identifier(c)]
    return measures[0] if len(measures) == 1 else None


def _spelled(name: str) -> str:
    """A column name as a programmer spells it: lower case, each run of other characters one "_"
    ("Computer Science" and "computer-science" are both ``computer_science``)."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class Misread:
    """Names read as meant (``read``), after which the query (``stmt``) failed on another mistake
    (``msg``): that error is the one to report, so the next query starts from the names read."""

    stmt: str
    read: str
    msg: str


def _missing_columns_read(con, schemas: Schemas, stmt: str, msg: str, most: int = 3, partly: bool = False):
    """Missing columns read as meant, up to ``most`` of them: one written as an identifier
    (``computer_science``, ``melting_point``) where the table names it in words (``Computer
    Science``, ``melting point``), or without the unit in brackets the table adds (``temperature``
    for "temperature (celsius)"), is quoted by its real name; one named as a date or time
    (``visit_date``, ``time``) is the queried tables' one date column; and one named for a part of a date
    (``year``, ``month``, ``start_year``) over the queried tables' one date column is that part of
    it (``year("date")``); ``(statement, names, rows, note)`` when the query then runs, read on by
    :func:`_text_numbers_read` when it then compares a text column with a number; else None, or with
    ``partly`` a :class:`Misread` when a name was read and the query then failed on another mistake.

    On the fifth real-files set the 1.5B sent ``SELECT atomic_mass FROM elements`` three times in a
    row, the error each time asking "did you mean atomic mass?", then answered from memory; on the
    Seattle weather table it wrote ``year = 2012``, read the hint to write ``year(date)``, and sent
    the same query twice more. It also sent ``SELECT computer_science, women ...`` three times, the
    error each time about ``computer_science``, never reaching the column ``women`` that is not there."""
    read: list[str] = []
    for _ in range(most):
        m = MISSING_COLUMN.search(msg)
        if not m:
            break
        name = m.group(1)
        cols = [c for c, _ in _queried(schemas, stmt)]
        hits = {c for c in cols if _spelled(c) == _spelled(name)} or {c for c in cols if _spelled(_unqualified(c)) == _spelled(name)}
        if not hits and (dates := _date_columns(schemas, stmt)) and len(dates) == 1 and _names_a_date(name):
            hits = set(dates)  # visit_date, time, timestamp: the one date column ("time (UTC)")
        if not hits and (measure := _sole_measure(schemas, stmt, name)):
            hits = {measure}
        if len(hits) == 1 and (col := hits.pop()) != name:
            stmt = _renamed(stmt, name, quote(col))
            read.append(f"{name} as {quote(col)}")
        elif (done := _date_part(schemas, stmt, name)):  # a date part, beside a spelled name or alone (year = 2001)
            stmt, said = done
            read.append(said)
        else:
            break
        note = "Note: read " + ", ".join(read) + ".\n"
        try:
            names, rows = execute(con, stmt)
            return stmt, names, rows, note
        except Exception as e:  # noqa: BLE001 (another misspelled column, or the query's own mistake)
            msg = first_line(e)
        if (more := _text_numbers_read(con, schemas, stmt, msg)) is not None:
            return (*more[:3], note + more[3])
    return Misread(stmt, ", ".join(read), msg) if partly and read else None


_NOT_A_NUMBER = re.compile(r"Could not convert string '(?:[^']|'')*' to (INT\d+|DOUBLE|FLOAT|DECIMAL[^ ]*|BIGINT|INTEGER)"
                           r" when casting from source column (.+?)$")


_CAST_TYPES = {"INT8": "TINYINT", "INT16": "SMALLINT", "INT32": "INTEGER", "INT64": "BIGINT", "FLOAT": "DOUBLE"}


def _text_numbers_read(con, schemas: Schemas, stmt: str, msg: str):
    """A text column compared with a number where some of its values are words (``"year discovered"
    BETWEEN 1800 AND 1899`` where it holds 1766 and 'Ancient'): the query run again with that column
    read as a number (``TRY_CAST``), the words left out and the reply saying how many, ``(statement,
    names, rows, note)`` when it then runs, else None. On the fifth real-files set the 1.5B, told
    "Could not convert string 'Ancient' to INT32", counted every element instead."""
    m = _NOT_A_NUMBER.search(msg)
    if not m:
        return None
    col = m.group(2).strip().rstrip(".")
    kind = _CAST_TYPES.get(m.group(1), "DOUBLE" if m.group(1).startswith("DECIMAL") else m.group(1))
    cast = f"TRY_CAST({quote(col)} AS {kind})"
    rewritten = _renamed(stmt, col, cast)
    if rewritten == stmt:
        return None
    try:
        names, rows = execute(con, rewritten)
    except Exception:  # noqa: BLE001 (the query's own error: the original is reported)
        return None
    left = ""
    for table, cols in sql_hints.queried(schemas, stmt).items():
        if col in {c for c, _ in cols}:
            words = con.execute(f"SELECT DISTINCT {quote(col)} FROM {quote(table)} WHERE {quote(col)} IS NOT NULL "
                                f"AND {cast} IS NULL ORDER BY 1").fetchall()
            shown = ", ".join(repr(w) for (w,) in words[:3]) + (", ..." if len(words) > 3 else "")
            left = f"; its values that are not numbers ({shown}) are left out" if words else ""
            break
    return rewritten, names, rows, f"Note: read {quote(col)} as a number{left}.\n"


_PARTIAL_DATE = re.compile(r"""(?:"([^"]+)"|\b([A-Za-z_]\w*))\s*=\s*'(\d{4})(?:-(\d{1,2}))?'""")


def _partial_dates_read(con, schemas: Schemas, stmt: str, msg: str):
    """``month = '2015-12'`` (or ``= '2015'``) on a DATE column: the query run again comparing the
    column's year and month, ``(statement, names, rows, note)`` when it then runs, else None. The
    1.5B compared the employment table's DATE column ``month`` with '2015-12', read DuckDB's
    "invalid date field format" and the hint, and answered with the error retold."""
    if "invalid date field format" not in msg:
        return None
    dates = {c.lower(): c for cols in schemas.values() for c, ty in cols if ty.upper().startswith(("DATE", "TIMESTAMP"))}
    read: list[str] = []

    def spelled(m: re.Match) -> str:
        col = dates.get((m.group(1) or m.group(2)).lower())
        if col is None:
            return m.group(0)
        year, month = m.group(3), m.group(4)
        said = f"{year}-{month}" if month else year
        new = f"year({quote(col)}) = {year}" + (f" AND month({quote(col)}) = {int(month)}" if month else "")
        read.append(f"{col} = '{said}' as {new}")
        return f"({new})"

    rewritten = _PARTIAL_DATE.sub(spelled, stmt)
    if not read:
        return None
    try:
        names, rows = execute(con, rewritten)
    except Exception:  # noqa: BLE001 (the query's own error: the original is reported)
        return None
    return rewritten, names, rows, "Note: read " + ", ".join(read) + ".\n"


def _bare_names_read(con, schemas: Schemas, stmt: str):
    """Column names that are no SQL identifiers (``eol-esm``, ``Adj.Close``, ``Country Name``)
    written without quotes, which DuckDB reads as ``eol - esm`` or a syntax error: the query run
    again with them quoted, ``(statement, names, rows, note)`` when it then runs (read on by
    :func:`_missing_columns_read` when it then names a column the table lacks), a :class:`Misread`
    when it then fails on another mistake, else None. After practice the 1.5B sent ``SELECT
    eol-esm FROM ubuntu`` three times, the error each time asking "did you mean eol-esm?"; over the
    World Bank's table it wrote ``T1.Country Name`` and ``Indicator Name = ...`` four times over a
    syntax error "at or near Name"."""
    odd = sorted({c for cols in schemas.values() for c, _ in cols if not re.fullmatch(r"[A-Za-z_]\w*", c) and c.strip() == c},
                 key=len, reverse=True)
    # an identifier (computer_science) is a missing column's to read (_missing_columns_read), not a bare name's
    rewritten, read = _quoted_where(stmt, odd, lambda name: rf"(?<![\w\"]){_spelling(name)}(?![\w\"])",
                                    lambda m, name: m.group(0) if re.fullmatch(r"[A-Za-z_]\w*", m.group(0)) else quote(name))
    if not read:
        return None
    names_read = list(dict.fromkeys(read))
    said = ", ".join(names_read) + (" as column names" if len(names_read) > 1 else " as a column name")
    try:
        names, rows = execute(con, rewritten)
        return rewritten, names, rows, f"Note: read {said}.\n"
    except Exception as e:  # noqa: BLE001 (another mistake in it: read on, or report that one)
        msg = first_line(e)
    more = _missing_columns_read(con, schemas, rewritten, msg, partly=True)
    if more is None:
        return Misread(rewritten, said, msg)
    if isinstance(more, Misread):
        return Misread(more.stmt, f"{said}, {more.read}", more.msg)
    return (*more[:3], f"Note: read {said}.\n" + more[3])


# DuckDB's reserved words that a plain SELECT uses only as ORDER BY and GROUP BY, or not at all: a column so named is
# the column wherever it is written bare (not followed by BY)
_KEYWORD_NAMES = frozenset({"order", "group", "check", "column", "constraint", "primary", "foreign", "references", "unique",
                            "default", "collate", "initially", "deferrable", "create", "placing", "leading", "trailing",
                            "both", "symmetric", "asymmetric", "variadic", "returning", "analyse", "analyze", "do", "lambda",
                            "pivot", "unpivot", "pivot_longer", "pivot_wider", "array"})


def _keyword_names_read(con, schemas: Schemas, stmt: str, msg: str):
    """Columns named like SQL keywords (``order``, ``group``, ``check``) written without quotes,
    which DuckDB refuses with a syntax error: the query run again with each quoted wherever it is
    no ``ORDER BY`` or ``GROUP BY``, ``(statement, names, rows, note)`` when it then runs, else
    None. Over a table of mammals with a column ``order`` (Primates, Carnivora), the 1.5B wrote
    ``WHERE order = 'Primates'``."""
    if "syntax error" not in msg:
        return None
    named = {c for cols in schemas.values() for c, _ in cols if c.lower() in _KEYWORD_NAMES}
    if not named:
        return None
    rewritten, read = _quoted_where(stmt, sorted(named), lambda name: rf"(?<![\w.]){re.escape(name)}(?!\w)(?!\s+BY\b)",
                                    lambda m, name: quote(name))
    if not read:
        return None
    try:
        names, rows = execute(con, rewritten)
    except Exception:  # noqa: BLE001 (another mistake: the original error stands)
        return None
    said = ", ".join(quote(n) for n in dict.fromkeys(read))
    return rewritten, names, rows, f"Note: read {said} as {'a column name' if len(set(read)) == 1 else 'column names'}.\n"


def _quoted_where(stmt: str, names: list[str], pattern: Callable[[str], str],
                  replace: Callable[[re.Match, str], str]) -> tuple[str, list[str]]:
    """``stmt`` with each of ``names`` written as ``pattern(name)`` matches (case aside, outside
    string literals and quoted names) replaced by ``replace(match, name)``, and the names so
    rewritten, in order: the one pass of :func:`_bare_names_read` and :func:`_keyword_names_read`."""
    parts = re.split(r"('(?:[^']|'')*'|\"[^\"]*\")", stmt)  # literals and quoted names stay as written
    read: list[str] = []
    for i in range(0, len(parts), 2):
        for name in names:
            new = re.sub(pattern(name), lambda m, name=name: replace(m, name), parts[i], flags=re.IGNORECASE)
            if new != parts[i]:
                parts[i] = new
                read.append(name)
    return "".join(parts), read


def _spelling(name: str) -> str:
    """A pattern for a column name of two or more words written with any of ``_ . ( ) -`` or spaces
    between them (``market_share_perc. (Nov 2013)`` for "Market Share Perc. (Nov 2013)"), its
    closing brackets optional; a name of one word only as the table spells it."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    if len(words) < 2:
        return r"\s+".join(re.escape(w) for w in name.split())
    head, tail = name[:len(name) - len(name.lstrip("()[]._- "))], name[len(name.rstrip("()[]._-% ")):]
    return (re.escape(head) + "?" if head else "") + r"[\s_.()\-]{0,3}".join(re.escape(w) for w in words) \
        + (f"(?:{re.escape(tail)})?" if tail else "")


def _value_column_read(con, schemas: Schemas, stmt: str, msg: str):
    """A filter ``column = 'value'`` on a missing column, where one text column holds the value: read
    as that column (``tabl = 'Tabl'`` as ``type = 'Tabl'``); ``(statement, names, rows, note)`` when the
    query then runs, else None. Told "'Tabl' is a value of type: write type = 'Tabl'", the 1.5B sent
    ``WHERE tabl = 'Tabl'`` four times more."""
    m = MISSING_COLUMN.search(msg)
    if not m:
        return None
    name = m.group(1)
    for value in table_values.filter_values(stmt, name):
        if len(holders := table_values.holding(con, schemas, value)) != 1:
            continue
        rewritten = _renamed(stmt, name, quote(holders[0]))
        try:
            names, rows = execute(con, rewritten)
        except Exception:  # noqa: BLE001 (best effort: the error stands)
            return None
        return rewritten, names, rows, f"Note: read {name} as {quote(holders[0])} ('{value}' is a value of {holders[0]}).\n"
    return None


def _copied_filter_read(con, schemas: Schemas, stmt: str, msg: str, question: str | None, most: int = 3):
    """Filters ``column = 'value'`` on columns no queried table has, with values no column holds,
    neither of them in the user's question: filters copied from a demonstration of other data (or
    made up), left out, up to ``most`` of them; ``(statement, names, rows, note)`` when the query then
    runs, else None. Asked for a glucose reading at a time, the 1.5B added ``AND branch = 'Riverside'``
    (a demonstration's, over a shop's visits) to a right query four times; asked which country won the
    most 100 m golds, ``event = '100m' AND gender = 'M'`` over a table of medals. Only in an episode
    (``question`` given), only a filter joined to others by AND: a question that names the value, or a
    missing column it names, keeps the error."""
    if question is None:
        return None
    asked, dropped = " ".join(re.findall(r"\w+", question.lower())), []
    words = lambda text: " ".join(re.findall(r"\w+", text.lower()))  # noqa: E731
    for _ in range(most):
        m = MISSING_COLUMN.search(msg)
        if not m:
            return None
        name = m.group(1)
        cond = rf'(?:\b\w+\.)?(?:"{re.escape(name)}"|(?<![\w."]){re.escape(name)}(?![\w"]))\s*=\s*\'((?:[^\']|\'\')*)\''
        found = re.search(cond, stmt)
        if not found:
            return None
        value = found.group(1).replace("''", "'")
        if not words(value) or f" {words(value)} " in f" {asked} " or f" {words(name)} " in f" {asked} " \
                or table_values.holding(con, schemas, value):
            return None
        rewritten = re.sub(rf"\s+and\s+{cond}|{cond}\s+and\s+", " ", stmt, count=1, flags=re.IGNORECASE).strip()
        if rewritten == stmt:
            return None  # the filter alone: leaving it out would widen the query to everything
        stmt = rewritten
        dropped.append(f"{found.group(0)} (no column {name}, no value '{value}' here)")
        try:
            names, rows = execute(con, stmt)
        except Exception as e:  # noqa: BLE001 (another such filter, read on; else the error stands)
            msg = first_line(e)
            continue
        return stmt, names, rows, "Note: left out " + "; ".join(dropped) + ".\n"
    return None
