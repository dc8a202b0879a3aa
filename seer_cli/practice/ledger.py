"""The coverage ledger: which tables, columns, operations, documents and tools the pool has
verified experience of.

Why: a generator left to chance practises the biggest table's favourite template thirty times.
The ledger is read from the pool itself (the ``covers`` each self-practice experience records),
so it can never disagree with what recall can find; the generator orders its tasks so that what
the pool lacks comes first, and ``seer pool stats`` shows it.
"""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from typing import Any, Iterable

from ..pool.asks import asks
from .examples import ORIGIN
from .tasks import AutoTask, interleave


class Ledger:
    """Counts of verified self-practice experiences per table, column, operation, document and tool."""

    def __init__(self) -> None:
        self.tables: Counter = Counter()
        self.columns: dict[str, Counter] = defaultdict(Counter)
        self.ops: Counter = Counter()
        self.docs: Counter = Counter()
        self.tools: Counter = Counter()
        self.tool_fields: Counter = Counter()  # (tool, the reply field asked for): a tool's kinds of answer
        self.made_by: Counter = Counter()
        self.cells: Counter = Counter()  # (table, document or tool; the operations its question asks): what recall fits
        self.files: set[str] = set()

    @classmethod
    def from_experiences(cls, experiences: Iterable) -> "Ledger":
        led = cls()
        for e in experiences:
            if e.origin == ORIGIN:
                d = e.success_details or {}
                led.add(d.get("covers", {}), d.get("made_by", "model"), d.get("template_question") or e.question)
                led.files.update(d.get("files", []))
        return led

    def add(self, covers: dict[str, Any], made_by: str = "model", question: str | None = None) -> None:
        self.made_by[made_by] += 1
        if question is not None:
            self.cells[_cell(covers, question)] += 1
        if "table" in covers:
            self.tables[covers["table"]] += 1
            for c in covers.get("columns", []):
                self.columns[covers["table"]][c] += 1
        if "doc" in covers:
            self.docs[covers["doc"]] += 1
        if "tool" in covers:
            self.tools[covers["tool"]] += 1
            self.tool_fields[(covers["tool"], covers.get("field"))] += 1
        if "op" in covers:
            self.ops[_kind(covers) + "." + covers["op"]] += 1

    def unseen(self, covers: dict[str, Any]) -> bool:
        """Whether the pool has no experience of the table or document ``covers`` names, or of the
        tool with the same reply field asked for. A tool counts once per field because its first
        demonstration teaches the form of its answer as much as its call: after the one
        ``convert_time`` demonstration (a time difference, "+14.0h"), the 1.5B called the tool right
        for "If it is 18:45 in Kolkata, what time is it in UTC?" and answered "-5.5h"."""
        if "tool" in covers:
            return self.tool_fields[(covers["tool"], covers.get("field"))] == 0
        for key, counts in (("table", self.tables), ("doc", self.docs)):
            if key in covers:
                return counts[covers[key]] == 0
        return False

    def gap(self, task: AutoTask) -> tuple[int, int, int, int]:
        """How new a task is (lower is newer), compared in order: times its table, document or
        tool was practised; times a question asking the same operations of it was (a count, an
        average, a look-up: :func:`~seer_cli.pool.asks.asks`); times its least covered column was;
        times its generator's operation was.

        The operations come second because recall shows a practised experience only to a question
        asking the same ones of the same inputs: in the fourth set's practice, 10 of 16 table tasks
        went to the one daily table, the two tables a row a year got averages of one column each,
        and the questions about them (a value in a year, the year of the highest rate, a count of
        years) had no practised experience that fitted.

        The table comes before its columns: with the least covered column first (as before), a
        task on a practised table with one new column tied with a task on a table never
        practised, and the real-files run spent all eight of its table tasks on penguins (the
        first table generated, with the most columns) and none on the other three."""
        c = task.covers
        thing, column = 0, 0
        if "table" in c:
            thing = self.tables[c["table"]]
            column = min((self.columns[c["table"]][col] for col in c.get("columns", [])), default=0)
        elif "doc" in c:
            thing = self.docs[c["doc"]]
        elif "tool" in c:
            thing = self.tools[c["tool"]]
        op = self.ops[_kind(c) + "." + c["op"]] if "op" in c else 0
        return (thing, self.cells[_cell(c, task.question)], column, op)

    def total(self) -> int:
        return sum(self.made_by.values())

    def to_dict(self) -> dict[str, Any]:
        return {"experiences": self.total(), "made_by": dict(self.made_by), "tables": dict(self.tables),
                "columns": {t: dict(c) for t, c in self.columns.items()}, "operations": dict(self.ops),
                "documents": dict(self.docs), "tools": dict(self.tools)}


