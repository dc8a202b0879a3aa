"""Practice tasks from a user's documents: a fact in a sentence becomes a question, answered by Retrieve.

Why: on day one the 0.5B answers document questions without calling Retrieve (invented numbers,
made-up names). A task made from a sentence that holds a number, an amount, a time, a date or a
name teaches the plan *Retrieve, then answer from the passage*, over the user's own documents.
The answer is the span itself, so the gold needs no model; the question is a plain rewrite of
the sentence (a "what is / how much" form where the sentence has that shape, else the sentence
asked in place: "... within how many hours ...?"). Never a blank to fill, never a section number,
a licence's boilerplate or a number with nothing after it to ask "how many" of
(:func:`states_a_fact`). A task is kept only when the span is not in the question and Retrieve on
the question returns the sentence's passage among its top 3, i.e. the plan works.
"""

from __future__ import annotations

import random
import re
from typing import Iterator

from ..toolkits.chunks import cites
from .tasks import AutoTask, Call, interleave

MAX_TASKS = 60  # document tasks offered at most (practice uses a share of --auto N)
MAX_CHECKS = 300  # Retrieve calls spent checking candidates, at most (each embeds the question)
_TIME = r"\d{1,2}:\d{2}"
# a number standing alone: not addr2, BLOCKSx512, ms=01;31, HTTP/3 or 1003.1-2001; "1,000" but not the comma after "1,"
_NUM = r"(?<![\w.=+~/-])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w.=;/-]|,\d)"
_DATE = r"\d{4}-\d{2}-\d{2}|\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}"
_NAME = r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b(?![-\u2010\w])"  # not the first half of "Fernandez-Sanguino"
SPANS = [("time", _TIME), ("date", _DATE), ("name", _NAME), ("number", _NUM)]
_COPULA = re.compile(r"^(?P<subj>.+?) (?P<verb>is|are|was|were|costs|cost) (?P<span>SPAN)(?P<rest>.*)$")
MIN_WORDS, MAX_WORDS = 6, 45


def sentences(text: str) -> list[str]:
    """Plain sentences of a Markdown or text document (headings, list markers and emphasis dropped)."""
    lines = []
    text = re.sub(r"(\w)[\u2010\u00ad\ufffe\uffff-]\s+(\w)", r"\1\2", text)  # hyphenation: "max‐ imum", a PDF's "im\ufffe proving"
    text = re.sub(r"(\w)[\u00ad\ufffe\uffff](\w)", r"\1\2", text)
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#") or s.startswith("|") or s.startswith("```"):
            lines.append("")
            continue
        lines.append(re.sub(r"^([-*+]|\d+\.)\s+", "", s).replace("**", "").replace("`", ""))
    out = []
    for para in " ".join(x if x else "\n" for x in lines).split("\n"):
        for sent in re.split(r"(?<=[.!?])\s+(?=[A-Z(])", " ".join(para.split())):
            sent = re.sub(r"^[A-Z][A-Z ]{3,}\s+(?=[A-Z][a-z])", "", sent)  # a manual page's heading run in: "EXIT STATUS Normally ..."
            if MIN_WORDS <= len(sent.split()) <= MAX_WORDS:
                out.append(sent.strip())
    return out


