"""The values a question can name that a user's tables hold: the categories of a text column, the
years its dates span, and the spellings a table uses for a value a query filtered on.

Why: a small model answers "snow days in 2012" with a count over every year, and filters on
'gentoo' where the table says 'Gentoo'. The agent's refusal of such an answer
(:meth:`GeneralToolkit.unused_values`), the SQL tool's hint after an empty result
(:func:`near_values`) and self-practice's reading of a table's categories
(:func:`seer_cli.practice.table_roles.describe_tables`) need one reading of the same values.
"""

from __future__ import annotations

import calendar
import re
from typing import Callable, Iterator, NamedTuple

from . import table_types
from .sql_names import literal, quote

# ``col = 'value'`` / ``"col" = 'value'`` in a query: the filters :func:`near_values` checks
_EQ_LITERAL = re.compile(r"""(?:"([^"]+)"|\b([A-Za-z_]\w*))\s*=\s*'((?:[^']|'')*)'""")
# ``col = 1975`` / ``"col" = 8.3``: the numeric filters :func:`near_values` checks
_EQ_NUMBER = re.compile(r"""(?:"([^"]+)"|(?<![\w."])([A-Za-z_]\w*))\s*=\s*(-?\d+(?:\.\d+)?)(?![\w.])""")
# ``col > 'value'`` (<, >=, <=): text compared in alphabetical order
_ORDER_LITERAL = re.compile(r"""(?:"([^"]+)"|(?<![\w."])([A-Za-z_]\w*))\s*(<=|>=|<|>)\s*'((?:[^']|'')*)'""")
# ``col > 0.05`` (any comparison with a number)
_CMP_NUMBER = re.compile(r"""(?:"([^"]+)"|(?<![\w."])([A-Za-z_]\w*))\s*(<=|>=|<>|!=|<|>|=)\s*(-?(?:\d+(?:\.\d*)?|\.\d+))(?![\w.])""")
# "more than 5% butterfat", "above 12.5 percent"
_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:%|per\s?cent\b)", re.IGNORECASE)


class Unused(NamedTuple):
    """Values a question names that no query of the episode wrote, and the query to extend; or,
    with ``tools``, a value no call of the user's tools took and the tools that take it."""

    values: list[str]
    query: str
    tools: tuple[str, ...] = ()
    where: tuple[str, ...] = ()  # the conditions that use them ("name" = 'Giraffe'), where one column holds each


def category_values(con, source: str, column: str, limit: int) -> list | None:
    """The values of a text column of ``source`` (a table as SQL, quoted), most frequent first
    (nulls and blanks left out), or None when it holds more than ``limit`` of them (then it is no
    category: names, free text)."""
    c = quote(column)
    rows = con.execute(f"SELECT {c}, count(*) AS n FROM {source} WHERE {c} IS NOT NULL AND trim({c}) <> '' "
                       f"GROUP BY {c} ORDER BY n DESC, {c} LIMIT {limit + 1}").fetchall()
    return None if len(rows) > limit else [v for (v, _n) in rows]


_FUNCTION_WORDS = {"the", "a", "an", "of", "in", "on", "for", "and", "or", "to", "with", "at", "by", "from", "not", "no",
                   "new", "old", "other", "all", "mr", "mrs", "ms", "dr"}


def leading_words(con, source: str, column: str, limit: int) -> list | None:
    """The first words that begin two or more values of a text column, not all of them, most frequent
    first ("Firefox" of "Firefox 25.0", "Firefox 24.0" ...; "IE" of "IE 10.0"), or None when there
    are more than ``limit``. A question says "Firefox versions" of a column of browser versions; the
    1.5B counted every version (118 for 29)."""
    c = quote(column)
    rows = con.execute(f"SELECT split_part(trim({c}), ' ', 1) AS w, count(*) AS n, (SELECT count(*) FROM {source}) AS total "
                       f"FROM {source} WHERE strpos(trim({c}), ' ') > 0 GROUP BY w HAVING count(*) >= 2 "
                       f"ORDER BY n DESC, w LIMIT {limit + 1}").fetchall()
    if len(rows) > limit:
        return None
    return [w for (w, n, total) in rows if n < total and w.lower().strip(".") not in _FUNCTION_WORDS]


