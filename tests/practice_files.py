"""A user's files for the self-practice tests: a library's loans and members tables, a garden
club's rules, a fines tool (one function that always raises, for the bad-input test), and a year
of Seattle-like weather as a toolkit (``weather``).

Why a module: two test modules practise on the same files; a fixture imported from here keeps one
copy of them.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

RULES = """# Garden club rules

## Plots
Each member rents one plot. A standard plot costs 35 dollars per season and a large plot costs 60 dollars.
The gates open at 6:45 every morning and close at 21:30.

## Committee
The plot waiting list is kept by the secretary, Ingrid Solberg.
Tools must be returned to the shed within 2 hours of borrowing them.
"""

FINES = '''"""Library fines."""

RATE = {"book": 0.25, "dvd": 1.0, "magazine": 0.1}


def late_fine(days_late: int, kind: str) -> float:
    """Late fine in dollars for an item of kind book, dvd or magazine returned days_late days late."""
    return round(RATE[kind.strip().lower()] * days_late, 2)


def broken(x: float) -> float:
    """A tool that always raises, for the bad-input test: x is ignored."""
    raise RuntimeError("the fines server is down")
'''


def write_files(root: Path) -> dict[str, Path]:
    rng = random.Random(3)
    root.mkdir(parents=True)
    members = root / "members.csv"
    members.write_text("member_id,branch,tier\n" + "".join(
        f"{i},{rng.choice(['Central', 'Harbour', 'Hill'])},{rng.choice(['adult', 'student'])}\n" for i in range(1, 41)))
    loans = root / "loans.csv"
    lines = ["loan_id,member_id,loan_date,genre,pages,late_days"]
    for i in range(1, 121):
        lines.append(f"{i},{rng.randint(1, 40)},2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},"
                     f"{rng.choice(['novel', 'history', 'science', 'poetry'])},{rng.randint(80, 900)},{rng.randint(0, 9)}")
    loans.write_text("\n".join(lines) + "\n")
    docs = root / "docs"
    docs.mkdir()
    (docs / "rules.md").write_text(RULES)
    tools = root / "fines.py"
    tools.write_text(FINES)
    return {"members": members, "loans": loans, "docs": docs, "tools": tools}


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    return write_files(tmp_path / "user")


WEATHER = ["date,precipitation,temp_max,temp_min,wind,weather,station_id,year"]
_rng = random.Random(11)
for month in range(1, 13):
    for day in range(1, 29):
        hi = round(_rng.uniform(2, 30), 1)
        WEATHER.append(f"2014-{month:02d}-{day:02d},{round(max(0.0, _rng.uniform(-4, 9)), 1)},{hi},{round(hi - _rng.uniform(3, 9), 1)},"
                       f"{round(_rng.uniform(0.5, 7), 1)},{_rng.choice(['rain', 'sun', 'fog', 'drizzle'])},{_rng.randint(1, 3)},2014")


@pytest.fixture
def weather(tmp_path):
    csv = tmp_path / "seattle-weather.csv"
    csv.write_text("\n".join(WEATHER) + "\n")
    from seer_cli.toolkits import get_toolkit

    kit = get_toolkit("general", data=[csv])
    yield kit
    kit.close()
