"""Document tasks the model proposes: what a reader would look up in a passage, checked twice.

Why: the template generator (:mod:`.docs`) turns a sentence into a question only where the
sentence has a shape a rule can rewrite (a number with a unit, a time, a name after a copula), and
technical prose rarely has it: on four real documents it found one task, and none that asked for
an option, a path or a default, which is what readers of manuals ask. So, where a model is at hand
(``seer practice --auto`` with ``--tries`` > 0, or a ``--proposer-model``), it reads a passage and
proposes one question a reader would ask and its answer, a short phrase copied from the passage
(Self-Challenging's proposer, arXiv 2506.01716). Nothing is taken on its word:

1. the answer must be in the passage, word for word, short, and not in the question; not a
   section number, not a heading, not a word that says nothing (:func:`acceptable`);
2. a second derivation from the question alone must reach it: ``Retrieve`` on the question puts
   the passage's document and the answer in its top 3 (the plan the task teaches works).

Passages are taken in turn from every document (a seeded shuffle), at most :data:`MAX_PROPOSALS`
model calls a run: one short generation each.
"""

from __future__ import annotations

import random
import re
from typing import Iterator

from ..pool.records import normalise_text
from .asking import ask_json
from ..toolkits.chunks import cites
from .docs import shows_answer
from .tasks import AutoTask, Call, interleave

MAX_PROPOSALS = 12  # model calls a run, at most (each reads one passage: seconds on 2 cores)
MAX_PASSAGE_WORDS = 220
MAX_ANSWER_WORDS = 8
PROPOSE_SYSTEM = (
    "You read a passage of a user's document and write one question a reader of that document would "
    "really ask, which this passage answers, and its answer. The answer is a short phrase copied exactly "
    "from the passage (a number with its unit, a name, an option, a file or path, a value, a default), "
    "not a sentence. The question is in the reader's own words, names what it is about, and does not "
    "contain the answer. Never ask about section numbers, headings, or what a word means."
)
_PROPOSAL = {"type": "object",
             "properties": {"question": {"type": "string", "maxLength": 200}, "answer": {"type": "string", "maxLength": 80}},
             "required": ["question", "answer"], "additionalProperties": False}
_SAYS_NOTHING = {"yes", "no", "true", "false", "none", "null", "n/a", "it", "this", "that", "the", "a", "an", "and", "or",
                 "see above", "see below", "above", "below", "default", "the default"}

# a question asking for an amount, whose answer must hold a number
_ASKS_AMOUNT = re.compile(r"\bhow (many|much|long|far|old|often)\b|\bwhat (percentage|percent)\b|\bwhat is the (\w+ )?(time|size|number|"
                          r"length|amount|interval|delay|timeout|duration|count|age)\b")


def acceptable(question: str, answer: str, passage: str, headings: tuple[str, ...] = ()) -> bool:
    """The proposal names something a reader asks and the passage states: a short answer copied
    from the passage, not in the question, not a section number, a heading or an empty word."""
    q, a = normalise_text(question), normalise_text(answer).strip(" .,:;\"'`")
    if not q.endswith("?") or len(q.split()) < 4 or not a or len(a.split()) > MAX_ANSWER_WORDS:
        return False
    if a in _SAYS_NOTHING or re.fullmatch(r"\d+(\.\d+)+\.?|[ivxlc]+\.?|§.*", a):  # "3.2", "iv": section numbers
        return False
    if a not in normalise_text(passage) or a in q:
        return False
    if any(a == normalise_text(h) for h in headings):
        return False
    if _ASKS_AMOUNT.search(q) and not re.search(r"\d", a):  # "What is the maximum time to store entries ...?" -> "MaxFileSec"
        return False
    # "What is the name of the software mentioned in the passage?": a reader has no passage, only the question
    return not re.search(r"\b(section|chapter|heading)\s+(number|title)\b|what does .* (mean|stand for)"
                         r"|\b(the|this) (passage|text|excerpt|paragraph)\b|\bmentioned\b", q)


def _passages(kit, rng: random.Random) -> list:
    per_doc: dict[str, list] = {}
    for c in kit.chunks():
        words = c.text.split()
        if 25 <= len(words):
            per_doc.setdefault(c.file, []).append(c)
    groups = list(per_doc.values())
    for g in groups:
        rng.shuffle(g)
    rng.shuffle(groups)
    return interleave(groups)


def propose(backend, passage) -> tuple[str, str] | None:
    """One (question, answer) the model proposes for ``passage`` (a :class:`~seer_cli.toolkits.chunks.Chunk`), or None."""
    text = " ".join(passage.text.split()[:MAX_PASSAGE_WORDS])
    where = passage.citation()
    data = ask_json(backend, [{"role": "system", "content": PROPOSE_SYSTEM},
                              {"role": "user", "content": f"Passage {where}:\n{text}\n\nThe reader's question and its answer:"}],
                    _PROPOSAL, max_tokens=96)
    if data is None:  # unparsable or a backend hiccup: no task from this passage
        return None
    question, answer = " ".join(str(data.get("question", "")).split()), " ".join(str(data.get("answer", "")).split())
    answer = answer.strip(" .,:;\"'`")
    if not acceptable(question, answer, text, passage.headings):
        return None
    as_written = re.search(r"\s+".join(map(re.escape, answer.split())), text, re.IGNORECASE)  # the passage's own casing
    return (question, as_written.group() if as_written else answer)


def generate(kit, rng: random.Random, backend, *, budget: int = MAX_PROPOSALS) -> Iterator[AutoTask]:
    """Retrieve-then-answer tasks the model proposes from the toolkit's passages, each checked by
    a real Retrieve on its question (see the module docstring)."""
    if backend is None or kit.docs is None or budget <= 0:
        return
    calls = 0
    for passage in _passages(kit, rng):
        if calls >= budget:
            return
        calls += 1
        proposal = propose(backend, passage)
        if proposal is None:
            continue
        question, answer = proposal
        try:
            obs = kit.call("Retrieve", {"query": question})
        except Exception:  # noqa: BLE001 (no index, empty documents: nothing to practise here)
            return
        if not shows_answer(obs, answer) or not cites(obs, passage.file):
            continue  # the question does not lead back to the passage: the plan would not work
        yield AutoTask("docs", "docs.proposed", question, answer,
                       (Call("Retrieve", {"query": question}, "Use Retrieve to search the documents for the passage that answers this."),),
                       "docs", {"doc": passage.file, "op": "proposed", "sentence": " ".join(passage.text.split()[:60])})