def names(values: list) -> list[str]:
    """The values that are names, not common words: "Chinstrap" and "AAPL" insist on a filter when
    a question says them; "rain" or "male" may be said in another sense ("the day with the most rain")."""
    found = (str(v).strip() for v in values)
    return [v for v in found if len(v) >= 3 and v[:1].isupper()]


def held_names(con, schemas: dict[str, list[tuple[str, str]]], categories: int, labels: int) -> tuple[list[str], set[str]]:
    """The names the tables' text columns hold that a question may name (:func:`names`), and the
    years their dates span: a category's values (at most ``categories`` of them) and the first words
    they share ("Firefox" of "Firefox 25.0"), and a column of names' values (at most ``labels``:
    an animal, a city, a country). The second set holds the codes of those columns of names (all
    capitals: "SEA", "PER", "AND"), matched only as written: "sea level", "births per woman" and
    "and" are no filter.

    A column of names counts as much as a category: of the 200 data questions under ``evals/``,
    18 name one of such a column's values (3 more named a code, now matched as written), and
    each is a filter the question needs ("the giraffe", "Austin", "India's fertility rate",
    "Denver International Airport"; "San Antonio", where only "San" was found before). Asked
    "How many hours a day does the giraffe sleep in total?", the 1.5B summed the column over
    every animal."""
    found: list[str] = []
    labelled: list[str] = []
    for table, cols in schemas.items():
        for col, typ in cols:
            if not _text(typ):
                continue
            held = category_values(con, quote(table), col, labels)  # one scan: a category's values are the first of them
            few = held if held is not None and len(held) <= categories else None
            found += names((few or []) + (leading_words(con, quote(table), col, categories) or []))
            if few is None:
                labelled += names(held or [])
    as_written = {v for v in labelled if v.isupper()} - set(found)  # a category's "GOLD" is still "gold medals"
    return list(dict.fromkeys(found + labelled)) + years_spanned(con, schemas), as_written


def years_spanned(con, schemas: dict[str, list[tuple[str, str]]]) -> list[str]:
    """Every year from the first to the last of the tables' date columns, as text (a year the
    question names that the data does not hold is no filter to insist on)."""
    years: set[str] = set()
    for table, cols in schemas.items():
        for col, typ in cols:
            if typ.upper().startswith(("DATE", "TIMESTAMP")):
                row = con.execute(f"SELECT min(year({quote(col)})), max(year({quote(col)})) FROM {quote(table)}").fetchone()
                lo, hi = row if row else (None, None)
                if lo is not None and hi is not None:
                    years |= {str(y) for y in range(int(lo), int(hi) + 1)}
    return sorted(years)


_PLURAL = "(?:e?s)?"


def unused(question: str, values: list[str], queries: list[str], most: int = 3, exact: set[str] | frozenset[str] = frozenset()) -> Unused | None:
    """Of ``values``, those ``question`` names as words (case aside, but for those in ``exact``; a
    value of several words in the plural too: "officer-involved shootings" names "Officer-involved
    shooting", "Terns" no "Tern") that none of ``queries`` wrote, with the last query (the one to
    extend, not to start over); None when every one was used or nothing was queried."""
    if not queries:
        return None
    written = " ".join(queries).lower()
    named = [v for v in values
             if v.lower() not in written and re.search(rf"(?<![\w-]){re.escape(v)}{_PLURAL if re.search(r'[ -]', v) else ''}(?![\w-])",
                                                       question, 0 if v in exact else re.IGNORECASE)]
    named = [v for v in dict.fromkeys(named) if not any(v != w and v.lower() in w.lower() for w in named)][:most]  # the longest said
    return Unused(named, queries[-1]) if named else None


def conditions(con, schemas: dict[str, list[tuple[str, str]]], values: list[str]) -> tuple[str, ...]:
    """A WHERE condition for each value that exactly one text column holds as written
    (``"name" = 'Giraffe'``); none for a year or a value in no column or in several. Told only
    "the query did not use Giraffe", the 1.5B kept summing over every animal or filtered a column
    of its own choosing; a condition it can paste names the column."""
    out = []
    for v in values:
        cols = holding(con, schemas, v, exact=True)
        if len(cols) == 1:
            out.append(f"{quote(cols[0])} = {literal(v)}")
    return tuple(out)


