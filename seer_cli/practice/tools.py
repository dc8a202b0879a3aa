"""Practice tasks from a user's own tools (``--tools`` file, ``--mcp`` servers).

Why: on day one the 0.5B computes with Calculate and invented rates instead of calling the
user's tool. A task made by calling the tool teaches the plan *call the user's tool with the
question's values*. Arguments are sampled from the signature: numbers in a plausible range
(integers and one-decimal values), strings and enums from the values the schema or the docstring
offers ("zone A, B or C", "tier bronze, silver or gold"). The tool is called for the gold; the
question is phrased from the docstring with the values put in place of the parameter names and
option lists. It is kept only if decoding the question back into a call (one model call
constrained to the tool's argument schema) gives the same arguments, so the question really
says what the call did.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path
from typing import AbstractSet, Any, Iterator

from .asking import ask_json
from .tasks import AutoTask, Call, format_value, readable
from .tool_replies import call_with_timeout, reply_strings, single_value, structured_gold

_OPTIONS = re.compile(r"\b(\w[\w-]*(?:, \w[\w-]*)*,? (?:or|and) \w[\w-]*)\b")
_GLUE = {"in", "of", "for", "to", "at", "on", "with", "from", "by", "and", "or", "per", "a", "an", "the"}


_EXAMPLES = re.compile(r"(?:e\.g\.|for example|for instance|such as|like)[,:]?\s*((?:['\"][^'\"]{1,60}['\"](?:\s*,\s*|\s+or\s+|\s*,\s*or\s+)?)+)",
                       re.IGNORECASE)
_QUOTED = re.compile(r"['\"]([^'\"]{1,60})['\"]")
# formats an argument's description names, and a value drawn for each
_FORMATS = (
    (re.compile(r"\bHH:MM(:SS)?\b"), lambda rng, m: f"{rng.randint(6, 21):02d}:{rng.choice([0, 15, 30, 45]):02d}" + (":00" if m.group(1) else "")),
    (re.compile(r"\bYYYY-MM-DD\b", re.IGNORECASE), lambda rng, m: f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"),
)


def examples_of(schema: dict, description: str = "") -> list[str]:
    """Values an argument's own description offers by example: "(e.g., 'America/New_York',
    'Europe/London')" gives both; the schema's ``examples`` and ``default`` count too."""
    found = [str(v) for v in schema.get("examples", []) if isinstance(v, (str, int, float))]
    if isinstance(schema.get("default"), str) and schema["default"]:
        found.append(schema["default"])
    for m in _EXAMPLES.finditer(schema.get("description", "") or ""):
        found += _QUOTED.findall(m.group(1))
    return list(dict.fromkeys(v for v in found if v.strip()))


_EXPRESSION = re.compile(r"^(expression|expr|formula|equation|math|calculation)s?$|(^|_)(expression|formula)($|_)", re.IGNORECASE)


def expression(rng: random.Random) -> str:
    """An arithmetic expression a person asks a calculator: two or three whole numbers, one
    operator each ("23 * 17", "(45 + 12) / 3", "1250 - 380 + 45")."""
    a, b, c = rng.randint(2, 99), rng.randint(2, 99), rng.randint(2, 9)
    shape = rng.randrange(4)
    if shape == 0:
        return f"{a} * {b}"
    if shape == 1:
        return f"({a} + {b}) / {c}"
    if shape == 2:
        return f"{a * 25} - {b * 4} + {c}"
    return f"{a} * {c} - {b}"


def format_value_of(schema: dict, rng: random.Random, name: str = "") -> str | None:
    """A value in the format the argument's description names ("HH:MM", "YYYY-MM-DD"), an
    arithmetic expression for an argument named one (mcp-server-calculator's
    ``calculate(expression)``), or None."""
    if _EXPRESSION.search(name) and schema.get("type", "string") == "string":
        return expression(rng)
    text = schema.get("description", "") or ""
    if schema.get("format") == "date":
        text += " YYYY-MM-DD"
    for pattern, draw in _FORMATS:
        m = pattern.search(text)
        if m:
            return draw(rng, m)
    return None


