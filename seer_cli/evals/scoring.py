"""How answers are scored, and how two runs are compared.

Three ways to call a prediction correct, from strictest to loosest:

* :func:`em_match`: ToolQA's official exact match, and :func:`lenient_match`, the same with numbers
  compared as numbers. Both live in :mod:`seer_cli.answers` (below the agent, whose success judges
  use them) and are re-exported here; that module's docstring gives the rules.
* :func:`llm_judge`: the SEER paper's LLM-as-a-judge, the model answers ``[Match]`` or
  ``[No Match]`` under a JSON schema so the verdict always parses.

:func:`paired_bootstrap` and :func:`mcnemar` compare two runs on the same questions; both are
pure Python/numpy so no scipy is needed.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

# The matchers live below the agent (whose judges use them); re-exported here for the evals.
from ..agent.prompt import load_prompt
from ..answers import em_match, lenient_match, normalize_answer

if TYPE_CHECKING:
    from ..agent.contracts import BackendLike

__all__ = ["em_match", "lenient_match", "normalize_answer", "llm_judge", "judge_prompt", "JUDGE_SCHEMA",
           "paired_bootstrap", "mcnemar", "wilson"]


# --- LLM judge ----------------------------------------------------------------------------

JUDGE_SCHEMA = {
    "type": "object",
    "properties": {"verdict": {"type": "string", "enum": ["[Match]", "[No Match]"]}},
    "required": ["verdict"],
}


@lru_cache(maxsize=1)
def judge_prompt() -> str:
    """The judge prompt (package data), paraphrasing the SEER paper's evaluator prompt."""
    return load_prompt("llm_judge.txt", "seer_cli.evals", "data/prompts")


def llm_judge(backend: BackendLike, question: str, pred: Any, gold: Any, *, max_tokens: int = 16) -> bool:
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
