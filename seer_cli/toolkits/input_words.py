"""Whether a question is about the user's tables or tools, read from the words it shares with them.

Why a module of its own: the intent vote works from the question alone, and on the real-files run
it put "Which island has the heaviest penguins on average?" under "other" with penguins.csv given;
the 1.5B then answered from its own knowledge at step 1 ("South Sandwich Islands"), because only
a question classified "data" must look first. A question that names a table ("penguins") or a
column ("island", "sex") is about the data whatever the vote said. Words every table could have
(date, name, value, total...) do not count on their own: "What day is it?" is not about a table
with a ``day`` column.

A word problem is the exception: it brings the quantities it is about ("Alex has caught 5 more than
Stan … together 339"). With the real-files suite's tables given, 23 of 100 GSM8K problems came out
"data" (13 by the vote, 10 because they said a column's word: "the shark's body length"), so they
were shown tables' demonstrations and a hint to query. A question that states two or more
quantities of its own (:func:`own_quantities`: numbers that are not years, dates, clock times or a
rounding) is a computation over them, unless it names a table's word.

The same holds for the user's tools: the vote put "Convert 15:30 Tokyo time to Los Angeles time."
under "math" with mcp-server-time given, and the 1.5B computed with Calculate ("-6980") instead of
calling ``convert_time``; a question that says a tool's own word ("time", "convert") is for the
tools.
"""

from __future__ import annotations

import re
from typing import Callable

from .retrieval import tokens
from . import table_types, table_values
from .chunks import cites_only
from .table_values import Unused

# Column words too common to say, alone, that a question is about this table.
GENERIC = frozenset(tokens(
    "id ids index date time day days week month year years name names value values count number total "
    "amount type kind code key row rows column data table record price cost average mean sum max min "
    "first last new old high low start end"))


def table_words(schemas: dict[str, list[tuple[str, str]]]) -> set[str]:
    """The stemmed words of table names and column names (split at ``_``, spaces and camelCase),
    generic ones left out."""
    return _name_words([name for table, cols in schemas.items() for name in (table, *(c for c, _ in cols))]) - GENERIC


# Words of time columns: a question says "quarters" or "hours" to count or order, not to ask that column
TIME_WORDS = frozenset(tokens("year month week day hour minute second quarter season weekday period time date"))
_STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")


