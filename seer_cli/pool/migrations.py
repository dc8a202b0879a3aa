"""Named, ordered upgrades of stored records.

Each migration takes a record dict at version N and returns it at version N+1. Version 1 is
the first format, so the list is empty today; the mechanism exists so that the day the format
changes, old pools upgrade on read instead of breaking.
"""

from __future__ import annotations

from typing import Any, Callable

Migration = Callable[[dict[str, Any]], dict[str, Any]]

#: MIGRATIONS[n] upgrades a record from version n+1 to n+2.
MIGRATIONS: list[tuple[str, Migration]] = []


def upgrade(record: dict[str, Any]) -> dict[str, Any]:
    version = record.get("schema_version", 1)
    for name, migrate in MIGRATIONS[version - 1 :]:
        record = migrate(dict(record))
        record["schema_version"] = record.get("schema_version", version) + 1
    return record