def holding(con, schemas: dict[str, list[tuple[str, str]]], value: str, skip: str = "", exact: bool = False) -> list[str]:
    """The text columns (other than ``skip``) that hold ``value``, case and surrounding spaces aside
    (``exact``: spelled exactly so)."""
    found = []
    for table, cols in schemas.items():
        for col, typ in cols:
            if col.lower() == skip.lower() or not _text(typ):
                continue
            test = f"{quote(col)} = ?" if exact else f"lower(trim({quote(col)})) = lower(trim(?))"
            try:
                if con.execute(f"SELECT 1 FROM {quote(table)} WHERE {test} LIMIT 1", [value]).fetchone():
                    found.append(col)
            except Exception:  # noqa: BLE001 (a hint is best effort)
                continue
    return list(dict.fromkeys(found))


MONTH_NAMES = tuple(m.lower() for m in calendar.month_name[1:])
_YEARLY = re.compile(r"(?i)^(year|years|yr|yyyy|date|time|period)$")
_MONTHLY = re.compile(r"(?i)^(month|months|mon|mth|month_?(name|num|number|no)?)$")


def month_columns(cols: list[tuple[str, str]]) -> dict[int, str]:
    """The columns named after months (``JAN`` … ``DEC``, ``january`` …) by month (0 for January),
    when a table has at least six of them: a wide table, one row a year and a column a month."""
    found: dict[int, str] = {}
    for col, _typ in cols:
        name = col.strip().lower()
        for i, month in enumerate(MONTH_NAMES):
            if (len(name) >= 3 and month.startswith(name)) or name == month:
                found.setdefault(i, col)
    return dict(sorted(found.items())) if len(found) >= 6 else {}


def year_columns(cols: list[str]) -> list[str]:
    """The columns named as years (``1960`` … ``2013``), when a table has at least three of them: a
    wide table, one row a thing and a column a year (the World Bank's)."""
    years = [c for c in cols if re.fullmatch(r"(1[6-9]|2[01])\d\d", c)]
    return years if len(years) >= 3 else []


def missing_column_advice(con, schemas: dict[str, list[tuple[str, str]]], stmt: str, column: str) -> str:
    """After "column not found": where the query compared that column with a value, which column
    holds the value ("There is no column company; 'IBM' is a value of symbol: write symbol = 'IBM'.")
    or that the value is a column's own name ("'Government' is a column, not a value: select
    government."). The 1.5B filtered stocks on ``company = 'IBM'``, read DuckDB's error, and answered
    that the question was incomplete. A month column missing from a table whose months are its
    columns (statsmodels' elnino: ``YEAR, JAN … DEC``; the 1.5B wrote ``MONTH = 12`` for December
    until its steps ran out) is told so, as is a year column missing from a table whose years are its
    columns (the World Bank's: ``1960`` … ``2013``; the 1.5B wrote ``YEAR = 2005``). "" otherwise."""
    if _MONTHLY.match(column.strip('"')):
        for table, columns in schemas.items():
            if months := list(month_columns(columns).values()):
                return (f" There is no column {column}: in {table} the months are columns ({', '.join(months[:3])} … {months[-1]}); "
                        f"select the month's column (December: {months[-1]}) and filter on the other columns.")
    if _YEARLY.match(column.strip('"')):
        for table, columns in schemas.items():
            if years := year_columns([c for c, _ in columns]):
                asked = re.search(rf'(?<![\w."]){re.escape(column)}"?\s*(?:=|>=?|<=?|between)\s*"?(\d{{4}})', stmt, re.IGNORECASE)
                year = asked.group(1) if asked and asked.group(1) in years else years[-1]
                return (f" There is no column {column}: in {table} the years are columns ({quote(years[0])} … {quote(years[-1])}); "
                        f"select the year's column ({year}: {quote(year)}) and filter on the other columns.")
    for value in filter_values(stmt, column):
        named = [c for cols in schemas.values() for c, _ in cols if c.lower() == value.strip().lower()]
        if named:
            return f" There is no column {column}; '{value}' is a column, not a value: select {quote(named[0])}."
        cols = holding(con, schemas, value)
        if cols:
            return f" There is no column {column}; '{value}' is a value of {' and '.join(cols)}: write {cols[0]} = '{value}'."
    # the name itself a value, as the table spells it ("AVG(WinF)" for the average over the WinF rows: the 1.5B sent it
    # three times; "death" for the type "Death" is more likely death_date misspelled, which the spelling hint says)
    if (cols := holding(con, schemas, column.strip('"'))) and cols[0] in holding(con, schemas, column.strip('"'), exact=True):
        return (f" There is no column {column}; '{column}' is a value of {cols[0]}: for the rows where {cols[0]} is '{column}', "
                f"write WHERE {quote(cols[0])} = '{column}' (or AVG(x) FILTER (WHERE {quote(cols[0])} = '{column}') beside other rows).")
    return ""