def options_of(name: str, schema: dict, description: str) -> list[str]:
    """The values a string argument may take: its enum, else the examples its description gives
    ("e.g., 'A', 'B'"), else a list near its name in the docstring ("zone A, B or C"), else []."""
    if schema.get("enum"):
        return [str(v) for v in schema["enum"]]
    examples = examples_of(schema, description)
    if examples:
        return examples
    own = (schema.get("description", "") or "").strip()
    for m in _OPTIONS.finditer(own):  # the argument's description is the list itself: "low, normal or high."
        items = _listed(m.group(1))
        if 2 <= len(items) <= 12 and len((own[:m.start()] + own[m.end():]).strip(" .:;-").split()) <= 3:
            return items
    text = description + " " + own
    words = readable(name).split()
    for m in _OPTIONS.finditer(text):
        items = _listed(m.group(1))
        if len(items) < 2 or len(items) > 12:
            continue
        before = text[max(0, m.start() - 40):m.start()].lower()
        if any(w in before for w in words) or len(set(map(len, items))) <= 2:
            return items
    return []


def _listed(text: str) -> list[str]:
    """The items of "A, B or C" (an :data:`_OPTIONS` match)."""
    return [x.strip() for x in re.split(r",\s*|\s+(?:or|and)\s+", text) if x.strip()]


def sample_args(tool, rng: random.Random, refused: AbstractSet[str] = frozenset(),
                returned: list[tuple[str, str, str]] | None = None) -> dict[str, Any] | None:
    """One set of arguments for ``tool``, or None when a string argument offers no values;
    ``refused``: values the tool already rejected (a description's example can be wrong);
    ``returned``: (tool, key, text) seen in other tools' replies, for an argument whose schema and
    docstring offer nothing (:func:`fed_values`)."""
    args: dict[str, Any] = {}
    props = tool.parameters.get("properties", {})
    required = set(tool.parameters.get("required", props))
    for name, schema in props.items():
        typ = schema.get("type")
        if typ == "integer":
            args[name] = _integer(rng, schema)
        elif typ == "number":
            args[name] = _number_arg(rng, schema)
        elif typ == "boolean":
            args[name] = rng.random() < 0.5
        elif typ == "string" or typ is None:
            formatted = format_value_of(schema, rng, name)
            opts = [formatted] if formatted else [o for o in options_of(name, schema, tool.description) if o not in refused]
            opts = opts or [o for o in fed_values(name, returned or []) if o not in refused]
            opts = opts or [o for o in given_paths(name, getattr(tool, "given", ())) if o not in refused]
            if name not in required:
                continue  # optional text: the server's default (git_log's "start_timestamp" drawn from its examples read "2 weeks ago" to "Jan 15 2024")
            if not opts:
                return None
            args[name] = rng.choice(opts)
        elif name not in required:
            continue  # an optional list or object: its default
        else:
            return None
    return args


_PATH_ARG = re.compile(r"(^|_)(path|dir|directory|folder|repo|repository|root|file|filename)s?($|_)", re.IGNORECASE)


def given_paths(name: str, given: tuple[str, ...]) -> list[str]:
    """For an argument named like a path (``repo_path``, ``directory``, ``file``), the paths the
    user gave the tool's server on its command line (``--repository /srv/app``): the reference git
    server's tools take ``repo_path`` with no example, and the one repository it was started on is
    the value a person means. Folders for a folder's name, files for a file's, either for a path."""
    if not _PATH_ARG.search(name):
        return []
    wants_dir = re.search(r"dir|folder|repo|root", name, re.IGNORECASE) is not None
    wants_file = re.search(r"file", name, re.IGNORECASE) is not None
    paths = list(given)
    if not wants_dir:  # a folder the server serves: the files in it are what a person asks about
        paths += [str(f) for d in given if os.path.isdir(d) for f in sorted(Path(d).iterdir())[:MAX_GIVEN_FILES]
                  if f.is_file() and not f.name.startswith(".")]
    return [p for p in paths if not (wants_dir and not os.path.isdir(p)) and not (wants_file and not os.path.isfile(p))]


MAX_GIVEN_FILES = 20  # files of a served folder offered to a path argument


