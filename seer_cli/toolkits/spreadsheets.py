"""Excel workbooks (``--data book.xlsx``) as tables: one table a sheet.

Why: the tables people keep are as often spreadsheets as CSV files, and exporting each sheet by
hand is the step a newcomer gives up at. DuckDB's own Excel reader is an extension it downloads,
and seer never reaches the network, so the workbook is read with openpyxl (read-only, the values
Excel last computed, not the formulas). The header is the first row with two or more filled cells
(a title row above it is skipped); empty rows and columns are dropped; each column gets the type its
values agree on (whole numbers, numbers, dates, times with dates), else text, which
:mod:`.table_types` then reads as people write it.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import UserError

MAX_ROWS = 1_000_000


def load_workbook(con, path: Path, name_of: Callable[[str], str]) -> list[str]:
    """Each non-empty sheet of ``path`` as a DuckDB table named ``name_of(stem)`` (one sheet) or
    ``name_of(stem_sheet)``; returns the table names. Raises :class:`UserError` for a file that is
    not a readable workbook."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 (zip, XML or openpyxl errors all mean the same to the user)
        raise UserError(f"{path}: not a readable Excel workbook ({type(e).__name__}: {e})") from None
    sheets: list[tuple[str, tuple[list[str], list[list[Any]]]]] = []
    try:
        for ws in book.worksheets:
            table = _table(ws.iter_rows(values_only=True))
            if table is not None:
                sheets.append((ws.title, table))
    finally:
        book.close()
    names = []
    for title, (header, rows) in sheets:
        name = name_of(path.stem if len(sheets) == 1 else f"{path.stem}_{title}")
        types = [_column_type([r[i] for r in rows]) for i in range(len(header))]
        cols = ", ".join(f'"{h}" {t}' for h, t in zip(header, types))
        con.execute(f'CREATE TABLE "{name}" ({cols})')
        if rows:
            values = [[_cell(v, t) for v, t in zip(r, types)] for r in rows]
            con.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" * len(header))})', values)
        names.append(name)
    return names


def _table(rows: Iterator[tuple]) -> tuple[list[str], list[list[Any]]] | None:
    """(header, rows) of a sheet: the header is the first row with two or more filled cells (the
    first filled row in a sheet of one column); empty rows, and columns with no header and no
    value, are dropped. None for an empty sheet."""
    filled: list[list[Any]] = []
    for row in rows:
        cells = [None if isinstance(v, str) and not v.strip() else v for v in row]
        if any(v is not None for v in cells):
            filled.append(cells)
            if len(filled) > MAX_ROWS:
                break
    if not filled:
        return None
    at = next((i for i, r in enumerate(filled) if sum(v is not None for v in r) >= 2), 0)
    header = [str(v).strip() if v is not None else "" for v in filled[at]]
    body = filled[at + 1:]
    width = max([len(header)] + [len(r) for r in body])
    header += [""] * (width - len(header))
    keep = [i for i in range(width) if header[i] or any(i < len(r) and r[i] is not None for r in body)]
    names = _unique([header[i] or f"column{i + 1}" for i in keep])
    return names, [[r[i] if i < len(r) else None for i in keep] for r in body]


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        n = n.replace('"', "'")
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out


def _column_type(values: list[Any]) -> str:
    """The SQL type every filled value agrees on; VARCHAR when they do not."""
    present = [v for v in values if v is not None]
    if not present:
        return "VARCHAR"
    if all(isinstance(v, bool) for v in present):
        return "BOOLEAN"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "BIGINT"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "DOUBLE"
    if all(isinstance(v, (datetime.datetime, datetime.date)) for v in present):
        midnight = all(not isinstance(v, datetime.datetime) or v.time() == datetime.time(0) for v in present)
        return "DATE" if midnight else "TIMESTAMP"
    return "VARCHAR"


def _cell(value: Any, typ: str) -> Any:
    if value is None:
        return None
    if typ == "VARCHAR":
        return str(value)
    if typ == "DATE" and isinstance(value, datetime.datetime):
        return value.date()
    return value
