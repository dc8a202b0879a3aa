"""The questions people ask of a yearly series: a table with one row a year.

Why: public data often comes a row a year (marriages and divorces since 1867, a sea temperature
with a column a month, a country's output), and its year is neither a date nor a name, so the
by-date and by-key templates of :mod:`.table_templates` asked nothing about such a table but its
whole-column extremes ("What is the lowest NOV in the elnino data?"). People ask it what they ask
of any series: the value in a year, its change and percentage change between two years, the year
of its highest and lowest value, in how many years of a span it was above or below a level, its
average over a span. In a wide table (a column a month, :func:`~seer_cli.toolkits.table_values.month_columns`)
a month column is asked for by the month's name ("the value in December 1997").
"""

from __future__ import annotations

import calendar
import random
from typing import Iterator

from ..toolkits.table_values import month_columns
from .table_roles import Column, Table, _lit
from .table_sql import AGG, PCT_CHANGE, Candidate, _agg_sql, _c, _from_to, _pick, _ratio_scale, _round2, _threshold, _top_row, _years
from .tasks import format_value

MIN_YEARS = 5  # fewer rows than this is a list, not a series


def year_key(t: Table) -> Column | None:
    """The year column that names each row of ``t`` (unique, never empty), when no date does."""
    if any(c.is_date and c.distinct == t.rows for c in t.columns):
        return None  # a daily or monthly table: the by-date templates ask it
    keys = [c for c in t.columns if c.role == "year" and c.distinct == t.rows and c.nulls == 0]
    return keys[0] if len(keys) == 1 and t.rows >= MIN_YEARS else None


def yearly(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """The templates of a yearly series (see the module docstring); nothing for another table."""
    yc = year_key(t)
    if yc is None:
        return
    years = _years(con, t, yc)
    months = {col: calendar.month_name[i + 1] for i, col in month_columns([(c.name, c.type) for c in t.columns]).items()}
    M, T = t.measures(), t.q

    def what(m: Column, y) -> str:  # "the Marriages in 1946", "the value in December 1997"
        return f"the value in {months[m.name]} {y}" if m.name in months else f"the {m.words} in {y}"

    def of(m: Column) -> str:
        return f"the {months[m.name]} value" if m.name in months else f"the {m.words}"

    for m, y in _pick(rng, [(m, y) for m in M for y in years]):
        yield _c(t, "table.value_in_year", f"SELECT {m.q} FROM {T} WHERE {yc.q} = {y}", f"What was {what(m, y)}?", [m, yc],
                 f"{m.name} of the row where {yc.name} = {y}.")
    at = lambda m: lambda y: f"(SELECT {m.q} FROM {T} WHERE {yc.q} = {y})"  # noqa: E731
    for m in _pick(rng, M, 2):
        y1, y2 = sorted(rng.sample(years, 2))
        expr, rnd = _round2("to_value - from_value", m)
        yield _c(t, "table.change_between_years", _from_to(at(m)(y1), at(m)(y2), expr),
                 f"By how much did {of(m)} change from {y1} to {y2}{rnd}?", [m, yc], f"{m.name} in {y2} minus {m.name} in {y1}.")
        if _ratio_scale(m):
            y1, y2 = sorted(rng.sample(years, 2))
            yield _c(t, "table.pct_change_years", _from_to(at(m)(y1), at(m)(y2), PCT_CHANGE),
                     f"By what percentage did {of(m)} change from {y1} to {y2}, rounded to 2 decimals?", [m, yc],
                     f"{m.name} in {y1} and in {y2}, then ({y2} - {y1}) / {y1} * 100.")
    for m, high in _pick(rng, [(m, h) for m in M for h in (True, False)], 3):
        sql, word = _top_row(T, yc, m, high)
        yield _c(t, "table.year_of_max" if high else "table.year_of_min", sql,
                 f"In which year was {of(m)} {word}?", [m, yc], f"the rows sorted by {m.name}, the {yc.name} of the first.", tie=True)
    for m, above in _pick(rng, [(m, a) for m in M for a in (True, False)], 3):
        y1, y2 = _span(years, rng)
        where = f" WHERE {yc.q} BETWEEN {y1} AND {y2}"
        thr = _threshold(con, T, m, 0.75 if above else 0.25, where)
        if thr is None:
            continue
        sign, word = (">", "above") if above else ("<", "below")
        yield _c(t, "table.count_years_above" if above else "table.count_years_below",
                 f"SELECT COUNT(*) FROM {T}{where} AND {m.q} {sign} {_lit(thr)}",
                 f"In how many years from {y1} to {y2} was {of(m)} {word} {format_value(thr)}?", [m, yc],
                 f"count the rows with {yc.name} from {y1} to {y2} where {m.name} {sign} {format_value(thr)}.")
    for m in _pick(rng, M, 3):
        y1, y2 = _span(years, rng)
        op = "sum" if m.additive else "avg"
        expr, rnd = _agg_sql(op, m)
        fn, word, _ = AGG[op]
        subject = f"{word} {months[m.name]} value" if m.name in months else f"{word} {m.words}"
        yield _c(t, f"table.{op}_years", f"SELECT {expr} FROM {T} WHERE {yc.q} BETWEEN {y1} AND {y2}",
                 f"What was the {subject} from {y1} to {y2}{rnd}?", [m, yc],
                 f"{fn} of {m.name} over the rows with {yc.name} from {y1} to {y2}.")


def _span(years: list[int], rng: random.Random) -> tuple[int, int]:
    """Two years of the table at least five apart (a decade, a half-century), in order."""
    i = rng.randrange(max(1, len(years) - 5))
    return years[i], years[min(len(years) - 1, i + rng.randint(5, 30))]
