"""A question with its values masked, and the keys an experience is recalled by.

Why: two questions of the same kind differ mostly in their values ("the low on 2014-12-25" and
"the low on 2015-03-01"; "female Chinstraps" and "male Gentoos"), and a sentence embedding weighs
those values as much as the words that say what is asked. DAIL-SQL (arXiv 2308.15363) masks
values and names before comparing questions; :func:`template_key` does the same here (dates,
numbers, tokens with digits or underscores, capitalised words after the first become slots), for
recall's masked similarity and for the evaluation's question templates alike.

An experience is recalled by its question and, when practice wrote them, by paraphrases of it in
a person's words (``success_details["keys"]``, Re-Invoke's synthetic queries, arXiv 2408.01875):
:func:`keys_of` lists them; recall takes the best.
"""

from __future__ import annotations

import re

from .records import Experience

MAX_KEYS = 4  # the question and up to three paraphrases

_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_NUMBER = re.compile(r"[-+]?\$?\d[\d,]*(?:\.\d+)?%?")


def template_key(question: str) -> str:
    """The question with its slots blanked: ``"what was the opening price of coffee on <DATE>?"``.

    Slots are dates, numbers, and tokens that carry digits, underscores or inner capitals
    (``Penn_Treebank``, ``CIFAR-10``), plus capitalised words after the first (names). What
    remains are the words that make the template.
    """
    text = _DATE.sub(" <DATE> ", question)
    out: list[str] = []
    for i, raw in enumerate(text.split()):
        tok = raw.strip(".,;:!?()\"'")
        if tok == "<DATE>":
            out.append("<DATE>")
        elif not tok:
            continue
        elif _NUMBER.fullmatch(tok) or any(c.isdigit() for c in tok) or "_" in tok:
            out.append("<X>")
        elif i > 0 and tok[0].isupper():
            out.append("<X>")
        else:
            out.append(tok.lower())
    collapsed: list[str] = []
    for tok in out:  # "New York City" is one slot, not three
        if tok == "<X>" and collapsed and collapsed[-1] == "<X>":
            continue
        collapsed.append(tok)
    return " ".join(collapsed)


def keys_of(exp: Experience) -> list[str]:
    """The texts ``exp`` is recalled by at step 1: its question, then its paraphrases (distinct,
    at most :data:`MAX_KEYS` in all)."""
    keys = [exp.question]
    extra = (exp.success_details or {}).get("keys") or []
    for k in extra if isinstance(extra, list) else []:
        if isinstance(k, str) and k.strip() and k not in keys:
            keys.append(k)
    return keys[:MAX_KEYS]
