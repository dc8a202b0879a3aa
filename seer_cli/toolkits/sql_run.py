"""One read-only SQL query over the user's tables, as the ``SQL`` tool runs it: the statement
checked, run in DuckDB, a mistake a small model keeps making read as meant, an error turned into
one sentence of what to write, an empty result explained, the rows as a small text table.

Why a module of its own: what the tool forgives and what it says back decide whether the 1.5B
finishes a data question; the toolkit (:mod:`.general`) only wires the connection in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..errors import ToolCallError
from . import calc, sql_hints, table_values
from .sql_names import quote

SQL_ROWS = 50
SQL_CHARS = 4_000
READ_ONLY = re.compile(r"(?is)^(select|with|describe|show|summarize|explain|from)\b")
_MISSING_COLUMN = re.compile(r'Referenced column "([^"]+)" not found')

Schemas = dict[str, list[tuple[str, str]]]


def run_query(con, schemas: Schemas, query: str, schema_line: str, question: str | None = None) -> str:
    """The result of ``query`` as text, or a ToolCallError saying what to write instead
    (``schema_line``: the tables and columns, added to every error; ``question``: the user's, when
    an episode asks one)."""
    stmt = query.strip().rstrip(";").strip()
    if not READ_ONLY.match(stmt):
        raise ToolCallError("SQL: only read-only queries (SELECT, WITH, DESCRIBE, SHOW) are allowed")
    if ";" in stmt:
        raise ToolCallError("SQL: one statement at a time")
    stmt, read = _number_names_read(schemas, stmt)
    try:
        names, rows = _execute(con, stmt)
    except Exception as e:
        msg = _first_line(e)
        rewritten = _one_table_read(con, schemas, stmt, msg) or _missing_columns_read(con, schemas, stmt, msg, partly=True)
        if rewritten is None or isinstance(rewritten, Misread):  # a read that runs beats one that half-worked
            rewritten = _text_numbers_read(con, schemas, stmt, msg) or _partial_dates_read(con, schemas, stmt, msg) \
                or _extreme_row_read(con, stmt, msg) or _bare_names_read(con, schemas, stmt) \
                or _copied_filter_read(con, schemas, stmt, msg, question) or rewritten
        if rewritten is None or isinstance(rewritten, Misread):
            said = ""
            if isinstance(rewritten, Misread):  # the names were read, and the query then failed on something else
                stmt, msg, said = rewritten.stmt, rewritten.msg, f" (after reading {rewritten.read})"
            m = _MISSING_COLUMN.search(msg)  # a value's column, else a spelling
            hint = (m and table_values.missing_column_advice(con, schemas, stmt, m.group(1))) or sql_hints.advice(msg, schemas, stmt)
            raise ToolCallError(f"SQL error{said}: {msg}.{hint} Tables: {schema_line}") from None
        stmt, names, rows, more = rewritten
        read += more
    if rows and (labelled := _group_labels_read(con, stmt)) is not None:
        stmt, names, rows, more = labelled
        read += more
    if _found_nothing(rows) and (cased := _case_read(con, schemas, stmt)) is not None:
        stmt, names, rows, more = cased
        read += more
    text = read + format_table(names, rows)
    if len(rows) > 1 or re.search(r"\blimit\b", stmt, re.IGNORECASE):
        text += _single_row_groups(con, schemas, stmt)
    if _found_nothing(rows):
        notes = table_values.near_values(con, schemas, stmt)
        text += ("\nNote: " + "; ".join(notes) + ".") if notes else ""
    return text


def _number_names_read(schemas: Schemas, stmt: str) -> tuple[str, str]:
    """``stmt`` with each bare number that is the name of a column of a table it reads written as
    that column (``"1990"``; ``T1.1990`` as ``T1."1990"``), and the note saying so (empty when none
    was). A table with a column a year (the World Bank's fertility rates: 1960 ... 2013) is asked
    ``AVG(1990)``, which DuckDB reads as the number 1990 (a wrong answer, silently), or ``T1.1990``,
    a syntax error the 1.5B sent four times. Numbers in strings, after LIMIT or OFFSET, or that name
    no column stay as written."""
    numbered = {c for cols in sql_hints.queried(schemas, stmt).values() for c, _ in cols if c.isdigit()}
    if not numbered:
        return stmt, ""
    read: list[str] = []

    def column(m: re.Match) -> str:
        if m.group(2) not in numbered or (m.group(1) is None and re.search(r"\b(limit|offset)\s+$", m.string[:m.start()], re.I)):
            return m.group(0)
        read.append(m.group(2))
        return (m.group(1) or "") + quote(m.group(2))

    parts = re.split(r"""('(?:[^']|'')*'|"(?:[^"]|"")*")""", stmt)  # literals and quoted names stay as written
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"(?:(\b[A-Za-z_]\w*\.)|(?<![\w.]))(\d+)(?![\w.])", column, parts[i])
    if not read:
        return stmt, ""
    return "".join(parts), "Note: read " + ", ".join(dict.fromkeys(read)) + " as the column" + ("s" if len(set(read)) > 1 else "") \
        + " of that name.\n"


