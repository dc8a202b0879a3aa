"""Practice tasks from a manual's entries: which option does something, and what a setting's default is.

Why: readers of a manual page or a configuration reference ask two things above all, "which option
makes grep count the matches?" and "what does AccuracySec= default to?", and the sentence rules of
:mod:`.docs` ask neither: an entry's text starts at its verb ("Filter the archive through xz(1).")
or says "Defaults to 1min." with the option named only in the entry's head, so those sentences
were refused as subjectless. Here the entry is read whole: its head (``-J, --xz``; ``--max-redirs
<num>``; ``AccuracySec=``) and its description. A description that starts with a verb becomes
"Which tar option filters the archive through xz?" (the gold the head's short form, or its one
long form), and a "Defaults to X" sentence becomes "What is the default of AccuracySec= in
systemd.timer?" (the gold X as written). Like every document task, one is kept only when Retrieve
on the question returns the entry's page and the answer among its top passages.
"""

from __future__ import annotations

import random
import re
from typing import Iterator

from .docs import retrieved_task
from .tasks import AutoTask, interleave

MAX_TASKS = 40
MAX_CHECKS = 120  # Retrieve calls spent checking candidates, at most

# an entry's head: options (-J, --xz, --max-redirs <num>, -a rounds) or settings (AccuracySec=, Type=), comma-separated
_DASHED = re.compile(r"(?P<opt>--?[A-Za-z0-9?][\w-]*)(?:\[=?[^\]]{1,30}\])?(?:[= ](?P<arg><[^>]{1,30}>|\[[^\]]{1,30}\]|[A-Z][A-Z_]{1,20}\b|[a-z]{2,12}(?= [A-Z][a-z]))?)?")
_SETTING = re.compile(r"(?P<opt>[A-Z][A-Za-z0-9]{2,40}=)")
_PROTOCOL_TAG = re.compile(r"^\((?:[A-Z0-9/ ]{2,30})\)\s+")  # curl(1)'s "(HTTPS)" after an option
# first words of a description that is no action of the option's own
_NOT_A_VERB = {"the", "a", "an", "this", "these", "if", "when", "for", "by", "in", "on", "with", "as", "same", "see", "note",
               "only", "deprecated", "equivalent", "synonym", "alias", "obsolete", "default", "it", "its", "all", "each", "any",
               "no", "one", "two", "takes", "accepts", "may", "can", "must", "should", "normally", "usually", "currently",
               "like", "unlike", "similar", "identical", "also", "otherwise", "since", "after", "before", "until", "instead",
               "maximum", "minimum", "number", "name", "path", "size", "time", "list", "amount", "value", "directory", "file"}
_OBJECT_STARTS = {"the", "a", "an", "whether", "which", "how", "what", "where", "if", "when", "to", "that", "this", "all", "any",
                  "its", "their", "one", "up"}
_SAYS_NO_VALUE = {"the", "a", "an", "this", "that", "unset", "empty", "to", "be", "use", "not", "is", "are", "when", "if", "as",
                  "for", "of", "in", "on", "from", "with", "by", "at", "and", "or", "it", "its", "their", "same"}
_DEFAULT = re.compile(r"(?:^|\.\s+)(?:It |This )?(?:[Dd]efaults? to|[Tt]he default is|[Dd]efault(?: value)?:|[Bb]y default,? (?:it is|this is)) "
                      r"\"?(?P<value>[\w./:+-]+(?: (?:seconds?|minutes?|hours?|days?|bytes|KiB|MiB|ms|s|min|h))?)\"?(?=[\s.,;)]|$)")


def entries(text: str) -> tuple[list[str], str] | None:
    """(the options an entry's head names, its description) of a paragraph that is a manual's entry, else None."""
    text = re.sub(r"(\w)[\u2010\u00ad]\s+(\w)", r"\1\2", " ".join(text.split()))  # "ab‐ stract" -> "abstract"
    opts: list[str] = []
    rest = text
    if m := _SETTING.match(rest):
        while m:
            opts.append(m.group("opt"))
            rest = rest[m.end():]
            m = _SETTING.match(rest[2:]) if rest.startswith(", ") else None
            if m:
                rest = rest[2:]
    else:
        while (m := _DASHED.match(rest)) is not None:
            opts.append(m.group("opt"))
            rest = rest[m.end():]
            if not rest.startswith(", "):
                break
            rest = rest[2:]
    rest = _PROTOCOL_TAG.sub("", rest.strip())
    if not opts or not re.match(r"[A-Z]", rest):
        return None
    return opts, rest


