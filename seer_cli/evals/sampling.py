"""Which benchmark questions a run uses: seeded, stratified samples and train/test splits.

Why this module exists: the first N questions of a ToolQA file are one template (the first 10
coffee-easy questions all ask for an opening price), so "the first N" measures one template and
flatters whatever copies it. A sample must be drawn from the whole file, spread over its
question templates, and anything that learns (practice, online pools) must be scored on
questions it never practised on.

* :func:`template_key` recovers a question's template: dates, numbers and named slots (words with
  digits, underscores or capitals past the first word) are blanked, the function words kept.
  Files of one-off questions (gsm8k) have as many templates as questions; :func:`strata` then
  falls back to one stratum (uniform sampling).
* :func:`split_train_test` splits each (split, domain) group, template by template, into a
  disjoint train and test part with a seeded shuffle: the same seed and fraction give the same
  split on every machine.
* :func:`stratified_sample` draws ``n`` questions of a group round-robin over its templates (in a
  seeded order), each template's questions in a seeded order: every template is represented
  before any appears twice.

All functions are pure and deterministic: ``random.Random`` seeded from the seed and the group's
name, never the global generator, and never ``hash()`` (salted per process).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict
from typing import Callable, Iterable, Sequence, TypeVar

from ..pool.masking import template_key  # one definition: recall masks questions the same way

T = TypeVar("T")

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|<[A-Z]+>|\S")
UNIFORM_BELOW = 3.0  # fewer than this many questions per template on average: sample uniformly


def _rng(seed: int, *names: str) -> random.Random:
    digest = hashlib.sha256(("\x1f".join([str(seed), *names])).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def strata(items: Sequence[T], text: Callable[[T], str]) -> dict[str, list[T]]:
    """Items grouped by template, in input order; one group ``"*"`` when templates are too
    fine to stratify on (fewer than :data:`UNIFORM_BELOW` questions per template on average)."""
    groups: dict[str, list[T]] = defaultdict(list)
    for it in items:
        groups[template_key(text(it))].append(it)
    if not items or len(items) / len(groups) < UNIFORM_BELOW:
        return {"*": list(items)}
    return dict(groups)


def _grouped(items: Iterable[T], group: Callable[[T], str]) -> dict[str, list[T]]:
    out: dict[str, list[T]] = defaultdict(list)
    for it in items:
        out[group(it)].append(it)
    return dict(out)


def split_train_test(
    items: Sequence[T],
    train_fraction: float,
    seed: int,
    *,
    group: Callable[[T], str],
    text: Callable[[T], str],
) -> tuple[list[T], list[T]]:
    """(train, test): per group (e.g. ``"easy/coffee"``) and per template, a seeded shuffle whose
    first ``round(fraction * size)`` items train. Disjoint; both keep the input order."""
    if not 0.0 <= train_fraction < 1.0:
        raise ValueError(f"train fraction must be in [0, 1), got {train_fraction}")
    train_ids: set[int] = set()
    for g, members in sorted(_grouped(items, group).items()):
        for key, qs in sorted(strata(members, text).items()):
            order = list(range(len(qs)))
            _rng(seed, "split", g, key).shuffle(order)
            n_train = round(train_fraction * len(qs))
            train_ids.update(id(qs[i]) for i in order[:n_train])
    train = [it for it in items if id(it) in train_ids]
    test = [it for it in items if id(it) not in train_ids]
    return train, test


def stratified_sample(
    items: Sequence[T],
    n: int,
    seed: int,
    *,
    group: Callable[[T], str],
    text: Callable[[T], str],
    salt: str = "sample",
) -> list[T]:
    """At most ``n`` items per group, round-robin over the group's templates (templates and the
    questions within each in a seeded order). Keeps the input order."""
    if n < 1:
        raise ValueError(f"sample size must be at least 1, got {n}")
    chosen: set[int] = set()
    for g, members in sorted(_grouped(items, group).items()):
        st = strata(members, text)
        keys = sorted(st)
        _rng(seed, salt, g).shuffle(keys)
        queues = []
        for key in keys:
            qs = list(st[key])
            _rng(seed, salt, g, key).shuffle(qs)
            queues.append(qs)
        picked = 0
        while picked < min(n, len(members)):
            for q in queues:
                if q and picked < n:
                    chosen.add(id(q.pop(0)))
                    picked += 1
    return [it for it in items if id(it) in chosen]
