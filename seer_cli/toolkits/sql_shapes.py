"""A query whose shape DuckDB refuses, read as meant: a MIN or MAX beside a bare column, ORDER BY a
column selected only aggregated, two aggregates over their own filters joined by an operator; and the
two helpers every read uses, running a statement and reading DuckDB's parse of it.

Why a module of its own: these reads look at the statement's structure (DuckDB's JSON parse), where
:mod:`.sql_reads` reads names and values (a column spelled from the question, a year compared as
text); :func:`.sql_reads.read_as_meant` tries both.
"""

from __future__ import annotations

import json
import re

from .sql_names import quote

SQL_ROWS = 50  # rows a query's reply shows at most (one more is fetched, to know there are more)


def execute(con, stmt: str) -> tuple[list[str], list[tuple]]:
    """The column names and at most ``SQL_ROWS + 1`` rows of ``stmt``."""
    cur = con.execute(stmt)
    return [d[0] for d in cur.description], cur.fetchmany(SQL_ROWS + 1)


def select_node(con, stmt: str) -> dict | None:
    """DuckDB's own parse of ``stmt`` (``json_serialize_sql``) when it is one SELECT, else None; a
    DuckDB whose parse lacks a field makes the caller's lookup fail, which every caller reads as nothing."""
    try:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [stmt]).fetchone()[0])
    except Exception:  # noqa: BLE001 (no parse: nothing read)
        return None
    if tree.get("error") or len(tree.get("statements", [])) != 1 or tree["statements"][0]["node"]["type"] != "SELECT_NODE":
        return None
    return tree["statements"][0]["node"]


def text_at(stmt: str, expr: dict) -> str:
    """The statement's text of one parsed expression."""
    return stmt[expr["query_location"]:expr["query_location"] + expr["query_location_length"]]


def extreme_row_read(con, stmt: str, msg: str):
    """``SELECT MIN(fertility), year FROM gapminder WHERE country = 'Japan'``, which DuckDB refuses
    (``year`` is neither grouped nor aggregated), read as meant: the year *of the row* with the least
    fertility, ``arg_min(year, fertility)``; ``(statement, names, rows, note)``, else None. The 1.5B
    wrote it for "In which year was Japan's fertility rate at its lowest?", then grouped by year to
    please the error and answered the first of 50 rows (after practice it added ``ORDER BY glucose DESC
    LIMIT 1``, refused as well: one row comes back, so that is left out). Only a query with no GROUP BY
    whose columns are one MIN or MAX of one expression and plain columns is read (DuckDB's own parse)."""
    if "must appear in the GROUP BY clause" not in msg or re.search(r"\bgroup\s+by\b", stmt, re.IGNORECASE):
        return None
    try:
        if (node := select_node(con, stmt)) is None:
            return None
        select = node["select_list"]
        extremes = [e for e in select if e["class"] == "FUNCTION" and e["function_name"].lower() in ("min", "max")
                    and len(e["arguments"]) == 1 and not e["distinct"]]
        plain = [e for e in select if e["class"] == "COLUMN_REF"]
        if len(extremes) != 1 or len(extremes) + len(plain) != len(select) or not plain:
            return None
        (extreme,) = extremes
        by = text_at(stmt, extreme["arguments"][0]["expression"])
    except Exception:  # noqa: BLE001 (no parse, or an older DuckDB's: nothing read)
        return None
    pick = "arg_min" if extreme["function_name"].lower() == "min" else "arg_max"
    rewritten = stmt
    for e in sorted(plain, key=lambda e: -e["query_location"]):  # from the end: earlier locations stay valid
        text = text_at(stmt, e)
        name = e["alias"] or e["column_names"][-1]
        at = e["query_location"]
        rewritten = rewritten[:at] + f'{pick}({text}, {by}) AS {quote(name)}' + rewritten[at + len(text):]
    # one row comes back: an ORDER BY (of a column not aggregated, refused) and a LIMIT say nothing more
    rewritten = re.sub(r"(?is)\s+order\s+by\s+[^()]*?(\s+limit\s+\d+)?\s*$", "", rewritten)
    try:
        names, rows = execute(con, rewritten)
    except Exception:  # noqa: BLE001 (best effort: the error stands)
        return None
    said = ", ".join(text_at(stmt, e) for e in plain)
    which = "least" if pick == "arg_min" else "greatest"
    those = "those" if len(plain) > 1 else "that"
    return rewritten, names, rows, f"Note: read {said} as {those} of the row with the {which} {by}.\n"


