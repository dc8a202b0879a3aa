"""The refusal policy: a Finish whose answer is an error message (or an empty NULL) is not an
answer, and a Finish before anything was looked up is refused once when the question is about the
user's files or tools (:data:`LOOK_FIRST_NOTE`; the toolkit says which intents need a look).

Why this module exists: the 0.5B, after an SQL error, offers the error (or the error retold in
its own words: "The table 'sales' does not exist.") as its answer. Such a Finish is refused with
an observation that asks for a fix, so the episode goes on and a failure is never stored as a
success; :class:`seer_cli.agent.loop.Agent` applies it in ``_on_finish``. The same holds for an
SQL result that is NULL offered as the answer (the 1.5B, on a user's coffee CSV, filtered a year
as ``Date = '2016-01-01'``, got ``NULL`` and answered "NULL"): nothing matched, so it is refused too.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from ..answers import clocks
from ..pool.records import FINISH
from ..toolkits.input_words import ASKS_OPTION
from ..toolkits.sql_run import warning

ERROR_FINISH_NOTE = (
    "Error: that answer is an error message or an empty result, not an answer to the question. "
    "Fix the call that failed or found nothing (check the tool's arguments and filters) or use another tool, "
    "then Finish with the result."
)
_EMPTY = {"null", "nan"}  # what a query returns when nothing matched (DuckDB, pandas)
ERROR_FINISH_REFUSALS = 2
# A Finish before any tool was called, on a question about the user's files or tools: after
# practice the 1.5B sometimes copies a demo's answer at step 1 ("223", "120") without looking.
LOOK_FIRST_NOTE = (
    "Error: nothing has been looked up yet. This question is about the given data, documents or tools: "
    "call the tool that reads them first, then Finish with what it shows."
)
# a Finish after SQL that left out a value the question names (after practice the 1.5B counted snow
# days over every year for "snow days in 2012", copying a demonstration with one filter)
UNUSED_VALUES_NOTE = ("Error: the query did not use {values}, which the question names. Add {add} to the WHERE clause of "
                      "this query and keep its other conditions: {query}")
# a Finish after queries that used none of the columns the question names: the 1.5B answered "How much did General
# Motors invest in 1950?" from the value column, and "the murder rate in the state with the highest poverty
# rate" with the state's poverty rate
UNUSED_COLUMNS_NOTE = ("Error: the question asks about {columns}, and no query used {it}. Write a query that reads {columns} "
                       "(keep the conditions the question needs), then Finish with its result. The last query was: {query}")
# a Finish after calls of the user's tools that left out the time of day the question states ("It's 16:00 in
# Chicago. What time is it in Auckland?" answered with the clock in Auckland now)
UNUSED_TIME_NOTE = "Error: no call used {value}, which the question states. Call {tools} with it, then Finish with what it shows."
# a Finish that is no time of day for a question asking one, after a tool showed one: the 1.5B answered
# "17.0h", the time difference convert_time also returns, for "Convert 15:30 Tokyo time to Los Angeles time."
CLOCK_NOTE = ("Error: the question asks for a time of day and that answer is not one. Finish with the time of day "
              "(HH:MM) that the tool gave for the place the question asks about.")
# a Finish whose number no passage showed, after only searching the documents: the 1.5B was shown "If not
# specified, -1 will be assumed" for PASS_MAX_DAYS and answered 5000
UNSHOWN_NUMBER_NOTE = ("Error: the passages shown do not say {value}. Finish with the value they give for the question, "
                       "or Retrieve again with other words.")
# a Finish with no number for a question asking how many or how much: after a failed convert_time the 1.5B
# ran print('Hello, World!') and answered "Hello, World!" to "How many hours ahead of Berlin is Sydney right now?"
NUMBER_NOTE = ("Error: the question asks for a number and that answer has none. Find the number with the tools, "
               "then Finish with it.")
# a Finish that is the name of one of the user's tables: after a failed query and a look at the schema, the 1.5B
# answered "What was the total revenue in March 2024?" with "shop_orders"
TABLE_NAME_NOTE = ("Error: that answer is the name of a table ({name}), not an answer. Query the table with SQL for what "
                   "the question asks, then Finish with the result.")
# a Finish that is the header of a column a query showed, not a value under it: shown "Sub-Category | total_profit"
# over "Tables | -17725.4811" for "Which sub-category lost the most money overall?", the 1.5B answered "Sub-Category"
COLUMN_NAME_NOTE = ("Error: that answer is the name of a column ({name}), not a value. Finish with the value the result "
                    "shows under it.")
# a Finish that is no option for a question asking which option, after the passages showed options: shown
# "-J, --xz Filter the archive through xz(1)." for "Which single-letter tar option filters the archive through
# xz?", the 1.5B answered "xz"
OPTION_NOTE = ("Error: the question asks for an option and that answer is none. Finish with the option as the passage "
               "writes it (with its dashes, or its name and =).")
# a long option for a question asking a single-letter one, where a passage wrote the two together: shown "-t --test
# Check integrity of the specified file(s)" for "Which single-letter bzip2 option checks whether a .bz2 file is
# intact?", the 1.5B answered "--test"
SHORT_OPTION_NOTE = ("Error: the question asks for a single-letter option and {long} is a long one; the passage writes "
                     "{short} beside it. Finish with the single-letter option.")
# a Finish that is one call's result for a question asking a total over several calls of the user's tool: for "the
# total shipping cost of two parcels", the 1.5B priced both (6.1, 8.5) and answered the last, 8.5
TOTAL_NOTE = ("Error: the question asks for a total and that answer is one call's result ({value}). Add up the results "
              "of the calls the question needs (Calculate), then Finish with the sum.")
# a Finish right after a result whose note said it may not answer the question: the 1.5B answered "which year had the
# most sunspot activity?" with MAX(YEAR), the note beside it saying how to find the year of the most activity
HEED_NOTE = "Error: the last result came with a note saying it may not answer the question: {note} Follow it, then Finish."
REFUSAL_NOTES = (ERROR_FINISH_NOTE, LOOK_FIRST_NOTE, CLOCK_NOTE, NUMBER_NOTE, OPTION_NOTE)
_ASKS_NUMBER = re.compile(r"\bhow (many|much|long|far|old)\b|\bwhat (percentage|percent|fraction|share)\b", re.IGNORECASE)
_SAYS_NUMBER = re.compile(r"\d|\b(no|none|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                          r"hundred|thousand|million|billion|half|once|twice|never|all|every)\b", re.IGNORECASE)
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z0-9?][\w-]*|\b[A-Za-z][\w.-]*=")  # -J, --xz, AccuracySec=
_ASKS_CLOCK = re.compile(r"\bwhat time\b(?!\s*(?:zone|difference))|\btime (?:is it|will it be|was it)\b"
                         r"|\bconvert\b.*\b\d{1,2}:\d{2}\b.*\bto\b", re.IGNORECASE)


def once_refusal(toolkit, question: str, intent: str, answer: str, actions: list[Any], made: set[str]) -> tuple[str, str, str] | None:
    """The first refusal made at most once an episode that applies to a Finish with ``answer``
    after ``actions`` (the episode's earlier steps) and is not in ``made``: ``(kind, note, error)``.

    * "look": no call read the user's inputs and worked (``toolkit.reads_inputs``), and the question
      is about them (``toolkit.needs_lookup``);
    * "heed": the last call's result came with a note saying it may not answer the question
      (:func:`.sql_run.warning`);
    * "values": the queries left out a value the question names (``toolkit.unused_values``; the
      note quotes the query to extend);
    * "columns": the queries used none of a column the question names (``toolkit.unused_columns``);
    * "clock": the question asks for a time of day, the answer shows none, and a tool showed one;
    * "number": the question asks how many or how much and the answer says no number;
    * "option": the question asks which option, a call showed options, and the answer writes none;
    * "short": the question asks a single-letter option and the answer is the long one a passage
      wrote beside it (:func:`long_for_short`);
    * "total": the question asks a total, and the answer is the result of one of several calls of a
      user's tool (:func:`one_of_several`);
    * "shown": only documents were searched and the answer holds a number no passage (nor the
      question) showed (:func:`unshown_number`);
    * "table": the answer is the name of one of the user's tables (:func:`table_named`);
    * "column": the answer is the header of a column the last query showed (:func:`column_named`)."""
    looked = [a for a in actions if a.tool not in (None, FINISH)]
    ok = [a for a in looked if not a.error]  # a failed query used nothing ("company = 'IBM'")
    # a look is a call that read the user's inputs and worked: not Calculate("4500 / 1000") for a question about the
    # documents, nor Calculate("1") after every query failed
    if "look" not in made and not any(toolkit.reads_inputs(a.tool) for a in ok) and toolkit.needs_lookup(intent):
        return "look", LOOK_FIRST_NOTE, "refused: nothing was looked up"
    ran = [(a.tool, a.args) for a in ok]
    if "heed" not in made and ok and (note := warning(ok[-1].observation or "")):
        return "heed", HEED_NOTE.format(note=note.removeprefix("Note: ")), "refused: the last result's note was not followed"
    if "values" not in made and (missing := toolkit.unused_values(question, ran)):
        note = UNUSED_TIME_NOTE.format(value=missing.values[0], tools=" or ".join(missing.tools)) if missing.tools \
            else UNUSED_VALUES_NOTE.format(values=" and ".join(missing.values), query=missing.query[:300],
                                           add=" AND ".join(missing.where) if len(missing.where) == len(missing.values) else "it")
        return "values", note, "refused: a value the question names was not used"
    if "columns" not in made and (unread := toolkit.unused_columns(question, [(a.tool, a.args, a.observation or "") for a in ok])):
        named = " and ".join(unread.values[:3])
        note = UNUSED_COLUMNS_NOTE.format(columns=named, it="it" if len(unread.values) == 1 else "them", query=unread.query[:300])
        return "columns", note, "refused: a column the question names was not used"
    if "clock" not in made and _ASKS_CLOCK.search(question) and not clocks(answer) \
            and any(clocks(a.observation or "") for a in looked if not a.error):
        return "clock", CLOCK_NOTE, "refused: the question asks for a time of day"
    if "number" not in made and _ASKS_NUMBER.search(question) and not _SAYS_NUMBER.search(answer):
        return "number", NUMBER_NOTE, "refused: the question asks for a number"
    if "option" not in made and ASKS_OPTION.search(question) and not _OPTION.search(question) and not _OPTION.search(answer) \
            and any(len(_OPTION.findall(a.observation or "")) >= 2 for a in looked if not a.error):
        return "option", OPTION_NOTE, "refused: the question asks for an option"
    if "short" not in made and (pair := long_for_short(question, answer, looked)):
        return "short", SHORT_OPTION_NOTE.format(long=pair[0], short=pair[1]), "refused: a long option for a single-letter one"
    if "total" not in made and (value := one_of_several(toolkit, question, answer, ok)) is not None:
        return "total", TOTAL_NOTE.format(value=value), "refused: one call's result for a total"
    if "shown" not in made and (number := unshown_number(answer, question, looked) or unshown_term(answer, question, looked)) is not None:
        return "shown", UNSHOWN_NUMBER_NOTE.format(value=number), "refused: no passage shows that value"
    if "table" not in made and (name := table_named(toolkit, question, answer)):
        return "table", TABLE_NAME_NOTE.format(name=name), "refused: the answer is a table's name"
    if "column" not in made and (name := column_named(question, answer, ok, looked)):
        return "column", COLUMN_NAME_NOTE.format(name=name), "refused: the answer is a column's name"
    return None


_ASKS_SHORT = re.compile(r"\b(single|one)[- ](letter|character)\b|\bshort\b", re.IGNORECASE)
_LONG_ANSWER = re.compile(r"""\s*[`'"]?(--[A-Za-z0-9][\w-]*)(?:=\S*)?[`'"]?\.?\s*""")


def long_for_short(question: str, answer: str, looked: list[Any]) -> tuple[str, str] | None:
    """``(long, short)`` when the question asks a single-letter (or short) option, the answer is a
    long option alone, and a passage wrote a single-letter option beside it (``-t --test``,
    ``-k, --keep``); None otherwise."""
    said = _LONG_ANSWER.fullmatch(answer)
    if not said or not (_ASKS_SHORT.search(question) and ASKS_OPTION.search(question)):
        return None
    pair = re.compile(rf"(?<![\w-])(-[A-Za-z0-9]),?\s+{re.escape(said.group(1))}(?![\w-])")
    for action in looked:
        if not action.error and (found := pair.search(action.observation or "")):
            return said.group(1), found.group(1)
    return None


_ASKS_TOTAL = re.compile(r"\b(total|in total|altogether|combined|sum|together)\b", re.IGNORECASE)


def one_of_several(toolkit, question: str, answer: str, ok: list[Any]) -> str | None:
    """The answer, when the question asks a total, two or more calls of one of the user's own tools
    (``--tools``, ``--mcp``) worked with different arguments, and the answer is exactly the result
    of one of them; None otherwise. Only the user's tools: an SQL query or a passage may hold the
    total itself."""
    if not _ASKS_TOTAL.search(question):
        return None
    mine = {t.name for t in toolkit.user_tools}
    calls = [a for a in ok if a.tool in mine]
    if not any(len({repr(sorted((a.args or {}).items())) for a in calls if a.tool == name}) >= 2 for name in mine):
        return None
    said = answer.strip().rstrip(".")
    return said if any((a.observation or "").strip() == said for a in calls) else None


def table_named(toolkit, question: str, answer: str) -> str | None:
    """The user's table that ``answer`` is the bare name of, when the question does not ask about
    tables ("Which table holds the orders?"); None otherwise (and for a toolkit without tables)."""
    a = answer.strip().strip("'\"`.").lower()
    if not re.fullmatch(r"[\w.]+", a) or re.search(r"\btables?\b", question, re.IGNORECASE):
        return None
    return next((t for t in toolkit.table_names() if t.lower() == a or t.lower().rsplit(".", 1)[-1] == a), None)


def column_named(question: str, answer: str, ok: list[Any], all_looked: Sequence[Any] = ()) -> str | None:
    """The header of a column that the last SQL result showing rows had, or a column of a schema an
    observation of ``all_looked`` listed, when ``answer`` is that name alone and the question does not
    ask about columns; None otherwise."""
    said = answer.strip().strip("'\"`.").lower()
    if not said or re.search(r"\bcolumns?\b", question, re.IGNORECASE):
        return None
    shown = next((a.observation or "" for a in reversed(ok) if a.tool == "SQL"), "")
    lines = [line for line in shown.splitlines() if line.strip() and not line.startswith("Note:")]
    if len(lines) >= 2 and not lines[1].startswith("("):  # a header and at least one row ("(no rows)" is none)
        if (header := next((h.strip() for h in lines[0].split(" | ") if h.strip().strip('"').lower() == said), None)):
            return header
    # a column of a table's schema the episode was shown ("la_riots(..., death_date DATE, ...)" in Tables' reply or an
    # error's): after a failed query the 1.5B answered "What was the most common type of death?" with "death_date"
    typed = re.compile(rf"[(,]\s*({re.escape(said)})\s+(?:VARCHAR|BIGINT|INTEGER|DOUBLE|FLOAT|DECIMAL|DATE|TIMESTAMP|TIME|BOOLEAN)\b",
                       re.IGNORECASE)
    return next((m.group(1) for a in all_looked for m in [typed.search(a.observation or "")] if m), None)


_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(?![\w])")


def _numbers(text: str) -> dict[float, str]:
    """The numbers written in ``text`` (thousands separators allowed), each with how it was written."""
    out: dict[float, str] = {}
    for m in _NUMBER.finditer(text):
        try:
            out.setdefault(float(m.group().replace(",", "")), m.group())
        except ValueError:
            continue
    return out


def unshown_number(answer: str, question: str, looked: list[Any]) -> str | None:
    """A number of ``answer`` that neither the question nor any observation shows, when every
    lookup of the episode searched documents (a tool named ``Retrieve…``): an answer to a question
    about the documents comes from the passages, or from a tool that computed it. A call that only
    wrote back a number it was given (``Calculate("10")``, ``print(2048)``) computed nothing and shows
    nothing: the 1.5B, its passages silent on curl's exit code, "calculated" 10 and answered it. None otherwise."""
    looked = [a for a in looked if not _echoes(a)]
    if not _only_documents(looked):
        return None
    seen = set(_numbers(question)).union(*(_numbers(a.observation or "") for a in looked if not a.error))
    for value, written in _numbers(answer).items():
        if value not in seen and -value not in seen:  # "-6" for gzip's "-6" option said as 6
            return written
    return None


# a name a manual writes as it is: SIGABRT, O_DIRECT, KillMode (no number: :func:`unshown_number` has those)
_TERM = re.compile(r"[A-Z][A-Z_]{2,}|[A-Z][a-z]+(?:[A-Z][a-z]+)+=?")


def unshown_term(answer: str, question: str, looked: list[Any]) -> str | None:
    """An answer that is one name as manuals write them (``SIGKILL``, ``KillMode=``) that neither the
    question nor any passage shows, when every lookup of the episode searched documents: shown
    "WatchdogSignal= ... Defaults to SIGABRT.", the 1.5B answered SIGKILL. None otherwise."""
    term = answer.strip().strip("`'\".")
    if not _TERM.fullmatch(term) or not _only_documents(looked):
        return None
    shown = question + " " + " ".join(a.observation or "" for a in looked if not a.error)
    return None if re.search(rf"(?<![\w-]){re.escape(term.rstrip('='))}(?![\w-])", shown) else term


def _only_documents(looked: list[Any]) -> bool:
    """Whether the episode looked something up, and every lookup searched documents (``Retrieve…``)."""
    return bool(looked) and all(str(a.tool).startswith("Retrieve") for a in looked)


def _echoes(action: Any) -> bool:
    """Whether a call that is no document search only wrote back numbers its arguments gave it."""
    if str(action.tool).startswith("Retrieve"):
        return False
    shown = set(_numbers(action.observation or ""))
    return bool(shown) and shown <= set(_numbers(" ".join(str(v) for v in (action.args or {}).values())))


# the refusal notes that quote what was refused, by their fixed beginnings
_NOTE_STARTS = tuple(n.split("{", 1)[0] for n in (HEED_NOTE, UNUSED_VALUES_NOTE, UNUSED_COLUMNS_NOTE, UNUSED_TIME_NOTE, UNSHOWN_NUMBER_NOTE,
                                                          TABLE_NAME_NOTE, TOTAL_NOTE, SHORT_OPTION_NOTE, COLUMN_NAME_NOTE))


def is_refusal_note(observation: str | None) -> bool:
    """Whether an observation is one of the refusal notes (a refused Finish, never part of an experience)."""
    text = observation or ""
    return text in REFUSAL_NOTES or text.startswith(_NOTE_STARTS)


# the refusal notes after which Finish stays offered, by their fixed beginnings (:func:`bars_finish`)
_FINISH_STAYS = tuple(n.split("{", 1)[0] for n in (UNSHOWN_NUMBER_NOTE, SHORT_OPTION_NOTE, COLUMN_NAME_NOTE))


def bars_finish(observation: str | None) -> bool:
    """Whether the step after this observation may not Finish: after a refusal, except the
    clock's. Told to look, the 1.5B finished again at step 2; told its answer was an error, it
    offered the error twice more; told its answer was no time of day, it has the reply it needs
    (made to call again, it repeated the call), so that one leaves Finish in, as do the option's,
    the short option's, the unshown number's (it may have read the passage) and the column name's."""
    return is_refusal_note(observation) and observation not in (CLOCK_NOTE, OPTION_NOTE) \
        and not str(observation).startswith(_FINISH_STAYS)


_ERROR_START = re.compile(r"(error|exception|traceback|we have failed)\b([\s:(.!]|$)", re.IGNORECASE)  # "Error" alone too
# an error retold in the model's words ("The table 'sales' does not exist."), after a call failed
# ("The timezone 'Chicago' is not recognized." after convert_time refused the name, the real-files run)
_ERROR_RETOLD = re.compile(r"\b(no (rows|data|results?|records|matches|matching \w+)\b|no [\w -]{1,40}? found|does not exist|doesn't exist|not found|no such \w+|(is|are) not (available|defined|recogni[sz]ed|valid|supported)"
                           r"|(does not|doesn't|do not|don't) support|is incomplete|is not a value|is not an? \w+ (in|of) the"
                           r"|there is no (column|table|such|value|row|data)|should be (formatted|written|quoted|in the format)"
                           r"|not defined|unknown (table|column|tool|function|time ?zone)|invalid|unable to|could not|cannot be"
                           r"|must (appear|be) in the group by|part of an aggregate|syntax error)\b",
                           re.IGNORECASE)


def is_error_answer(answer: str, observations: list[str]) -> bool:
    """True when a Finish answer is an error message: it starts with "Error"/"Exception"/a
    traceback, or it is (a prefix of) an observation that starts with "Error", or a call failed
    in this episode and the answer retells a failure ("... does not exist", "not found"), or it
    is NULL/nan that an observation returned (nothing matched)."""
    a = answer.strip()
    if not a:
        return False
    if _ERROR_START.match(a):
        return True
    if a.strip("'\"`").lower() in _EMPTY and any(re.search(r"\b(null|nan)\b", o, re.IGNORECASE) for o in observations):
        return True
    # a call failed, or a query found nothing (its note retold: "'22.04' is not a value of version; it holds '22.04 LTS'")
    if _ERROR_RETOLD.search(a) and any(o.strip().lower().startswith("error") or "(no rows)" in o for o in observations):
        return True
    for obs in observations:
        o = obs.strip()
        if o.lower().startswith("error") and len(a) >= 12 and (a in o or o.startswith(a)):
            return True
    return False
