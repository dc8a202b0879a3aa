"""A person's wording for a generated task, and a second derivation of its answer.

Why: a template question reads like its query ("What was the average temp max in 2014?"), and
recall matches real questions by their words, so a practised plan reaches a real question only
if the practised question was worded like one. Following OmniSQL's order (the query first, then
the question), the model is shown an executed query and its answer and writes the question a
person would ask (:func:`rephrase`); the wording is kept only when every value the query filters
on survives in it (a literal check) and the answer does not leak into it.

A literal check passes a question that reversed two dates. So nothing is admitted on the
executed query alone: a second, independent derivation from the *question* must reach the same
answer. The agent's own try is one (:mod:`.run`); where the agent fails, :func:`solve_sql` asks
the model for a query from the question and the schema alone and executes it. Only when the two
agree is the worked example admitted under that question; which derivation agreed is recorded.
"""

from __future__ import annotations

import calendar
import json
import re

from .asking import ask_json
from .spoken import mentioned
from .tasks import AutoTask

_QUESTION = {"type": "object", "properties": {"question": {"type": "string", "maxLength": 220}}, "required": ["question"],
             "additionalProperties": False}
_SQL = {"type": "object", "properties": {"sql": {"type": "string", "maxLength": 600}}, "required": ["sql"], "additionalProperties": False}

PHRASE_SYSTEM = (
    "You write the question a person would type to get a given answer from their own files. "
    "Say what the data is about in everyday words (not column names with underscores, not SQL), "
    "keep every date, name and number of the query exactly as written, do not put the answer in the question, "
    "and write one short question ending with '?'."
)
KEYS_SYSTEM = (
    "Rewrite a question the way three different people would ask it: 'short' (as few words as possible), "
    "'casual' (everyday words, as typed in a chat) and 'domain' (the words of someone who works with this data, "
    "not column names). Keep every date, name and number exactly as written, do not answer it."
)
KEY_STYLES = ("short", "casual", "domain")
_KEYS = {"type": "object", "properties": {k: {"type": "string", "maxLength": 160} for k in KEY_STYLES},
         "required": list(KEY_STYLES), "additionalProperties": False}
SQL_SYSTEM = "Write one DuckDB SQL query that answers the question. Tables:\n{schema}\nReturn only the query."


# the wording: greedy, then one sample when the greedy one dropped a value (the 1.5B's greedy wording of
# "convert 18:45 from Europe/London to Asia/Tokyo" left the time out; the template stayed the demo's question)
PHRASE_SAMPLES = (0.0, 0.7)
SAMPLES = (0.0, 0.7, 0.7)  # temperatures of the queries sampled from a question: greedy, then two samples


def request_of(task: AutoTask) -> str | None:
    """What was executed, in the words a person can read: the query or the call."""
    call = task.calls[-1]
    if task.kind == "data":  # the template's wording is not shown: a small model copies it
        from .tables import literals

        table = str(task.covers.get("table", "")).rsplit(".", 1)[-1].replace("_", " ")
        sql = str(next(iter(call.args.values())))
        rounding = re.search(r"rounded to \d+ decimals?", task.question)  # the precision is part of the answer
        row = task.covers.get("row")
        return f"The data: {table}" + (f" (its first row: {row})" if row else "") + f"\nSQL query run on it: {sql}" + _must_state(literals(sql) + ([rounding.group()] if rounding else []))
    if task.kind == "tools":
        return f"Tool: {call.tool} - {task.covers.get('description', '')}\nCall: {call.tool}({json.dumps(call.args)})" + (
            f"\nThe part of the reply asked for: {task.covers['field']}" if task.covers.get("field") else "") + \
            _must_state([as_said(v) for v in call.args.values() if not isinstance(v, bool)])
    if task.kind == "docs" and task.covers.get("op") == "proposed":
        return None  # the model wrote this question already, as a reader would ask it (:mod:`.doc_questions`)
    if task.kind == "docs" and task.covers.get("sentence"):
        return f"A sentence of the document {task.covers.get('doc')}: \"{task.covers['sentence']}\"\nIn words: {task.question}"
    return None