def _third_person(verb: str, after: str) -> str | None:
    """"Filter" -> "filters", "Match" -> "matches", "Copy" -> "copies"; an already third-person
    "Specifies" as it is when an object follows it ("Specifies the ..."; "Commands with their
    arguments" is a noun); None for a word that is no imperative ("Additional commands")."""
    v = verb.lower()
    if v in _NOT_A_VERB or not v.isalpha() or len(v) < 2 or v.endswith(("ly", "ing", "ed", "al", "ous", "ive", "ful")):
        return None
    if v.endswith("s") and not v.endswith("ss"):
        return v if after.lower() in _OBJECT_STARTS else None  # "Specifies the", "Configures whether"
    if v in ("be", "do", "go"):
        return {"be": "is", "do": "does", "go": "goes"}[v]
    if v == "have":
        return "has"
    if v.endswith(("s", "sh", "ch", "x", "z")):
        return v + "es"
    if v.endswith("y") and v[-2:-1] not in "aeiou":
        return v[:-1] + "ies"
    return v + "s"


def _program(doc_name: str) -> str:
    """The command or file a manual page describes, from its file name: "tar.1.txt" -> "tar",
    "systemd.timer.5.txt" -> "systemd.timer"."""
    stem = re.sub(r"\.(txt|md|html?)$", "", doc_name)
    return re.sub(r"\.\d\w*$", "", stem)


def which_option(opts: list[str], description: str, program: str) -> tuple[str, str] | None:
    """("Which tar option filters the archive through xz?", "-J") for the entry "-J, --xz Filter the
    archive through xz(1)."; None when the description does not start with a verb of its own, is
    too short or too long to ask, or the head names more than one long form and no short one."""
    first = re.split(r"(?<=[.!?])\s+", description, maxsplit=1)[0].rstrip(".!? ")
    first = " ".join(re.sub(r"\([^()]*\)", "", first).split())  # "xz(1)" -> "xz"; "(BREs, see below)" dropped
    words = first.split()
    if not 4 <= len(words) <= 16 or re.search(r"[:;]|\b(this option|see also|same as)\b|\b(i\.e|e\.g|etc)$", first, re.IGNORECASE):
        return None  # a list, a cross-reference, or a sentence cut at an abbreviation
    verb = _third_person(words[0], words[1])
    if verb is None:
        return None
    short = [o for o in opts if re.fullmatch(r"-[A-Za-z0-9?]", o)]
    longs = [o for o in opts if o.startswith("--") or o.endswith("=")]
    said = " ".join(words[1:])
    if len(short) == 1:
        question, answer = f"Which single-letter {program} option {verb} {said}?", short[0]
    elif not short and len(longs) == 1:
        question, answer = f"Which {program} {'setting' if longs[0].endswith('=') else 'option'} {verb} {said}?", longs[0]
    else:
        return None
    if any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", question) for o in opts):
        return None  # the answer in the question ("... generated using ssh-keygen -Y sign" for -Y)
    return question, answer


def default_of(opts: list[str], description: str, program: str) -> tuple[str, str] | None:
    """("What is the default of AccuracySec= in systemd.timer?", "1min") for an entry whose description
    says "Defaults to 1min."; None when it says no default, or more than one."""
    found = [m.group("value") for m in _DEFAULT.finditer(description)]
    if len(found) != 1 or found[0].lower() in _SAYS_NO_VALUE:
        return None
    name = next((o for o in opts if o.startswith("--") or o.endswith("=")), opts[0])
    return f"What is the default of {name} in {program}?", found[0].rstrip(".,;")


def generate(kit, rng: random.Random) -> Iterator[AutoTask]:
    """Which-option and default tasks from the entries of the toolkit's documents, each checked by a real Retrieve."""
    if kit.docs is None:
        return
    per_doc = []
    for doc in kit.documents():
        program = _program(doc.name)
        found = []
        for block in doc.blocks:
            entry = entries(block.text)
            if entry is None:
                continue
            opts, description = entry
            for made, op in ((which_option(opts, description, program), "option"), (default_of(opts, description, program), "default")):
                if made is not None:
                    found.append((doc.name, op, *made))
        rng.shuffle(found)
        per_doc.append(found)
    rng.shuffle(per_doc)
    made_n = checks = 0
    for name, op, question, answer in interleave(per_doc):
        if made_n >= MAX_TASKS or checks >= MAX_CHECKS:
            return
        checks += 1
        try:
            task = retrieved_task(kit, name, op, question, answer, question)
        except LookupError:
            return
        if task is not None:
            made_n += 1
            yield task
