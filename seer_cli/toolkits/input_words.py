"""Whether a question is about the user's tables or tools, read from the words it shares with them.

Why a module of its own: the intent vote works from the question alone, and on the real-files run
it put "Which island has the heaviest penguins on average?" under "other" with penguins.csv given;
the 1.5B then answered from its own knowledge at step 1 ("South Sandwich Islands"), because only
a question classified "data" must look first. A question that names a table ("penguins") or a
column ("island", "sex") is about the data whatever the vote said. Words every table could have
(date, name, value, total...) do not count on their own: "What day is it?" is not about a table
with a ``day`` column.

The same holds for the user's tools: the vote put "Convert 15:30 Tokyo time to Los Angeles time."
under "math" with mcp-server-time given, and the 1.5B computed with Calculate ("-6980") instead of
calling ``convert_time``; a question that says a tool's own word ("time", "convert") is for the
tools.
"""

from __future__ import annotations

import re

from .retrieval import tokens

# Column words too common to say, alone, that a question is about this table.
GENERIC = frozenset(tokens(
    "id ids index date time day days week month year years name names value values count number total "
    "amount type kind code key row rows column data table record price cost average mean sum max min "
    "first last new old high low start end"))


def table_words(schemas: dict[str, list[tuple[str, str]]]) -> set[str]:
    """The stemmed words of table names and column names (split at ``_``, spaces and camelCase),
    generic ones left out."""
    return _name_words([name for table, cols in schemas.items() for name in (table, *(c for c, _ in cols))]) - GENERIC


def names_a_table(question: str, schemas: dict[str, list[tuple[str, str]]]) -> bool:
    """True when one of the question's words is a (non-generic) table or column word."""
    asked = {t for t in tokens(question, query=True) if t.isalpha()}
    return bool(asked & table_words(schemas))


# Words of a tool's name that say nothing about what it is for ("get_current_time": "time" does).
TOOL_VERBS = frozenset(tokens("get set list find fetch run call do make use show return query lookup look tool"))


def tool_words(names: list[str]) -> set[str]:
    """The stemmed words of tool names (split at ``_``, ``-`` and camelCase), bare verbs left out."""
    return _name_words(names) - TOOL_VERBS


def names_a_tool(question: str, names: list[str]) -> bool:
    """True when one of the question's words is a word of one of the tools' names."""
    asked = {t for t in tokens(question, query=True) if t.isalpha()}
    return bool(asked & tool_words(names))


def _name_words(names: list[str]) -> set[str]:
    """The stemmed words (three letters or more) of identifiers split at ``_``, ``-`` and camelCase."""
    words: set[str] = set()
    for name in names:
        spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
        words.update(t for t in tokens(spaced) if len(t) >= 3 and t.isalpha())
    return words
