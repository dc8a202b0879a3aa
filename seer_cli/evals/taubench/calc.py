"""The three tools retail and airline share: ``calculate``, ``think``, ``transfer_to_human_agents``.

None of them touches the database. ``calculate`` accepts what its schema promises (numbers,
``+ - * /``, parentheses, spaces) and evaluates it with seer's safe evaluator, rounded to cents.
``transfer_to_human_agents`` ends the episode: the environment checks for it by name.
"""

from __future__ import annotations

import re

from ...errors import ToolCallError
from ...toolkits.calc import evaluate

_ALLOWED = re.compile(r"^[0-9+\-*/(). ]+$")


def calculate(data: dict, expression: str) -> str:
    if not _ALLOWED.match(expression or ""):
        return "Error: invalid characters in expression"
    try:
        value = evaluate(expression)
    except (ToolCallError, ZeroDivisionError, ValueError, OverflowError) as e:
        return f"Error: {e}"
    return str(round(float(value), 2))


def think(data: dict, thought: str) -> str:
    return ""


def transfer_to_human_agents(data: dict, summary: str) -> str:
    return "Transfer successful"
