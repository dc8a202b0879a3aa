"""The pieces a table template is made of: the candidate it yields, aggregates said in words,
years and months of a date column, thresholds as a person says them, which measures compare.

Why: :mod:`.table_templates` holds the questions; these are what every question is built from,
kept apart so the questions read as a list of what people ask.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from .table_roles import PER_TEMPLATE, Column, Table, _floaty

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


def _ops(m: Column, ops=("sum", "avg", "max", "min")) -> list[str]:
    """The aggregates a person asks of ``m``: a total only of an additive measure."""
    return [op for op in ops if op != "sum" or m.additive]


def _agg_sql(op: str, col: Column, ref: str | None = None) -> tuple[str, str]:
    """(SQL expression, ', rounded to N decimals' or '')."""
    fn, _, rounding = AGG[op]
    if op == "sum" and _floaty(col.type):
        rounding = 2
    expr = f"{fn}({ref or col.q})"
    if rounding is not None:
        return f"ROUND({expr}, {rounding})", f", rounded to {rounding} decimals"
    return expr, ""


def _round2(expr: str, col: Column) -> tuple[str, str]:
    """A computed value (a difference) rounded like its column: integers stay whole."""
    if _floaty(col.type):
        return f"ROUND({expr}, 2)", ", rounded to 2 decimals"
    return expr, ""


PCT_CHANGE = "ROUND(100.0 * (to_value - from_value) / from_value, 2)"


def _from_to(before: str, after: str, expr: str) -> str:
    """A change between two values as a person says it, "from" the first "to" the second:
    ``expr`` over ``from_value`` and ``to_value``, the two sub-queries named in the question's
    order. Written ``(after) - (before)``, the later date came first in the query, and the 1.5B,
    asked which query answers "from 2003-06-19 to 2003-08-26", picked the one with the dates
    swapped (:mod:`.query_choice`); a demonstration in this form reads as the question does."""
    return f"SELECT {expr} FROM (SELECT {before} AS from_value, {after} AS to_value)"


def _as_date(d: Column) -> str:
    return f"CAST({d.q} AS DATE)" if d.iso_text else d.q


def _years(con, t: Table, d: Column) -> list[int]:
    expr = d.q if d.role == "year" else f"year({_as_date(d)})"
    return [int(y) for (y,) in con.execute(
        f"SELECT DISTINCT {expr} AS y FROM {t.q} WHERE {d.q} IS NOT NULL ORDER BY y").fetchall()]


def _months(con, t: Table, d: Column) -> list[tuple[int, int]]:
    return [(int(y), int(m)) for (y, m) in con.execute(
        f"SELECT DISTINCT year({_as_date(d)}) AS y, month({_as_date(d)}) AS m FROM {t.q} WHERE {d.q} IS NOT NULL ORDER BY y, m").fetchall()]


def _repeats(con, t: Table, cols: list[Column]) -> int:
    """How many combinations of ``cols``' values name more than one row of ``t`` (0: they name each row once)."""
    (n,) = con.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {t.q} GROUP BY {', '.join(c.q for c in cols)} HAVING COUNT(*) > 1)").fetchone()
    return int(n)


def _pick(rng: random.Random, items: list, n: int = PER_TEMPLATE) -> list:
    items = list(items)
    rng.shuffle(items)
    return items[:n]


def _c(t: Table, generator: str, sql: str, question: str, columns: list[Column], thought: str, tie: bool = False) -> Candidate:
    op = generator.split(".", 1)[1]
    return Candidate(generator, sql, question, {"table": t.name, "columns": [c.name for c in columns], "op": op},
                     f"Use SQL on the {t.name} table: {thought}", tie)


_PRICE_FAMILY = {"open", "high", "low", "close", "adj close", "adjusted close", "price"}


def _top_row(table: str, key: Column, m: Column, high: bool, where: str = "") -> tuple[str, str]:
    """(SQL, "highest" or "lowest"): ``key`` and ``m`` of the two rows with the highest (lowest)
    ``m``, rows filtered by ``where`` (an SQL condition) if given; two rows, so that a tie on the
    top value is seen (:attr:`Candidate.tie_check`) and the task refused."""
    order, word = ("DESC", "highest") if high else ("ASC", "lowest")
    cond = f"{where} AND " if where else ""
    return f"SELECT {key.q}, {m.q} FROM {table} WHERE {cond}{m.q} IS NOT NULL ORDER BY {m.q} {order} LIMIT 2", word


def _comparable(a: Column, b: Column) -> bool:
    """Two measures of one quantity (a high and a low price, a day's maximum and minimum
    temperature; not horsepower and acceleration, not rain and wind): their names share a word or
    are a price's open/high/low/close, and their mean magnitudes are within a factor of 3."""
    if not a.mean_abs or not b.mean_abs or max(a.mean_abs, b.mean_abs) > 3 * min(a.mean_abs, b.mean_abs):
        return False
    wa, wb = set(re.findall(r"[a-z]{3,}", a.words.lower())), set(re.findall(r"[a-z]{3,}", b.words.lower()))
    return bool(wa & wb) or (a.words.lower() in _PRICE_FAMILY and b.words.lower() in _PRICE_FAMILY)


def _ratio_scale(m: Column) -> bool:
    """A percentage change means something only for a measure that is always positive (a price,
    a count), not for one that crosses zero (a return, a balance)."""
    return m.low is not None and m.low > 0


def _threshold(con, table: str, m: Column, quantile: float, where: str = ""):
    """The ``quantile`` of ``m`` over ``table`` (rows filtered by ``where``), as a person says it
    (:func:`_nice`); None when there is no value."""
    (value,) = con.execute(f"SELECT quantile_disc({m.q}, {quantile}) FROM {table}{where}").fetchone()
    return None if value is None else _nice(value)


def _nice(value):
    """A threshold as a person would say it: two significant digits (43.2667 -> 43, 16374 -> 16000)."""
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float)) or value == 0:
        return value
    digits = 1 - int(math.floor(math.log10(abs(value))))
    nice = round(value, digits)
    return int(nice) if float(nice).is_integer() else nice