def filter_values(stmt: str, column: str) -> Iterator[str]:
    """The values ``stmt`` compares ``column`` with as ``column = 'value'`` (the name's case aside), unquoted."""
    for quoted, bare, value in _EQ_LITERAL.findall(stmt):
        if (quoted or bare).lower() == column.lower():
            yield value.replace("''", "'")


def _text(typ: str) -> bool:
    return typ.upper().startswith("VARCHAR")


def _named(cols: list[tuple[str, str]], name: str, kind: Callable[[str], bool]) -> str | None:
    """The column of ``cols`` named ``name`` (case aside) whose type ``kind`` accepts, as the table spells it."""
    return next((c for c, ty in cols if c.lower() == name.lower() and kind(ty)), None)


def text_filters(schemas: dict[str, list[tuple[str, str]]], stmt: str) -> Iterator[tuple[str, str, str]]:
    """``(table, column, value)`` for each ``column = 'value'`` of ``stmt`` on a text column of a
    table (the column as the table spells it, the value unquoted)."""
    for quoted, bare, value in _EQ_LITERAL.findall(stmt):
        column, value = (quoted or bare), value.replace("''", "'")
        for table, cols in schemas.items():
            col = _named(cols, column, _text)
            if col is not None:
                yield table, col, value


def folded(con, table: str, col: str, value: str, limit: int) -> list:
    """The values of a text column equal to ``value`` in another case or spacing, at most ``limit``."""
    return [v for (v,) in con.execute(f"SELECT DISTINCT {quote(col)} FROM {quote(table)} WHERE lower(trim({quote(col)})) = "
                                      f"lower(trim(?)) LIMIT {int(limit)}", [value]).fetchall()]


def shortened(con, table: str, col: str, value: str, limit: int) -> list:
    """The values of a text column that are ``value`` cut short (at least three characters: 'Sat' of
    'Saturday', 'Thur' of 'Thursday'), at most ``limit``."""
    return [v for (v,) in con.execute(f"SELECT DISTINCT {quote(col)} FROM {quote(table)} WHERE length(trim({quote(col)})) >= 3 "
                                      f"AND lower(trim(?)) LIKE lower(trim({quote(col)})) || '%' LIMIT {int(limit)}",
                                      [value]).fetchall()]


