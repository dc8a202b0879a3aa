"""When is an answer right: the answer matchers every part of seer shares.

The agent's success judges (:mod:`seer_cli.agent.judge`), practice's check that an answer shows in
an observation (:mod:`seer_cli.practice.answered`) and the evals (:mod:`seer_cli.evals.scoring`, which
re-exports these) must agree on what matches, so the rules live here, below all of them:

* :func:`em_match`: ToolQA's official exact match. Both strings are lower-cased, punctuation is
  deleted, the words ``a``/``an``/``the``/``usd`` are removed and whitespace is collapsed, then
  compared (a reimplementation of ``normalize_answer`` in ToolQA's ``benchmark/ReAct/code``).
  Note the official quirk kept here: deleting punctuation turns ``17.0`` into ``170``.
* :func:`lenient_match`: like EM, but numbers are compared as numbers (``17`` = ``17.0``,
  ``1.7%`` = ``1.7``, ``$ 42.0`` = ``42``, ``1,234`` = ``1234``; a prediction with more decimals
  matches a gold that is its rounding, ``3.14159`` ~ ``3.14``). Words stay strict: no containment.
* :func:`value_match`: the rule for a gold computed by execution (self-practice): two numbers
  compare as numbers with their sign (ToolQA's EM drops a minus), else the lenient match, else a
  short answer whose only number is the gold ("45 euros" for 45), else, for a gold that is a
  time of day, a short answer whose only time of day is the same ("8:00 AM" for ``08:00``, "It is
  08:00 in Tokyo", but not "08:00 or 09:00").

Pure Python, no imports beyond the standard library.
"""

from __future__ import annotations

import math
import re
import string
from typing import Any

_PUNCT = set(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the|usd)\b")
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+)(?![\d,])")
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$")
_CURRENCY = re.compile(r"[$€£¥]")


def normalize_answer(s: Any) -> str:
    """ToolQA's official answer normalisation (lower, no punctuation, no articles/usd, one space)."""
    text = str(s).lower()
    text = "".join(ch for ch in text if ch not in _PUNCT)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def em_match(pred: Any, gold: Any) -> bool:
    """Official ToolQA exact match after :func:`normalize_answer`."""
    if pred is None:
        return False
    return normalize_answer(pred) == normalize_answer(gold)


def _as_number(token: str) -> float | None:
    t = token.strip().lower().rstrip("%").strip()
    if _NUMBER.match(t):
        value = float(t)
        return value if math.isfinite(value) else None
    return None


def _decimals(token: str) -> int:
    t = token.strip().rstrip("%").lower()
    if "e" in t or "." not in t:
        return 0
    return len(t.split(".", 1)[1])


def _tokens(text: str) -> list[str]:
    """Lower-cased tokens: currency signs dropped, thousands separators removed, a ``%`` glued to
    its number, trailing sentence punctuation stripped, articles and ``usd`` removed."""
    text = str(text).lower()
    text = _CURRENCY.sub(" ", text)
    text = _THOUSANDS.sub(lambda m: m.group(1).replace(",", ""), text)
    text = re.sub(r"(\d)\s*%", r"\1%", text)
    out = []
    for raw in text.split():
        tok = raw.strip(",;:!?\"'()[]{}")
        tok = tok.rstrip(".") if not _as_number(tok) else tok
        if _as_number(tok) is None:
            tok = "".join(ch for ch in tok if ch not in _PUNCT)
        if tok and tok not in ("a", "an", "the", "usd"):
            out.append(tok)
    return out


def _numbers_match(pred_tok: str, gold_tok: str) -> bool:
    p, g = _as_number(pred_tok), _as_number(gold_tok)
    if p is None or g is None:
        return False
    if math.isclose(p, g, rel_tol=1e-9, abs_tol=1e-9):
        return True
    digits = _decimals(gold_tok)
    # A longer prediction that rounds to a gold given with >= 1 decimal (3.14159 ~ 3.14).
    return digits > 0 and _decimals(pred_tok) > digits and math.isclose(round(p, digits), g, abs_tol=10 ** -(digits + 3))


def lenient_match(pred: Any, gold: Any) -> bool:
    """EM, or the same words with numbers compared as numbers (see the module docstring)."""
    if pred is None:
        return False
    if em_match(pred, gold):
        return True
    p, g = _tokens(str(pred)), _tokens(str(gold))
    if not g or len(p) != len(g):
        return False
    for pt, gt in zip(p, g):
        if pt == gt:
            continue
        if not _numbers_match(pt, gt):
            return False
    return True


def _plain_number(text: Any) -> float | None:
    try:
        return float(str(text).strip().replace(",", ""))
    except ValueError:
        return None


def value_match(answer: Any, gold: Any) -> bool:
    """The answer is the executed gold (see the module docstring)."""
    if answer is None or not str(answer).strip():
        return False
    a, g = _plain_number(answer), _plain_number(gold)
    if a is not None and g is not None:  # numbers compare as numbers, sign included
        return abs(a - g) <= 1e-9 * max(1.0, abs(g))
    if lenient_match(answer, gold):
        return True
    if g is None:
        return _same_clock(str(answer), str(gold))
    nums = re.findall(r"-?\d[\d,]*(?:\.\d+)?", str(answer))
    if len(nums) != 1 or len(str(answer)) > 60:
        return False
    return abs(float(nums[0].replace(",", "")) - g) < 1e-9


# a time of day: "08:00", "8:00:30", "8:15 PM", "8:15 p.m.", "T08:00" inside an ISO datetime, but not
# the "+09:00" of its UTC offset
_CLOCK = re.compile(r"(?<![\d:+\-])(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:\s*([ap])\.?\s?m\b\.?)?(?![\d:])", re.IGNORECASE)


def clocks(text: str) -> set[int]:
    """The times of day in ``text``, as minutes after midnight (12-hour forms converted)."""
    out = set()
    for m in _CLOCK.finditer(text):
        h, mi, half = int(m.group(1)), int(m.group(2)), (m.group(3) or "").lower()
        if mi > 59 or h > 23 or (half and not 1 <= h <= 12):
            continue
        out.add(((h % 12) + (12 if half == "p" else 0) if half else h) * 60 + mi)
    return out


def _same_clock(answer: str, gold: str) -> bool:
    """A gold that is one time of day, and a short answer whose only time of day is that one."""
    g = gold.strip()
    if not _CLOCK.fullmatch(g) or len(answer) > 60:
        return False
    return clocks(g) == clocks(answer) and len(clocks(answer)) == 1


def shows_clock(text: str, gold: str) -> bool:
    """Whether ``text`` (a tool's observation) shows the time of day ``gold`` is ("08:00" in
    "2026-12-07T08:00:00+09:00"); False for a gold that is not one time of day."""
    return bool(_CLOCK.fullmatch(gold.strip())) and clocks(gold) <= clocks(text)
