"""The questions people ask of a table, as SQL templates chosen by each column's role.

Why: see :mod:`.tables`. Each template yields a :class:`Candidate` (generator, SQL, the question
in plain words with every literal of the SQL in it, what it covers); :mod:`.tables` executes it
and keeps it only when the answer is one meaningful value.
"""

from __future__ import annotations

import calendar
import random
from typing import Iterator

from ..toolkits.sql_names import quote
from .table_roles import MAX_KEYS, Column, Table, _a, _lit
from .table_sql import (AGG, PCT_CHANGE, Candidate, _agg_sql, _from_to, _as_date, _c, _comparable, _months, _ops, _pick, _ratio_scale,
                        _repeats, _round2, _threshold, _top_row, _years)
from .table_monthly import monthly
from .table_yearly import year_key, yearly
from .tasks import format_value

def candidates(con, tables: list[Table], rng: random.Random) -> Iterator[Candidate]:
    """Every template over every table, each drawing at most :data:`PER_TEMPLATE` parameter sets."""
    where = len(tables) > 1
    for t in tables:
        yield from _single_table(con, t, rng, where)
    yield from _joins(tables, rng)


def _single_table(con, t: Table, rng: random.Random, where: bool) -> Iterator[Candidate]:
    """The templates over one table: whole-table questions, by category, by date, by year, by key."""
    if t.rows == 0:
        return
    suffix = f" in the {t.data_words}" if where else ""
    panel = _panel(con, t)
    for cand in (*_whole_table(con, t, rng), *_groups(t, rng), *_by_date(con, t, rng), *_things_in_year(con, t, rng),
                 *_by_year(con, t, rng), *_by_key(con, t, rng), *yearly(con, t, rng), *monthly(con, t, rng),
                 *(_series(con, t, *panel, rng) if panel else ())):
        if panel and not _one_series(cand, t, panel[0]):
            continue
        yield Candidate(cand.generator, cand.sql, _with_suffix(cand.question, suffix), cand.covers, cand.thought, cand.tie_check)


def _panel(con, t: Table) -> tuple[Column, Column] | None:
    """(category, date) of a table that holds several series side by side, a row per name and date
    (stocks: symbol, date, price), or None. There a price averaged over every row mixes five
    companies ("the average price in January 2008" was asked), and a count of a symbol's rows
    counts months, not stocks."""
    for d in t.dates():
        if d.distinct == t.rows:
            continue
        for c in t.categories():
            (pairs,) = con.execute(f"SELECT count(*) FROM (SELECT DISTINCT {c.q}, {d.q} FROM {t.q})").fetchone()
            if pairs == t.rows and len(c.values) >= 2:
                return c, d
    return None


def _one_series(cand: Candidate, t: Table, series: Column) -> bool:
    """Whether a candidate over a :func:`_panel` table means something: a measure only within one
    series or compared between series (never pooled over all of them), and no count of one
    series' rows."""
    cols = set(cand.covers.get("columns", []))
    measures = {m.name for m in t.measures()}
    if cand.generator in ("table.count", "table.count_in_year"):
        return False  # a row is one series on one date: counting rows counts neither
    if series.name in cols:
        return not cand.generator.startswith(("table.count_where", "table.share_rows"))
    return not (cols & measures)


