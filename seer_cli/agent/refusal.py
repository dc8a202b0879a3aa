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
UNUSED_VALUES_NOTE = ("Error: the query did not use {values}, which the question names. Add it to the WHERE clause of "
                      "this query and keep its other conditions: {query}")
REFUSAL_NOTES = (ERROR_FINISH_NOTE, LOOK_FIRST_NOTE)


def is_refusal_note(observation: str | None) -> bool:
    """Whether an observation is one of the refusal notes (a refused Finish, never part of an experience)."""
    text = observation or ""
    return text in REFUSAL_NOTES or text.startswith(UNUSED_VALUES_NOTE.split("{", 1)[0])
_ERROR_START = re.compile(r"(error|exception|traceback|we have failed)\b([\s:(.!]|$)", re.IGNORECASE)  # "Error" alone too
# an error retold in the model's words ("The table 'sales' does not exist."), after a call failed
# ("The timezone 'Chicago' is not recognized." after convert_time refused the name, the real-files run)
_ERROR_RETOLD = re.compile(r"\b(does not exist|doesn't exist|not found|no such \w+|(is|are) not (available|defined|recogni[sz]ed|valid|supported)"
                           r"|not defined|unknown (table|column|tool|function|time ?zone)|invalid|unable to|could not|cannot be)\b",
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
    if _ERROR_RETOLD.search(a) and any(o.strip().lower().startswith("error") for o in observations):
        return True
    for obs in observations:
        o = obs.strip()
        if o.lower().startswith("error") and len(a) >= 12 and (a in o or o.startswith(a)):
            return True
    return False
