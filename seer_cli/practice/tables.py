"""Practice tasks from a user's tables: answer-first SQL over the schema DuckDB reports.

Why: recall can only bring a practised plan to a real question if the practised question is one a
person would ask. So each task is an SQL query chosen from what people ask of such data, by each
column's **role** (:func:`role_of`):

* a *measure* (a price, a temperature, rainfall, a count of units): its value on a day, its change
  and percentage change between two days, its average / extreme in a year, a month or a date
  range, the day or month of its extreme, days above a threshold; summed only when it is
  *additive* (rainfall, units, revenue: a total means something; a temperature's does not);
* a *date* or a *year*: the filters above, never aggregated (no "total year");
* a *category* (few repeated values: species, island, weather): counts and shares of rows, the
  best and worst group, a comparison of two groups;
* a *label* (many values naming things: a country, a car): the value of a named thing, in a year,
  the change between two years, which one is highest;
* an *identifier*, a code or a coordinate (``id``, ``*_id``, a row number, a zip or ISO code, a
  latitude): never aggregated.

A query is executed in the toolkit's own DuckDB and kept only when the result is one non-null,
non-"NA" value (an arg-max only without a tie, a count only when it matches rows), and its
question is rendered from the query in plain words with every literal kept
(:func:`mentions_literals` checks it; the model may rephrase it later, under the same check).
"""

from __future__ import annotations

import calendar
import random
import re
from typing import Iterator

from .spoken import mentioned
from .table_roles import _NULL_LIKE, describe_tables
from .table_templates import Candidate, candidates
from .tasks import AutoTask, Call, format_value

__all__ = ["Candidate", "describe_tables", "generate", "literals", "mentions_literals", "meaningful"]


# --- what a person would never ask -----------------------------------------------------------

_SQL_LITERAL = re.compile(r"'((?:[^']|'')*)'|(?<![\w.\"])(-?\d+(?:\.\d+)?)(?![\w.\"])")


def literals(sql: str) -> list[str]:
    """The values a query filters on: quoted strings (a LIKE pattern's fixed part) and numbers
    after a comparison; ROUND's digits, LIMIT counts and 100.0 of a percentage are not."""
    found = []
    sql = re.sub(r"(month\([^()]*\)|\"months?\") = (\d+)", lambda m: f"{m.group(1)} = 'MONTH:{m.group(2)}'", sql, flags=re.IGNORECASE)
    parts = re.split(r"\bWHERE\b", sql, maxsplit=1)
    where = parts[1] if len(parts) == 2 else ""
    if sql.startswith(("SELECT ROUND(100.0 * ((SELECT", "SELECT (SELECT", "SELECT ROUND((SELECT")):
        where = sql  # differences of sub-queries: every sub-query's filter counts
    for m in _SQL_LITERAL.finditer(where):
        if m.group(1) is not None:
            v = m.group(1).replace("''", "'")
            if v.startswith("MONTH:"):
                v = calendar.month_name[int(v[6:])]
            found.append(v.split("-%")[0] if v.endswith("-%") else v)
        else:
            before = where[:m.start()].rstrip()
            if before.endswith(("=", ">", "<", "AND", "BETWEEN")) and not before.upper().endswith("LIMIT"):
                found.append(m.group(2))
    return [f for f in found if f]


_UP = re.compile(r"\b(above|over|more|greater|exceed\w*|higher|larger|bigger|at least|or more|beyond|"
                 r"surpass\w*|top\w*|after|since|later|past)\b")
_DOWN = re.compile(r"\b(below|under|less|fewer|lower|smaller|at most|or less|beneath|before|until|prior|"
                   r"earlier|up to|dropp\w*|fell|fall\w*)\b")


def states_comparisons(question: str, sql: str) -> bool:
    """Every ``>`` or ``<`` the query filters with is said in the question, in its direction
    ("above", "more than", "after"; "below", "fewer", "before"). The literal check alone admitted
    "How many days had a minimum temperature of 13 degrees?" for ``temp_min > 13`` (the second
    derivation agreed with the query the wording was meant to say, not the one it says)."""
    parts = re.split(r"\bWHERE\b", re.sub(r"'(?:[^']|'')*'", "''", sql), maxsplit=1)
    if len(parts) < 2:
        return True
    ops = re.findall(r"(?<![<>!=])([<>])(?!>)", parts[1].replace("<>", "!="))
    q = question.lower()
    if "<" in ops and ">" in ops and re.search(r"\bbetween\b|\bfrom\b.+\b(to|through|until)\b", q):
        return True  # a range: "between 2000 and 2009", "from May to June"
    return ("<" not in ops or _DOWN.search(q) is not None) and (">" not in ops or _UP.search(q) is not None)


