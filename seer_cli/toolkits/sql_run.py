"""One read-only SQL query over the user's tables, as the ``SQL`` tool runs it: the statement
checked, run in DuckDB, a mistake a small model keeps making read as meant (:mod:`.sql_reads`), an
error turned into one sentence of what to write, an empty result explained, the rows as a small
text table.

Why a module of its own: what the tool forgives and what it says back decide whether the 1.5B
finishes a data question; the toolkit (:mod:`.general`) only wires the connection in.
"""

from __future__ import annotations

import json
import re

from ..errors import ToolCallError
from . import calc, sql_hints, sql_names, sql_reads, table_types, table_values
from .sql_names import quote
from .sql_reads import MISSING_COLUMN, Misread, first_line
from .sql_shapes import SQL_ROWS, execute, select_node, text_at

SQL_CHARS = 4_000
READ_ONLY = re.compile(r"(?is)^(select|with|describe|show|summarize|explain|from)\b")

Schemas = dict[str, list[tuple[str, str]]]

# the notes saying a result that ran may not answer the question (:func:`warning`): the key's own extreme, the first row
# for "the second", a percentage's precedence or scale, and why a result that found nothing is empty (a value the column
# does not hold, a text order, a number out of range: the 1.5B answered "0" to "the combined share of all Internet
# Explorer versions" after such a NULL)
_WARNING = re.compile(r"Note: (?:MIN\(|MAX\(|LIMIT 1 keeps the first row|\* and / come before -|no row has |.*(?:, so the question's "
                      r"|is not a value of|holds for no row))")


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
        names, rows = execute(con, stmt)
    except Exception as e:
        msg = first_line(e)
        rewritten = sql_reads.read_as_meant(con, schemas, stmt, msg, question)
        if rewritten is None or isinstance(rewritten, Misread):
            said = ""
            if isinstance(rewritten, Misread):  # the names were read, and the query then failed on something else
                stmt, msg, said = rewritten.stmt, rewritten.msg, f" (after reading {rewritten.read})"
            m = MISSING_COLUMN.search(msg)  # a value's column, else a spelling
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
    if question and len(rows) == 1:
        text += _extreme_of_the_key(con, schemas, stmt, question) + _ordinal_limit(stmt, question)
    if question and rows:
        text += _percent_precedence(con, stmt, question)
    if question and (scaled := table_values.percent_scale_notes(con, schemas, stmt, question)):
        text += "\nNote: " + "; ".join(scaled) + "."
    if _found_nothing(rows):
        notes = table_values.near_values(con, schemas, stmt)
        text += ("\nNote: " + "; ".join(notes) + ".") if notes else ""
    return text


def warning(observation: str) -> str | None:
    """The note of a query's result saying it may not answer the question (the key's own extreme, the
    first row for "the second", a percentage's precedence or scale, why nothing was found), else None."""
    return next((line for line in observation.splitlines() if _WARNING.match(line)), None)


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
            literal, spelled = sql_names.literal(value), sql_names.literal(held[0])
            rewritten = re.sub(rf"(=\s*){re.escape(literal)}", "\\g<1>" + spelled.replace("\\", "\\\\"), rewritten)
            read.append(f"'{value}' as '{held[0]}' ({col} holds it so)")
            done.add((col.lower(), value))
    if not read or rewritten == stmt:
        return None
    try:
        names, rows = execute(con, rewritten)
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
        if (node := select_node(con, stmt)) is None:
            return None
        said = [text_at(stmt, e) for e in node["select_list"]]
        groups = [text_at(stmt, e) for e in node["group_expressions"] if e["class"] != "CONSTANT"]
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
        names, rows = execute(con, rewritten)
    except Exception:  # noqa: BLE001 (best effort: the rows as asked stand)
        return None
    return rewritten, names, rows, f"Note: added {', '.join(missing)} to the columns, to say which group each row is.\n"


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
        node = select_node(con, stmt)
        if node is None or node["from_table"]["type"] != "BASE_TABLE":
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


_WHICH = re.compile(r"\b(?:which|what)\s+(\w+)\b", re.IGNORECASE)
# not "earliest" or "latest": MIN(year) is the earliest year
_SUPERLATIVES = (r"(highest|lowest|most|least|largest|smallest|biggest|fewest|greatest|best|worst|hottest|coldest|"
                 r"wettest|driest|longest|shortest)\b")