def _must_state(values: list[str]) -> str:
    """The values the wording has to keep, named one by one: told only "keep every date, name and
    number", the 1.5B wrote "What is the time difference between New York and Tokyo?" for a
    ``convert_time`` call at 13:30 (both greedy and sampled), and the task kept its template; with
    the values listed it wrote "What is the time in Tokyo when the time in New York is 21:00?"."""
    values = [v.strip("%") for v in dict.fromkeys(values) if v.strip("% ")]
    return f"\nThe question must state each of: {', '.join(values)}" if values else ""


def keeps_literals(task: AutoTask, question: str) -> bool:
    """Every value the task's call filters on or passes is in ``question``, and its answer is not
    (unless the answer is one of those values)."""
    from .tables import mentions_literals

    q = question.lower()
    call = task.calls[-1]
    if task.kind == "docs":  # the answer must not be given away; Retrieve on the question is the check
        return task.answer.lower() not in q
    if task.kind == "data":
        sql = str(next(iter(call.args.values())))
        if not mentions_literals(question, sql) or _borrows_from_row(task, question, sql) or _adds_values(task, question, sql):
            return False
    else:  # a tool's call; a sum of two calls: the values of both (not the Calculate that adds them)
        passed = [v for c in (task.calls[:-1] if task.kind == "compose" else [call]) for v in c.args.values()]
        for v in passed:
            if isinstance(v, bool):
                continue
            if not said(v, q):
                return False
    if "rounded to" in task.question and not re.search(r"round|decimal", q):
        return False  # the precision is part of the answer
    given = {str(v).lower() for v in call.args.values()}
    return task.answer.lower() in given or task.answer.lower() not in q or len(task.answer) <= 2


def _borrows_from_row(task: AutoTask, question: str, sql: str) -> bool:
    """Whether the wording took a value from the table's first row (shown to say what a row is)
    that the query does not use: shown Ubuntu's first row, the 1.5B asked "What is the series of
    Ubuntu that was created in 2004-03-05?" for the series created first."""
    values = [v.split("=", 1)[1] for v in str(task.covers.get("row", "")).split(", ") if "=" in v]
    return any(len(v) >= 3 and v not in sql and v.lower() != task.answer.lower() and mentioned(v, question) for v in values)


_MONTHS = [m.lower() for m in calendar.month_name[1:]]
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")  # the comma of "18,000"


def _adds_values(task: AutoTask, question: str, sql: str) -> bool:
    """Whether the wording states a number or a month that neither the query nor the template
    question holds: a filter the executed query does not apply. Given ``MIN(precipitation)`` of the
    whole table and its first row (2012-01-01), the 1.5B asked "What was the minimum precipitation
    in Seattle in January 2012?"; a query filled back from that question (:mod:`.query_choice`)
    cannot see a filter it lacks, so the wording is refused here."""
    source = _THOUSANDS.sub("", f"{task.question} {sql}".lower())
    held = {int(n) for n in re.findall(r"\d+", source)}
    held |= {i for i, m in enumerate(_MONTHS, 1) if m in source}
    for word in re.findall(r"\d+(?:\.\d+)?|[a-z]+", _THOUSANDS.sub("", question.lower())):
        if word in _MONTHS and word != "may" and _MONTHS.index(word) + 1 not in held:  # ("may" is also a verb)
            return True
        if word[0].isdigit() and not all(int(part) in held for part in word.split(".")):
            return True
    return False


# words any wording of a table question may use without naming anything the query lacks
_PLAIN = set("""what which when where does did much many have has with that this from there were was are the and for
value values figure figures amount number count records record entries entry rows row listed recorded data dataset table
average mean total sum highest lowest maximum minimum largest smallest biggest greatest most least peak overall
percentage percent rate change changed difference differ decimal decimals places place rounded round year years month
months day days date dates time period between during over across each every all any some more less than above below
under greater higher lower fewer exceed exceeded value level levels reported measured seen made recent recently
newest oldest first last latest earliest ever""".split())


def new_words(task: AutoTask, question: str) -> list[str]:
    """The words of a wording (four letters or more) that neither the template question, the
    table's column names and shown row, nor :data:`_PLAIN` hold (a known word begins it, or
    shares its first five letters: "releases" is "release", "temperature" is the column "temp").
    A filled-back query (:mod:`.query_choice`) vouches only for what the query holds: worded
    "What is the latest version of Ubuntu that is still supported?" for the latest *release*, the
    1.5B's wording added a filter no blank could show."""
    known = f"{task.question} {task.covers.get('row', '')} {' '.join(task.covers.get('columns', []))} {task.covers.get('table', '')}"
    words = set(re.findall(r"[a-z]{4,}", known.lower().replace("_", " "))) | _PLAIN
    return [w for w in re.findall(r"[a-z]{4,}", question.lower())
            if not any(w.startswith(k) or k.startswith(w[:5]) for k in words)]


