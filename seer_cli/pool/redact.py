"""Secrets never reach the pool.

Trajectories are kept forever and shown to the model as demonstrations, so anything secret that
passed through a tool call (an API key in an argument, a password in a URL an observation
echoed) must be removed *before* the record is written and before its id is hashed: the same
trajectory with two different keys is one experience.

:func:`redact_experience` is applied by :meth:`seer_cli.pool.Pool.add` to the question, every
thought, every argument value (recursively, keys kept), every observation and the answer. It
also truncates observations to ``settings.observation_max_chars``. Built-in patterns cover API
keys (``sk-``, ``ghp_``/``github_pat_``, ``AKIA``, Slack ``xox?-``), bearer tokens, PEM private
key blocks, passwords in URLs (``scheme://user:pass@host``) and ``password=``/``api_key=``
style pairs; ``settings.redact_patterns`` adds regexes whose whole match is replaced.
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache
from typing import Any

from ..errors import UserError
from .records import Experience, Step

REDACTED = "[REDACTED]"

# (pattern, replacement); replacements keep the non-secret part of the match.
_BUILTIN: list[tuple[str, str]] = [
    (r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", REDACTED),
    (r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}", REDACTED),
    (r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}", REDACTED),
    (r"\bgithub_pat_[A-Za-z0-9_]{20,}", REDACTED),
    (r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", REDACTED),
    (r"\bxox[abposr]-[A-Za-z0-9\-]{10,}", REDACTED),
    (r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*", r"\1 " + REDACTED),
    (r"\b([a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]+):[^\s@/]+@", r"\1:" + REDACTED + "@"),
    (
        r"(?i)\b((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?token|client[_-]?secret)"
        r"[\"']?\s*[:=]\s*[\"']?)([^\s\"'&,;}]+)",
        r"\1" + REDACTED,
    ),
]


@lru_cache(maxsize=32)
def _compiled(extra: tuple[str, ...]) -> list[tuple[re.Pattern[str], str]]:
    rules = [(re.compile(p, re.DOTALL), r) for p, r in _BUILTIN]
    for pattern in extra:
        try:
            rules.append((re.compile(pattern), REDACTED))
        except re.error as e:
            raise UserError(f"config: redact_patterns: {pattern!r} is not a valid regex ({e})") from None
    return rules


def redact_text(text: str, extra: tuple[str, ...] = ()) -> str:
    """``text`` with every secret replaced by ``[REDACTED]``."""
    if not text:
        return text
    for rx, repl in _compiled(tuple(extra)):
        text = rx.sub(repl, text)
    return text


def redact_value(value: Any, extra: tuple[str, ...] = ()) -> Any:
    """Redact the strings inside a JSON value (dict keys are kept)."""
    if isinstance(value, str):
        return redact_text(value, extra)
    if isinstance(value, dict):
        return {k: redact_value(v, extra) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v, extra) for v in value]
    return value


def truncate(text: str, limit: int) -> str:
    if limit <= 0 or len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + "…"


def redact_experience(exp: Experience, extra: tuple[str, ...] = (), observation_max_chars: int = 0) -> Experience:
    """A copy of ``exp`` with secrets redacted and observations truncated (``0`` = no limit)."""
    steps = [
        Step(
            thought=redact_text(s.thought, extra),
            tool=s.tool,
            args=redact_value(s.args, extra),
            observation=truncate(redact_text(s.observation, extra), observation_max_chars),
        )
        for s in exp.steps
    ]
    return dataclasses.replace(
        exp,
        question=redact_text(exp.question, extra),
        steps=steps,
        answer=redact_text(str(exp.answer), extra),
    )
