"""What each column of a user's table is, to a person: the roles that decide what is asked.

Why: a task means something only when its operation fits the column. A temperature is averaged, not
summed; a year or a station id is a filter, never a total. :func:`role_of` reads a column's role
from its name, type and distinct values (measure, additive or not; date; year; ordinal; category;
label; identifier, code or coordinate), and :func:`describe_tables` describes every table of the
toolkit's DuckDB that way, once, for :mod:`.table_templates`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..toolkits.sql_names import quote
from ..toolkits.table_types import FLOAT_TYPES, INT_TYPES, numeric
from ..toolkits.table_values import category_values, year_columns
from .tasks import format_value, readable

DATE_TYPES = ("DATE", "TIMESTAMP")
MAX_CATEGORIES = 25
MAX_DISCRETE = 8  # values of a whole-number measure grouped by as a category (_discrete)
PER_TEMPLATE = 4  # candidates drawn per template and table before execution
MAX_KEYS = 5000  # key values a lookup task is drawn from
ISO_DATE = r"\d{4}-\d{2}-\d{2}"  # a text column whose every value matches is a date column (LIKE '2019-%' by year)
_ID = re.compile(r"(^id$|_id$|^id_|Id$|^ID$|_no$|^no$|number$|_num$|^num$|code\d*$|^code|^iso|_iso|zip|postal|phone|fips|isbn|serial|index$|^idx|"
                 r"(^|_)(version|ver|revision|rev|build|release_no)$)",
                 re.IGNORECASE)
_TIME_NAME = re.compile(r"(^|_)(date|datetime|timestamp)($|_)", re.IGNORECASE)
# where a thing is, not how much of it there is: never aggregated or compared
_COORDINATE = re.compile(r"(^|_)(lat|lon|lng|latitude|longitude|centroid|coord|x|y|easting|northing)($|_)", re.IGNORECASE)
_YEAR = re.compile(r"(^|_|\b)(year|yr)s?($|_|\b)", re.IGNORECASE)
_ORDINAL = re.compile(r"(^|_)(month|day|hour|minute|week|weekday|dow|quarter|rank|order|seq|position|season|decade)s?($|_)", re.IGNORECASE)
# measures whose total means something (amounts, quantities, counts, precipitation) ...
_ADDITIVE = re.compile(r"\b(amount|total|count|qty|quantity|units|sales|revenue|spend|paid|cost|sold|orders|volume|precip|rain|snow|"
                       r"generation|kwh|mwh|visitors|trips|rentals|passengers|deaths|cases|births|population|minutes|hours|miles|km|pages|days)",
                       re.IGNORECASE)
# ... and measures whose total never does (levels, rates, sizes of one thing)
_INTENSIVE = re.compile(r"\b(temp|rate\b|rates\b|ratio|pct|percent|share\b|avg\b|mean\b|median|score|rating|age\b|price|per\b|index|"
                        r"lat\b|latitude|lon\b|longitude|speed|wind|pressure|humidity|height|weight|mass|length|width|depth|size\b|bill|"
                        r"flipper|expectancy|density|open\b|close\b|high\b|low\b|max\b|min\b|gdp|point\b|radius|energy|number\b)",
                        re.IGNORECASE)
# ... and, in a series (a row a year or a day), counts of what exists at a time: a level, never summed over time
_LEVEL = re.compile(r"\b(population|employed|employment|unemployed|members|subscribers|inventory|stock|balance|headcount)", re.IGNORECASE)
_NULL_LIKE = {"na", "n/a", "nan", "null", "none", "", "-", "?"}


class _Named:
    """A table or a column: its name quoted for SQL (``q``) and as words for a question."""

    name: str

    @property
    def q(self) -> str:
        return ".".join(quote(part) for part in self.name.split("."))  # "coffee"."coffee_data" for a schema's table

    @property
    def words(self) -> str:
        return readable(self.name.rsplit(".", 1)[-1])

    @property
    def data_words(self) -> str:
        """How a question names the table: "the penguins data", "the coffee data" (not "coffee data data")."""
        w = self.words
        return w if re.search(r"\b(data|dataset|table)$", w) else f"{w} data"


# A unit at the end of a column's name, as a person says it: "bill_length_mm" is "bill length in mm",
# not "bill length mm" (the real-files practice asked "What is the average body mass g?").
UNITS = {"mm": "mm", "cm": "cm", "km": "km", "g": "grams", "kg": "kg", "mg": "mg", "lb": "pounds", "lbs": "pounds",
         "ml": "ml", "usd": "US dollars", "eur": "euros", "pct": "percent", "kwh": "kWh", "mph": "mph", "kmh": "km/h",
         "sec": "seconds", "secs": "seconds", "ms": "milliseconds", "hrs": "hours", "mins": "minutes"}


@dataclass
class Column(_Named):
    name: str
    type: str
    distinct: int
    nulls: int
    values: list = field(default_factory=list)  # categories, most frequent first (categorical columns)
    iso_text: bool = False  # text holding ISO dates (2019-10-01): a date column to the templates
    said: str = ""  # how a question names it, where its name alone does not (a year's column: "fertility in 2005")

    mean_abs: float | None = None  # numeric columns: the mean magnitude, so that only like is subtracted from like
    low: float | None = None  # numeric columns: smallest and largest value
    high: float | None = None
    role: str = "text"  # measure | date | year | ordinal | category | label | id | text (see role_of)
    in_series: bool = False  # its table has a date or a year column: a count there is a level (employed, open), not a flow

    @property
    def q(self) -> str:
        """The column quoted whole: a column name may hold a dot ("Adj. Close*" in matplotlib's
        msft.csv), and quoting it as schema.table made every template fail on that table."""
        return quote(self.name)

    @property
    def words(self) -> str:
        """The column as words (or as :attr:`said`), a trailing unit said as one: "body_mass_g" -> "body mass in grams";
        a name in capitals kept so ("AAPL", not "aapl"); marks dropped ("Adj. Close*" -> "adj close",
        "^GSPC" -> "GSPC")."""
        if self.said:
            return self.said
        spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", self.name)
        w = [p if len(p) >= 2 and p.isupper() else p.lower() for p in re.findall(r"[A-Za-z0-9]+", spaced)] or [self.name]
        if len(w) >= 2 and w[-1] in UNITS:
            return f"{' '.join(w[:-1])} in {UNITS[w[-1]]}"
        return " ".join(w)

    @property
    def is_date(self) -> bool:
        return self.type.upper().startswith(DATE_TYPES) or self.iso_text

    @property
    def additive(self) -> bool:
        """A measure whose total means something: named like an amount or a count, or a
        non-negative integer not named like a level or a size, outside a time series (summed
        over months, an employment level means nothing)."""
        if self.role != "measure" or _INTENSIVE.search(self.words) or (self.in_series and _LEVEL.search(self.words)):
            return False
        if _ADDITIVE.search(self.words):
            return True
        return self.type.upper().startswith(INT_TYPES) and (self.low or 0) >= 0 and not self.in_series

    def in_year(self, y: int) -> str:
        """SQL: the column falls in year ``y`` (a date's year(), a text date's prefix, a year column's value)."""
        if self.role == "year":
            return f"{self.q} = {y}"
        return f"{self.q} LIKE '{y}-%'" if self.iso_text else f"year({self.q}) = {y}"

    def in_month(self, y: int, mo: int) -> str:
        return f"{self.q} LIKE '{y}-{mo:02d}-%'" if self.iso_text else f"year({self.q}) = {y} AND month({self.q}) = {mo}"


def role_of(c: Column, rows: int) -> str:
    """What a column is to a person asking about the table (see the module docstring)."""
    typ = c.type.upper()
    if c.is_date:
        return "date"
    if numeric(typ):
        whole = typ.startswith(INT_TYPES) or (c.low is not None and c.high is not None and float(c.low).is_integer() and float(c.high).is_integer())
        if _ID.search(c.name) or _COORDINATE.search(c.name):
            return "id"
        if _YEAR.search(c.name) or (whole and c.low is not None and 1800 <= c.low and (c.high or 0) <= 2100 and c.distinct < rows):
            return "year"
        if _ORDINAL.search(c.name) or _TIME_NAME.search(c.name):
            return "ordinal"  # a month, a rank; a date written as a number (txhousing's 2000.0833): an order, not an amount
        if whole and c.distinct == rows and c.low is not None and c.high is not None and c.high - c.low + 1 == rows:
            return "id"  # a row number
        if _code(c) and not _ADDITIVE.search(c.name):
            return "id"  # a code or a flag (auto-mpg's origin, 1 to 3, was asked "What is the highest origin?")
        return "measure"
    if typ.startswith("VARCHAR"):
        if _ID.search(c.name):
            return "id"
        if c.values:
            return "category"
        if c.distinct > 1:
            return "label"
    return "text"


@dataclass
class Table(_Named):
    name: str
    rows: int
    columns: list[Column]

    def measures(self) -> list[Column]:
        """Numeric columns worth asking about: not identifiers, years or ordinals, not all null."""
        return [c for c in self.columns if c.role == "measure" and c.nulls < self.rows]

    def categories(self) -> list[Column]:
        """Columns rows are grouped by: text categories, and whole-number measures of a few values
        (:func:`_discrete`; their ``values`` are set only for those)."""
        return [c for c in self.columns if c.role == "category" or (c.role == "measure" and c.values)]

    def labels(self) -> list[Column]:
        return [c for c in self.columns if c.role == "label" and c.nulls == 0]

    def dates(self) -> list[Column]:
        return [c for c in self.columns if c.is_date and c.nulls < self.rows]

    def years(self) -> list[Column]:
        return [c for c in self.columns if c.role == "year" and c.nulls < self.rows]

    def keys(self) -> list[Column]:
        """Columns that name one row (dates of a daily table, unique names, identifiers a person
        says: "Debian 12", product "A-113"; not a row number)."""
        return [c for c in self.columns if c.distinct == self.rows and c.nulls == 0 and self.rows > 1
                and (c.is_date or c.role == "label" or (c.role == "id" and not _row_number(c, self.rows)))]

    def names_rows(self) -> bool:
        """A row is a thing with a name (a release, a station), not a day: some key is not a date,
        so a count of its rows counts things even where a date column is unique too."""
        return any(not c.is_date for c in self.keys())

    @property
    def noun(self) -> str:
        """What a row is called in a count question: the table's name when it reads as a plural
        ("penguins"), else "records"."""
        w = self.words
        return w if re.fullmatch(r"[a-z]{3,}s", w) and not w.endswith("ss") else "records"


def _code(c: Column) -> bool:
    """Whole numbers, at most three of them, counting up from 0 or 1 (1, 2, 3; 0, 1): a code or a flag."""
    if c.low is None or c.high is None or c.distinct > 3 or float(c.low) not in (0.0, 1.0):
        return False
    return float(c.low).is_integer() and float(c.high).is_integer() and c.high - c.low + 1 == c.distinct


def _row_number(c: Column, rows: int) -> bool:
    """Whole numbers 0..n-1 or 1..n: a row's position, which nobody asks about."""
    return c.low is not None and c.high is not None and float(c.low).is_integer() and c.high - c.low + 1 == rows \
        and numeric(c.type)


def _a(words: str) -> str:
    if re.search(r"[^s]s$", words) or re.fullmatch(r"[A-Z0-9]{2,}", words):  # "cylinders above 6", "ADBE above 43"
        return words
    return ("an " if words[:1] in "aeiou" else "a ") + words


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
    values, repeated), whether a text column holds ISO dates, and each column's role."""
    tables = []
    for name in names:
        schema, _, bare = name.rpartition(".")
        t = Table(name, 0, [])
        (rows,) = con.execute(f"SELECT count(*) FROM {t.q}").fetchone()
        t.rows = int(rows)
        for col, typ in con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name=? "
                                    "AND table_schema=? ORDER BY ordinal_position", [bare, schema or "main"]).fetchall():
            c = _describe_column(con, t, col, typ)
            c.role = role_of(c, t.rows)
            t.columns.append(c)
        series = any(c.is_date or c.role == "year" for c in t.columns)
        for c in t.columns:
            c.in_series = series
        yearly = set(year_columns([c.name for c in t.columns]))
        for c in (c for c in t.columns if c.name in yearly):  # a column a year (the World Bank's): "fertility in 2005"
            c.said = f"{t.words} in {c.name}"
        tables.append(t)
    return tables