def said(value, question: str) -> bool:
    """Whether a tool argument is in a (lower-cased) question: as written, or, for an identifier
    such as a time zone or a code path ("Europe/London", "America/New_York"), its last part in a
    person's words ("London", "New York"). A person names the city, not the database key; the
    second derivation (:func:`.tools.decode_back`: the question must decode back into the very same
    arguments) is what proves the looser wording still means the call."""
    text = str(value).lower()
    if mentioned(text, question):  # as written, or as people write it ("8:15 PM" for 20:15)
        return True
    last = as_said(text)
    return last != text and re.search(rf"\b{re.escape(last)}\b", question) is not None


def as_said(value) -> str:
    """How a person says a tool argument: an identifier's last part in words ("America/New_York"
    -> "New York"), any other value as it is. The wording request names the values this way, so
    the practised question says the city and its demonstration shows the step from the city to the
    key (the 1.5B, told to keep "America/New_York", kept it, and after practice passed "Chicago"
    to a tool that wants "America/Chicago")."""
    text = str(value)
    if not re.fullmatch(r"[A-Za-z][\w+-]*(?:/[\w+-]+)+", text):
        return text
    last = re.sub(r"[_-]+", " ", text.rsplit("/", 1)[-1]).strip()
    return last if len(last) >= 3 else text


def rephrase(backend, task: AutoTask) -> str | None:
    """The model's wording of ``task`` as a person would ask it (greedy, then one sample), or None
    (no wording that keeps every literal, or one that gives the answer away)."""
    request = request_of(task)
    if request is None:
        return None
    messages = [{"role": "system", "content": PHRASE_SYSTEM},
                {"role": "user", "content": f"{request}\nAnswer: {task.answer}\nThe person's question:"}]
    for temperature in PHRASE_SAMPLES:
        data = ask_json(backend, messages, _QUESTION, max_tokens=72, temperature=temperature, seed=1)
        question = _one_question(str((data or {}).get("question", "")))
        if question and question.endswith("?") and question != task.question and keeps_literals(task, question) \
                and not widens(question, request):
            return question
    return None


def _one_question(text: str) -> str:
    """The model's question on one line, ending with at most one "?" (the 1.5B often writes "??")."""
    return re.sub(r"\s*\?+$", "?", " ".join(text.split()))


# a scope the data cannot answer for: "How many penguins are there in the world?" for a table's row count
_WIDER = re.compile(r"\b(in the (whole )?world|worldwide|globally|on earth|of all time|ever (recorded|measured)|in history|"
                    r"in total across all|everywhere)\b", re.IGNORECASE)


def widens(question: str, request: str) -> bool:
    """Whether ``question`` claims a scope its request does not (the world, all time): a
    question with no value to keep passes the literal check, so the scope is checked here."""
    return any(not re.search(re.escape(m.group()), request, re.IGNORECASE) for m in _WIDER.finditer(question))


def paraphrases(backend, task: AutoTask, question: str) -> list[str]:
    """Up to three more keys for an admitted experience: ``question`` reworded in the styles of
    :data:`KEY_STYLES`, one generation; each kept only when every literal of the task's call
    survives in it and the answer does not (:func:`keeps_literals`). Recall matches the
    experience by its best key (:mod:`seer_cli.pool.masking`), so a person who words the same
    request differently still finds it."""
    data = ask_json(backend, [{"role": "system", "content": KEYS_SYSTEM},
                                    {"role": "user", "content": f"Question: {question}"}], _KEYS, max_tokens=160)
    keys: list[str] = []
    for style in KEY_STYLES:
        text = _one_question(str((data or {}).get(style, "")))
        if text and not text.endswith("?"):
            text += "?"
        if len(text) > 8 and text not in keys and text.lower() != question.lower() and keeps_literals(task, text) \
                and _on_topic(text, question):
            keys.append(text)
    return keys


