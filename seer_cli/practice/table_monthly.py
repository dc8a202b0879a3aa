"""The questions people ask of a monthly table kept as a year column and a month column.

Why: monthly figures are often published with the year and the month in two whole-number columns
(home sales by city, a year and a month 1 to 12 a row; a shop's monthly ledger), and neither is a
date, so the by-date templates of :mod:`.table_templates` asked nothing of such a table, and the
by-year ones skipped a name with twelve rows a year. On plotnine's ``txhousing`` (46 cities, year,
month) the generator proposed only whole-column extremes, while people ask "What was the median
sale price in Austin in June 2010?", "Which city had the highest median in December 2014?", "By
what percentage did it rise in Dallas between January 2005 and January 2015?", "In how many months
was it $180,000 or more?". A month is said by its name; the query compares the month column with
its number (:func:`.tables.literals` reads it back as the name).
"""

from __future__ import annotations

import calendar
import random
import re
from typing import Iterator

from .table_roles import Column, Table, _lit
from .table_sql import AGG, PCT_CHANGE, Candidate, _agg_sql, _c, _from_to, _pick, _ratio_scale, _repeats, _round2, _threshold, _top_row, _years
from .tasks import format_value

MIN_MONTHS = 12  # fewer (year, month) pairs than this is not a monthly series


def month_column(t: Table) -> Column | None:
    """The whole-number column named "month" holding months 1 to 12, when no column is a date."""
    if t.dates():
        return None  # the by-date templates ask it
    found = [c for c in t.columns if re.fullmatch(r"months?", c.name.strip(), re.IGNORECASE) and c.nulls == 0
             and c.low is not None and c.high is not None and c.low >= 1 and c.high <= 12 and c.distinct >= 2]
    return found[0] if len(found) == 1 else None


def series_name(con, t: Table, yc: Column, mc: Column) -> tuple[bool, Column | None]:
    """(monthly, the text column naming each series): a city, where a name, a year and a month make
    one row; None where the table is one series (a year and a month make one row); (False, None)
    for neither."""
    for lab in [c for c in t.labels() + t.categories() if c.nulls == 0 and c.type.upper().startswith("VARCHAR")]:
        if _repeats(con, t, [lab, yc, mc]) == 0:
            return True, lab
    return _repeats(con, t, [yc, mc]) == 0, None


def monthly(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """The templates of a monthly table (see the module docstring); nothing for another table."""
    mc = month_column(t)
    years = [c for c in t.years() if c.nulls == 0]
    if mc is None or len(years) != 1:
        return
    yc = years[0]
    ok, lab = series_name(con, t, yc, mc)
    if not ok:
        return
    periods = [(int(y), int(m)) for y, m in con.execute(f"SELECT DISTINCT {yc.q}, {mc.q} FROM {t.q} ORDER BY 1, 2").fetchall()]
    if len(periods) < MIN_MONTHS:
        return
    names: list = [None] if lab is None else [v for (v,) in con.execute(
        f"SELECT {lab.q} FROM {t.q} GROUP BY 1 HAVING COUNT(*) >= {MIN_MONTHS} ORDER BY 1").fetchall()]
    names = rng.sample(names, min(10, len(names)))
    M, T = [m for m in t.measures() if m is not mc], t.q

    def where(n, y: int, mo: int | None = None) -> str:
        conds = ([] if lab is None else [f"{lab.q} = {_lit(n)}"]) + [f"{yc.q} = {y}"] + ([] if mo is None else [f"{mc.q} = {mo}"])
        return " AND ".join(conds)

    def of(m: Column, n) -> str:  # "the median of Austin", "the sales"
        return f"the {m.words}" if n is None else f"the {m.words} of {n}"

    def month(y: int, mo: int) -> str:
        return f"{calendar.month_name[mo]} {y}"

    for m, n, (y, mo) in _pick(rng, [(m, n, p) for m in M for n in names for p in periods]):
        yield _c(t, "table.value_in_month", f"SELECT {m.q} FROM {T} WHERE {where(n, y, mo)}", f"What was {of(m, n)} in {month(y, mo)}?",
                 [m, yc, mc, *([lab] if lab else [])], f"{m.name} of the row where {where(n, y, mo).replace(chr(34), '')}.")
    at = lambda m, n: lambda p: f"(SELECT {m.q} FROM {T} WHERE {where(n, *p)})"  # noqa: E731
    for m, n in _pick(rng, [(m, n) for m in M for n in names], 3):
        p1, p2 = sorted(rng.sample(periods, 2))
        expr, rnd = _round2("to_value - from_value", m)
        yield _c(t, "table.change_months", _from_to(at(m, n)(p1), at(m, n)(p2), expr),
                 f"By how much did {of(m, n)} change from {month(*p1)} to {month(*p2)}{rnd}?", [m, yc, mc, *([lab] if lab else [])],
                 f"{m.name} in {month(*p2)} minus in {month(*p1)}.")
        if _ratio_scale(m):
            p1, p2 = sorted(rng.sample(periods, 2))
            yield _c(t, "table.pct_change_months", _from_to(at(m, n)(p1), at(m, n)(p2), PCT_CHANGE),
                     f"By what percentage did {of(m, n)} change from {month(*p1)} to {month(*p2)}, rounded to 2 decimals?",
                     [m, yc, mc, *([lab] if lab else [])], f"{m.name} in {month(*p1)} and in {month(*p2)}, then (new - old) / old * 100.")
    if lab is not None:
        for m, (y, mo), high in _pick(rng, [(m, p, h) for m in M for p in periods for h in (True, False)], 3):
            sql, word = _top_row(T, lab, m, high, f"{yc.q} = {y} AND {mc.q} = {mo}")
            yield _c(t, "table.argmax_month" if high else "table.argmin_month", sql, f"Which {lab.words} had the {word} {m.words} in {month(y, mo)}?",
                     [m, lab, yc, mc], f"the rows of {month(y, mo)} sorted by {m.name}, the first.", tie=True)
    for m, n, above in _pick(rng, [(m, n, a) for m in M for n in names for a in (True, False)], 3):
        cond = "" if lab is None else f" WHERE {lab.q} = {_lit(n)}"
        thr = _threshold(con, T, m, 0.75 if above else 0.25, cond)
        if thr is None:
            continue
        sign, word = (">", "above") if above else ("<", "below")
        yield _c(t, "table.count_months_above" if above else "table.count_months_below",
                 f"SELECT COUNT(*) FROM {T} WHERE {(cond[7:] + ' AND ') if cond else ''}{m.q} {sign} {_lit(thr)}",
                 f"In how many months was {of(m, n)} {word} {format_value(thr)}?", [m, mc, *([lab] if lab else [])],
                 f"count the rows{' of ' + str(n) if n is not None else ''} where {m.name} {sign} {format_value(thr)}.")
    for m, n, y in _pick(rng, [(m, n, y) for m in M for n in names for y in _years(con, t, yc)], 3):
        op = "sum" if m.additive else "avg"
        expr, rnd = _agg_sql(op, m)
        fn, word, _ = AGG[op]
        subject = f"{word} {m.words}" if op == "sum" else f"{word} monthly {m.words}"
        yield _c(t, f"table.{op}_months_in_year", f"SELECT {expr} FROM {T} WHERE {where(n, y)}",
                 f"What was the {subject}{'' if n is None else ' of ' + str(n)} in {y}{rnd}?", [m, yc, *([lab] if lab else [])],
                 f"{fn} of {m.name} over the rows of {y}{'' if n is None else ' and ' + str(n)}.")
