"""What a question asks for, read from its words: a count, a total, an average, a highest or
lowest, a percentage, a change; nothing of these for a plain look-up.

Why: self-practice admits experiences over the user's own files, and recall then brings them to
every question on those files, because they share the files' words. The 1.5B copies a
demonstration's plan: after practice it answered "How many days in 2014 got more than 10 mm of
precipitation?" with the MIN of the practised "What was the minimum precipitation in Seattle in
January 2012?" (cosine 0.83), and "What is the default minimum poll interval?" with the answer of a
practised "... must not be smaller than how many seconds?". A practised experience is shown only
to a question that asks for the same operations (recall's ``practised_demos``
setting, :mod:`.recall`), so a practised plan is copied only where it fits. The words are the same on both sides
(the user's question and the practised one), so the test is symmetric.
"""

from __future__ import annotations

import re

OPERATIONS = {
    "count": r"\bhow many\b|\bnumber of\b|\bcount\b",
    "total": r"\b(total|sum|altogether|combined)\b",
    "average": r"\b(average|mean|avg)\b",
    "highest": r"\b(highest|most|maximum|max|largest|biggest|greatest|peak|hottest|heaviest|longest|warmest|wettest|windiest"
               r"|latest|newest|most recent)\b",
    "lowest": r"\b(lowest|least|minimum|min|smallest|fewest|coldest|lightest|shortest|driest|earliest|oldest)\b",
    "percentage": r"\b(what|which) (percentage|percent|share|fraction|proportion)\b|\bpercent(age)?[- ]"
                  r"(change|increase|decrease|growth|gain|loss|drop|rise|fall)\b|\bin percent\b",
    "change": r"\b(change|changed|difference|increase|increased|decrease|decreased|grow|grew|growth|rise|rose|fall|fell"
              r"|drop|dropped|gain|gained)\b",
}
_COMPILED = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in OPERATIONS.items()}


def asks(question: str) -> frozenset[str]:
    """The operations ``question`` asks for (names of :data:`OPERATIONS`); empty for a look-up."""
    return frozenset(name for name, pattern in _COMPILED.items() if pattern.search(question))