def _on_topic(key: str, question: str) -> bool:
    """A key of three words or more sharing a word with the question (its first four letters):
    "Data analyst?" for "What is the lowest high?" keeps no value to check and names nothing asked."""
    words = re.findall(r"[a-z]{4,}", key.lower())
    stems = {w[:4] for w in re.findall(r"[a-z]{4,}", question.lower())} - {"what", "which", "when", "where", "does", "many", "much"}
    return len(key.split()) >= 3 and any(w[:4] in stems for w in words)


def schema_text(con, tables: list[str]) -> str:
    """One line per table: its SQL name and its columns with their types."""
    lines = []
    for name in tables:
        schema, _, bare = name.rpartition(".")
        cols = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name=? AND table_schema=? "
                           "ORDER BY ordinal_position", [bare, schema or "main"]).fetchall()
        lines.append(f"{name}(" + ", ".join(f"{c} {t}" for c, t in cols) + ")")
    return "\n".join(lines)


def solve_sql(backend, src, question: str, temperature: float = 0.0, seed: int = 0, system: str | None = None) -> str | None:
    """A second derivation of a table task's answer: the model writes a query from ``question``
    and the schema alone (no template, no gold), and it is executed in ``src`` (the toolkit's
    :class:`SqlTables`). ``system``: the prompt with the schema, when the caller made it already.
    The single value, or None."""
    from .tasks import format_value

    system = system or SQL_SYSTEM.format(schema=schema_text(src.con, list(src.tables)))
    data = ask_json(backend, [{"role": "system", "content": system},
                                    {"role": "user", "content": question}], _SQL, max_tokens=160, temperature=temperature, seed=seed)
    sql = str((data or {}).get("sql", "")).strip().rstrip(";")
    if not sql.lower().startswith(("select", "with")):
        return None
    try:
        rows = src.con.execute(sql).fetchmany(3)
    except Exception:  # noqa: BLE001 (a query that does not run derives nothing)
        return None
    if len(rows) != 1 or not rows[0]:
        return None
    return format_value(rows[0][0])


def second_derivation(backend, kit, task: AutoTask, question: str) -> str | None:
    """How ``question`` was shown to lead to ``task.answer`` without the generator's query:
    "sampled-sql" (a query from the question alone gives the same value), "chosen-query" (where
    no sampled query does: the model, shown the question, picks the executed query over variants
    that answer differently, :mod:`.query_choice`), "decoded-calls" (a sum of two calls: the
    question decodes back into both calls' arguments), "decoded-call" (the
    question decodes back into the same tool arguments), "retrieved" (Retrieve on the question
    shows the answer's passage); None when no derivation agrees."""
    from ..answers import value_match

    if task.kind == "data":
        src = kit.sql_tables()
        if src is None:
            return None
        system = SQL_SYSTEM.format(schema=schema_text(src.con, list(src.tables)))  # read once for every sample
        for i, temperature in enumerate(SAMPLES):
            value = solve_sql(backend, src, question, temperature, seed=i, system=system)
            if value is not None and value_match(value, task.answer):
                return "sampled-sql"
        from .query_choice import chosen

        if question != task.question and new_words(task, question):
            return None  # the filled-back query vouches only for what it holds: the template wording may still be derived
        return "chosen-query" if chosen(backend, src.con, task, question) else None
    if task.kind == "tools":
        from .tools import decode_back, same_args

        tool = kit.tool_map().get(task.calls[-1].tool)
        decoded = decode_back(backend, tool, question) if tool is not None else None
        return "decoded-call" if decoded is not None and same_args(decoded, task.calls[-1].args) else None
    if task.kind == "compose":  # two calls of one tool added: both must decode back, in either order
        from .tools import decode_two, same_args

        first, second = task.calls[0], task.calls[1]
        tool = kit.tool_map().get(first.tool)
        pair = decode_two(backend, tool, question) if tool is not None else None
        if pair is None:
            return None
        a, b = pair
        straight = same_args(a, first.args) and same_args(b, second.args)
        return "decoded-calls" if straight or (same_args(a, second.args) and same_args(b, first.args)) else None
    if task.kind == "docs":
        try:
            obs = kit.call("Retrieve", {"query": question})
        except Exception:  # noqa: BLE001
            return None
        from .docs import shows_answer

        return "retrieved" if shows_answer(obs, task.answer, short_ok=task.generator != "docs.proposed") else None
    return None
