"""Practice tasks from a user's tables: answer-first SQL over the schema DuckDB reports.

Why: the 0.5B copies a demonstration's table name and columns, so on day one it queries tables
that do not exist. Tasks written from the user's own schema give recall demonstrations that name
the user's tables and columns. Each task is an SQL query chosen from the columns' roles (a
measure to aggregate, a category or a date to filter and group by, a unique key to look up),
executed in the toolkit's own DuckDB; it is kept only when the result is one non-null value (an
arg-max only without a tie, a filter only when it matches rows), and the question is rendered
from the query in plain English, with column names made readable and every literal kept.
"""

from __future__ import annotations

import calendar
import random
import re
from dataclasses import dataclass, field
from typing import Iterator

from ..toolkits.toolqa_tables import quote  # a DuckDB identifier, double-quoted (one definition)
from .tasks import AutoTask, Call, format_value, readable

INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL", "DECIMAL")
DATE_TYPES = ("DATE", "TIMESTAMP")
MAX_CATEGORIES = 25
PER_TEMPLATE = 6  # candidates drawn per template and table before execution
MAX_KEYS = 5000  # key values a lookup task is drawn from
ISO_DATE = r"\d{4}-\d{2}-\d{2}"  # a text column whose every value matches is a date column (LIKE '2019-%' by year)
_ID = re.compile(r"(^id$|_id$|^id_|Id$|^ID$|_no$|^no$|number$)", re.IGNORECASE)


class _Named:
    """A table or a column: its name quoted for SQL (``q``) and as words for a question."""

    name: str

    @property
    def q(self) -> str:
        return ".".join(quote(part) for part in self.name.split("."))  # "coffee"."coffee_data" for a schema's table

    @property
    def words(self) -> str:
        return readable(self.name.rsplit(".", 1)[-1])


@dataclass
class Column(_Named):
    name: str
    type: str
    distinct: int
    nulls: int
    values: list = field(default_factory=list)  # categories, most frequent first (categorical columns)
    iso_text: bool = False  # text holding ISO dates (2019-10-01): a date column to the templates
    mean_abs: float | None = None  # numeric columns: the mean magnitude, so that only like is subtracted from like

    @property
    def is_date(self) -> bool:
        return self.type.upper().startswith(DATE_TYPES) or self.iso_text

    def in_year(self, y: int) -> str:
        """SQL: the column falls in year ``y`` (a date's year(), a text date's prefix)."""
        return f"{self.q} LIKE '{y}-%'" if self.iso_text else f"year({self.q}) = {y}"

    def in_month(self, y: int, mo: int) -> str:
        return f"{self.q} LIKE '{y}-{mo:02d}-%'" if self.iso_text else f"year({self.q}) = {y} AND month({self.q}) = {mo}"


@dataclass
class Table(_Named):
    name: str
    rows: int
    columns: list[Column]

    def measures(self) -> list[Column]:
        """Numeric columns worth aggregating: not identifiers (``id``, ``member_id``: a key or a
        foreign key; their sum means nothing) and not entirely null."""
        return [c for c in self.columns if _numeric(c.type) and not _ID.search(c.name) and c.nulls < self.rows]

    def categories(self) -> list[Column]:
        return [c for c in self.columns if c.values]

    def dates(self) -> list[Column]:
        return [c for c in self.columns if c.is_date and c.nulls < self.rows]

    def keys(self) -> list[Column]:
        """Columns that name one row (dates of a daily table, unique names)."""
        return [c for c in self.columns if c.distinct == self.rows and c.nulls == 0 and self.rows > 1
                and (c.is_date or c.type.upper().startswith("VARCHAR"))]


def _numeric(typ: str) -> bool:
    return typ.upper().startswith(INT_TYPES + FLOAT_TYPES)


def _floaty(typ: str) -> bool:
    return typ.upper().startswith(FLOAT_TYPES)