def fed_values(name: str, returned: list[tuple[str, str, str]]) -> list[str]:
    """Values another tool returned that argument ``name`` may take: a field of the same name, or
    a field named by one word of it from a tool named by another ("table_name" takes the ``name``
    of each row ``list_tables`` returned). A call that answers without error is then the check."""
    words = [w for w in re.split(r"[_\W]+", name.lower()) if w]
    out = []
    for producer, key, value in returned:
        k = key.lower()
        others = [w.rstrip("s") for w in words if w != k and len(w) >= 3]
        if k == name.lower() or (k in words and any(w in producer.lower() for w in others)):
            out.append(value)
    return list(dict.fromkeys(out))


def _integer(rng: random.Random, schema: dict) -> int:
    """Mostly small counts, sometimes larger ones, within the schema's bounds when it has them."""
    lo, hi = int(schema.get("minimum", 1)), int(schema.get("maximum", 10 ** 9))
    value = rng.randint(1, 10) if rng.random() < 0.6 else rng.randint(11, 300)
    return min(max(value, lo), hi)


def _number_arg(rng: random.Random, schema: dict) -> float | int:
    """A whole number or one decimal, mostly small, within the schema's bounds when it has them."""
    lo, hi = float(schema.get("minimum", 0.5)), float(schema.get("maximum", 1e9))
    r = rng.random()
    value: float | int = rng.randint(1, 20) if r < 0.4 else round(rng.uniform(0.5, 30), 1) if r < 0.75 else round(rng.uniform(30, 500), 1)
    value = min(max(value, lo), hi)
    return int(value) if float(value).is_integer() else value


def _mention(text: str, name: str) -> tuple[re.Match, str] | None:
    """Where the docstring names parameter ``name`` (with the word that named it): by its name, else
    by its first part ("timezone" for ``timezone_name``, when the docstring says only that), with a
    "a specific"/"the given" before it, which the value replaces ("in a specific timezone" ->
    "in Europe/London timezone")."""
    head = name.split("_", 1)[0]
    for word in (name, head) if head != name and len(head) >= 4 else (name,):
        m = re.search(rf"(?:\b(?:a|an|the) (?:given|specific|particular) |\b(?:given|specific) )?\b{re.escape(word)}\b(?P<next> \w+)?",
                      text)
        if m:
            return m, word
    return None


def phrase(tool, args: dict[str, Any]) -> str:
    """The docstring's first sentence with the arguments in place: parameter names become their
    values, option lists become the chosen option; arguments it never names are added as ``with``."""
    text = re.split(r"(?<=[.!?])\s", tool.description.strip(), maxsplit=1)[0].rstrip(".!? ")
    missing = []
    for name, value in args.items():
        if isinstance(value, bool):  # never "None member": a flag is said as yes or no
            either = re.search(rf"\b((?:a |an )?){re.escape(readable(name))} or not\b", text)
            if either:  # "for a member or not" -> "for a member" / "for a non-member"
                said = f"{either.group(1)}{readable(name)}" if value else f"{'a ' if either.group(1) else ''}non-{readable(name)}"
                text = text[:either.start()] + said + text[either.end():]
            else:
                missing.append(f"{readable(name)} {'yes' if value else 'no'}")
            continue
        v = format_value(value) if not isinstance(value, str) else value
        replaced = False
        if isinstance(value, str):
            for m in _OPTIONS.finditer(text):
                items = [x.strip() for x in re.split(r",\s*|\s+(?:or|and)\s+", m.group(1))]
                if value in items:
                    text = text[:m.start()] + value + text[m.end():]
                    replaced = True
                    break
        found = None if replaced else _mention(text, name)
        if found:
            m, word = found
            # "weight_kg kilograms" -> "4 kilograms"; "the given nights in a room" -> "6 nights in a room"
            unit_follows = m.group("next") and m.group("next").strip() not in _GLUE
            said = str(v) if unit_follows or _EXPRESSION.search(name) else f"{v} {readable(word)}"  # "12 * 7", not "12 * 7 expression"
            text = text[:m.start()] + said + (m.group("next") or "") + text[m.end():]
            replaced = True
        if not replaced:
            missing.append(f"{readable(name)} {v}")
    text = text[0].lower() + text[1:] if text else readable(tool.name)
    text = re.sub(r"^(a|an) ", "", text) if text.split(" ", 1)[0] in ("a", "an") and len(text.split()) > 3 else text
    if missing:
        text += " with " + " and ".join(missing)
    return text