def _found_nothing(rows: list[tuple]) -> bool:
    """No rows, or an aggregate over none: one row of NULLs (``AVG``) or of NULLs and zeros (``COUNT``)."""
    return not rows or (len(rows) == 1 and all(v is None or (type(v) is int and v == 0) for v in rows[0]))


def _first_line(error: Exception) -> str:
    """DuckDB's error as one sentence: its first line, at most 300 characters, no closing period."""
    return str(error).strip().splitlines()[0][:300].rstrip(".")


def _renamed(stmt: str, name: str, new: str) -> str:
    """``stmt`` with the name ``name`` (quoted or bare, never inside a string literal) written ``new``."""
    parts = re.split(r"('(?:[^']|'')*')", stmt)  # string literals stay as written
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(rf'"{re.escape(name)}"|(?<![\w."]){re.escape(name)}(?![\w"])', new.replace("\\", "\\\\"), parts[i])
    return "".join(parts)


def _execute(con, stmt: str) -> tuple[list[str], list[tuple]]:
    cur = con.execute(stmt)
    return [d[0] for d in cur.description], cur.fetchmany(SQL_ROWS + 1)


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
        names, rows = _execute(con, stmt)
        return stmt, names, rows, f"Note: read {said}.\n"
    except Exception as e:  # noqa: BLE001 (another mistake in it: read on, or report that one)
        msg = _first_line(e)
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
        m = _MISSING_COLUMN.search(msg)
        if not m:
            break
        name = m.group(1)
        cols = [c for c, _ in _queried(schemas, stmt)]
        hits = {c for c in cols if _spelled(c) == _spelled(name)} or {c for c in cols if _spelled(_unqualified(c)) == _spelled(name)}
        if not hits and (dates := _date_columns(schemas, stmt)) and len(dates) == 1 and _DATE_WORDS & set(_spelled(name).split("_")):
            hits = set(dates)  # visit_date, time, timestamp: the one date column ("time (UTC)")
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
            names, rows = _execute(con, stmt)
            return stmt, names, rows, note
        except Exception as e:  # noqa: BLE001 (another misspelled column, or the query's own mistake)
            msg = _first_line(e)
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
        names, rows = _execute(con, rewritten)
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
        names, rows = _execute(con, rewritten)
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
    parts = re.split(r"('(?:[^']|'')*'|\"[^\"]*\")", stmt)  # literals and quoted names stay as written
    read: list[str] = []
    for i in range(0, len(parts), 2):
        for name in odd:
            spelled = r"\s+".join(re.escape(w) for w in name.split())
            new = re.sub(rf"(?<![\w\"]){spelled}(?![\w\"])", quote(name).replace("\\", "\\\\"), parts[i])
            if new != parts[i]:
                parts[i] = new
                read.append(name)
    if not read:
        return None
    names_read = list(dict.fromkeys(read))
    rewritten, said = "".join(parts), ", ".join(names_read) + (" as column names" if len(names_read) > 1 else " as a column name")
    try:
        names, rows = _execute(con, rewritten)
        return rewritten, names, rows, f"Note: read {said}.\n"
    except Exception as e:  # noqa: BLE001 (another mistake in it: read on, or report that one)
        msg = _first_line(e)
    more = _missing_columns_read(con, schemas, rewritten, msg, partly=True)
    if more is None:
        return Misread(rewritten, said, msg)
    if isinstance(more, Misread):
        return Misread(more.stmt, f"{said}, {more.read}", more.msg)
    return (*more[:3], f"Note: read {said}.\n" + more[3])