def _lit(value) -> str:
    """A value as an SQL literal."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_value(value) or "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def describe_tables(con, names: list[str]) -> list[Table]:
    """Each named table (``name`` or ``schema.name``) with its columns' types, distinct and null
    counts, the values of its categorical columns (text with at most :data:`MAX_CATEGORIES`
    values, repeated) and whether a text column holds ISO dates."""
    tables = []
    for name in names:
        schema, _, bare = name.rpartition(".")
        t = Table(name, 0, [])
        (rows,) = con.execute(f"SELECT count(*) FROM {t.q}").fetchone()
        t.rows = int(rows)
        for col, typ in con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name=? "
                                    "AND table_schema=? ORDER BY ordinal_position", [bare, schema or "main"]).fetchall():
            t.columns.append(_describe_column(con, t, col, typ))
        tables.append(t)
    return tables


def _describe_column(con, t: Table, col: str, typ: str) -> Column:
    qc = quote(col)
    text = typ.upper().startswith("VARCHAR")
    iso_count = f"count(*) FILTER (WHERE regexp_full_match({qc}, '{ISO_DATE}'))" if text else "0"
    mean_abs = f"avg(abs({qc}))" if _numeric(typ) else "NULL"
    distinct, nulls, iso, mean = con.execute(
        f"SELECT count(DISTINCT {qc}), count(*) - count({qc}), {iso_count}, {mean_abs} FROM {t.q}").fetchone()
    c = Column(col, typ, int(distinct), int(nulls), iso_text=bool(text and iso and iso == t.rows - nulls),
               mean_abs=None if mean is None else float(mean))
    if text and not c.iso_text and 2 <= distinct <= MAX_CATEGORIES and distinct < t.rows:
        c.values = [v for (v, _n) in con.execute(
            f"SELECT {qc}, count(*) AS n FROM {t.q} WHERE {qc} IS NOT NULL AND trim({qc}) <> '' "
            f"GROUP BY {qc} ORDER BY n DESC, {qc}").fetchall()]
    return c


# --- candidates: (generator, sql, question, covers, thought, check) ----------------------------

@dataclass(frozen=True)
class Candidate:
    generator: str
    sql: str
    question: str
    covers: dict
    thought: str
    tie_check: bool = False  # the query returns up to 2 rows; a tie on the ordering value rejects it


AGG = {  # op -> (SQL function, words, rounding)
    "sum": ("SUM", "total", None),
    "avg": ("AVG", "average", 2),
    "min": ("MIN", "lowest", None),
    "max": ("MAX", "highest", None),
}


def _agg_sql(op: str, col: Column) -> tuple[str, str]:
    """(SQL expression, ', rounded to N decimals' or '')."""
    fn, _, rounding = AGG[op]
    if op == "sum" and _floaty(col.type):
        rounding = 2
    expr = f"{fn}({col.q})"
    if rounding is not None:
        return f"ROUND({expr}, {rounding})", f", rounded to {rounding} decimals"
    return expr, ""


def _as_date(d: Column) -> str:
    return f"CAST({d.q} AS DATE)" if d.iso_text else d.q


def _years(con, t: Table, d: Column) -> list[int]:
    return [int(y) for (y,) in con.execute(
        f"SELECT DISTINCT year({_as_date(d)}) AS y FROM {t.q} WHERE {d.q} IS NOT NULL ORDER BY y").fetchall()]


def _months(con, t: Table, d: Column) -> list[tuple[int, int]]:
    return [(int(y), int(m)) for (y, m) in con.execute(
        f"SELECT DISTINCT year({_as_date(d)}) AS y, month({_as_date(d)}) AS m FROM {t.q} WHERE {d.q} IS NOT NULL ORDER BY y, m").fetchall()]


def candidates(con, tables: list[Table], rng: random.Random) -> Iterator[Candidate]:
    """Every template over every table, each drawing at most :data:`PER_TEMPLATE` parameter sets."""
    for t in tables:
        yield from _single_table(con, t, rng)
    yield from _joins(tables, rng)


def _pick(rng: random.Random, items: list, n: int = PER_TEMPLATE) -> list:
    items = list(items)
    rng.shuffle(items)
    return items[:n]


def _single_table(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """The templates over one table: whole-table aggregates and filters, then by date, then by key."""
    if t.rows == 0:
        return
    yield from _whole_table(con, t, rng)
    yield from _by_date(con, t, rng)
    yield from _by_key(con, t, rng)


def _whole_table(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """Counts, aggregates, category filters, a threshold, group-by extremes, shares."""
    M, C = t.measures(), t.categories()
    T, tw = t.q, t.words
    yield Candidate("table.count", f"SELECT COUNT(*) FROM {T}", f"How many rows does the {tw} table have?",
                    {"table": t.name, "columns": [], "op": "count"}, f"Use SQL on the {t.name} table: count its rows.")
    for m, op in _pick(rng, [(m, op) for m in M for op in AGG]):
        expr, rnd = _agg_sql(op, m)
        yield Candidate(f"table.{op}", f"SELECT {expr} FROM {T}", f"What is the {AGG[op][1]} {m.words} in the {tw} table{rnd}?",
                        {"table": t.name, "columns": [m.name], "op": op},
                        f"Use SQL on the {t.name} table: {AGG[op][0]} of {m.name}.")
    for c, v in _pick(rng, [(cat, v) for cat in C for v in cat.values[:8]]):
        yield Candidate("table.count_where", f"SELECT COUNT(*) FROM {T} WHERE {c.q} = {_lit(v)}",
                        f"How many rows of the {tw} table have {c.words} {v}?",
                        {"table": t.name, "columns": [c.name], "op": "count_where"},
                        f"Use SQL on the {t.name} table: count the rows where {c.name} = '{v}'.")
    for m, c, v, op in _pick(rng, [(m, cat, v, op) for m in M for cat in C for v in cat.values[:6] for op in ("sum", "avg", "max")]):
        expr, rnd = _agg_sql(op, m)
        yield Candidate(f"table.{op}_where", f"SELECT {expr} FROM {T} WHERE {c.q} = {_lit(v)}",
                        f"What is the {AGG[op][1]} {m.words} for {c.words} {v}{rnd}?",
                        {"table": t.name, "columns": [m.name, c.name], "op": f"{op}_where"},
                        f"Use SQL on the {t.name} table: {AGG[op][0]} of {m.name} where {c.name} = '{v}'.")
    for m in _pick(rng, M, 3):
        (threshold,) = con.execute(f"SELECT quantile_disc({m.q}, 0.7) FROM {T}").fetchone()
        if threshold is None:
            continue
        yield Candidate("table.count_above", f"SELECT COUNT(*) FROM {T} WHERE {m.q} > {_lit(threshold)}",
                        f"How many rows of the {tw} table have {m.words} greater than {format_value(threshold)}?",
                        {"table": t.name, "columns": [m.name], "op": "count_above"},
                        f"Use SQL on the {t.name} table: count the rows where {m.name} > {format_value(threshold)}.")
    for m, c, high in _pick(rng, [(m, cat, h) for m in M for cat in C for h in (True, False)], 4):
        order = "DESC" if high else "ASC"
        yield Candidate("table.argmax_group" if high else "table.argmin_group",
                        f"SELECT {c.q}, SUM({m.q}) AS total FROM {T} GROUP BY {c.q} ORDER BY total {order} LIMIT 2",
                        f"Which {c.words} has the {'highest' if high else 'lowest'} total {m.words}?",
                        {"table": t.name, "columns": [m.name, c.name], "op": "argmax_group" if high else "argmin_group"},
                        f"Use SQL on the {t.name} table: total {m.name} per {c.name}, sorted, the {'top' if high else 'bottom'} one.",
                        tie_check=True)
    for c in _pick(rng, C, 2):
        yield Candidate("table.most_rows", f"SELECT {c.q}, COUNT(*) AS n FROM {T} GROUP BY {c.q} ORDER BY n DESC LIMIT 2",
                        f"Which {c.words} has the most rows in the {tw} table?",
                        {"table": t.name, "columns": [c.name], "op": "most_rows"},
                        f"Use SQL on the {t.name} table: count the rows per {c.name}, the largest count first.", tie_check=True)
    for m, c, v in _pick(rng, [(m, cat, v) for m in M for cat in C for v in cat.values[:6]], 3):
        yield Candidate("table.share", f"SELECT ROUND(100.0 * SUM(CASE WHEN {c.q} = {_lit(v)} THEN {m.q} ELSE 0 END) / SUM({m.q}), 2) FROM {T}",
                        f"What percentage of the total {m.words} comes from {c.words} {v}, rounded to 2 decimals?",
                        {"table": t.name, "columns": [m.name, c.name], "op": "share"},
                        f"Use SQL on the {t.name} table: {m.name} where {c.name} = '{v}' as a percentage of all {m.name}.")


def _by_date(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """Aggregates in a year, in a month, for a category in a year; the date of an extreme."""
    M, C, D, K = t.measures(), t.categories(), t.dates(), t.keys()
    T = t.q
    for d in D:
        years, months = _years(con, t, d), _months(con, t, d)
        for m, y, op in _pick(rng, [(m, y, op) for m in M for y in years for op in ("sum", "avg", "max")], 4):
            expr, rnd = _agg_sql(op, m)
            yield Candidate(f"table.{op}_year", f"SELECT {expr} FROM {T} WHERE {d.in_year(y)}",
                            f"What is the {AGG[op][1]} {m.words} in {y}{rnd}?",
                            {"table": t.name, "columns": [m.name, d.name], "op": f"{op}_year"},
                            f"Use SQL on the {t.name} table: {AGG[op][0]} of {m.name} over the rows of {y} ({d.name}).")
        for m, (y, mo), op in _pick(rng, [(m, ym, op) for m in M for ym in months for op in ("sum", "avg")], 4):
            expr, rnd = _agg_sql(op, m)
            yield Candidate(f"table.{op}_month", f"SELECT {expr} FROM {T} WHERE {d.in_month(y, mo)}",
                            f"What is the {AGG[op][1]} {m.words} in {calendar.month_name[mo]} {y}{rnd}?",
                            {"table": t.name, "columns": [m.name, d.name], "op": f"{op}_month"},
                            f"Use SQL on the {t.name} table: {AGG[op][0]} of {m.name} over the rows of {calendar.month_name[mo]} {y} ({d.name}).")
        for m, c, v, y in _pick(rng, [(m, cat, v, y) for m in M for cat in C for v in cat.values[:6] for y in years], 3):
            expr, rnd = _agg_sql("sum", m)
            yield Candidate("table.sum_where_year", f"SELECT {expr} FROM {T} WHERE {c.q} = {_lit(v)} AND {d.in_year(y)}",
                            f"What is the total {m.words} for {c.words} {v} in {y}{rnd}?",
                            {"table": t.name, "columns": [m.name, c.name, d.name], "op": "sum_where_year"},
                            f"Use SQL on the {t.name} table: SUM of {m.name} where {c.name} = '{v}', over the rows of {y} ({d.name}).")
        yield from _ranges(con, t, d, rng)
        if d in K:
            for m, high in _pick(rng, [(m, h) for m in M for h in (True, False)], 2):
                yield Candidate("table.date_of_max" if high else "table.date_of_min",
                                f"SELECT {d.q}, {m.q} FROM {T} WHERE {m.q} IS NOT NULL ORDER BY {m.q} {'DESC' if high else 'ASC'} LIMIT 2",
                                f"On which {d.words} was the {m.words} {'highest' if high else 'lowest'}?",
                                {"table": t.name, "columns": [m.name, d.name], "op": "date_of_max" if high else "date_of_min"},
                                f"Use SQL on the {t.name} table: sort by {m.name}, take the {d.name} of the first row.", tie_check=True)


def _ranges(con, t: Table, d: Column, rng: random.Random) -> Iterator[Candidate]:
    """An average or an extreme of a measure between two dates of the table (inclusive)."""
    days = [format_value(v) for (v,) in con.execute(
        f"SELECT DISTINCT {d.q} FROM {t.q} WHERE {d.q} IS NOT NULL ORDER BY 1 LIMIT {MAX_KEYS}").fetchall()]
    if len(days) < 3:
        return
    for m, op in _pick(rng, [(m, op) for m in t.measures() for op in ("avg", "max", "min")], 4):
        i = rng.randrange(len(days) - 2)
        a, b = days[i], days[min(len(days) - 1, i + rng.randint(2, 40))]
        expr, rnd = _agg_sql(op, m)
        yield Candidate(f"table.{op}_range", f"SELECT {expr} FROM {t.q} WHERE {d.q} BETWEEN {_lit(a)} AND {_lit(b)}",
                        f"What was the {AGG[op][1]} {m.words} from {a} to {b}{rnd}?",
                        {"table": t.name, "columns": [m.name, d.name], "op": f"{op}_range"},
                        f"Use SQL on the {t.name} table: {AGG[op][0]} of {m.name} where {d.name} is between {a} and {b}.")


def _comparable(a: Column, b: Column) -> bool:
    """Two measures on one scale (a high and a low price; not a price and a traded volume): their
    mean magnitudes within a factor of 10 of each other."""
    if not a.mean_abs or not b.mean_abs:
        return False
    return max(a.mean_abs, b.mean_abs) <= 10 * min(a.mean_abs, b.mean_abs)


def _by_key(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """A value, or the difference of two, on the row a unique key names."""
    M, D, K = t.measures(), t.dates(), t.keys()
    T = t.q
    for k in K:
        # drawn with the seeded rng, never with SQL sampling: the same files give the same tasks (resume)
        keys = [v for (v,) in con.execute(f"SELECT {k.q} FROM {T} ORDER BY {k.q} LIMIT {MAX_KEYS}").fetchall()]
        keys = rng.sample(keys, min(12, len(keys)))
        for m, kv in _pick(rng, [(m, kv) for m in M for kv in keys], 4):
            kl = format_value(kv)
            yield Candidate("table.lookup", f"SELECT {m.q} FROM {T} WHERE {k.q} = {_lit(kl)}",
                            f"What was the {m.words} on {kl}?" if k in D else f"What is the {m.words} of {k.words} {kl}?",
                            {"table": t.name, "columns": [m.name, k.name], "op": "lookup"},
                            f"Use SQL on the {t.name} table: {m.name} of the row where {k.name} = '{kl}'.")
        pairs = [(a, b) for a in M for b in M if a.name < b.name and _comparable(a, b)]
        for (a, b), kv in _pick(rng, [(p, kv) for p in pairs for kv in keys], 2):
            kl = format_value(kv)
            yield Candidate("table.diff_lookup", f"SELECT {a.q} - {b.q} FROM {T} WHERE {k.q} = {_lit(kl)}",
                            f"What was the difference between the {a.words} and the {b.words} on {kl}?" if k in D else
                            f"What is the difference between the {a.words} and the {b.words} of {k.words} {kl}?",
                            {"table": t.name, "columns": [a.name, b.name, k.name], "op": "diff_lookup"},
                            f"Use SQL on the {t.name} table: {a.name} - {b.name} of the row where {k.name} = '{kl}'.")


def _joins(tables: list[Table], rng: random.Random) -> Iterator[Candidate]:
    """Two tables sharing a column: aggregate one table's measure over the rows whose key has a
    given category in the other."""
    for a in tables:
        for b in tables:
            if a is b:
                continue
            shared = {c.name for c in a.columns} & {c.name for c in b.columns}
            for s in sorted(shared):
                sa = next(c for c in a.columns if c.name == s)
                if sa.distinct != a.rows:  # a's side must be a key: one category per key
                    continue
                for c, v, m in _pick(rng, [(cat, v, m) for cat in a.categories() if cat.name != s for v in cat.values[:5]
                                          for m in b.measures() if m.name != s], 3):
                    expr, rnd = _agg_sql("sum", m)
                    qs = quote(s)
                    sql = (f"SELECT {expr.replace(m.q, 'b.' + m.q)} FROM {b.q} AS b JOIN {a.q} AS a ON b.{qs} = a.{qs} "
                           f"WHERE a.{c.q} = {_lit(v)}")
                    yield Candidate("table.join_sum", sql,
                                    f"What is the total {m.words} in the {b.words} table for {a.words} with {c.words} {v}{rnd}?",
                                    {"table": b.name, "columns": [m.name, s], "op": "join_sum", "join": a.name},
                                    f"Use SQL: join {b.name} with {a.name} on {s}, then SUM of {m.name} where {a.name}.{c.name} = '{v}'.")


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
    if cand.generator in ("table.count_where", "table.count_above") and not value:
        return None
    return format_value(value)


def generate(kit, rng: random.Random) -> Iterator[AutoTask]:
    """Answer-first table tasks over the tables the toolkit offers (:meth:`Toolkit.sql_tables`,
    in its own read-only DuckDB connection); the gold plan is one call of the toolkit's SQL tool
    whose observation shows the value, its thought naming that tool."""
    src = kit.sql_tables()
    if src is None:
        return
    tables = describe_tables(src.con, list(src.tables))
    for cand in candidates(src.con, tables, rng):
        value = execute(src.con, cand)
        if value is None:
            continue
        sql = cand.sql
        if cand.tie_check:
            sql = sql.rsplit(" LIMIT 2", 1)[0] + " LIMIT 1"
        thought = f"Use {src.tool}" + cand.thought.removeprefix("Use SQL")  # the tool the agent calls here
        intent = src.tables[cand.covers.get("table")] if cand.covers.get("table") in src.tables else "data"
        yield AutoTask("data", cand.generator, cand.question, value, (Call(src.tool, {src.arg: sql}, thought),), intent, cand.covers)
