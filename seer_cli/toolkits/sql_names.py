"""How a table or column name, and a text value, are written in DuckDB SQL: a name double-quoted,
a value single-quoted, inner quotes doubled.

Why a module of its own: the user's tables (:mod:`.table_types`), the ToolQA tables
(:mod:`.toolqa_tables`) and the practice generators all write names into SQL, and a general module
should not import the ToolQA one to do it.
"""

from __future__ import annotations


def quote(name: str) -> str:
    """A DuckDB identifier, double-quoted, with any double quote inside it doubled."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    """A DuckDB string literal: the value as text, single-quoted, with any single quote inside it doubled."""
    return "'" + str(value).replace("'", "''") + "'"


__all__ = ["literal", "quote"]
