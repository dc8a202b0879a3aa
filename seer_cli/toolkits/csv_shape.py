"""How a user's CSV is read: its encoding, the lines above its header, its decimal comma, the
spaces it pads its fields with.

Why: DuckDB's sniffer reads clean UTF-8 files well, but files people keep are often not: a
spreadsheet export in Latin-1 ("Café Müller") stopped the whole run with "CSV Error on Line: 2";
a report with a title and a blank line above its header was read as one column named by the title;
a European export (``;`` between fields, ``3,50`` for three and a half) kept its prices as text, so
``AVG(price)`` failed. :func:`read_options` looks at the first lines and returns only the options
that differ from the sniffer's defaults, so a clean file is read exactly as before. A file written
to line up in a text editor (bokeh's sprint.csv: ``"Usain Bolt",                  "JAM",   "GOLD"``)
kept ``                  "JAM"`` as a value, quotes and all, beside ``USA`` where one space stood
before the quote: :func:`unpad` reads such a text column as its values.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from .sql_names import literal, quote

SAMPLE_BYTES = 64 * 1024
SAMPLE_LINES = 60
DELIMITERS = (",", ";", "\t", "|")
_DECIMAL_COMMA = re.compile(r"(?:^|;)\s*\"?-?\d+,\d+\"?\s*(?=;|$)")


def read_options(path: Path, delimiter: str | None = None) -> dict[str, object]:
    """The ``read_csv`` options this file needs beyond ``header=true``: ``encoding`` when it is not
    UTF-8, ``skip`` (and ``delim``) when lines stand above the header, ``decimal_separator`` for
    ``3,50`` in a ``;``-separated file. ``delimiter``: the one its extension says (a ``.tsv``)."""
    raw = path.read_bytes()[:SAMPLE_BYTES]
    options: dict[str, object] = {}
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(raw) - 4:  # not just a character cut by the sample's end
            options["encoding"] = "latin-1"
    text = raw.decode("utf-8", errors="ignore") if "encoding" not in options else raw.decode("latin-1")
    lines = text.lstrip("\ufeff").splitlines()[:SAMPLE_LINES]
    if len(lines) > 2 and len(raw) == SAMPLE_BYTES:
        lines = lines[:-1]  # the last sampled line may be cut
    delim, skip = _header_line(lines, delimiter)
    if skip:
        options.update(skip=skip, delim=delim)
    if delim == ";" and any(_DECIMAL_COMMA.search(line) for line in lines[skip + 1:]):
        options["decimal_separator"] = ","
    return options


def _header_line(lines: list[str], preferred: str | None) -> tuple[str, int]:
    """(delimiter, index of the header line): the delimiter that splits the body's lines into the
    same number of fields most often (then the most fields, then the earliest header), and the
    first line with at least that many fields (a header may name columns short rows leave off)."""
    best: tuple[int, int, int] = (0, 0, 0)
    choice = (preferred or ",", 0)
    for d in ([preferred] if preferred else DELIMITERS):
        counts = [_fields(line, d) for line in lines]
        body = [c for c in counts[len(counts) // 3:] if c > 1] or [c for c in counts if c > 1]
        if not body:
            continue
        width, agree = Counter(body).most_common(1)[0]
        first = next((i for i, c in enumerate(counts) if c >= width), 0)
        if (agree, width, -first) > best:
            best, choice = (agree, width, -first), (d, first)
    return choice


def _fields(line: str, delimiter: str) -> int:
    if not line.strip():
        return 0
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        return 0


def sql_options(options: dict[str, object]) -> str:
    """The options as ``read_csv`` arguments (", skip=3, delim=';'"); empty when there are none."""
    parts = []
    for k, v in options.items():
        parts.append(f"{k}={v}" if isinstance(v, int) else f"{k}={literal(v)}")
    return "".join(f", {p}" for p in parts)


def unpad(con, table: str) -> list[str]:
    """Trim the text columns of ``table`` whose values are padded: spaces before or after most of
    them, or a quoted value after spaces (``   "JAM"``, its quotes then dropped and ``\\"`` read as
    ``"``). Returns the columns changed. A column whose values merely contain spaces is left as it is."""
    cols = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                       "AND data_type = 'VARCHAR'", [table]).fetchall()]
    if not cols:
        return []
    t, quoted_names = quote(table), [quote(col) for col in cols]
    counts = con.execute("SELECT " + ", ".join(  # one scan for every text column: this runs at each table's load
        f"count(*) FILTER ({c} <> trim({c})), count(*) FILTER (regexp_matches({c}, '^\\s+\".*\"\\s*$')), count({c})"
        for c in quoted_names) + f" FROM {t}").fetchone()
    changed = []
    for i, (col, c) in enumerate(zip(cols, quoted_names)):
        padded, quoted, total = counts[3 * i:3 * i + 3]
        if not total or (not quoted and padded * 2 < total):
            continue
        con.execute(f"UPDATE {t} SET {c} = CASE WHEN regexp_matches(trim({c}), '^\".*\"$') "
                    f"THEN replace(trim({c})[2:-2], '\\\"', '\"') ELSE trim({c}) END")
        changed.append(col)
    return changed
