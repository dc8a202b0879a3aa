"""A second derivation for a table task the model cannot solve: from the question alone, fill the
executed query back in where near variants of it differ.

Why: the tasks worth practising are the ones the model fails (it solved 22 of 30 generated tasks
of the real-files suite at its first try, and those need no demonstration). But a failed task is
admitted as a worked example only when a second derivation from its question reaches the executed
gold, and the one :mod:`.phrasing` had — a query the same model writes from the question — fails
exactly where the agent failed: a percentage change between two dates was generated in every run
and never admitted. Choosing is easier than writing. Variants of the executed query that give other
answers are made (its two dates swapped, another measure column, MAX for MIN, ``>`` for ``<``, ASC
for DESC, another year, another value of the filtered column); the model is shown the query with a
blank wherever they differ and fills each blank from its choices, listed in two orders, and both
fillings must execute to the gold. That is a derivation from the question (a wording that reversed
two dates fills the swapped query, whose answer differs), checked by execution: every variant is
run, and one that gives the gold's answer is no alternative.
"""

from __future__ import annotations

import random
import re
from typing import Any

from .asking import ask_json
from .tasks import AutoTask, format_value

MAX_VARIANTS = 4  # alternatives shown beside the executed query
FILL_SYSTEM = (
    "A query has blanks [1], [2] ... Fill each blank with one of its choices so that the query computes exactly "
    "what the question asks: read the question's dates, names and numbers, and its words (highest or lowest, above "
    "or below, from and to, average or total)."
)
_FLIPS = (  # (pattern, replacement): one meaning for another, applied on its own
    (r"\bMAX\(", "MIN("), (r"\bMIN\(", "MAX("), (r"\bAVG\(", "SUM("), (r"\bSUM\(", "AVG("),
    (r" > ", " < "), (r" < ", " > "), (r" >= ", " <= "), (r" <= ", " >= "), (r"\bDESC\b", "ASC"), (r"\bASC\b", "DESC"),
)
_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_YEAR_EQ = re.compile(r"(\b(?:year|YEAR)\([^()]*\) = )(\d{4})\b")
_ISO = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
_FILTER = re.compile(r"(\"(?:[^\"]|\"\")+\"|\b[A-Za-z_]\w*)\s*=\s*'((?:[^']|'')*)'")
_FROM = re.compile(r"\bFROM\s+((?:\"(?:[^\"]|\"\")+\"|\w+)(?:\.(?:\"(?:[^\"]|\"\")+\"|\w+))?)")


def variants(con, sql: str, answer: str, rng: random.Random) -> list[str]:
    """Queries near ``sql`` that run and give one value other than ``answer`` (and than each
    other), at most :data:`MAX_VARIANTS`: swaps of its literals first (what a wording reverses),
    then another measure, flipped meanings, another year or value."""
    from ..answers import value_match

    out: list[str] = []
    seen = [answer]
    for cand in (*_swaps(sql), *_columns(con, sql, rng), *_flips(sql), *_shifts(con, sql, rng)):
        if len(out) >= MAX_VARIANTS:
            break
        value = _one_value(con, cand)
        if value is None or cand in out or any(value_match(value, s) for s in seen):
            continue
        out.append(cand)
        seen.append(value)
    return out


def _swaps(sql: str) -> list[str]:
    """``sql`` with two of its quoted literals of the same shape exchanged (two dates, two names)."""
    lits = list(dict.fromkeys(m.group(0) for m in _QUOTED.finditer(sql)))
    out = []
    for i, a in enumerate(lits):
        for b in lits[i + 1:]:
            if bool(_ISO.fullmatch(a[1:-1])) == bool(_ISO.fullmatch(b[1:-1])):
                out.append(_exchange(sql, a, b))
    years = list(dict.fromkeys(m.group(2) for m in _YEAR_EQ.finditer(sql)))
    if len(years) == 2:
        a, b = years
        out.append(_YEAR_EQ.sub(lambda m: m.group(1) + (b if m.group(2) == a else a), sql))  # noqa: B023 (used at once)
    return out


def _columns(con, sql: str, rng: random.Random) -> list[str]:
    """``sql`` with its first measure column (every mention of it) replaced by another measure of
    the same table (:meth:`.table_roles.Table.measures`: no identifiers, years or ordinals): a
    wording that names another measure (asked "the average nonfarm employment" of
    ``AVG("information")``, the 1.5B kept the month and changed the column) fills the other column back."""
    from .table_roles import describe_tables

    table = _FROM.search(sql)
    if table is None:
        return []
    name = ".".join(part.strip('"').replace('""', '"') for part in re.findall(r'"(?:[^"]|"")+"|\w+', table.group(1)))
    try:
        (described,) = describe_tables(con, [name])
    except Exception:  # noqa: BLE001 (a table this reading does not find: no variant from it)
        return []
    measures = [m.q for m in described.measures()]
    used = [q for q in measures if q in sql]
    rest = [q for q in measures if q not in used]
    return [sql.replace(used[0], rng.choice(rest))] if used and rest else []


def _exchange(sql: str, a: str, b: str) -> str:
    """``sql`` with the quoted literals ``a`` and ``b`` (quotes included) in each other's places."""
    swap = {a: b, b: a}
    return _QUOTED.sub(lambda m: swap.get(m.group(0), m.group(0)), sql)


def _flips(sql: str) -> list[str]:
    outside = _QUOTED.sub(lambda m: "'" + "_" * (len(m.group(0)) - 2) + "'", sql)  # never flip inside a literal
    out = []
    for pattern, repl in _FLIPS:
        spans = [m.span() for m in re.finditer(pattern, outside)]
        if spans:
            text = sql
            for start, end in reversed(spans):
                text = text[:start] + re.sub(pattern, repl, text[start:end]) + text[end:]
            out.append(text)
    return out