def _describe_column(con, t: Table, col: str, typ: str) -> Column:
    qc = quote(col)
    text = typ.upper().startswith("VARCHAR")
    iso_count = f"count(*) FILTER (WHERE regexp_full_match({qc}, '{ISO_DATE}'))" if text else "0"
    stats = f"avg(abs({qc})), min({qc}), max({qc})" if numeric(typ) else "NULL, NULL, NULL"
    distinct, nulls, iso, mean, low, high = con.execute(
        f"SELECT count(DISTINCT {qc}), count(*) - count({qc}), {iso_count}, {stats} FROM {t.q}").fetchone()
    c = Column(col, typ, int(distinct), int(nulls), iso_text=bool(text and iso and iso == t.rows - nulls),
               mean_abs=None if mean is None else float(mean), low=None if low is None else float(low),
               high=None if high is None else float(high))
    if text and not c.iso_text and 2 <= distinct <= MAX_CATEGORIES and distinct < t.rows:
        c.values = [v for v in category_values(con, t.q, col, MAX_CATEGORIES) or [] if str(v).strip().lower() not in _NULL_LIKE]
    elif _discrete(c, t.rows):
        c.values = [v for (v, _n) in con.execute(f"SELECT {qc}, count(*) AS n FROM {t.q} WHERE {qc} IS NOT NULL "
                                                  f"GROUP BY {qc} ORDER BY n DESC, {qc}").fetchall()]
    return c


def _discrete(c: Column, rows: int) -> bool:
    """A whole-number measure of a few values, each on many rows (a car's cylinders, 3 to 8; a
    rating 1 to 5): people group by it as by a category ("How many cars have eight cylinders?",
    "the average mpg of 4-cylinder cars"), as well as averaging it."""
    return (numeric(c.type) and c.low is not None and c.high is not None and float(c.low).is_integer()
            and float(c.high).is_integer() and 2 <= c.distinct <= MAX_DISCRETE and c.distinct * 10 <= rows)