def named_columns(question: str, schemas: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The numeric columns ``question`` asks about by name: every word of the column's name is a
    word of the question, one of them not generic ("How much did General Motors invest" names
    ``invest``; "education and health services" names ``education_and_health_services``; "the temp
    max" names ``temp_max``, not ``temp_min``), time columns and identifiers (:func:`.table_types.identifier`) left out ("Which airport
    is the highest?" does not name ``AirportID``: the 1.5B, told to read it, answered with the ID). Where one named column's words are part of another's, only the longer one
    (``other_services`` is not named by "education and health services")."""
    asked, found = _asked(question), dict[str, set[str]]()
    for cols in schemas.values():
        months = table_values.month_columns(cols)
        for i, col in months.items():  # a wide table: "December 1997" names DEC; a capital after the first word ("may" is no month)
            if re.search(rf"\b{table_values.MONTH_NAMES[i].capitalize()}\b", question[1:]):
                found.setdefault(col, {table_values.MONTH_NAMES[i]})
        for col, typ in cols:
            if col in months.values():
                continue
            words = _name_words([col])
            if not table_types.numeric(typ) or words & TIME_WORDS or not (words - GENERIC) or table_types.identifier(col):
                continue
            if words <= asked:
                found.setdefault(col, words)
    return [c for c, w in found.items() if not any(w < other for other in found.values())]


def unused_columns(question: str, schemas: dict[str, list[tuple[str, str]]], reads: list[str]) -> list[str]:
    """The columns the question names (:func:`named_columns`) that none of ``reads`` (the episode's
    queries and what they showed, quoted values left out) mentions: "How much did General Motors
    invest in 1950?" answered from the ``value`` column, "the murder rate in the state with the
    highest poverty rate" from ``poverty`` alone."""
    said = " ".join(_STRING_LITERAL.sub(" ", r) for r in reads).lower()
    return [c for c in named_columns(question, schemas)
            if not re.search(rf"(?<![\w-]){re.escape(c.lower())}(?![\w-])", said)]


def names_a_table(question: str, schemas: dict[str, list[tuple[str, str]]], columns: bool = True) -> bool:
    """True when one of the question's words is a (non-generic) table or column word; with
    ``columns=False``, a word of a table's own name."""
    return bool(_asked(question) & table_words(schemas if columns else {t: [] for t in schemas}))


def _asked(question: str) -> set[str]:
    """The stemmed words of a question (numbers left out), to compare with the words of names, and
    each two words in a row written as one: a name run together (statsmodels' ``STACKLOSS`` and
    ``AIRFLOW``) is said "stack loss" and "air flow", and "What is the average stack loss over all the
    runs?" was classified as arithmetic; the 1.5B added up numbers of its own. "In how many runs was the
    cooling water temperature 20 or higher?" (``WATERTEMP``) was too, and the 1.5B looped in Python."""
    words = re.findall(r"[a-z]+", question.lower())
    joined = {t for a, b in zip(words, words[1:]) for t in tokens(a + b, query=True)}
    # the second word shortened, as such names shorten it: "water temperature" for WATERTEMP, "acid concentration" ACIDCONC
    cut = {a + b[:n] for a, b in zip(words, words[1:]) if len(a) >= 3 for n in range(4, len(b))}
    # a word shortened as a column name shortens it: "temperature" for vega's seattle-temps' "temp"
    short = {w[:n] for w in words if len(w) >= 7 for n in range(4, len(w) - 2)}
    return {t for t in tokens(question, query=True) if t.isalpha()} | joined | cut | short


# A number that is not a quantity the question brings: a year, a clock time, a date's day, a rounding
_NOT_QUANTITY = re.compile(
    r"\b\d{4}-\d{2}(?:-\d{2})?\b"                                   # an ISO date or month (before the year)
    r"|\b(?:1[89]\d\d|20\d\d)\b(?![.,]\d)"                          # a year
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b"                              # a clock time
    r"|(?i:\bto\s+(?:\d+|one|two|three)\s+(?:decimal|significant|digit|place)s?\b)"  # a rounding
    r"|(?i:\b\d+\s+decimals?(?:\s+places?)?\b)")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
# a question asking which option ("Which single-letter tar option filters through xz?"): a lookup in documents
ASKS_OPTION = re.compile(r"\b(which|what(?:'s)?)\s+(?:[\w-]+\s+){0,3}?(option|flag|switch)s?\b", re.IGNORECASE)


def own_quantities(question: str) -> int:
    """How many numbers the question states that are quantities of its own: years, clock times,
    ISO dates and roundings ("to 1 decimal") left out; the same number said twice counts once."""
    rest = _NOT_QUANTITY.sub(" ", question)
    return len({m.group().replace(",", "") for m in _NUMBER.finditer(rest)})


def is_word_problem(question: str, schemas: dict[str, list[tuple[str, str]]]) -> bool:
    """A question that states two or more quantities of its own and names no table or column
    word: arithmetic over what it says, not a question about the tables."""
    return own_quantities(question) >= 2 and not names_a_table(question, schemas)


# Words of a tool's name that say nothing about what it is for ("get_current_time": "time" does).
TOOL_VERBS = frozenset(tokens("get set list find fetch run call do make use show return query lookup look tool"))


def tool_words(names: list[str]) -> set[str]:
    """The stemmed words of tool names (split at ``_``, ``-`` and camelCase), bare verbs left out."""
    return _name_words(names) - TOOL_VERBS


def names_a_tool(question: str, names: list[str]) -> bool:
    """True when one of the question's words is a word of one of the tools' names."""
    return bool(_asked(question) & tool_words(names))


def _name_words(names: list[str]) -> set[str]:
    """The stemmed words (three letters or more) of identifiers split at ``_``, ``-`` and camelCase."""
    words: set[str] = set()
    for name in names:
        spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
        words.update(t for t in tokens(spaced) if len(t) >= 3 and t.isalpha())
    return words


def tables_intent(question: str, intent: str, schemas: dict[str, list[tuple[str, str]]]) -> str:
    """The intent after the tables' words: a word problem (:func:`is_word_problem`) is "math" even
    when the vote said "data"; a "math", "code" or "other" question that names a table, or a column
    without bringing two quantities of its own, is "data" ("For how many penguins is the sex not
    recorded?"; not "the shark's body length"). Anything else as given."""
    if intent == "data" and is_word_problem(question, schemas):
        return "math"
    if intent in ("math", "code", "other") and names_a_table(question, schemas) and (
            own_quantities(question) < 2 or names_a_table(question, schemas, columns=False)):
        return "data"
    return intent


# Words of document file names that say nothing of what a document is about
DOCUMENT_GENERIC = frozenset(tokens("conf config txt text readme index doc docs document notes note manual guide page "
                                    "file copy final draft version html pdf docx markdown"))


def document_words(names: list[str]) -> set[str]:
    """The stemmed words of document file names (``adduser.conf.5.txt``: adduser), four letters or
    more, generic ones left out."""
    stems = [re.sub(r"[.]", " ", name) for name in names]
    return {w for w in _name_words(stems) if len(w) >= 4} - DOCUMENT_GENERIC


def names_a_document(question: str, names: list[str]) -> bool:
    """True when one of the question's words is a word of a document's file name."""
    return bool(_asked(question) & document_words(names))


def refined_intent(question: str, intent: str, *, schemas: dict[str, list[tuple[str, str]]], tool_names: list[str],
                   doc_names: list[str], covers: Callable[[str], bool] | None = None) -> str:
    """The intent after the words a question shares with the user's inputs, for a toolkit that
    offers ``schemas`` (tables), ``tool_names`` (the user's tools) and ``doc_names`` (documents):

    * "docs" for a question that says a document's name and no table's, without two quantities of
      its own: beside the real-files suite's tables and manual pages the vote put "What is the highest
      UID adduser will assign?" under data (and under math with the pages alone, where the 1.5B
      subtracted numbers of its own);
    * "data" for a question naming a table, or a column without two quantities of its own, and
      "math" for a word problem whatever the vote said (:func:`tables_intent`);
    * "other" (the user's tools look first) for a math or code question that says a word of one of
      their names ("Convert 15:30 Tokyo time to Los Angeles time." with ``convert_time``);
    * "docs" for one with no number said in the documents' words (``covers``: "Which code opens the
      harbour gate?"), and for one asking which option (the vote put "I want ls to group files by
      their extension. Which single-letter option sorts that way?" under code, and the 1.5B listed
      a directory in Python).

    Everything else as classified; "other" with the user's tools stays (it looks first)."""
    if intent == "other" and tool_names:
        return intent
    if doc_names and intent != "docs" and names_a_document(question, doc_names) and own_quantities(question) < 2 \
            and not names_a_table(question, schemas, columns=False):
        return "docs"
    if schemas:
        intent = tables_intent(question, intent, schemas)
    if intent not in ("math", "code", "other"):
        return intent
    if tool_names and intent in ("math", "code") and names_a_tool(question, tool_names):
        return "other"
    if doc_names and ASKS_OPTION.search(question):
        return "docs"
    if not doc_names or re.search(r"\d", question) or covers is None:
        return intent  # a number in the question: it may well be arithmetic; the classifier decides
    return "docs" if covers(question) else intent


def unused_clock(question: str, calls: list[tuple[str, dict]], tools: list) -> Unused | None:
    """A time of day the question states ("It's 16:00 in Chicago") that none of the episode's
    ``calls`` of the user's ``tools`` took, while one of those tools takes a time: after practice the
    1.5B asked ``get_current_time`` for Auckland and answered the clock there now, not the
    time at 16:00 in Chicago. ``Unused.tools``: the tools that take a time (at most two)."""
    from ..answers import clocks

    asked = clocks(question)
    mine = {t.name for t in tools}
    called = [a for name, a in calls if name in mine]
    if not asked or not called:
        return None
    passed = set().union(*(clocks(" ".join(str(v) for v in a.values())) for a in called))
    takers = [t.name for t in tools if any(re.search(r"(^|_)(time|clock|hour)($|_)", k, re.IGNORECASE)
                                           or "HH:MM" in str(p.get("description", ""))
                                           for k, p in t.parameters.get("properties", {}).items())]
    if asked <= passed or not takers:
        return None
    said = re.search(r"\b\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?|\b\d{1,2}\s*[ap]\.?m\b", question, re.IGNORECASE)
    return Unused([said.group() if said else "the time"], "", tuple(takers[:2]))


_READS = re.compile(r"""\b(?:FROM|JOIN)\s+("(?:[^"]|"")+"|[A-Za-z_][\w.]*)""", re.IGNORECASE)


def calls_fit(steps: list, tools: set[str], tables: set[str], docs: set[str]) -> bool:
    """Whether an experience's calls can be made on these inputs: every tool it called is offered,
    every table its SQL reads is loaded, every document its passages cite is here. A practised
    experience over elnino.csv, shown for a question about lincoln_weather.csv alone, had the 1.5B
    join the two ("Table with name elnino does not exist!") until the steps ran out."""
    lowered = {t.lower() for t in tables}
    for step in steps:
        if step.tool is None or step.tool == "Finish":
            continue
        if step.tool not in tools:
            return False
        args = step.args if isinstance(step.args, dict) else {}
        if step.tool == "SQL":
            read = {m.strip('"').replace('""', '"').lower() for m in _READS.findall(str(args.get("query", "")))}
            if not read <= lowered:
                return False
        if step.tool == "Retrieve" and not cites_only(step.observation or "", docs):
            return False
    return True