def _shifts(con, sql: str, rng: random.Random) -> list[str]:
    """Another year for a year or a date filter; another value of a column filtered on a name."""
    out = []
    m = _YEAR_EQ.search(sql)
    if m:
        out.append(sql[:m.start(2)] + str(int(m.group(2)) + 1) + sql[m.end(2):])
    for lit in dict.fromkeys(q.group(0) for q in _QUOTED.finditer(sql)):
        if _ISO.fullmatch(lit[1:-1]):
            out.append(sql.replace(lit, f"'{int(lit[1:5]) + 1}{lit[5:-1]}'"))
    table = _FROM.search(sql)
    for f in _FILTER.finditer(sql):
        col, value = f.group(1), f.group(2)
        if _ISO.fullmatch(value) or table is None:
            continue
        try:
            others = [format_value(v) for (v,) in con.execute(
                f"SELECT DISTINCT {col} FROM {table.group(1)} WHERE {col} IS NOT NULL LIMIT 50").fetchall()]
        except Exception:  # noqa: BLE001 (a filter this reading does not understand: no variant from it)
            continue
        others = [o for o in others if o is not None and o != value.replace("''", "'") and "'" not in o]
        if others:
            out.append(sql.replace(f"'{value}'", f"'{rng.choice(others)}'"))
    return out


def _one_value(con, sql: str) -> str | None:
    try:
        rows = con.execute(sql).fetchmany(2)
    except Exception:  # noqa: BLE001 (a variant that does not run is no alternative)
        return None
    if not rows or not rows[0] or (len(rows) > 1 and "LIMIT 1" not in sql):
        return None
    return format_value(rows[0][0])


_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\w+(?:\.\d+)?|\S")


def blanks(sql: str, others: list[str]) -> tuple[str, list[list[str]]] | None:
    """``sql`` with a numbered blank (``[1]``, ``[2]`` ...) at each token where a variant differs,
    and each blank's choices (the executed query's token first); None when a variant is not the
    same query with some tokens replaced (nothing to line up)."""
    spans = [m.span() for m in _TOKEN.finditer(sql)]
    base = [sql[a:b] for a, b in spans]
    rows = []
    for other in others:
        toks = _TOKEN.findall(other)
        if len(toks) != len(base):
            return None
        rows.append(toks)
    places = [i for i in range(len(base)) if any(r[i] != base[i] for r in rows)]
    if not places:
        return None
    text, last = [], 0
    for n, i in enumerate(places, 1):
        a, b = spans[i]
        text.append(sql[last:a] + f"[{n}]")
        last = b
    text.append(sql[last:])
    choices = [list(dict.fromkeys([base[i], *(r[i] for r in rows)])) for i in places]
    return "".join(text), choices


def _fill(backend, question: str, template: str, choices: list[list[str]]) -> list[str] | None:
    """What the model writes in each blank of ``template`` so that it answers ``question``
    (greedy, each blank constrained to its choices), or None."""
    names = [str(n) for n in range(1, len(choices) + 1)]
    labels = [[_label(tok) for tok in c] for c in choices]
    if any(lab is None for c in labels for lab in c) or any(len(set(c)) != len(c) for c in labels):
        return None
    schema = {"type": "object", "properties": {n: {"enum": c} for n, c in zip(names, labels)}, "required": names,
              "additionalProperties": False}
    listing = "\n".join(f"[{n}]: one of {', '.join(c)}" for n, c in zip(names, choices))
    data = ask_json(backend, [{"role": "system", "content": FILL_SYSTEM},
                              {"role": "user", "content": f"Question: {question}\n\nQuery: {template}\n\n{listing}"}],
                    schema, max_tokens=24 * len(names))
    try:
        return [c[lab.index(str(data[n]))] for n, c, lab in zip(names, choices, labels)] if data is not None else None
    except (KeyError, ValueError):  # a blank left out or filled off its choices: no filling, no derivation
        return None


def _label(token: str) -> str | None:
    """A blank's choice as the grammar offers it: a quoted name or value without its quotes. A
    double quote inside a JSON-schema enum crashed llama.cpp's grammar (a segmentation fault, for
    ``"High"``); a label that would still hold one, or a backslash, is None (no derivation)."""
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"":
        token = token[1:-1].replace(token[0] * 2, token[0])
    return None if '"' in token or "\\" in token else token


def chosen(backend, con, task: AutoTask, question: str, *, seed: int = 0) -> bool:
    """Whether the model, shown ``question`` and the executed query with blanks where its variants
    differ (:func:`blanks`), fills them so that the query gives the task's answer, with the choices
    listed in two orders (the executed query's first, then last: the 1.5B, asked to pick one of
    two whole queries by letter, said "A" both times). False when no variant could be made:
    nothing to choose between is no derivation."""
    from ..answers import value_match

    sql = _query(task)
    if sql is None:
        return False
    rng = random.Random(f"{seed}|{task.id}")
    lined = blanks(sql, variants(con, sql, task.answer, rng))
    if lined is None:
        return False
    template, choices = lined
    for listed in (choices, [c[::-1] for c in choices]):
        filled = _fill(backend, question, template, listed)
        if filled is None:
            return False
        parts = re.split(r"\[(\d+)\]", template)
        query = "".join(filled[int(x) - 1] if k % 2 else x for k, x in enumerate(parts))
        value = _one_value(con, query)
        if value is None or not value_match(value, task.answer):
            return False
    return True


def _query(task: AutoTask) -> str | None:
    args: dict[str, Any] = task.calls[-1].args if task.calls else {}
    sql = next((v for v in args.values() if isinstance(v, str) and v.lstrip().upper().startswith(("SELECT", "WITH"))), None)
    return sql