def _copied_filter_read(con, schemas: Schemas, stmt: str, msg: str, question: str | None):
    """A filter ``column = 'value'`` on a column no queried table has, with a value no column holds,
    neither of them in the user's question: a filter copied from a demonstration of other data, left
    out; ``(statement, names, rows, note)`` when the query then runs, else None. Asked for a glucose
    reading at a time, the 1.5B added ``AND branch = 'Riverside'`` (a demonstration's, over a shop's
    visits) to a right query four times. Only in an episode (``question`` given), only a filter
    joined to others by AND: a question that names the value, or a missing column it names, keeps
    the error."""
    m = _MISSING_COLUMN.search(msg)
    if question is None or not m:
        return None
    name, asked = m.group(1), " ".join(re.findall(r"\w+", question.lower()))
    cond = rf'(?:\b\w+\.)?(?:"{re.escape(name)}"|(?<![\w."]){re.escape(name)}(?![\w"]))\s*=\s*\'((?:[^\']|\'\')*)\''
    found = re.search(cond, stmt)
    if not found:
        return None
    value = found.group(1).replace("''", "'")
    words = lambda text: " ".join(re.findall(r"\w+", text.lower()))  # noqa: E731
    if not words(value) or f" {words(value)} " in f" {asked} " or f" {words(name)} " in f" {asked} " \
            or table_values.holding(con, schemas, value):
        return None
    rewritten = re.sub(rf"\s+and\s+{cond}|{cond}\s+and\s+", " ", stmt, count=1, flags=re.IGNORECASE)
    if rewritten == stmt:
        return None  # the filter alone: leaving it out would widen the query to everything
    try:
        names, rows = _execute(con, rewritten.strip())
    except Exception:  # noqa: BLE001 (another mistake too: the error stands)
        return None
    return rewritten.strip(), names, rows, f"Note: left out {found.group(0)} (no column {name}, no value '{value}' here).\n"


def _case_read(con, schemas: Schemas, stmt: str):
    """A query that found nothing because a ``column = 'value'`` filter spelled a value in another
    case or spacing than the one the column holds (``series = 'Jessie'`` where it holds 'jessie'),
    or in full where the column holds it short (``day = 'Saturday'`` where it holds 'Sat': the 1.5B
    asked so three times over a NULL average): run again with the held spelling, ``(statement,
    names, rows, note)`` when that finds rows, else None. Only a value the column holds exactly
    once in that form: a near value that is longer ('22.04' for '22.04 LTS') stays a note
    (:func:`.table_values.near_values`)."""
    read: list[str] = []
    rewritten = stmt
    done: set[tuple[str, str]] = set()  # a filter is read once, by the first table whose column holds its value so
    for table, col, value in table_values.text_filters(schemas, stmt):
        if (col.lower(), value) in done:
            continue
        try:
            held = table_values.folded(con, table, col, value, 2) or table_values.shortened(con, table, col, value, 2)
        except Exception:  # noqa: BLE001 (best effort)
            continue
        if len(held) == 1 and held[0] != value:
            literal, spelled = ("'" + str(v).replace("'", "''") + "'" for v in (value, held[0]))
            rewritten = re.sub(rf"(=\s*){re.escape(literal)}", "\\g<1>" + spelled.replace("\\", "\\\\"), rewritten)
            read.append(f"'{value}' as '{held[0]}' ({col} holds it so)")
            done.add((col.lower(), value))
    if not read or rewritten == stmt:
        return None
    try:
        names, rows = _execute(con, rewritten)
    except Exception:  # noqa: BLE001 (best effort)
        return None
    return (rewritten, names, rows, "Note: read " + ", ".join(read) + ".\n") if not _found_nothing(rows) else None