def _series(con, t: Table, series: Column, d: Column, rng: random.Random) -> Iterator[Candidate]:
    """One series of a :func:`_panel` table (AMZN's prices): its value on a date, its extreme or
    average in a year, its change and percentage change between two dates."""
    M, T = t.measures(), t.q
    for v in _pick(rng, series.values[:12], 3):
        one = f"{series.q} = {_lit(v)}"
        days = [format_value(x) for (x,) in con.execute(
            f"SELECT {d.q} FROM {T} WHERE {one} AND {d.q} IS NOT NULL ORDER BY 1 LIMIT {MAX_KEYS}").fetchall()]
        years = sorted({int(str(x)[:4]) for x in days if x})
        for m, day in _pick(rng, [(x, dy) for x in M for dy in days], 1):
            yield _c(t, "table.series_lookup", f"SELECT {m.q} FROM {T} WHERE {one} AND {d.q} = {_lit(day)}",
                     f"What was the {m.words} of {v} on {day}?", [m, series, d], f"{m.name} of the row where {series.name} = '{v}' and {d.name} = '{day}'.")
        for m, y, op in _pick(rng, [(x, yr, op) for x in M for yr in years for op in _ops(x, ("sum", "avg", "max", "min"))], 1):
            expr, rnd = _agg_sql(op, m)
            yield _c(t, f"table.series_{op}_year", f"SELECT {expr} FROM {T} WHERE {one} AND {d.in_year(y)}",
                     f"What was the {AGG[op][1]} {m.words} of {v} in {y}{rnd}?", [m, series, d],
                     f"{AGG[op][0]} of {m.name} over the rows of {y} where {series.name} = '{v}'.")
        if len(days) >= 2:
            for m in _pick(rng, [x for x in M if not x.additive and _ratio_scale(x)], 1):
                x, y = sorted(rng.sample(days, 2))  # type: ignore[type-var]
                a, b = (f"(SELECT {m.q} FROM {T} WHERE {one} AND {d.q} = {_lit(day)})" for day in (x, y))
                yield _c(t, "table.series_pct_change", _from_to(a, b, PCT_CHANGE),
                         f"By what percentage did the {m.words} of {v} change from {x} to {y}, rounded to 2 decimals?",
                         [m, series, d], f"{m.name} of {v} on {x} and on {y}, then ({y} - {x}) / {x} * 100.")


def _with_suffix(question: str, suffix: str) -> str:
    if not suffix or suffix.removeprefix(" in the ") in question:
        return question
    body, mark = question[:-1], question[-1]
    if ", rounded" in body:
        head, _, rnd = body.partition(", rounded")
        return f"{head}{suffix}, rounded{rnd}{mark}"
    return f"{body}{suffix}{mark}"


def _row_noun(con, t: Table) -> str:
    """What a row is called in a count question: "days" or "months" in a table with one row a
    day or a month (matplotlib's Stocks.csv, a row a month with a column per ticker, was asked
    "How many stocks in 2005 had an AAPL above 1.6?"), else the table's own noun."""
    if t.names_rows():
        return t.noun
    if year_key(t) is not None:
        return "years"
    return next((n for d in t.dates() if d in t.keys() for n in [_dated_rows(con, t, d)] if n), t.noun)


def _dated_rows(con, t: Table, d: Column) -> str | None:
    """What a row is when ``d`` keys the table: "days", "months" or "dates"; None when its dates
    only name years (1970-01-01, 1971-01-01)."""
    if _first_of_year(con, t, d):
        return None
    if _at_midnight(con, t, d):
        return "days"
    if _monthly(con, t, d):
        return "months"
    return "dates" if d.iso_text or d.type.upper() == "DATE" else None  # neither daily nor monthly: a row is a date


def _monthly(con, t: Table, d: Column) -> bool:
    """Every date is a 1st of the month, about one row a month over its span."""
    off, months, first, last = con.execute(
        f"SELECT count(*) FILTER (WHERE day({_as_date(d)}) <> 1), count(DISTINCT date_trunc('month', {_as_date(d)})), "
        f"min({_as_date(d)}), max({_as_date(d)}) FROM {t.q} WHERE {d.q} IS NOT NULL").fetchone()
    if off or not months:
        return False
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    return span <= 2 * months


