"""How answers are scored, and how two runs are compared.

Three ways to call a prediction correct, from strictest to loosest:

* :func:`em_match`: ToolQA's official exact match. Both strings are lower-cased, punctuation is
  deleted, the words ``a``/``an``/``the``/``usd`` are removed and whitespace is collapsed, then
  compared (a reimplementation of ``normalize_answer`` in ToolQA's ``benchmark/ReAct/code``).
  Note the official quirk kept here: deleting punctuation turns ``17.0`` into ``170``.
* :func:`lenient_match`: like EM, but numbers are compared as numbers (``17`` = ``17.0``,
  ``1.7%`` = ``1.7``, ``$ 42.0`` = ``42``, ``1,234`` = ``1234``; a prediction with more decimals
  matches a gold that is its rounding, ``3.14159`` ~ ``3.14``). Words stay strict: no containment.
* :func:`llm_judge`: the SEER paper's LLM-as-a-judge, the model answers ``[Match]`` or
  ``[No Match]`` under a JSON schema so the verdict always parses.

:func:`paired_bootstrap` and :func:`mcnemar` compare two runs on the same questions; both are
pure Python/numpy so no scipy is needed.
"""

from __future__ import annotations

import math
import re
import string
from functools import lru_cache
from importlib import resources
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


# --- LLM judge ----------------------------------------------------------------------------

JUDGE_SCHEMA = {
    "type": "object",
    "properties": {"verdict": {"type": "string", "enum": ["[Match]", "[No Match]"]}},
    "required": ["verdict"],
}


@lru_cache(maxsize=1)
def judge_prompt() -> str:
    """The judge prompt (package data), paraphrasing the SEER paper's evaluator prompt."""
    return resources.files("seer_cli.evals").joinpath("data/prompts/llm_judge.txt").read_text(encoding="utf-8")


def llm_judge(backend, question: str, pred: Any, gold: Any, *, max_tokens: int = 16) -> bool:
    """Ask ``backend`` whether ``pred`` matches ``gold`` for ``question``: one short call whose
    output is constrained to ``{"verdict": "[Match]" | "[No Match]"}``. An empty prediction is
    never a match (no call is made)."""
    import orjson

    if pred is None or not str(pred).strip() or str(pred).strip().lower() == "none":
        return False
    prompt = judge_prompt().format(question=question, gold=gold, pred=pred)
    completion = backend.complete(
        [{"role": "user", "content": prompt}], json_schema=JUDGE_SCHEMA, max_tokens=max_tokens, temperature=0.0
    )
    try:
        verdict = orjson.loads(completion.text).get("verdict", "")
    except (orjson.JSONDecodeError, AttributeError):
        verdict = completion.text
    return "[Match]" in str(verdict)


# --- paired comparison ----------------------------------------------------------------------


def paired_bootstrap(a: list[bool], b: list[bool], n: int = 10000, seed: int = 0) -> tuple[float, float, float]:
    """Accuracy difference ``mean(a) - mean(b)`` on paired outcomes, with a 95 % percentile
    bootstrap interval (questions resampled with replacement, ``n`` times)."""
    import numpy as np

    if len(a) != len(b):
        raise ValueError(f"paired_bootstrap: a has {len(a)} outcomes, b has {len(b)}")
    if not a:
        return 0.0, 0.0, 0.0
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(d), size=(n, len(d)))
    means = d[idx].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(d.mean()), float(lo), float(hi)


def mcnemar(a: list[bool], b: list[bool]) -> float:
    """Exact two-sided McNemar p-value: a binomial test on the discordant pairs."""
    if len(a) != len(b):
        raise ValueError(f"mcnemar: a has {len(a)} outcomes, b has {len(b)}")
    only_a = sum(1 for x, y in zip(a, b) if x and not y)
    only_b = sum(1 for x, y in zip(a, b) if y and not x)
    total = only_a + only_b
    if total == 0:
        return 1.0
    k = min(only_a, only_b)
    tail = sum(math.comb(total, i) for i in range(k + 1)) / 2**total
    return min(1.0, 2 * tail)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for ``k`` successes in ``n`` trials, in percent (95 % by default)."""
    if n <= 0:
        return (0.0, 100.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (round(100 * max(0.0, centre - half), 1), round(100 * min(1.0, centre + half), 1))