def spans(sentence: str) -> list[tuple[str, str]]:
    """(kind, text) of the facts in a sentence, first kind first; numbers inside times/dates skipped."""
    found: list[tuple[str, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in SPANS:
        for m in re.finditer(pattern, sentence):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            if kind == "number" and re.fullmatch(r"\d{4}", m.group()) is None and m.group() in ("1", "0"):
                continue
            taken.append((m.start(), m.end()))
            found.append((kind, m.group()))
    return found


def question_for(sentence: str, span: str, kind: str) -> str | None:
    """A question whose answer is ``span`` (see :func:`_question_for`), at most 30 words and free of
    identifiers in brackets or with underscores: None otherwise."""
    q = _question_for(sentence, span, kind)
    if q is None or len(q.split()) > 30 or "_" in q or "(" in q:
        return None
    return q


def _question_for(sentence: str, span: str, kind: str) -> str | None:
    """A question whose answer is ``span``: a wh-form where the sentence is ``X is/costs SPAN ...``,
    else the sentence asked in place; None when neither fits."""
    body = sentence.rstrip(".!? ")
    m = _COPULA.match(body.replace(span, "SPAN", 1)) if span in body else None
    if m and m.group("span") == "SPAN":
        subj = m.group("subj")
        if len(subj.split()) > 10 or re.search(r"\blet[’']s\b|\d+\.\d+|[:;]", subj, re.IGNORECASE):
            return None  # not a thing's name: a clause ("let's say this threshold"), or a heading run into the text
        if re.match(r"(if|when|unless|after|before|while|once)\b[^,]*$", subj, re.IGNORECASE):
            return None  # the value is a condition's ("If count is 0, old versions are removed" asked "What is if count ...?")
        cond = re.match(r"^((?:if|when|unless|after|before|for|in|on|with|under|at) [^,]+), (.+)$", subj, re.IGNORECASE)
        if cond:  # "If a warning occurs, exit status is 2." -> "What is the exit status if a warning occurs?"
            main, cond_words = cond.group(2), cond.group(1)  # "For RSA keys, the minimum size is 1024 bits" -> "... for RSA keys"
            subj = (main if main.split(" ", 1)[0] in ("the", "a", "an", "its", "their") else "the " + main) + " " \
                + cond_words[0].lower() + cond_words[1:]
        subj = subj[0].lower() + subj[1:] if not re.match(r"[A-Z][a-z]+ [A-Z]", subj) else subj
        rest = m.group("rest").replace("SPAN", span)
        rest = re.split(r"(?=,? (?:and|but|while|whereas) (?:the |a |an |its )?\w+ (?:is|are|was|were)\b)|[;,] ", rest, maxsplit=1)[0]
        rest = re.sub(r"^ (euros?|dollars?|usd|eur|€|\$|percent|%)\b", "", rest, flags=re.IGNORECASE)
        if m.group("verb") in ("costs", "cost"):
            return f"How much does {subj} cost{rest}?"
        if kind == "name":
            return f"Who is {subj}{rest}?"
        unit = _UNIT.match(rest) if kind == "number" else None
        if unit is not None:  # "The default timeout is 5 minutes." -> "How many minutes is the default timeout?", not "What is the default timeout minutes?"
            return f"How many {unit.group('unit')} is {subj}{rest[unit.end():]}?"
        return f"What is {subj}{rest}?"
    return _in_place(body, span, kind)


_UNIT = re.compile(r"\s+(?P<unit>[a-z]+s)\b")
_WH = {"time": "what time", "date": "what date"}


def _in_place(body: str, span: str, kind: str) -> str | None:
    """The sentence asked in place, as people ask to check a rule they half remember: "Tools
    must be returned within how many hours of borrowing them?"; None where no wh-word fits
    (a bare number with no unit after it: "section 3", "version 2")."""
    i = body.find(span)
    before, after = body[:i], body[i + len(span):]
    if kind == "number":
        unit = _UNIT.match(after)
        noun = re.search(r"\b(status|code|level|port|signal|mode|value|size|limit|number|version)\s+$", before)
        if unit is not None:
            wh, after = f"how many {unit.group('unit')}", after[unit.end():]
        elif noun is not None:  # "... exit with status 124" -> "... exit with what status?"
            before, wh = before[:noun.start()], f"what {noun.group(1)}"
            if re.search(r"\b(the|a|an)\s+$", before, re.IGNORECASE):
                return None  # "The number 5 ..." would become "The what number ..."
        else:
            return None
    elif kind == "name":
        role = re.search(r"\b(the [a-z][a-z ]{2,40}), $", before)
        if role and after.strip(" .") == "":  # "... kept by the secretary, Ingrid Solberg." -> "Who is the secretary?"
            return f"Who is {role.group(1)}?"
        wh = "who" if not before.strip() else "whom"
    else:
        wh = _WH[kind]
    question = f"{before}{wh}{after}".strip()
    if len(question.split()) > 30:  # a question nobody types
        return None
    return question[0].upper() + question[1:] + "?"


# sentences no reader looks a fact up in: licence and warranty boilerplate, copyright lines
_BOILERPLATE = re.compile(r"\b(copyright|licen[cs]e[ds]?|warrant(y|ies)|all rights reserved|liability|merchantability|"
                          r"hereby|herein|notwithstanding|pursuant|whereas|written by|report(ing)? bugs|free software|"
                          r"see also|full documentation|coreutils|rfc)\b|https?://|<[^>]*>", re.IGNORECASE)
# a manual page's heading run into its first sentence ("AUTHOR Written by ..."), or its footer
_HEADING_RUN_IN = re.compile(r"^[A-Z][A-Z ]{3,}\b(?=\s+[A-Z]?[a-z])|\b[A-Z]+\(\d\)")
_PERSON_CONTEXT = re.compile(r"(?<![\w-])(by|contact|ask|named|called|manager|secretary|owner|director|chair|head|lead|officer|"
                             r"coordinator|author|maintainer|is|are|was)( the [a-z][a-z ]*,)?\s*$", re.IGNORECASE)
_SECTION = re.compile(r"^\(?\d+(\.\d+)*\)?\.?$|^\d+(\.\d+)+$")


# a sentence whose subject is a word pointing elsewhere ("It was designed by ...", "After them, ..."):
# out of its paragraph, the question it makes names nothing
_ANAPHORA = re.compile(r"^(\w+ ){0,2}(it|its|they|them|their|this|these|those|he|she|his|her|here|there|such|the latter|"
                       r"the former|the above|the following)\b|^(for example|for instance|e\.g\.|i\.e\.|however|otherwise|"
                       r"also|thus|hence|similarly|likewise|in that case|in this case|then)\b", re.IGNORECASE)
# a manual page's option text starts at its verb, its subject being the option above it ("Defaults to 30 seconds
# and must not be smaller than 1 second." under ConnectionRetrySec= of timesyncd.conf(5))
_SUBJECTLESS = re.compile(r"^(defaults?|takes|specifies|sets|controls|configures|accepts|enables|disables|must|may|can|"
                          r"returns|selects|determines|applies|uses|causes|overrides|limits|"
                          # an option's text in the imperative (tail(1): "Print the last 10 lines of each FILE ...")
                          r"print|output|display|show|write|read|use|set|list|exit|follow|keep|skip|stop|start|run|make|"
                          r"send|allow|ignore|suppress|compress|decompress|sort|filter)\b", re.IGNORECASE)
# a sentence's subject that names no thing: "If unspecified, the option defaults to 60 seconds." under an option of
# curl(1) became "If unspecified, the option defaults to how many seconds?" (which option?)
_UNNAMED_SUBJECT = re.compile(r"\b(the|this|that) (option|setting|flag|switch|argument|parameter|directive)\b(?! (?:is|are) (?:named|called))",
                              re.IGNORECASE)
# the glue of an enumeration between two numbers: "010 for upper-case letters and 011 for lower-case"
_LIST_GLUE = re.compile(r"^\W*(?:\S+\W+){0,3}?(?:and|or|,)\W*(?:\S+\W+){0,2}?$")
# a number that is part of a name: after a capitalised word that does not start the sentence ("New Python
# 2 libraries must not be introduced" was asked "New Python how many libraries ...?"), or after a
# word that numbers parts of a document
_NAMED_NUMBER = re.compile(r"\b(?:section|chapter|step|page|figure|table|item|rule|article|paragraph|appendix|part|pep|rfc|no\.)\s+$",
                           re.IGNORECASE)
_NAMED_NUMBER_CASED = re.compile(r"\S\s+[A-Z][\w.+-]*\s+$")
_MONTHS = r"(January|February|March|April|May|June|July|August|September|October|November|December)"


def states_a_fact(sentence: str, span: str, kind: str) -> bool:
    """A sentence a reader would look a fact up in, and a span that is the fact: not boilerplate,
    not a section or list number, not the sentence's first word (a heading's number), not a
    sentence that leans on the one before it, not a year or a day of a date, and not a number
    after "the" ("after the how many days" asks nothing)."""
    if _ANAPHORA.match(sentence) or _SUBJECTLESS.match(sentence) or not re.match(r"[\"'“(]?[A-Z0-9]", sentence):
        return False  # a fragment, not a sentence: a manual page's option text ("pad with zeros, and put '+' before ...")
    if re.match(r"[B-HJ-Z]\s", sentence) or _UNNAMED_SUBJECT.search(sentence) or _term_run_in(sentence):
        return False  # a table row's one-letter tag run in ("S Stability. 0 is alpha, ..."), or "the option" with no name
    if kind == "number":
        i = sentence.find(span)
        before, after = sentence[:i], sentence[i + len(span):]
        if before.endswith(("<", ">", "=", "^", "~")):
            return False  # a comparison or a setting in symbols (">4 digits", "size=0"), not a fact in words
        if re.fullmatch(r"1[5-9]\d\d|20\d\d", span) or re.search(_MONTHS + r",?\s*$", before) \
                or re.match(r",?\s*" + _MONTHS, after) or re.search(r"\b(the|a|an|this|that)\s+$", before, re.IGNORECASE):
            return False
        if _NAMED_NUMBER.search(before) or _NAMED_NUMBER_CASED.search(before):
            return False  # "Python 2 libraries", "PEP 404 states": part of a name, not a count
        if re.match(r"\s*(,|and\b|or\b|to\b|-|–|—)\s*\d", after) or re.search(r"\d\s*(,|and|or|to|-|–|—)\s*$", before):
            return False  # one of a list or a range ("Metalink version 3 and 4 are supported", "2–4 times"), not the fact alone
        if re.search(r"\b(like|such as|e\.g\.,?|for example,?|say)\s+$", before, re.IGNORECASE):
            return False  # an example ("an odd number like 3 bytes"), not a fact
        if re.search(r"\b(a|the) (value|number|amount) of\s+$", before, re.IGNORECASE):
            return False  # "Wget will assume a value of 10 seconds": what the value is of, the option above, is not said
        if re.match(r"(if|when|unless|once|whenever)\b", sentence, re.IGNORECASE) and sentence.find(",") > i:
            return False  # the number is the condition's ("If curl is told to allow 10 requests per minute, it ..."), not the fact
        if _enumerated(sentence, i, i + len(span)):
            return False  # one of several numbers listed alike ("0 is alpha, 1 is beta, and 2 is stable"): asking one leaves the rest as clues
    if _BOILERPLATE.search(sentence) or _HEADING_RUN_IN.search(sentence) or sentence.rstrip().endswith(":") \
            or sentence.lstrip().startswith(("-", "(")) or re.search(r"(^|\s)--?\w", sentence):
        return False  # option lists of a manual page ("-b, --blocking-factor=BLOCKS ...") state no fact to look up in words
    if kind == "name" and not _PERSON_CONTEXT.search(sentence[:max(0, sentence.find(span))][-40:]):
        return False  # capitalised words that are a title or a heading ("Tar Manual", "Line Control"), not a person
    if kind == "number" and (_SECTION.match(span) and "." in span or sentence.lstrip("(").startswith(span)):
        return False
    return True


def _term_run_in(sentence: str) -> bool:
    """Whether the sentence starts with a definition list's term, run into its description by the
    reader: "SCP curl supports SSH version 2 scp transfers." (curl(1)'s protocols), an upper-case
    word before a lower-case one that the description names again."""
    m = re.match(r"([A-Z][A-Z0-9]{1,7}) (?=[a-z])", sentence)
    return m is not None and re.search(rf"\b{m.group(1)}\b", sentence[m.end():], re.IGNORECASE) is not None


def _enumerated(sentence: str, start: int, end: int) -> bool:
    """Whether the number at ``sentence[start:end]`` is one of a list: three or more numbers in the
    sentence, or another within four words of it joined by "and", "or" or a comma."""
    others = [m for m in re.finditer(_NUM, sentence) if m.start() != start]
    if len(others) >= 2:
        return True
    return any(_LIST_GLUE.match(sentence[end:m.start()] if m.start() > start else sentence[m.end():start]) for m in others)


def _gold(span: str, kind: str) -> str:
    return span.replace(",", "") if kind == "number" else span


def shows_answer(observation: str, answer: str, *, short_ok: bool = False) -> bool:
    """Whether a Retrieve observation shows ``answer`` as words of its own (case and spacing aside),
    and the answer is one a retrieval can vouch for: a single character ("0", "5") is in almost
    any passage (a model's proposal "What is the default rotation interval for weekly logs?" -> "0"
    was derived that way from logrotate(8)); ``short_ok`` where the question was made from the
    sentence that holds it (the template generator's "within how many hours" -> 4)."""
    words = " ".join(answer.split()).lower()
    if not words or (len(words) < 2 and not short_ok):
        return False
    text = " ".join(observation.split()).lower()
    return re.search(rf"(?<![\w.-]){re.escape(words)}(?![\w-])", text) is not None


def generate(kit, rng: random.Random) -> Iterator[AutoTask]:
    """Retrieve-then-answer tasks from the toolkit's documents, each checked by a real Retrieve.
    The documents are read by the toolkit's own readers (:meth:`GeneralToolkit.documents`), so a
    PDF, an HTML page or a Word file is practised as Retrieve will see it."""
    if kit.docs is None:
        return
    per_doc = []
    for doc in kit.documents():
        facts = [(doc.name, sent, kind, span) for sent in sentences("\n\n".join(b.text for b in doc.blocks))
                 for kind, span in spans(sent)]
        rng.shuffle(facts)
        per_doc.append(facts)
    rng.shuffle(per_doc)
    made = checks = 0
    for name, sent, kind, span in interleave(per_doc):  # every document gets its turn, the largest no more than others
        if made >= MAX_TASKS or checks >= MAX_CHECKS:
            return  # a 300-page folder holds thousands of candidate facts; a Retrieve each would take many minutes
        if not states_a_fact(sent, span, kind):
            continue
        question = question_for(sent, span, kind)
        if question is None or span.lower() in question.lower():
            continue
        checks += 1
        try:
            task = retrieved_task(kit, name, kind, question, span, sent, gold=_gold(span, kind))
        except LookupError:
            return
        if task is not None:
            made += 1
            yield task


def retrieved_task(kit, doc: str, op: str, question: str, answer: str, sentence: str, gold: str | None = None) -> AutoTask | None:
    """The Retrieve-then-answer task for ``question``, when Retrieve on it returns ``doc`` and shows
    ``answer`` among its passages (the plan the task teaches works); None when it does not;
    LookupError when the documents cannot be searched at all (no index, nothing readable)."""
    try:
        obs = kit.call("Retrieve", {"query": question})
    except Exception as e:  # noqa: BLE001 (no index, empty documents: nothing to practise here)
        raise LookupError(str(e)) from None
    if not shows_answer(obs, answer, short_ok=True) or not cites(obs, doc):
        return None
    return AutoTask("docs", f"docs.{op}", question, answer if gold is None else gold,
                    (Call("Retrieve", {"query": question}, "Use Retrieve to search the documents for the passage that answers this."),),
                    "docs", {"doc": doc, "op": op, "sentence": sentence})