_SUPERLATIVE = re.compile(r"\b" + _SUPERLATIVES, re.IGNORECASE)


def _extreme_of_the_key(con, schemas: Schemas, stmt: str, question: str) -> str:
    """A note when the question asks which row (a year, a month) holds the most or least of
    something and the query took ``MIN`` or ``MAX`` of that key itself, over the whole table: the
    1.5B answered "Which year had the lowest Nile flow?" with ``SELECT min(year) FROM nile``, the
    first year of the table; "" otherwise (a filter, as in "the first year below 700", is meant)."""
    which, most = _WHICH.search(question), _SUPERLATIVE.search(question)
    if not which or not most:
        return ""
    try:
        node = select_node(con, stmt)
        if node is None or len(node["select_list"]) != 1 or node["where_clause"] is not None or node["group_expressions"]:
            return ""
        only = node["select_list"][0]
        if only["class"] != "FUNCTION" or only["function_name"].lower() not in ("min", "max") or len(only["arguments"]) != 1:
            return ""
        arg, table = only["arguments"][0]["expression"], node["from_table"]["table_name"]
    except Exception:  # noqa: BLE001 (a note is best effort)
        return ""
    key = arg.get("column_names", [""])[-1] if arg.get("class") == "COLUMN_REF" else ""
    others = [c for c, ty in schemas.get(table, []) if c.lower() != key.lower() and table_types.numeric(ty)]
    if not key or which.group(1).lower() not in key.lower() or not others:
        return ""
    return (f"\nNote: {only['function_name'].upper()}({key}) is the {'least' if only['function_name'].lower() == 'min' else 'greatest'} "
            f"{key} itself, not the {key} with the {most.group(1).lower()} value of another column; for that, SELECT {quote(key)} "
            f"FROM {quote(table)} ORDER BY that column {'ASC' if most.group(1).lower() in _LOW else 'DESC'} LIMIT 1.")


_ORDINAL = re.compile(r"\b(second|third|fourth|fifth|2nd|3rd|4th|5th)[- ]" + _SUPERLATIVES, re.IGNORECASE)
_RANK = {"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5}


def _ordinal_limit(stmt: str, question: str) -> str:
    """A note when the question asks the second (third ...) highest and the query ordered and kept
    its first row: the 1.5B answered "which breed has the second-highest average butterfat?" with
    ``ORDER BY avg_butterfat DESC LIMIT 1``; "" otherwise."""
    m = _ORDINAL.search(question)
    if not m or not re.search(r"\border\s+by\b", stmt, re.IGNORECASE) or not re.search(r"\blimit\s+1\s*$", stmt, re.IGNORECASE):
        return ""
    return (f"\nNote: LIMIT 1 keeps the first row of that order; the question asks the {m.group(1).lower()}: "
            f"LIMIT 1 OFFSET {_RANK[m.group(1).lower()] - 1}.")


_ASKS_PERCENT = re.compile(r"\bper ?cent(age)?\b|%", re.IGNORECASE)


def _percent_precedence(con, stmt: str, question: str) -> str:
    """A note when the question asks a percentage and the query subtracts a product or quotient
    with 100 in it (``new - old * 100 / old``: * and / bind first); the 1.5B answered 19.6 for an
    increase of 1290.7 %; "" otherwise."""
    if not _ASKS_PERCENT.search(question):
        return ""

    def slips(e: dict) -> bool:
        args = [a["expression"] for a in e.get("arguments", [])] if e.get("class") == "FUNCTION" else []
        if e.get("function_name") == "-" and len(args) == 2 and args[1].get("function_name") in ("*", "/") \
                and "100" in json.dumps(args[1]):
            return True
        return any(slips(a) for a in args)

    try:
        node = select_node(con, stmt)
        if node is None or not any(slips(e) for e in node["select_list"]):
            return ""
    except Exception:  # noqa: BLE001 (a note is best effort)
        return ""
    return "\nNote: * and / come before -, so this is new - (old * 100 / old); a percentage change is (new - old) * 100 / old."


_LOW = {"lowest", "least", "smallest", "fewest", "worst", "coldest", "driest", "shortest"}


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