def _group_labels_read(con, stmt: str):
    """A grouped query that does not select what it groups by (``SELECT AVG(co2) ... GROUP BY
    month(date) ORDER BY 1 DESC LIMIT 1``): run again with the group's expression as the first
    columns, ``(statement, names, rows, note)``, else None. Its rows say which group is which only
    so: on the fifth real-files set the 1.5B, given "avg(co2) 370.975" for "which month had the
    highest CO2 levels on average?", answered a month it did not see. Read from DuckDB's own parse
    (``json_serialize_sql``); a DuckDB that gives no expression locations reads nothing."""
    if not re.search(r"\bgroup\s+by\b", stmt, re.IGNORECASE):
        return None  # nothing grouped: no parse on every query
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [stmt]).fetchone()[0])
        node = tree["statements"][0]["node"]
        if tree["error"] or len(tree["statements"]) != 1 or node["type"] != "SELECT_NODE":
            return None
        said = [_text_at(stmt, e) for e in node["select_list"]]
        groups = [_text_at(stmt, e) for e in node["group_expressions"] if e["class"] != "CONSTANT"]
        if any(e["class"] == "STAR" for e in node["select_list"]) or not node["select_list"]:
            return None
        first = node["select_list"][0]["query_location"]
    except Exception:  # noqa: BLE001 (no parse, or an older DuckDB's: nothing read)
        return None
    seen = {_bare(s) for s in said} | {_bare(e["alias"]) for e in node["select_list"] if e.get("alias")}
    missing = [g for g in dict.fromkeys(groups) if not any(_bare(g) in s for s in seen)]
    if not missing or not stmt[first:].strip():
        return None
    named = [g if '"' in g or re.fullmatch(r"\w+", g) else f'{g} AS "{g}"' for g in missing]  # headed as written
    rewritten = stmt[:first] + ", ".join(named) + ", " + stmt[first:]
    try:
        names, rows = _execute(con, rewritten)
    except Exception:  # noqa: BLE001 (best effort: the rows as asked stand)
        return None
    return rewritten, names, rows, f"Note: added {', '.join(missing)} to the columns, to say which group each row is.\n"


def _extreme_row_read(con, stmt: str, msg: str):
    """``SELECT MIN(fertility), year FROM gapminder WHERE country = 'Japan'``, which DuckDB refuses
    (``year`` is neither grouped nor aggregated), read as meant: the year *of the row* with the least
    fertility, ``arg_min(year, fertility)``; ``(statement, names, rows, note)``, else None. The 1.5B
    wrote it for "In which year was Japan's fertility rate at its lowest?", then grouped by year to
    please the error and answered the first of 50 rows. Only a query with no GROUP BY whose columns
    are one MIN or MAX of one expression and plain columns is read (DuckDB's own parse)."""
    if "must appear in the GROUP BY clause" not in msg or re.search(r"\bgroup\s+by\b", stmt, re.IGNORECASE):
        return None
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [stmt]).fetchone()[0])
        node = tree["statements"][0]["node"]
        if tree["error"] or len(tree["statements"]) != 1 or node["type"] != "SELECT_NODE":
            return None
        select = node["select_list"]
        extremes = [e for e in select if e["class"] == "FUNCTION" and e["function_name"].lower() in ("min", "max")
                    and len(e["arguments"]) == 1 and not e["distinct"]]
        plain = [e for e in select if e["class"] == "COLUMN_REF"]
        if len(extremes) != 1 or len(extremes) + len(plain) != len(select) or not plain:
            return None
        (extreme,) = extremes
        by = _text_at(stmt, extreme["arguments"][0]["expression"])
    except Exception:  # noqa: BLE001 (no parse, or an older DuckDB's: nothing read)
        return None
    pick = "arg_min" if extreme["function_name"].lower() == "min" else "arg_max"
    rewritten = stmt
    for e in sorted(plain, key=lambda e: -e["query_location"]):  # from the end: earlier locations stay valid
        text = _text_at(stmt, e)
        name = e["alias"] or e["column_names"][-1]
        at = e["query_location"]
        rewritten = rewritten[:at] + f'{pick}({text}, {by}) AS {quote(name)}' + rewritten[at + len(text):]
    try:
        names, rows = _execute(con, rewritten)
    except Exception:  # noqa: BLE001 (best effort: the error stands)
        return None
    said = ", ".join(_text_at(stmt, e) for e in plain)
    which = "least" if pick == "arg_min" else "greatest"
    those = "those" if len(plain) > 1 else "that"
    return rewritten, names, rows, f"Note: read {said} as {those} of the row with the {which} {by}.\n"