# a docstring that starts with one of these asks for something to be done ("Convert a mass ..."):
# its question is a request, not "What is the convert ..."
_IMPERATIVE = {"get", "convert", "calculate", "compute", "return", "returns", "find", "look", "list", "fetch", "count", "estimate",
               "check", "translate", "format", "search", "give", "show", "make", "create", "generate", "add", "sum", "parse",
               "lookup", "determine", "tell", "work", "figure", "predict", "quote", "price", "book", "schedule",
               "retrieve", "read", "describe", "display", "query", "obtain"}


def question_of(tool, args: dict[str, Any], field: str | None = None) -> str:
    """The docstring's request with the values in place, as a question; ``field`` (a key of a
    structured result) says which part of the result is asked for."""
    text = _request(tool, args)
    first = text.lower().split(" ", 1)[0]
    # "Price of a ride ...", "Price in euros of ..." name a thing: "What is the price of ..."
    if _asks(text):
        text = text.split(" ", 1)[1] if first in ("returns", "return") and " " in text else text
        ask = f"Can you {text}?" if first not in ("returns", "return") else f"What is {text}?"
    else:
        ask = f"What is the {text}?"
    words = re.sub(r"\b(\w+) \1\b", r"\1", readable(field.replace(".", " ")), flags=re.IGNORECASE) if field else ""
    return f"{ask[:-1]}: what is the {words.lower()}?" if field else ask  # "Date.date": "the date"


def _request(tool, args: dict[str, Any]) -> str:
    """:func:`phrase`, its verb as an order: "Calculates/evaluates the given expression." asks to
    "calculate 12 * 7"."""
    text = phrase(tool, args)
    first = text.split(" ", 1)[0].lower()
    verb = first.split("/", 1)[0]
    verb = verb[:-1] if verb.endswith("s") and verb[:-1] in _IMPERATIVE else verb
    return verb + text[len(first):] if verb != first and verb in _IMPERATIVE else text


def _asks(text: str) -> bool:
    """Whether a request starts with an order ("convert ...", not "price of a ride ...")."""
    first, *rest = text.lower().split(" ", 2)
    return first in _IMPERATIVE and not (rest and rest[0] in ("of", "in", "for", "per", "at", "to", "from", "on"))


def same_args(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if set(a) != set(b):
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, str) or isinstance(y, str):
            if str(x).strip().lower() != str(y).strip().lower():
                return False
        else:
            try:
                if abs(float(x) - float(y)) > 1e-9:
                    return False
            except (TypeError, ValueError):
                return False
    return True


def _args_schema(tool) -> dict[str, Any]:
    """A JSON object of every argument of ``tool``, all required: one call's arguments."""
    props = tool.parameters.get("properties", {})
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def decode_back(backend, tool, question: str) -> dict[str, Any] | None:
    """The arguments the model reads off ``question`` for ``tool`` (one call constrained to the
    tool's argument schema, greedy), or None when it writes something unparsable."""
    return ask_json(backend, [
        {"role": "system", "content": f"Tool: {tool.signature_text()} - {tool.description}\n"
                                      "Write the JSON arguments of one call of this tool that answers the question."},
        {"role": "user", "content": question},
    ], _args_schema(tool), max_tokens=96)


def decode_two(backend, tool, question: str) -> list[dict[str, Any]] | None:
    """The two sets of arguments the model reads off a question that asks for two calls of
    ``tool`` (one call constrained to a pair of the tool's argument objects, greedy), or None."""
    one = _args_schema(tool)
    d = ask_json(backend, [
        {"role": "system", "content": f"Tool: {tool.signature_text()} - {tool.description}\n"
                                      "The question needs two calls of this tool. Write the JSON arguments of each."},
        {"role": "user", "content": question},
    ], {"type": "object", "properties": {"first": one, "second": one}, "required": ["first", "second"],
        "additionalProperties": False}, max_tokens=160)
    first, second = (d or {}).get("first"), (d or {}).get("second")
    return [first, second] if isinstance(first, dict) and isinstance(second, dict) else None