def order_by_aggregate_read(con, stmt: str, msg: str):
    """A grouped query ordered by a column it only selects aggregated (``SELECT datetime, MAX(glucose)
    ... GROUP BY datetime ORDER BY glucose DESC``), which DuckDB refuses: ordered by that aggregate
    instead; ``(statement, names, rows, note)``, else None. After practice the 1.5B sent it three times."""
    m = re.search(r'column "([^"]+)" must appear in the GROUP BY clause', msg)
    order = re.search(r"(?is)\border\s+by\s+", stmt)
    if not m or not order or not re.search(r"\bgroup\s+by\b", stmt, re.IGNORECASE):
        return None
    column = m.group(1)
    try:
        if (node := select_node(con, stmt)) is None:
            return None
        of_it = [e for e in node["select_list"] if e["class"] == "FUNCTION" and len(e["arguments"]) == 1
                 and e["arguments"][0]["expression"]["class"] == "COLUMN_REF"
                 and e["arguments"][0]["expression"]["column_names"][-1].lower() == column.lower()]
    except Exception:  # noqa: BLE001 (no parse: nothing read)
        return None
    if len(of_it) != 1:
        return None
    aggregate = text_at(stmt, of_it[0])
    head, tail = stmt[:order.end()], stmt[order.end():]
    rewritten = head + re.sub(rf'(?<![\w."])"?{re.escape(column)}"?(?![\w"(])', aggregate.replace("\\", "\\\\"), tail, count=1)
    if rewritten == stmt:
        return None
    try:
        names, rows = execute(con, rewritten)
    except Exception:  # noqa: BLE001 (best effort: the error stands)
        return None
    return rewritten, names, rows, f"Note: read ORDER BY {column} as ORDER BY {aggregate}.\n"


_TWO_SELECTS = re.compile(r"(?is)^select\s+(.+?)\s+from\s+(.+?)\s([-+*/])\s+(?:select\s+)?"
                          r"((?:avg|sum|count|min|max|median)\s*\(.+?)\s+from\s+(.+)$")


def two_selects_read(con, stmt: str, msg: str):
    """``SELECT AVG(x) FROM t WHERE a - AVG(x) FROM t WHERE b`` (the 1.5B's "how much higher is the
    average of the 2-year-olds than of the mature ones?"), a syntax error, read as a subquery each side."""
    if "syntax error" not in msg or not (m := _TWO_SELECTS.match(stmt)):
        return None
    if stmt[:m.start(3)].count("'") % 2:  # the operator is inside a string ('2 - 3')
        return None
    first = m.group(1)
    for op in re.finditer(r"\s[-+*/]\s", first):  # "COUNT(*) - COUNT(*) FROM t WHERE a - COUNT(*) ...": written twice
        if first[:op.start()].strip().lower() == first[op.end():].strip().lower():
            first = first[:op.start()].strip()
            break
    rewritten = f"SELECT (SELECT {first} FROM {m.group(2)}) {m.group(3)} (SELECT {m.group(4)} FROM {m.group(5)}) AS result"
    try:
        names, rows = execute(con, rewritten)
    except Exception:  # noqa: BLE001 (best effort: the error stands)
        return None
    return rewritten, names, rows, f"Note: read as {rewritten}\n"