def near_values(con, schemas: dict[str, list[tuple[str, str]]], stmt: str) -> list[str]:
    """For each ``column = 'value'`` of ``stmt`` whose value is not in that text column but is there
    in another case or spacing, inside longer values or shortened (``'Sat'`` of ``'Saturday'``): a
    note saying what the column holds ("'gentoo' is not a value of species; it holds 'Gentoo'");
    else the other columns that hold it, else the column's values when it has few (:func:`_few_values`). A small
    model filters on the words of the question, which are seldom the table's exact spelling.
    And each ``column = number`` no value of the column reaches that another column holds."""
    notes = []
    for table, col, value in text_filters(schemas, stmt):
        q = f"SELECT DISTINCT {quote(col)} FROM {quote(table)} WHERE "
        try:
            if con.execute(q + f"{quote(col)} = ? LIMIT 1", [value]).fetchone():
                continue  # the value is there: the other conditions excluded it
            near = folded(con, table, col, value, 3)
            near = near or [v for (v,) in con.execute(q + f"{quote(col)} ILIKE ? LIMIT 3", [f"%{value}%"]).fetchall()]
            # the table's short form of the value: tips.csv writes its days "Sun", "Sat", "Thur", "Fri", and the 1.5B
            # asked day = 'Saturday' three times over a NULL average (a value absent in every form stays unnoted:
            # "(no rows)" is then the answer)
            near = near or shortened(con, table, col, value, 3)
        except Exception:  # noqa: BLE001 (a hint is best effort)
            continue
        if near:
            notes.append(f"'{value}' is not a value of {col}; it holds " + ", ".join(f"'{v}'" for v in near)
                         + _beginning(con, table, col, value, str(near[0])))
        elif others := holding(con, schemas, value, skip=col):
            notes.append(f"'{value}' is not a value of {col}; it is a value of {' and '.join(others)}")
        elif listed := _few_values(con, table, col):
            notes.append(f"'{value}' is not a value of {col}; its values are " + ", ".join(f"'{v}'" for v in listed))
        elif words := _first_words(con, table, col):
            notes.append(f"'{value}' is not a value of {col}; its values begin with " + ", ".join(f"'{w}'" for w in words))
    for table, col, number in number_filters(schemas, stmt):
        if (spread := _spread(con, table, col)) is None or spread[0] <= float(number) <= spread[1]:
            continue  # the column could hold it: the other conditions excluded it, or it is one of its values' kind
        if holders := _holding_number(con, schemas[table], table, col, number):
            notes.append(f"{number} is not a value of {col}; it is a value of {' and '.join(holders)}")
        else:
            notes.append(f"no row has {col} = {number}: {col} runs from {spread[0]:g} to {spread[1]:g}")
    notes += _text_orders_holding_nothing(con, schemas, stmt)
    return list(dict.fromkeys(notes))


def _text_orders_holding_nothing(con, schemas: dict[str, list[tuple[str, str]]], stmt: str) -> list[str]:
    """For each ``column > 'value'`` (or <, >=, <=) of ``stmt`` on a text column that holds for no row
    of its table: a note saying so, with the column's values when it has few. The 1.5B counted cows
    ``WHERE butterfat > 0.05 AND age > 'Mature'`` (a condition the question never asked; 'Mature' is
    the greatest of age's values in text order), got 0 and answered 0."""
    notes = []
    for quoted, bare, op, value in _ORDER_LITERAL.findall(stmt):
        column, value = (quoted or bare), value.replace("''", "'")
        for table, cols in schemas.items():
            col = _named(cols, column, _text)
            if col is None:
                continue
            try:
                if con.execute(f"SELECT 1 FROM {quote(table)} WHERE {quote(col)} {op} ? LIMIT 1", [value]).fetchone():
                    continue
            except Exception:  # noqa: BLE001 (a hint is best effort)
                continue
            listed = _few_values(con, table, col)
            notes.append(f"{col} {op} '{value}' holds for no row: it compares text in alphabetical order"
                         + ("; its values are " + ", ".join(f"'{v}'" for v in listed) if listed else ""))
    return notes


def percent_scale_notes(con, schemas: dict[str, list[tuple[str, str]]], stmt: str, question: str) -> list[str]:
    """For each comparison of a numeric column with a number that is the question's percentage on the
    other scale (``butterfat > 0.05`` for "more than 5% butterfat" where butterfat runs 3.4 to 6.6;
    ``share > 5`` for "above 5%" where share runs 0 to 1): a note saying which number the column means.
    The 1.5B wrote the fraction for a column of percentages and counted every cow."""
    asked = {float(n) for n in _PERCENT.findall(question)}
    if not asked:
        return []
    notes = []
    unquoted = re.sub(r"'(?:[^']|'')*'", " ", stmt)
    for quoted, bare, op, number in _CMP_NUMBER.findall(unquoted):
        column, value = (quoted or bare), float(number)
        for table, cols in schemas.items():
            col = _named(cols, column, table_types.numeric)
            if col is None:
                continue
            if (spread := _spread(con, table, col)) is None:
                continue
            low, high = spread
            if 0 < value < 1 and round(value * 100, 6) in asked and low >= 1 and high <= 100:
                percent, meant = value * 100, value * 100
            elif value >= 1 and value in asked and low >= 0 and high <= 1:
                percent, meant = value, value / 100
            else:
                continue
            notes.append(f"{col} runs from {low:g} to {high:g}, so the question's {percent:g}% is {col} {op} {meant:g} here, not {number}")
    return list(dict.fromkeys(notes))