def generate(kit, rng: random.Random, backend=None, *, per_tool: int = 6, on_warning=None) -> Iterator[AutoTask]:
    """Tool-call tasks for each of the user's tools (``kit.user_tools``), plus compositions of two
    calls added with Calculate. With ``backend``, each question must decode back to its arguments."""
    moving: dict[str, set[str]] = {}  # per tool, the reply fields seen to change between two calls (structured_gold)
    asked: dict[str, dict[str, int]] = {}  # per tool, the tasks each reply field had (structured_gold)
    returned: list[tuple[str, str, str]] = []  # (tool, key, text) of every reply: values for another tool's arguments
    # tools that need no value from another first (list_tables before describe_table)
    for t in sorted(kit.user_tools, key=lambda t: sample_args(t, random.Random(0)) is None):
        if t.may_change_things():  # practice calls a tool many times with values it made up: only tools that just read
            if on_warning:
                why = "its server marks it as not read-only" if t.read_only is False else "its name says it changes things"
                on_warning(f"{t.name}: {why}; not practised (practice calls only tools that read)")
            continue
        made, failures = 0, 0
        seen: list[dict[str, Any]] = []
        refused: set[str] = set()
        for _ in range(per_tool * 3):
            if made >= per_tool or failures >= 3:
                break
            args = sample_args(t, rng, refused, returned)
            if args is None:
                if on_warning:
                    on_warning(f"{t.name}: a text argument offers no values (no enum, no example, no 'A, B or C' in its "
                               "docstring, none returned by another tool); not practised")
                break
            if any(same_args(args, a) for a in seen):
                continue
            seen.append(args)
            try:
                raw = call_with_timeout(t, args)
                returned += [(t.name, k, v) for k, v in reply_strings(raw)]
                structured = structured_gold(t, args, rng, raw, moving, asked)
                one = single_value(raw) if not structured else None
                value, field, volatile = structured if structured else (format_value(_as_value(one)), None, False)
            except Exception as e:  # noqa: BLE001 (a tool that raises or hangs is skipped with a reason)
                named = {v for v in args.values() if isinstance(v, str) and v in str(e)}
                if named:  # the error names the value it refused ('No time zone found with key ...'): never draw it again
                    refused |= named
                    continue
                failures += 1
                if on_warning and failures == 3:
                    on_warning(f"{t.name}: {type(e).__name__}: {e}; skipped")
                continue
            if value is None:
                continue
            question = question_of(t, args, field)
            if backend is not None:
                decoded = decode_back(backend, t, question)
                if decoded is None or not same_args(decoded, args):
                    continue
            made += 1
            covers = {"tool": t.name, "op": "call", "description": t.description.split("\n", 1)[0][:160],
                      **({"field": field} if field else {}), **({"volatile": True} if volatile else {})}
            yield AutoTask("tools", "tools.call", question, value,
                           (Call(t.name, args, f"Call the tool {t.name} with the values from the question."),),
                           "other", covers)
            if made % 2 == 0 and field is None:
                task = _sum_of_two(t, args, value, rng)
                if task is not None:
                    yield task


def gold_of(tool, args: dict[str, Any]) -> str | None:
    """The tool's result for ``args`` as a gold (None: no single usable value); raises what the tool raises."""
    return format_value(_as_value(single_value(call_with_timeout(tool, args))))


def _sum_of_two(t, args: dict[str, Any], value: str, rng: random.Random) -> AutoTask | None:
    """Two calls of ``t`` added with Calculate, or None (no second set of arguments, a failing
    call, or a result that is not a number)."""
    from ..toolkits import calc

    other = sample_args(t, rng)
    if other is None or same_args(other, args):
        return None
    try:
        v2 = gold_of(t, other)
    except Exception:  # noqa: BLE001 (the second call failed: no composition)
        return None
    if v2 is None or not all(isinstance(_as_value(v), (int, float)) for v in (value, v2)):
        return None
    expression = f"{value} + {v2}"
    a, b = _request(t, args), _request(t, other)
    question = f"Can you {a} and {b}, and add the two results?" if _asks(a) else f"What is the {a} plus the {b}?"
    return AutoTask("compose", "compose.tool_sum", question,
                    calc.calculate(expression),
                    (Call(t.name, args, f"Call the tool {t.name} for the first case."),
                     Call(t.name, other, f"Call the tool {t.name} again for the second case."),
                     Call("Calculate", {"expression": expression}, "Add the two results with Calculate.")),
                    "other", {"tool": t.name, "op": "sum_of_two"})


def _as_value(value: Any) -> Any:
    """A tool result as a value: numbers kept, text that is one number parsed, other text kept."""
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            return value
    return value
