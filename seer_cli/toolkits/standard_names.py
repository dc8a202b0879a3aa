"""A user's tool argument that takes a standard name, written as a person says it: an IANA time
zone given as a city ("São Paulo", "New York", "new_york") is read as the zone ("America/Sao_Paulo").

Why: the reference MCP time server describes ``source_timezone`` as "IANA timezone name (e.g.,
'America/New_York')"; the 1.5B called it with "New_York" and "São Paulo", read "Invalid timezone",
and answered that the tool did not support the zone, or the current time in UTC. The time zone
database is on the machine (``zoneinfo``); a city that names exactly one zone (its links give the
same clock) needs no model to spell it. Only a call that failed is retried this way
(:meth:`seer_cli.toolkits.base.Toolkit.call`), with a note saying what was read.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_ZONE_ARG = re.compile(r"\btime ?zone|\btz\b|\bIANA\b", re.IGNORECASE)


def _key(text: str) -> str:
    """A place name compared without accents, case, spaces, hyphens or underscores."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_\-.']+", "", plain).lower()


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    """Zone names as they are, and cities (the last part of a zone's name, as :func:`_key`) -> zone;
    empty when the machine has no time zone database."""
    import zoneinfo

    try:
        names = sorted(zoneinfo.available_timezones(), key=lambda z: (-z.count("/"), z))
    except Exception:  # noqa: BLE001 (no database: nothing to read)
        return {}
    found: dict[str, str] = {zone: zone for zone in names}
    for zone in names:  # the canonical, longer name first (America/Argentina/Buenos_Aires)
        found.setdefault(_key(zone.rsplit("/", 1)[-1]), zone)
        found.setdefault(_key(zone), zone)
    return found


def time_zone(value: str) -> str | None:
    """The IANA zone a person means by ``value`` ("São Paulo", "Europe/paris"), when it is not one
    already and names exactly one; else None."""
    zones = _zones()
    if not zones or zones.get(value) == value:
        return None
    return zones.get(_key(value)) or zones.get(_key(value.rsplit("/", 1)[-1]))


def standard_spellings(parameters: dict, args: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """For each string argument described as a time zone whose value is a city, not a zone name:
    argument -> (as written, as the standard writes it)."""
    out = {}
    for name, value in args.items():
        schema = (parameters.get("properties") or {}).get(name) or {}
        if not isinstance(value, str) or not _ZONE_ARG.search(f"{name.replace('_', ' ')} {schema.get('description') or ''}"):
            continue
        zone = time_zone(value)
        if zone:
            out[name] = (value, zone)
    return out
