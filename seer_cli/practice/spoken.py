"""Whether a question states a value, in the form a person writes it.

Why: a generated task's wording is kept only when every value its query filters on or its call
passes is in the question (:func:`.phrasing.keeps_literals`). People do not write values the way a
database or a tool keeps them: "8:15 PM" for ``20:15``, "April 1, 2016" for ``2016-04-01``,
"July 2015" for ``2015-07``, "1,000" for ``1000``. The 1.5B's wordings and paraphrase keys came
back in those forms, and a check on the exact text threw them away, so the practised question stayed
a template ("Can you convert 18:45 between timezones with source timezone ...") that recall does
not match to a person's question. The forms accepted here are unambiguous renderings of the same
value; the second derivation (the question decoded back into its call, or solved from scratch)
still has to reach the same answer before anything is admitted.
"""

from __future__ import annotations

import calendar
import re

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::00)?")


def normalized(text: str) -> str:
    """``text`` lower-cased with the marks people vary dropped: "p.m." → "pm", "1st" → "1",
    "1,000" → "1000", commas and runs of spaces."""
    t = text.lower()
    t = re.sub(r"\b([ap])\.\s?m\.?(?=\W|$)", r"\1m", t)
    t = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\b", r"\1", t)
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)
    t = t.replace(",", " ")
    return " ".join(t.split())


def forms(value: str) -> list[str]:
    """The ways a person writes ``value`` (normalized, the value itself first)."""
    v = value.strip().lower()
    out = [v]
    if m := _DATE.fullmatch(v):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            for name in {calendar.month_name[mo].lower(), calendar.month_abbr[mo].lower()}:
                out += [f"{name} {d} {y}", f"{d} {name} {y}", f"{name} {d} of {y}", f"{d} of {name} {y}"]
    elif m := _MONTH.fullmatch(v):
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            for name in {calendar.month_name[mo].lower(), calendar.month_abbr[mo].lower()}:
                out += [f"{name} {y}", f"{name} of {y}"]
    elif m := _TIME.fullmatch(v):
        h, mi = int(m.group(1)), int(m.group(2))
        if h < 24 and mi < 60:
            h12, half = h % 12 or 12, "am" if h < 12 else "pm"
            out += [f"{h}:{mi:02d}", f"{h:02d}:{mi:02d}", f"{h12}:{mi:02d} {half}", f"{h12}:{mi:02d}{half}"]
            if mi == 0:
                out += [f"{h12} {half}", f"{h12}{half}"] + (["noon"] if h == 12 else ["midnight"] if h == 0 else [])
    return [normalized(f) for f in out]


def mentioned(value: str, question: str) -> bool:
    """Whether ``question`` states ``value``: as written (anywhere in it, case aside), or in one
    of its other :func:`forms` on word boundaries (so ``8:15 pm`` is not found inside ``18:15 pm``)."""
    if value.strip().lower() in question.lower():
        return True
    q = normalized(question)
    return any(re.search(rf"(?<![\w:.]){re.escape(f)}(?![\w:])", q) for f in forms(value) if f)


__all__ = ["forms", "mentioned", "normalized"]