def _beginning(con, table: str, col: str, value: str, held: str) -> str:
    """"; LIKE 'Firefox %' matches the 29 that begin with it" when two or more values of ``col`` begin
    with the word ``value`` (a family of values: "how many Firefox versions"), spelled as ``held``, a
    value of the column, spells it; else ""."""
    first = held.split(" ", 1)[0]
    value = first if first.lower() == value.lower() else value
    try:
        (n,) = con.execute(f"SELECT count(DISTINCT {quote(col)}) FROM {quote(table)} WHERE {quote(col)} ILIKE ?",
                           [value.replace("%", "") + " %"]).fetchone()
    except Exception:  # noqa: BLE001 (a hint is best effort)
        return ""
    return f"; {quote(col)} LIKE '{value} %' matches the {n} that begin with it" if n >= 2 else ""


def _first_words(con, table: str, col: str) -> list | None:
    """The first words the values of a text column of many values share (:func:`leading_words`), when
    there are two to 12 of them. The 1.5B summed ``"Browser Version" = 'Internet Explorer'`` four times
    over a NULL; the column's values are "IE 10.0", "Chrome 31.0" ..."""
    try:
        words = leading_words(con, quote(table), col, 12)
    except Exception:  # noqa: BLE001 (a hint is best effort)
        return None
    return words if words and len(words) >= 2 else None


FEW_VALUES = 8  # a text column with at most this many values is listed when a filter's value is none of them


def _few_values(con, table: str, col: str) -> list | None:
    """The values of a text column that has at most :data:`FEW_VALUES` of them (a category), else
    None. The 1.5B counted ``winner = 'winner'`` and ``result = 'outstanding majority'`` over an
    election's districts, got 0 twice and answered 0: the column held the candidates' names, and
    'Majority' or 'Plurality'."""
    try:
        return category_values(con, quote(table), col, FEW_VALUES)
    except Exception:  # noqa: BLE001 (a hint is best effort)
        return None


def number_filters(schemas: dict[str, list[tuple[str, str]]], stmt: str) -> Iterator[tuple[str, str, str]]:
    """``(table, column, number)`` for each ``column = number`` of ``stmt`` (outside string literals)
    on a numeric column of a table."""
    unquoted = re.sub(r"'(?:[^']|'')*'", " ", stmt)
    for quoted, bare, number in _EQ_NUMBER.findall(unquoted):
        column = quoted or bare
        for table, cols in schemas.items():
            col = _named(cols, column, table_types.numeric)
            if col is not None:
                yield table, col, number


def _spread(con, table: str, col: str) -> tuple[float, float] | None:
    """The least and greatest value of a numeric column, None when it has none (or cannot be read)."""
    try:
        low, high = con.execute(f"SELECT min({quote(col)}), max({quote(col)}) FROM {quote(table)}").fetchone()
    except Exception:  # noqa: BLE001 (a hint is best effort)
        return None
    return None if low is None or high is None else (low, high)


def _holding_number(con, cols: list[tuple[str, str]], table: str, col: str, number: str) -> list[str] | None:
    """The other numeric columns of ``table`` (two at most) that hold ``number``, which ``col``'s values
    never reach (the caller checks: ``Apr = 5`` of a rate is one of its values' kind). The 1.5B asked the
    unemployment table, a row a year, for ``Annual = 1975``: the year is a value of ``Year``; with
    ``Time = 100`` over times of 9.63 to 12.6 seconds (no column holds 100) it answered 0 medals."""
    try:
        return [c for c, ty in cols if c != col and table_types.numeric(ty)
                and con.execute(f"SELECT 1 FROM {quote(table)} WHERE {quote(c)} = ? LIMIT 1", [number]).fetchone()][:2]
    except Exception:  # noqa: BLE001 (a hint is best effort)
        return None