def mentions_literals(question: str, sql: str) -> bool:
    """Every value the query filters on is in the question, as written or as people write it
    (:func:`.spoken.mentioned`: "April 1, 2016" for 2016-04-01; a month given by its name and year
    anywhere), and every comparison it filters with in its direction (:func:`states_comparisons`)."""
    if not states_comparisons(question, sql):
        return False
    q = question.lower()
    for lit in literals(sql):
        lit_l = lit.lower()
        if mentioned(lit, question):
            continue
        m = re.fullmatch(r"(\d{4})-(\d{2})", lit_l)
        if m and calendar.month_name[int(m.group(2))].lower() in q and m.group(1) in q:
            continue
        return False
    return True


def meaningful(cand: Candidate, answer: str | None) -> bool:
    """The filter every table task passes, whoever wrote its question: a usable answer (not
    null-like), and a question that states every value its query filters on."""
    if answer is None or answer.strip().lower() in _NULL_LIKE:
        return False
    return mentions_literals(cand.question, cand.sql)


def execute(con, cand: Candidate) -> str | None:
    """The candidate's single value as text, or None when it is not one unambiguous value."""
    try:
        rows = con.execute(cand.sql).fetchall()
    except Exception:  # noqa: BLE001 (a template that does not fit this table: skip it)
        return None
    if not rows:
        return None
    if cand.tie_check:
        if len(rows) > 1 and rows[0][-1] == rows[1][-1]:
            return None
        value = rows[0][0]
    else:
        if len(rows) != 1 or len(rows[0]) != 1:
            return None
        value = rows[0][0]
    if cand.generator.startswith("table.count_") and not value:  # a filter that matched nothing
        return None
    answer = format_value(value)
    return answer if meaningful(cand, answer) else None


def generate(kit, rng: random.Random) -> Iterator[AutoTask]:
    """Answer-first table tasks over the tables the toolkit offers (:meth:`Toolkit.sql_tables`,
    in its own read-only DuckDB connection); the gold plan is one call of the toolkit's SQL tool
    whose observation shows the value, its thought naming that tool."""
    src = kit.sql_tables()
    if src is None:
        return
    tables = describe_tables(src.con, list(src.tables))
    rows = {t.name: a_row(src.con, t.q) for t in tables}
    for cand in candidates(src.con, tables, rng):
        value = execute(src.con, cand)
        if value is None:
            continue
        sql = cand.sql
        if cand.tie_check:
            sql = sql.rsplit(" LIMIT 2", 1)[0] + " LIMIT 1"
        thought = f"Use {src.tool}" + cand.thought.removeprefix("Use SQL")  # the tool the agent calls here
        intent = src.tables[cand.covers.get("table")] if cand.covers.get("table") in src.tables else "data"
        covers = {**cand.covers, "row": rows.get(str(cand.covers.get("table")), "")}
        yield AutoTask("data", cand.generator, cand.question, value, (Call(src.tool, {src.arg: sql}, thought),), intent, covers)


def a_row(con, table_sql: str, limit: int = 240) -> str:
    """The table's first row as ``column=value`` pairs, cut to ``limit`` characters: shown with a
    query, it tells the model what a row is. Given only ``SELECT COUNT(*) FROM "debian"``, the 1.5B
    asked "How many Debian packages are there in the database?" of Debian's table of releases."""
    cur = con.execute(f"SELECT * FROM {table_sql} LIMIT 1")
    row = cur.fetchone()
    if row is None:
        return ""
    text = ", ".join(f"{d[0]}={format_value(v)}" for d, v in zip(cur.description, row) if v is not None)
    return text if len(text) <= limit else text[:limit].rsplit(", ", 1)[0] + ", ..."
