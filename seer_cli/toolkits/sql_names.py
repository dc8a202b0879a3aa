"""How a table or column name is written in DuckDB SQL: double-quoted, inner quotes doubled.

Why a module of its own: the user's tables (:mod:`.table_types`), the ToolQA tables
(:mod:`.toolqa_tables`) and the practice generators all write names into SQL, and a general module
should not import the ToolQA one to do it.
"""

from __future__ import annotations


def quote(name: str) -> str:
    """A DuckDB identifier, double-quoted, with any double quote inside it doubled."""
    return '"' + name.replace('"', '""') + '"'


__all__ = ["quote"]