_AGGREGATES = {"min", "max", "avg", "mean", "sum", "count", "count_star", "median", "first", "last", "any_value"}


def _single_row_groups(con, schemas: Schemas, stmt: str) -> str:
    """A note when a grouped query's groups are single rows: it groups one table by plain columns
    that tell every row of it apart, so each aggregate is one row's value (a timestamp's groups are
    readings, not days). The 1.5B asked ``SELECT YEAR, MAX(UNEMP) FROM longley GROUP BY YEAR`` for
    the year with the most unemployed and answered a year from the middle of the 16 it saw, and
    grouped glucose readings by their timestamp for "the day with the highest average"; "" otherwise."""
    if not re.search(r"\bgroup\s+by\b", stmt, re.IGNORECASE):
        return ""
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [stmt]).fetchone()[0])
        node = tree["statements"][0]["node"]
        if tree["error"] or node["type"] != "SELECT_NODE" or node["from_table"]["type"] != "BASE_TABLE":
            return ""
        table = node["from_table"]["table_name"]
        keys = [e["column_names"][-1] for e in node["group_expressions"] if e["class"] == "COLUMN_REF"]
        if not keys or len(keys) != len(node["group_expressions"]) or not any(
                e["class"] == "FUNCTION" and e["function_name"].lower() in _AGGREGATES for e in node["select_list"]):
            return ""
        cols = {c.lower(): (c, ty) for c, ty in schemas.get(table, [])}
        if not all(k.lower() in cols for k in keys):
            return ""
        row = "(" + ", ".join(quote(cols[k.lower()][0]) for k in keys) + ")"
        total, distinct = con.execute(f"SELECT count(*), count(DISTINCT {row}) FROM {quote(table)}").fetchone()
    except Exception:  # noqa: BLE001 (a note is best effort)
        return ""
    if total < 3 or distinct < 0.9 * total:
        return ""
    named, every = " and ".join(cols[k.lower()][0] for k in keys), "every" if distinct == total else "nearly every"
    note = (f"\nNote: {every} row of {table} has its own {named}, so each group above is one row and each aggregate that "
            f"row's value; to find the row with the greatest or least, ORDER BY the column DESC or ASC LIMIT 1")
    stamps = [cols[k.lower()][0] for k in keys if cols[k.lower()][1].upper().startswith("TIMESTAMP")]
    if stamps:
        note += f"; to group by day, GROUP BY CAST({quote(stamps[0])} AS DATE)"
    return note + "."


def _text_at(stmt: str, expr: dict) -> str:
    """The statement's text of one parsed expression."""
    return stmt[expr["query_location"]:expr["query_location"] + expr["query_location_length"]]


def _bare(text: str) -> str:
    """An expression's text without case, spaces or double quotes, to compare two spellings of it."""
    return re.sub(r'[\s"]+', "", text.lower())


def format_table(names: list[str], rows: list[tuple], max_rows: int = SQL_ROWS, max_chars: int = SQL_CHARS) -> str:
    """A small pipe-separated text table, truncated, its rows counted when there are more than two."""
    if not rows:
        return " | ".join(names) + "\n(no rows)"
    cells = [[("NULL" if v is None else calc.format_number(v) if isinstance(v, float) else str(v)) for v in r] for r in rows[:max_rows]]
    lines = [" | ".join(names)] + [" | ".join(r) for r in cells]
    text = "\n".join(lines)
    if len(rows) > max_rows or len(text) > max_chars:
        text = text[:max_chars] + f"\n... (truncated; first {min(len(rows), max_rows)} rows shown, add LIMIT/WHERE)"
    elif len(rows) > 2:  # counted here: the 1.5B, shown the seven years above 8 percent, answered "4"
        text += f"\n({len(rows)} rows)"
    return text