def _whole_table(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """A count, a measure's average or extreme (its total when additive), rows above a threshold."""
    M, T = t.measures(), t.q
    rows = _row_noun(con, t)
    yield _c(t, "table.count", f"SELECT COUNT(*) FROM {T}", f"How many {rows} are there in the {t.data_words}?"
             if rows in ("records", "days", "months", "dates") else f"How many {rows} are there?", [], "count its rows.")
    for m, op in _pick(rng, [(x, op) for x in M for op in _ops(x)]):
        expr, rnd = _agg_sql(op, m)
        yield _c(t, f"table.{op}", f"SELECT {expr} FROM {T}", f"What is the {AGG[op][1]} {m.words}{rnd}?", [m], f"{AGG[op][0]} of {m.name}.")
    for m in _pick(rng, M, 2):
        threshold = _threshold(con, T, m, 0.8)
        if threshold is None:
            continue
        thr = format_value(threshold)
        yield _c(t, "table.count_above", f"SELECT COUNT(*) FROM {T} WHERE {m.q} > {_lit(threshold)}",
                 f"On how many {rows} was the {m.words} above {thr}?" if rows in ("days", "months", "dates") else
                 f"How many {rows} have {_a(m.words)} above {thr}?", [m], f"count the rows where {m.name} > {thr}.")


def _groups(t: Table, rng: random.Random) -> Iterator[Candidate]:
    """By category: counts and shares of rows, a filtered aggregate, the best and worst group, two groups compared."""
    M, C, T = t.measures(), t.categories(), t.q
    for c, v in _pick(rng, [(cat, v) for cat in C for v in cat.values[:8]]):
        yield _c(t, "table.count_where", f"SELECT COUNT(*) FROM {T} WHERE {c.q} = {_lit(v)}",
                 f"How many {t.noun} have {c.words} {v}?", [c], f"count the rows where {c.name} = '{v}'.")
        yield _c(t, "table.share_rows", f"SELECT ROUND(100.0 * COUNT(*) FILTER (WHERE {c.q} = {_lit(v)}) / COUNT(*), 2) FROM {T}",
                 f"What percentage of {t.noun} have {c.words} {v}, rounded to 2 decimals?", [c],
                 f"rows where {c.name} = '{v}' as a percentage of all rows.")
    for m, c, v, op in _pick(rng, [(x, cat, v, op) for x in M for cat in C if cat is not x for v in cat.values[:6] for op in _ops(x, ("sum", "avg", "max"))]):
        expr, rnd = _agg_sql(op, m)
        yield _c(t, f"table.{op}_where", f"SELECT {expr} FROM {T} WHERE {c.q} = {_lit(v)}",
                 f"What is the {AGG[op][1]} {m.words} for {c.words} {v}{rnd}?", [m, c], f"{AGG[op][0]} of {m.name} where {c.name} = '{v}'.")
    for m, c, high in _pick(rng, [(m, cat, h) for m in M for cat in C if cat is not m for h in (True, False)]):
        op = "sum" if m.additive else "avg"
        order, best = ("DESC", "highest") if high else ("ASC", "lowest")
        yield _c(t, "table.argmax_group" if high else "table.argmin_group",
                 f"SELECT {c.q}, {AGG[op][0]}({m.q}) AS v FROM {T} WHERE {m.q} IS NOT NULL GROUP BY {c.q} ORDER BY v {order} LIMIT 2",
                 f"Which {c.words} has the {best} {AGG[op][1]} {m.words}?", [m, c],
                 f"{AGG[op][0]} of {m.name} per {c.name}, sorted, the {'top' if high else 'bottom'} one.", tie=True)
    for c in _pick(rng, C, 2):
        yield _c(t, "table.most_rows", f"SELECT {c.q}, COUNT(*) AS n FROM {T} GROUP BY {c.q} ORDER BY n DESC LIMIT 2",
                 f"Which {c.words} is the most common?", [c], f"count the rows per {c.name}, the largest count first.", tie=True)
    for m, c in _pick(rng, [(m, cat) for m in M for cat in C if cat is not m and len(cat.values) >= 2], 3):
        a, b = rng.sample(c.values[:6], 2)
        op = "sum" if m.additive else "avg"
        pair = f"{c.q} IN ({_lit(a)}, {_lit(b)})"
        yield _c(t, "table.compare_groups",
                 f"SELECT {c.q}, {AGG[op][0]}({m.q}) AS v FROM {T} WHERE {pair} AND {m.q} IS NOT NULL GROUP BY {c.q} ORDER BY v DESC LIMIT 2",
                 f"Which has the higher {AGG[op][1]} {m.words}: {c.words} {a} or {b}?", [m, c],
                 f"{AGG[op][0]} of {m.name} for {c.name} '{a}' and '{b}', the higher one.", tie=True)
        if m.additive:
            yield _c(t, "table.share", f"SELECT ROUND(100.0 * SUM({m.q}) FILTER (WHERE {c.q} = {_lit(a)}) / SUM({m.q}), 2) FROM {T}",
                     f"What percentage of the total {m.words} comes from {c.words} {a}, rounded to 2 decimals?", [m, c],
                     f"{m.name} where {c.name} = '{a}' as a percentage of all {m.name}.")


def _by_date(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """By date: a year's or a month's average or extreme (total when additive), days above a
    threshold or with a category, the day and the month of an extreme, change over a year."""
    M, C, D, K, T = t.measures(), t.categories(), t.dates(), t.keys(), t.q
    for d in D:
        years, months = _years(con, t, d), _months(con, t, d)
        daily = d in K and _at_midnight(con, t, d)
        daily = daily and not t.names_rows()
        rows = "days" if daily else (_dated_rows(con, t, d) or t.noun) if d in K and not t.names_rows() else t.noun
        if t.rows < 12 * len(years):  # a yearly table (one row a year and group): no months, no counts in a year
            months, C = [], []
        if _first_of_year(con, t, d):  # dates that only name a year (1970-01-01, 1971-01-01): no months, no days
            months, daily, rows = [], False, t.noun
        for m, y, op in _pick(rng, [(x, y, op) for x in M for y in years for op in _ops(x, ("sum", "avg", "max", "min"))]):
            expr, rnd = _agg_sql(op, m)
            yield _c(t, f"table.{op}_year", f"SELECT {expr} FROM {T} WHERE {d.in_year(y)}", f"What was the {AGG[op][1]} {m.words} in {y}{rnd}?",
                     [m, d], f"{AGG[op][0]} of {m.name} over the rows of {y} ({d.name}).")
        for m, (y, mo), op in _pick(rng, [(x, ym, op) for x in M for ym in months for op in _ops(x, ("sum", "avg", "max"))]):
            expr, rnd = _agg_sql(op, m)
            month = calendar.month_name[mo]
            yield _c(t, f"table.{op}_month", f"SELECT {expr} FROM {T} WHERE {d.in_month(y, mo)}",
                     f"What was the {AGG[op][1]} {m.words} in {month} {y}{rnd}?", [m, d],
                     f"{AGG[op][0]} of {m.name} over the rows of {month} {y} ({d.name}).")
        for m, y in _pick(rng, [(m, y) for m in M for y in years], 3):
            thr = _threshold(con, T, m, 0.75, f" WHERE {d.in_year(y)}")
            if thr is None:
                continue
            tv = format_value(thr)
            yield _c(t, "table.count_above_year", f"SELECT COUNT(*) FROM {T} WHERE {d.in_year(y)} AND {m.q} > {_lit(thr)}",
                     f"On how many {rows} in {y} was the {m.words} above {tv}?" if rows in ("days", "months", "dates") else
                     f"How many {rows} in {y} had {_a(m.words)} above {tv}?",
                     [m, d], f"count the rows of {y} ({d.name}) where {m.name} > {tv}.")
        for c, v, y in _pick(rng, [(cat, v, y) for cat in C for v in cat.values[:5] for y in years], 3):
            yield _c(t, "table.count_where_year", f"SELECT COUNT(*) FROM {T} WHERE {d.in_year(y)} AND {c.q} = {_lit(v)}",
                     f"On how many {rows} in {y} was the {c.words} {v}?" if daily else f"How many {rows} in {y} had {c.words} {v}?",
                     [c, d], f"count the rows of {y} ({d.name}) where {c.name} = '{v}'.")
        pairs = [(a, b) for a in M for b in M if a.name != b.name and _comparable(a, b)]
        made = 0
        for (a, b), y in _pick(rng, [(p, y) for p in pairs for y in years], 8):
            both, higher = con.execute(f"SELECT count(*) FILTER (WHERE {a.q} IS NOT NULL AND {b.q} IS NOT NULL), "
                                       f"count(*) FILTER (WHERE {a.q} > {b.q}) FROM {T} WHERE {d.in_year(y)}").fetchone()
            if not higher or higher == both or made == 2:
                continue  # the high above the low on every day (msft.csv): nothing anyone would count
            made += 1
            yield _c(t, "table.count_gt_col_year", f"SELECT COUNT(*) FROM {T} WHERE {d.in_year(y)} AND {a.q} > {b.q}",
                     f"On how many {rows} in {y} was the {a.words} higher than the {b.words}?", [a, b, d],
                     f"count the rows of {y} ({d.name}) where {a.name} > {b.name}.")
        if daily:
            yield from _daily(con, t, d, years, rng)
        if d in K and rows in ("days", "months"):
            yield from _trend(t, d, rows, years, rng)
        yield from _ranges(con, t, d, rng)


def _trend(t: Table, d: Column, rows: str, years: list[int], rng: random.Random) -> Iterator[Candidate]:
    """A table with one row a day or a month: in how many of a year's rows a measure rose or fell
    from the row before (the first row of the year compared with the last of the year before)."""
    one = rows[:-1]
    for m, y, up in _pick(rng, [(m, y, u) for m in t.measures() for y in years for u in (True, False)], 2):
        op, word = (">", "higher") if up else ("<", "lower")
        yield _c(t, "table.count_rises_year" if up else "table.count_falls_year",
                 f"SELECT COUNT(*) FROM (SELECT *, LAG({m.q}) OVER (ORDER BY {d.q}) AS previous FROM {t.q}) "
                 f"WHERE {d.in_year(y)} AND {m.q} {op} previous",
                 f"On how many {rows} of {y} was the {m.words} {word} than the {one} before?", [m, d],
                 f"each row's {m.name} beside the row before it ({d.name} order), then count the rows of {y} where it is {word}.")


def _things_in_year(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """Where a row is a thing with dates (a release: created, released, end of life), how many
    things a date falls in a year for: two such counts a table, whichever its date columns."""
    if not t.names_rows() and _row_noun(con, t) != t.noun:
        return  # a row is a day or a month: the by-date templates count those
    pairs = [(d, y) for d in t.dates() if not _first_of_year(con, t, d) for y in _years(con, t, d)]
    for d, y in _pick(rng, pairs, 2):
        yield _c(t, "table.count_in_year", f"SELECT COUNT(*) FROM {t.q} WHERE {d.in_year(y)}",
                 f"How many {t.noun} have their {d.words} in {y}?", [d], f"count the rows of {y} ({d.name}).")


def _first_of_year(con, t: Table, d: Column) -> bool:
    """Every date is the 1st of January: the column names years, written as dates."""
    (n,) = con.execute(f"SELECT count(*) FROM {t.q} WHERE {d.q} IS NOT NULL AND "
                       f"(month({_as_date(d)}) <> 1 OR day({_as_date(d)}) <> 1)").fetchone()
    return n == 0


def _at_midnight(con, t: Table, d: Column) -> bool:
    """Whether the column holds consecutive days (a DATE, text dates, timestamps all at midnight;
    about one row a day over its span), not hours, months or years."""
    if not (d.iso_text or d.type.upper() == "DATE"):
        (n,) = con.execute(f"SELECT count(*) FROM {t.q} WHERE {d.q} IS NOT NULL AND CAST({d.q} AS TIME) <> TIME '00:00:00'").fetchone()
        if n:
            return False
    days, first, last = con.execute(f"SELECT count(DISTINCT {_as_date(d)}), min({_as_date(d)}), max({_as_date(d)}) FROM {t.q}").fetchone()
    return bool(days) and (last - first).days + 1 <= 2 * days  # a monthly table spans 30 days a row


def _daily(con, t: Table, d: Column, years: list[int], rng: random.Random) -> Iterator[Candidate]:
    """A table with one row a day: the day and the month of an extreme in a year, the change over a year."""
    M, T = t.measures(), t.q
    for m, y, high in _pick(rng, [(m, y, h) for m in M for y in years for h in (True, False)], 3):
        sql, word = _top_row(T, d, m, high, d.in_year(y))
        yield _c(t, "table.date_of_max" if high else "table.date_of_min", sql,
                 f"On which day in {y} was the {m.words} {word}?", [m, d], f"the rows of {y} sorted by {m.name}, the {d.name} of the first.", tie=True)
    for m, y in _pick(rng, [(m, y) for m in M for y in years], 2):
        op = "sum" if m.additive else "avg"
        yield _c(t, "table.month_of_max",
                 f"SELECT monthname({_as_date(d)}) AS mo, {AGG[op][0]}({m.q}) AS v FROM {T} WHERE {d.in_year(y)} GROUP BY mo ORDER BY v DESC LIMIT 2",
                 f"Which month of {y} had the highest {AGG[op][1]} {m.words}?", [m, d], f"{AGG[op][0]} of {m.name} per month of {y}, the top one.", tie=True)
    for m, y in _pick(rng, [(m, y) for m in M if not m.additive and _ratio_scale(m) for y in years], 2):
        first = f"(SELECT {m.q} FROM {T} WHERE {d.in_year(y)} AND {m.q} IS NOT NULL ORDER BY {d.q} LIMIT 1)"
        last = f"(SELECT {m.q} FROM {T} WHERE {d.in_year(y)} AND {m.q} IS NOT NULL ORDER BY {d.q} DESC LIMIT 1)"
        yield _c(t, "table.pct_change_year", _from_to(first, last, PCT_CHANGE),
                 f"By what percentage did the {m.words} change over {y}, from its first to its last day, rounded to 2 decimals?", [m, d],
                 f"{m.name} on the first and the last day of {y}, then (last - first) / first * 100.")


def _ranges(con, t: Table, d: Column, rng: random.Random) -> Iterator[Candidate]:
    """An average or an extreme of a measure between two dates of the table (inclusive)."""
    days = [format_value(v) for (v,) in con.execute(
        f"SELECT DISTINCT {d.q} FROM {t.q} WHERE {d.q} IS NOT NULL ORDER BY 1 LIMIT {MAX_KEYS}").fetchall()]
    if len(days) < 3:
        return
    for m, op in _pick(rng, [(x, op) for x in t.measures() for op in _ops(x, ("sum", "avg", "max", "min"))], 3):
        i = rng.randrange(len(days) - 2)
        a, b = days[i], days[min(len(days) - 1, i + rng.randint(2, 40))]
        expr, rnd = _agg_sql(op, m)
        yield _c(t, f"table.{op}_range", f"SELECT {expr} FROM {t.q} WHERE {d.q} BETWEEN {_lit(a)} AND {_lit(b)}",
                 f"What was the {AGG[op][1]} {m.words} from {a} to {b}{rnd}?", [m, d], f"{AGG[op][0]} of {m.name} where {d.name} is between {a} and {b}.")


def _by_year(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """A year column with labels or categories (a country per year): a value in a year, its change
    between two years, which one was highest in a year, a group's average in a year."""
    M, T = t.measures(), t.q
    for yc in t.years():
        years = _years(con, t, yc)
        if len(years) < 2:
            continue
        for lab in t.labels() + t.categories():
            dups = _repeats(con, t, [lab, yc])
            names = [v for (v,) in con.execute(f"SELECT DISTINCT {lab.q} FROM {T} WHERE {lab.q} IS NOT NULL ORDER BY 1 LIMIT {MAX_KEYS}").fetchall()]
            names = rng.sample(names, min(10, len(names)))
            if dups == 0:  # one row per name and year
                for m, n, y in _pick(rng, [(m, n, y) for m in M for n in names for y in years]):
                    yield _c(t, "table.lookup_year", f"SELECT {m.q} FROM {T} WHERE {lab.q} = {_lit(n)} AND {yc.q} = {y}",
                             f"What was the {m.words} of {n} in {y}?", [m, lab, yc], f"{m.name} where {lab.name} = '{n}' and {yc.name} = {y}.")
                for m, n in _pick(rng, [(m, n) for m in M for n in names], 3):
                    y1, y2 = sorted(rng.sample(years, 2))
                    expr, rnd = _round2("to_value - from_value", m)
                    y1_sub, y2_sub = (f"(SELECT {m.q} FROM {T} WHERE {lab.q} = {_lit(n)} AND {yc.q} = {y})" for y in (y1, y2))
                    yield _c(t, "table.change_years", _from_to(y1_sub, y2_sub, expr), f"By how much did the {m.words} of {n} change from {y1} to {y2}{rnd}?",
                             [m, lab, yc], f"{m.name} of '{n}' in {y2} minus in {y1}.")
                for m, y, high in _pick(rng, [(m, y, h) for m in M for y in years for h in (True, False)], 3):
                    sql, word = _top_row(T, lab, m, high, f"{yc.q} = {y}")
                    yield _c(t, "table.argmax_year" if high else "table.argmin_year", sql,
                             f"Which {lab.words} had the {word} {m.words} in {y}?", [m, lab, yc], f"the rows of {y} sorted by {m.name}, the first.", tie=True)
        for c, v, m, y in _pick(rng, [(cat, v, x, y) for cat in t.categories() for v in cat.values[:6] for x in M if x is not cat for y in years]):
            op = "sum" if m.additive else "avg"
            expr, rnd = _agg_sql(op, m)
            yield _c(t, f"table.{op}_where_year", f"SELECT {expr} FROM {T} WHERE {c.q} = {_lit(v)} AND {yc.q} = {y}",
                     f"What was the {AGG[op][1]} {m.words} for {c.words} {v} in {y}{rnd}?", [m, c, yc],
                     f"{AGG[op][0]} of {m.name} where {c.name} = '{v}' and {yc.name} = {y}.")


def _by_key(con, t: Table, rng: random.Random) -> Iterator[Candidate]:
    """The row a unique key names (a day, a name): a value, a category, the difference of two
    values; between two days, the change and the percentage change; which name is highest."""
    M, C, D, K, T = t.measures(), t.categories(), t.dates(), t.keys(), t.q
    for k in K:
        # drawn with the seeded rng, never with SQL sampling: the same files give the same tasks (resume)
        keys = [format_value(v) for (v,) in con.execute(f"SELECT {k.q} FROM {T} ORDER BY {k.q} LIMIT {MAX_KEYS}").fetchall()]
        keys = rng.sample(keys, min(12, len(keys)))
        on = (lambda kl: f"on {kl}") if k in D else (lambda kl: f"of {kl}")
        for m, kl in _pick(rng, [(m, kv) for m in M for kv in keys]):
            yield _c(t, "table.lookup", f"SELECT {m.q} FROM {T} WHERE {k.q} = {_lit(kl)}",
                     f"What was the {m.words} {on(kl)}?" if k in D else f"What is the {m.words} {on(kl)}?", [m, k],
                     f"{m.name} of the row where {k.name} = '{kl}'.")
        for c, kl in _pick(rng, [(c, kv) for c in C for kv in keys], 2):
            yield _c(t, "table.lookup_category", f"SELECT {c.q} FROM {T} WHERE {k.q} = {_lit(kl)}",
                     f"What was the {c.words} {on(kl)}?" if k in D else f"What is the {c.words} {on(kl)}?", [c, k],
                     f"{c.name} of the row where {k.name} = '{kl}'.")
        pairs = [(a, b) for a in M for b in M if a.name != b.name and _comparable(a, b) and (a.mean_abs or 0) >= (b.mean_abs or 0)]
        for (a, b), kl in _pick(rng, [(p, kv) for p in pairs for kv in keys], 2):
            expr, rnd = _round2(f"{a.q} - {b.q}", a)
            yield _c(t, "table.diff_lookup", f"SELECT {expr} FROM {T} WHERE {k.q} = {_lit(kl)}",
                     f"What was the difference between the {a.words} and the {b.words} {on(kl)}{rnd}?", [a, b, k],
                     f"{a.name} - {b.name} of the row where {k.name} = '{kl}'.")
        if k in D and len(keys) >= 2:
            for m in _pick(rng, [m for m in M if not m.additive], 2):
                x, y = sorted(rng.sample(keys, 2))  # type: ignore[type-var]  # a date key's values are dates: format_value never gives None
                at = _value_on(T, m, k)
                expr, rnd = _round2("to_value - from_value", m)
                yield _c(t, "table.change_dates", _from_to(at(x), at(y), expr), f"By how much did the {m.words} change from {x} to {y}{rnd}?",
                         [m, k], f"{m.name} on {y} minus {m.name} on {x}.")
                if _ratio_scale(m):
                    yield _c(t, "table.pct_change_dates", _from_to(at(x), at(y), PCT_CHANGE),
                             f"What was the percentage change in {m.words} from {x} to {y}, rounded to 2 decimals?", [m, k],
                             f"{m.name} on {x} and on {y}, then ({y} - {x}) / {x} * 100.")
        if k not in D:  # a table of things (releases, stations, products): look a row's other fields up by its name
            fields = [c for c in t.columns if c is not k and (c.is_date or c.role in ("label", "category", "year"))]
            for c, kl in _pick(rng, [(c, kv) for c in fields for kv in keys], 3):
                yield _c(t, "table.lookup_field", f"SELECT {c.q} FROM {T} WHERE {k.q} = {_lit(kl)}",
                         f"What is the {c.words} of {kl}?", [c, k], f"{c.name} of the row where {k.name} = '{kl}'.")
            for d, first in _pick(rng, [(d, f) for d in D for f in (True, False)], 2):
                order, word = ("ASC", "earliest") if first else ("DESC", "latest")
                yield _c(t, "table.first_key" if first else "table.last_key",
                         f"SELECT {k.q}, {d.q} FROM {T} WHERE {d.q} IS NOT NULL ORDER BY {d.q} {order} LIMIT 2",
                         f"Which {k.words} has the {word} {d.words}?", [d, k], f"sort by {d.name}, the {k.name} of the first row.", tie=True)
            for m, high in _pick(rng, [(m, h) for m in M for h in (True, False)], 2):
                sql, word = _top_row(T, k, m, high)
                yield _c(t, "table.argmax_key" if high else "table.argmin_key", sql,
                         f"Which {k.words} has the {word} {m.words}?", [m, k], f"sort by {m.name}, the {k.name} of the first row.", tie=True)


def _value_on(table: str, m: Column, k: Column):
    """A sub-query: ``m`` on the row whose key ``k`` is a given value."""
    return lambda key: f"(SELECT {m.q} FROM {table} WHERE {k.q} = {_lit(key)})"


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
                    op = "sum" if m.additive else "avg"
                    expr, rnd = _agg_sql(op, m, "b." + m.q)
                    qs = quote(s)
                    sql = f"SELECT {expr} FROM {b.q} AS b JOIN {a.q} AS a ON b.{qs} = a.{qs} WHERE a.{c.q} = {_lit(v)}"
                    yield Candidate(f"table.join_{op}", sql,
                                    f"What is the {AGG[op][1]} {m.words} of the {b.words} of {a.words} with {c.words} {v}{rnd}?",
                                    {"table": b.name, "columns": [m.name, s], "op": f"join_{op}", "join": a.name},
                                    f"Use SQL: join {b.name} with {a.name} on {s}, then {AGG[op][0]} of {m.name} where {a.name}.{c.name} = '{v}'.")
