"""The refusal policy: a Finish whose answer is an error message is not an answer.

Why this module exists: the 0.5B, after an SQL error, offers the error (or the error retold in
its own words: "The table 'sales' does not exist.") as its answer. Such a Finish is refused with
an observation that asks for a fix, so the episode goes on and a failure is never stored as a
success; :class:`seer_cli.agent.loop.Agent` applies it in ``_on_finish``.
"""

from __future__ import annotations

import re

ERROR_FINISH_NOTE = (
    "Error: that answer is an error message, not an answer to the question. "
    "Fix the call that failed (check the tool's arguments) or use another tool, then Finish with the result."
)
ERROR_FINISH_REFUSALS = 2
_ERROR_START = re.compile(r"(error|exception|traceback|we have failed)\b[\s:(]", re.IGNORECASE)
# an error retold in the model's words ("The table 'sales' does not exist."), after a call failed
_ERROR_RETOLD = re.compile(r"\b(does not exist|doesn't exist|not found|no such \w+|(is|are) not (available|defined)"
                           r"|not defined|unknown (table|column|tool|function))\b", re.IGNORECASE)


def is_error_answer(answer: str, observations: list[str]) -> bool:
    """True when a Finish answer is an error message: it starts with "Error"/"Exception"/a
    traceback, or it is (a prefix of) an observation that starts with "Error", or a call failed
    in this episode and the answer retells a failure ("... does not exist", "not found")."""
    a = answer.strip()
    if not a:
        return False
    if _ERROR_START.match(a):
        return True
    if _ERROR_RETOLD.search(a) and any(o.strip().lower().startswith("error") for o in observations):
        return True
    for obs in observations:
        o = obs.strip()
        if o.lower().startswith("error") and len(a) >= 12 and (a in o or o.startswith(a)):
            return True
    return False