def _cell(covers: dict[str, Any], question: str) -> tuple[str, str, frozenset[str]]:
    """What recall matches a practised experience on: its table, document or tool, and the
    operations its question asks."""
    thing = covers.get("table") or covers.get("doc") or covers.get("tool") or ""  # in _kind's order
    return _kind(covers), str(thing), asks(question)


def _kind(covers: dict[str, Any]) -> str:
    return "table" if "table" in covers else "docs" if "doc" in covers else "tools" if "tool" in covers else "other"


def order_by_gaps(tasks: list[AutoTask], ledger: Ledger) -> list[AutoTask]:
    """Tasks in practice order: tables, documents and tools taken in turn (so a budget of N
    spans all of them), and within each, greedily, the task whose table/column/document/tool and
    operation the ledger (plus the tasks already chosen) has seen least, ties in generated order."""
    families: dict[str, list[AutoTask]] = {}
    for t in tasks:
        families.setdefault(_kind(t.covers), []).append(t)
    return interleave([_by_gaps(group, ledger) for group in families.values()])


def _by_gaps(tasks: list[AutoTask], ledger: Ledger) -> list[AutoTask]:
    led = copy.deepcopy(ledger)  # counts the tasks chosen so far on top of the pool's
    left = list(tasks)
    out = []
    while left:
        best = min(range(len(left)), key=lambda i: (led.gap(left[i]), i))
        task = left.pop(best)
        out.append(task)
        led.add(task.covers, question=task.question)
    return out


def family(task: AutoTask) -> str:
    """What a task practises, for :class:`PreferFailures`: a table task's operation on its table
    whatever its filters (``avg_where_year`` and ``series_avg_year`` are an average: a model that
    averages with one filter averages with two; in the tenth real-files run each of 23 table
    templates was its own kind and the model still solved 16 of them at its first try); a tool
    task's tool and reply field; a document task's document.

    The table is part of it: a count solved on one table says nothing of the names of another,
    and with the operation alone, the fourth set's practice solved a count, a minimum and a
    maximum on three tables at their first tries and then sent every other task of those three
    tables to the back, spending 10 of its 16 table tasks on the fourth."""
    c = task.covers
    gen = task.generator
    if gen.startswith("table."):
        core = re.sub(r"^series_", "", gen.removeprefix("table."))
        gen = "table." + re.sub(r"(_where|_above|_below|_year|_month|_range|_dates|_years)+$", "", core)
    return "|".join(str(x) for x in (gen, c.get("table", ""), c.get("tool", ""), c.get("field", ""), c.get("doc", "")))


class PreferFailures:
    """The practice queue: ``limit`` tasks in the order given, except that a task of a
    :func:`family` the model has already solved at its first try in this run waits at the back
    while tasks of other families remain. A solved task only counts for coverage (it fills the pool
    only as the first of its table, document or tool); in the seventh real-files run the model
    solved 22 of 30 at its first try, so most of practice's time went to what it already does.
    Iterate it lazily: :meth:`solved` changes what comes next."""

    def __init__(self, tasks: list[AutoTask], limit: int):
        self.left = list(tasks)
        self.limit = max(0, limit)
        self.easy: set[str] = set()

    def solved(self, task: AutoTask) -> None:
        self.easy.add(family(task))

    def __iter__(self):
        given = 0
        while self.left and given < self.limit:
            i = next((k for k, t in enumerate(self.left) if family(t) not in self.easy), 0)
            given += 1
            yield self.left.pop(i)


def environment_files(kit) -> list[str]:
    """The user's inputs a toolkit was built from (resolved paths of ``--data`` files, the
    ``--docs`` folder, the ``--tools`` file), recorded with every admitted experience so that
    ``seer run`` can tell whether an input was ever practised."""
    from pathlib import Path

    files = [str(Path(p).resolve()) for p in kit.data]
    if kit.docs is not None:
        files.append(str(Path(kit.docs).resolve()))
    if kit.tools_file is not None:
        files.append(str(Path(kit.tools_file).resolve()))
    return files


def unpractised(pool, kit) -> list[str]:
    """The toolkit's inputs no self-practice experience in ``pool`` was made from."""
    practised = Ledger.from_experiences(pool.experiences()).files
    return [f for f in environment_files(kit) if f not in practised]


HINTS_FILE = "hints.json"


def first_mention(home, files: list[str]) -> list[str]:
    """Those of ``files`` not mentioned before (recorded in ``<home>/hints.json``), so that
    ``seer run`` says how to teach an input once, not on every question."""
    from pathlib import Path

    import orjson

    from ..fsutil import atomic_write

    path = Path(home) / HINTS_FILE
    try:
        told = set(orjson.loads(path.read_bytes()).get("unpractised", []))
    except (OSError, ValueError, AttributeError):
        told = set()
    new = [f for f in files if f not in told]
    if new:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, orjson.dumps({"unpractised": sorted(told | set(new))}), durable=False)
        except OSError:  # a read-only home: the hint shows again next time, nothing worse
            pass
    return new
