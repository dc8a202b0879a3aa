"""``seer practice --auto``: generate tasks from the user's files, practise them, admit only what
execution verifies.

Why this module exists: a newcomer has no answered tasks for their own tables, documents and
tools, so on day one recall has nothing about them. This loop builds that memory before the
first question (as PREPING builds memory from self-made tasks, but with every admission checked
by execution instead of an LLM validator, which the 0.5B could not be):

1. tasks from the environment (:mod:`.tables`, :mod:`.docs`, :mod:`.tools`), each with a gold
   computed without the model, ordered so that what the pool lacks comes first (:mod:`.ledger`);
2. with the model, each question is worded as a person would ask it (:mod:`.phrasing`), and
   practised with the existing schedule (:func:`seer_cli.practice.answered.practice_task`); a task
   the model solves counts for coverage but does not fill the pool (what it already does needs
   no demonstration), except the first for a table, document or tool the pool knows nothing of
   (one demonstration in the file's own names for each); once the model solves a kind of task at
   its first try, the rest of that kind wait until the others are done (:class:`.ledger.PreferFailures`);
3. where the model fails, a worked example (the generator's calls replayed through the real
   tools), or a recovery (the model's failing call, its error, then the correct calls), admitted
   only when a second derivation from the question alone reaches the executed gold (a query the
   model writes from the question, or else the executed query picked from the question among
   variants that answer differently (:mod:`.query_choice`), the question decoded back into the same tool call, Retrieve
   on the question showing the answer), so that a wording which changed the meaning (two dates
   reversed) teaches nothing. Which derivation agreed is recorded (``derivation``).
4. an admitted experience gets up to three paraphrases in a person's words (short, casual, the
   domain's words; :func:`.phrasing.paraphrases`), each kept only with every value of its call,
   as extra recall keys (``success_details["keys"]``): recall matches it by its best key.

One fsync'ed row per task in a resumable log (:class:`seer_cli.rowlog.RowLog`); a row is written
before its experience enters the pool, and an amendment line records the admission. ``--tries
0`` skips the model altogether: worked examples only, seconds for a whole environment.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import random
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from ..agent.judge import admit_experience, gold_judge
from ..rowlog import Recorder, RowLog, run_items
from . import doc_options, doc_questions, docs, phrasing, tables, tools
from .examples import ORIGIN, details, recovery, verified, worked
from .ledger import Ledger, PreferFailures, environment_files, order_by_gaps
from .tasks import AutoTask, interleave

EXAMPLES = ("worked", "recovery")
# the steps of a practice try when --max-steps is not given: over the 20 practice logs under docs/results/, none of
# the 306 tries the 1.5B solved took more than 6 steps (Finish included), while its 33 failed tries of 7 to 10 steps
# took two to six minutes each; a failed try still teaches a worked example or a recovery
AUTO_MAX_STEPS = 6
# what --auto costs, measured on the newcomer suite's files on a 2-core CPU (README, "Self-practice")
COST_NOTE = ("measured on 2 cores: --tries 0, worked examples only, 30 tasks in about 20 s; "
             "with the model's own try first, about 40 s a task with the bundled 1.5B")


@dataclasses.dataclass
class AutoConfig:
    tasks: int = 30
    minutes: float | None = None
    tries: int = 1  # model tries per task (0: worked examples only)
    examples: tuple[str, ...] = EXAMPLES  # what a failed task may still teach
    seed: int = 0
    concurrency: int = 1
    phrase: bool | None = None  # word each question as a person would (phrasing.rephrase); None: when the model tries (tries > 0)
    proposer: Any = None  # a backend for the wording, the second derivation and the keys (--proposer-model/--proposer-url); None: the agent's
    breadth: bool = True  # then every other task the rules made joins as a worked example (:func:`admit_breadth`)

    @property
    def phrasing(self) -> bool:
        return self.tries > 0 if self.phrase is None else self.phrase

    @property
    def uses_model(self) -> bool:
        return self.tries > 0 or self.phrasing
    admit_solved: bool = False  # a task the model already solves counts for coverage, not for the pool (but see practise_one's first)


def generate_tasks(kit, *, seed: int = 0, backend=None, on_warning: Callable[[str], None] | None = None,
                   want: int | None = None, on_status: Callable[[str], None] | None = None) -> list[AutoTask]:
    """Every task the environment offers, each kind shuffled with ``seed`` and interleaved, so a
    budget of N tasks spans tables, documents and tools. Bad input (an unreadable or empty table,
    documents without a usable sentence, a tool that raises or hangs) is one warning each.

    ``want`` (the tasks a run will practise) bounds what costs a model call: the documents'
    proposals (two calls for each task of the kind's :func:`share`, at most
    :data:`~.doc_questions.MAX_PROPOSALS`) and the tools' questions, each decoded back (the share
    spread over the tools, one to six each). The rules' tasks cost no model call and are all
    made, every table and document in turn, so the ledger can choose among them. ``on_status``
    hears which kind is being proposed and how many tasks it has so far."""
    if want is not None and want <= 0:
        return []
    rng = random.Random(seed)
    kinds: list[list[AutoTask]] = []
    has_tables, has_docs = kit.sql_tables() is not None, kit.docs is not None
    n_tools = len(kit.user_tools)
    each = share(want, has_tables + has_docs + bool(n_tools))
    proposals = doc_questions.MAX_PROPOSALS if each is None else min(doc_questions.MAX_PROPOSALS, 2 * each)
    per_tool = 6 if each is None else max(1, min(6, -(-each // max(n_tools, 1))))
    sources: list[tuple[str, Callable[[], Iterable[AutoTask]]]] = []
    if has_tables:
        sources.append(("tables", lambda: tables.generate(kit, rng)))
    if has_docs:
        # the rules' tasks first (sentences, then a manual's entries: :mod:`.doc_options`), then (with a model)
        # what it proposes a reader would ask (:mod:`.doc_questions`)
        sources.append(("documents", lambda: itertools.chain(docs.generate(kit, rng), doc_options.generate(kit, rng),
                                                             doc_questions.generate(kit, rng, backend, budget=proposals))))
    if n_tools:
        sources.append(("tools", lambda: tools.generate(kit, rng, backend, per_tool=per_tool, on_warning=on_warning)))
    for name, make in sources:
        found: list[AutoTask] = []
        if on_status:
            on_status(f"proposing {name} tasks")
        try:
            for task in make():
                found.append(task)
                if on_status:
                    on_status(f"proposing {name} tasks: {len(found)}")
        except Exception as e:  # noqa: BLE001 (one bad input must not stop the others)
            found = []
            if on_warning:
                on_warning(f"{name}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}; no tasks from them")
        if not found and on_warning:
            on_warning(f"{name}: no task could be generated (no single, verifiable answer)")
        kinds.append(_dedup(found))
    return interleave(kinds)


def share(want: int | None, kinds: int) -> int | None:
    """Tasks of each kind a run of ``want`` practises, and half as much again (at least two more),
    so the ledger still has a choice and a kind that runs short leaves room to the others."""
    if want is None or kinds == 0:
        return None
    even = -(-want // kinds)
    return even + max(2, even // 2)


def _dedup(tasks: list[AutoTask]) -> list[AutoTask]:
    seen, out = set(), []
    for t in tasks:
        if t.question not in seen:
            seen.add(t.question)
            out.append(t)
    return out


def practise_one(agent, kit, task: AutoTask, config: AutoConfig, files: list[str], *, first: bool = False) -> tuple[dict[str, Any], Any]:
    """Practise one task: (log row, the experience to admit or None).

    With the model (``tries`` > 0): the model words the question as a person would
    (:func:`.phrasing.rephrase`), the agent tries it, and a task it solves counts for coverage
    without filling the pool (``admit_solved``), except the ``first`` for a table, document or
    tool the pool has no experience of: its trajectory (two derivations agreed: the executed
    gold and the model's own solution) is admitted, so every file and tool has one
    demonstration in its own names for recall to find; a task it fails teaches a worked example or a
    recovery under that question only when a second derivation from the question alone agrees
    with the executed gold (:func:`.phrasing.second_derivation`). ``--tries 0 --phrase``: the
    wording and the second derivation without the agent's try (minutes instead of an hour).
    Without the model at all (``tries`` 0) the replayed plan is the only check, and the template
    question is kept."""
    from .answered import practice_task

    t0 = time.perf_counter()
    outcome, exp, made_by, derivation = None, None, None, None
    proposer = config.proposer or agent.backend
    if config.phrasing:
        task = dataclasses.replace(task, asked=phrasing.rephrase(proposer, task))
    volatile = bool(task.covers.get("volatile"))  # a clock's answer changes between calls: worked only
    if config.tries > 0 and not volatile:
        judge = gold_judge(task.answer, "value")
        outcome = practice_task(agent, task.wording, task.answer, judge, tries=config.tries, seed=config.seed,
                                learn=False, intent=task.intent)
        if outcome.experience is not None and verified(outcome.experience.answer, outcome.experience, task.answer):
            derivation = "model"
            if config.admit_solved or first:
                exp, made_by = outcome.experience, "model"
    if derivation is None:
        if volatile:
            derivation = "volatile-call"  # that the call answers is the check (examples.worked)
        elif config.uses_model:
            derivation = phrasing.second_derivation(proposer, kit, task, task.wording)
            if derivation is None and task.asked:  # the person's wording did not hold: the template's may
                task = dataclasses.replace(task, asked=None)
                derivation = phrasing.second_derivation(proposer, kit, task, task.question)
        else:
            derivation = "replay"
        if derivation is not None:
            if "recovery" in config.examples and outcome is not None and outcome.last is not None:
                exp = recovery(kit, task, outcome.last)
                made_by = "recovery" if exp is not None else None
            if exp is None and "worked" in config.examples:
                exp = worked(kit, task)
                made_by = "worked" if exp is not None else None
    keys = phrasing.paraphrases(proposer, task, task.wording) if exp is not None and config.phrasing else []
    if exp is not None:
        assert made_by is not None  # set with exp (by the model's solve, a recovery or a worked example)
        extra = {"files": files, "derivation": derivation, **({"keys": keys} if keys else {}),
                 **({"practice_try": outcome.solved_at} if made_by == "model" and outcome is not None else {}),
                 **({"first_of_its_kind": True} if first and made_by == "model" and not config.admit_solved else {})}
        info = details(task, made_by, extra)
        exp = dataclasses.replace(exp, origin=ORIGIN, success_details={**exp.success_details, **info} if made_by == "model" else info)
    row = {"id": task.id, "task": task.to_dict(), "solved_at": outcome.solved_at if outcome else None,
           "tries": [t.to_dict() for t in outcome.tries] if outcome else [], "made_by": made_by, "derivation": derivation,
           "admitted": False, "keys": keys, "seconds": round(time.perf_counter() - t0, 3)}
    return row, exp


def auto_practice(
    agent,
    kit,
    log_path: str | Path,
    config: AutoConfig,
    *,
    new_agent: Callable[[], Any] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_task: Callable[[dict[str, Any]], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    on_status: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Generate, order and practise up to ``config.tasks`` tasks with ``agent`` over ``kit``
    (resumable through ``log_path``); returns :func:`summarize` of the log. With
    ``config.concurrency`` > 1 (an HTTP backend), each worker thread practises with its own
    agent from ``new_agent()`` (its own toolkit, the same pool)."""
    if config.concurrency > 1 and new_agent is None:
        raise ValueError("auto_practice: concurrency > 1 needs new_agent (one agent and toolkit per thread)")
    pool = agent.pool
    log = RowLog(log_path, key="id")
    done = log.done(repair=True)
    held = pool.experiences()
    in_pool = {e.question for e in held} | {(e.success_details or {}).get("template_question") for e in held}

    tasks = generate_tasks(kit, seed=config.seed, backend=(config.proposer or agent.backend) if config.uses_model else None,
                           on_warning=on_warning, want=config.tasks, on_status=on_status)
    fresh = [t for t in tasks if t.id not in done and t.question not in in_pool]
    covered, covered_lock = Ledger.from_experiences(held), threading.Lock()  # what the pool has an experience of, as admissions go
    ordered = order_by_gaps(fresh, covered)  # (it counts its choices on a copy)
    todo = PreferFailures(ordered, config.tasks - len(done))  # what the model solves at try 1 sends its kind to the back
    if on_start:
        on_start(len(done) + min(len(ordered), todo.limit), len(done))
    files = environment_files(kit)
    deadline = time.monotonic() + 60 * config.minutes if config.minutes else None
    recorder = Recorder(log, on_task)
    local = threading.local()

    def one(task: AutoTask) -> None:
        if deadline is not None and time.monotonic() > deadline:
            return
        worker = agent
        if config.concurrency > 1:
            if getattr(local, "agent", None) is None:
                assert new_agent is not None  # checked on entry
                local.agent = new_agent()
            worker = local.agent
        with covered_lock:
            first = covered.unseen(task.covers)
        worker.toolkit.reads_only = True  # the agent practises on its own: a tool that changes things is refused
        row, exp = practise_one(worker, worker.toolkit, task, config, files, first=first)
        if row["solved_at"] == 1:
            todo.solved(task)
        admit = None
        if exp is not None:
            def admit():
                joined = _join(pool, exp)
                if joined:
                    with covered_lock:
                        covered.add(task.covers, question=task.question)
                return joined
        recorder.record(row, admit, amend=True)

    run_items(todo, one, config.concurrency)
    if config.breadth:
        admit_breadth(agent, kit, tasks, log, config, files, on_status=on_status)
    return summarize(log.rows(), Ledger.from_experiences(pool.experiences()))


def _join(pool, exp) -> dict[str, Any] | None:
    """Admit ``exp`` through the one door into the pool; the log's amendment when it joined, else None."""
    res = admit_experience(pool, exp, exp.success_source, exp.success_details)
    return {"admitted": True, "experience": res.added[0]} if res and res.added else None


def admit_breadth(agent, kit, tasks: list[AutoTask], log: RowLog, config: AutoConfig, files: list[str],
                  on_status: Callable[[str], None] | None = None) -> None:
    """Admit every task the rules made that was not practised (nor is in the pool) as a worked
    example under its own question, when replaying its plan through the tools shows its gold
    (:func:`.examples.worked`); seconds for a hundred tasks, no model call. Logged with
    ``"breadth": true`` (:func:`summarize` counts them apart).

    Why: recall can only show what the pool holds, and a practised demonstration helps a real
    question when it is about the same table and asks the same operation. After the 30 tasks the
    model practises, the pool held an experience of a table for 4 of the twelfth set's 30
    questions at their first step (none of the txhousing ones); with every rule task admitted, 15.
    On the fourteenth held-out set (questions committed before any run) the 137 worked examples of
    ``--auto 200 --tries 0`` took the 1.5B from 12/30 to 19/30 where the model-practised defaults
    of nineteen earlier measurements had gained 56 answers and lost 52
    (docs/results/held-out-practice.md). A question a template renders from its own query cannot
    misstate it (what the second derivation guards a model's wording against); a task the model
    proposed (``docs.proposed``) is left out: its wording has no second derivation here."""
    held = {e.question for e in agent.pool.experiences()}
    done = log.done()
    rest = [t for t in tasks if t.id not in done and t.question not in held and t.generator != "docs.proposed"]
    plain = dataclasses.replace(config, tries=0, phrase=False)
    recorder = Recorder(log, None)
    for n, task in enumerate(rest, 1):
        if on_status:
            on_status(f"worked examples of the other tasks: {n}/{len(rest)}")
        row, exp = practise_one(agent, kit, task, plain, files)
        row["breadth"] = True
        recorder.record(row, None if exp is None else functools.partial(_join, agent.pool, exp), amend=True)


def summarize(rows: list[dict[str, Any]], ledger: Ledger | None = None) -> dict[str, Any]:
    """Yield and cost of a log: tasks practised, admitted by how they were made, per kind, seconds."""
    by_kind: dict[str, dict[str, int]] = {}
    made: dict[str, int] = {}
    derived: dict[str, int] = {}
    breadth = [r for r in rows if r.get("breadth")]
    rows = [r for r in rows if not r.get("breadth")]
    for r in rows:
        k = by_kind.setdefault(r["task"]["kind"], {"tasks": 0, "admitted": 0, "solved": 0})
        k["tasks"] += 1
        k["admitted"] += bool(r.get("admitted"))
        k["solved"] += bool(r.get("solved_at"))
        if r.get("admitted"):
            made[r["made_by"]] = made.get(r["made_by"], 0) + 1
        if r.get("derivation"):
            derived[r["derivation"]] = derived.get(r["derivation"], 0) + 1
    seconds = sum(r.get("seconds", 0) for r in rows)
    admitted = sum(bool(r.get("admitted")) for r in rows)
    out = {"tasks": len(rows), "admitted": admitted, "solved_by_model": sum(bool(r.get("solved_at")) for r in rows),
           "made_by": made, "derivations": derived, "kinds": by_kind, "seconds": round(seconds, 1),
           "seconds_per_admitted": round(seconds / admitted, 1) if admitted else None}
    if breadth:
        out["breadth"] = {"tasks": len(breadth), "admitted": sum(bool(r.get("admitted")) for r in breadth),
                          "seconds": round(sum(r.get("seconds", 0) for r in breadth), 1)}
    if ledger is not None:
        out["coverage"] = ledger.to_dict()
    return out
