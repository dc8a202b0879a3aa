"""Practice: find plans the pool does not hold yet, by trying tasks with known answers.

Why this module exists: a pool that only replays its own plans learns nothing new; the small
model copies the plan (and the arguments) of the demos it is shown. Practice is the training
phase of ExpeL (Zhao et al., AAAI 2024) and Traj-Bootstrap (arXiv 2505.00234): for each task
with a gold answer, try up to ``tries`` times until a try is judged correct, varying each retry
so that it can find a plan the greedy try did not, and admit the first success to the pool.
Recall then transfers that plan to new questions of the same shape.

The tries (:func:`schedule`), in order:

1. ``greedy``: recall as usual, temperature 0: what the agent does at test time.
2. ``retry``: temperature 0.7 and a note naming the failed try's tool chain, error and answer.
   (Leaving the shown demos out was tried first: in a pool with few demos of the domain it left
   only other domains' plans, and the 0.5B wandered through PythonInterpreter calls.)
3. ``guided``: the gold answer is revealed in a note, and the model must find the tool calls
   that compute it. Admitted only when the answer is *supported*: it appears in an observation
   of a tool call (the trajectory shows how to compute it, not that it was told). The note is
   never stored: the experience holds the plain question.
4. and later: ``sample``: k=1 with the best remaining demo, temperature 0.9, a new seed, the note.

After every failed try but the guided one, :func:`repair` searches, without the model, for a
plan one argument word away from the failed one (the 0.5B reads the demo's ``Open`` column when
asked for ``High``): it swaps one word for another identifier the tools named, replays the
calls, and keeps the variant whose observation is judged correct.

Every try is judged by ``judge(answer) -> source | None`` (``gold-em``, ``gold-lenient``,
``llm-judge``...): None is a failure. Only judged successes are admitted, and each task stops at
its first success. Every episode's outcome is recorded against the experiences it was shown
(:meth:`Pool.record_outcome`), which is what per-experience utility is made of.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..pool.records import FINISH, Experience, Step
from ..rowlog import Recorder, RowLog
from ..agent.judge import admit_experience, gold_judge
from ..agent.steps import ActionStep, collect

if TYPE_CHECKING:
    from ..agent.contracts import PoolLike, ToolkitLike


@dataclass(frozen=True)
class Variant:
    name: str
    temperature: float = 0.0
    k: int | None = None  # None: the agent's k
    exclude_shown: bool = False
    note: bool = False
    reveal: bool = False


def schedule(tries: int) -> list[Variant]:
    """The variants of ``tries`` tries (see the module docstring)."""
    base = [
        Variant("greedy"),
        Variant("retry", temperature=0.7, note=True),
        Variant("guided", temperature=0.0, note=False, reveal=True),
    ]
    out = base[:tries]
    while len(out) < tries:
        out.append(Variant("sample", temperature=0.9, k=1, exclude_shown=True, note=True))
    return out


@dataclass
class Try:
    index: int  # 1-based
    variant: str
    answer: str | None
    finished: bool
    reason: str
    verdict: str | None  # success source, or None
    steps: int
    tools: list[str]
    shown: list[str]
    tokens_evaluated: int
    seconds: float
    error: str | None = None
    repaired: str | None = None  # the answer a model-free repair of this try found (see repair)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Outcome:
    solved_at: int | None  # the try that succeeded, 1-based; None: never
    tries: list[Try] = field(default_factory=list)
    experience: Experience | None = None  # the admitted trajectory (source set)
    admitted: bool = False
    last: Experience | None = None  # the last try's trajectory (what a failed task did)

    def to_dict(self) -> dict[str, Any]:
        return {"solved_at": self.solved_at, "admitted": self.admitted, "tries": [t.to_dict() for t in self.tries]}


def failure_note(t: Try, trace: list[ActionStep]) -> str:
    """What the failed try did, for the next one: tool chain, last error, answer."""
    chain = " -> ".join(t.tools) or "no tool"
    errors = [s.error for s in trace if s.error]
    parts = [f"A previous try of this question failed: it called {chain}"]
    if errors:
        parts.append(f"got the error {errors[-1][:120]!r}")
    if t.answer is not None and t.finished:
        parts.append(f"and answered {t.answer[:80]!r}, which is wrong")
    return ", ".join(parts) + ". Use a different plan or different arguments."


def reveal_note(answer: str) -> str:
    return (f"Practice: the correct answer is {answer}. Find the tool calls that compute it; "
            "Finish only with a value an observation shows.")


def supported(answer: str | None, experience: Experience, *, own_plan: bool = False) -> bool:
    """The answer appears in some tool observation (numbers compared as numbers). A call whose
    arguments already hold the answer computed nothing (the model told it), unless ``own_plan``:
    the generator's executed calls, whose query may name the answer among others ("which is
    higher: sun or fog")."""
    from ..answers import lenient_match, normalize_answer, shows_clock

    if answer is None or not str(answer).strip():
        return False
    target = normalize_answer(answer)
    for st in experience.steps:
        if st.tool == FINISH or not st.observation:
            continue
        if target and not own_plan and re.search(rf"(?<![\w.]){re.escape(target)}(?![\w.])", normalize_answer(" ".join(str(v) for v in st.args.values()))):
            continue  # Calculate("146.2") echoes what it was told: that computes nothing (a "0" inside '2012-01-01' is no echo)
        obs = str(st.observation)
        if target and target in normalize_answer(obs) or shows_clock(obs, str(answer)):
            return True
        for tok in obs.replace(",", " ").replace("'", " ").replace('"', " ").replace(":", " ").replace("(", " ").replace(")", " ").split():
            if lenient_match(tok, answer):
                return True
    return False


_IDENT = re.compile(r"\b[A-Za-z][A-Za-z0-9_]{1,30}\b")
REPAIR_MAX_REPLAYS = 60


def _vocabulary(observations: list[str]) -> list[str]:
    """Identifiers the tools have named so far (``Date, Open, High, Low, Close, Volume`` after a
    LoadDB), in order of appearance: the alternatives a repair may put in an argument."""
    seen: dict[str, None] = {}
    for obs in observations:
        for tok in _IDENT.findall(str(obs)):
            seen.setdefault(tok, None)
    return list(seen)


def _answers_in(observation: str) -> list[str]:
    text = str(observation)
    for ch in ",'\"[]{}():;":
        text = text.replace(ch, " ")
    toks = text.split()
    return [text.strip(), *toks] if len(toks) > 1 else toks


def repair(toolkit: ToolkitLike, experience: Experience, judge: Callable[[str | None], str | None]) -> Experience | None:
    """Model-free search for a plan next to a failed one: swap one argument word for another
    identifier the tools named earlier in the episode (a column read as ``Open`` where ``High`` was
    asked), replay the calls through ``toolkit``, and keep the first variant whose observation the
    judge accepts, ending it with ``Finish`` on that value. The thoughts get the same swap.

    Why: the small model copies the demos' arguments, so its failures are often one word from a
    success; the pool then holds a demo with the right word, which recall transfers to every
    question of that shape. At most :data:`REPAIR_MAX_REPLAYS` replays; tool errors end a replay.
    """
    from ..errors import ToolCallError

    calls = [st for st in experience.steps if st.tool != FINISH]
    if not calls:
        return None
    replays = 0
    for i, st in enumerate(calls):
        vocab = _vocabulary([c.observation for c in calls[:i]])
        for key, value in st.args.items():
            if not isinstance(value, str):
                continue
            for word in dict.fromkeys(_IDENT.findall(value)):
                if word not in vocab:
                    continue
                for alt in vocab:
                    if alt == word or replays >= REPAIR_MAX_REPLAYS:
                        continue
                    pattern = re.compile(rf"\b{re.escape(word)}\b")
                    changed = Step(pattern.sub(alt, st.thought), st.tool, {**st.args, key: pattern.sub(alt, value)}, "")
                    replays += 1
                    steps, ok = [], True
                    for j, c in enumerate(calls):
                        call = changed if j == i else c
                        try:
                            obs = toolkit.call(call.tool, call.args)
                        except (ToolCallError, Exception):  # noqa: BLE001 (a tool crash ends this replay)
                            ok = False
                            break
                        steps.append(Step(call.thought, call.tool, call.args, str(obs)[:600]))
                        if j >= i:
                            for cand in _answers_in(obs):
                                source = judge(cand)
                                if source and str(cand).strip() not in str(call.args):
                                    finish = Step(f"The observation gives the answer: {cand}.", FINISH, {"answer": cand}, "")
                                    return dataclasses.replace(experience, steps=[*steps, finish], answer=cand,
                                                               success_source=source)
                    if not ok:
                        continue
    return None


def practice_task(
    agent,
    question: str,
    gold: str,
    judge: Callable[[str | None], str | None],
    *,
    tries: int = 3,
    seed: int = 0,
    learn: bool = True,
    details: dict | None = None,
    on_try: Callable[[Try], None] | None = None,
    repair_on: bool = True,
    intent: str | None = None,
) -> Outcome:
    """Try ``question`` up to ``tries`` times; admit the first judged success to ``agent.pool``."""
    outcome = Outcome(None)
    shown_before: set[str] = set()
    note: str | None = None
    for i, v in enumerate(schedule(tries), 1):
        run_note = reveal_note(gold) if v.reveal else (note if v.note else None)
        ep = collect(agent.run(question, intent=intent, temperature=v.temperature, seed=seed + 1000 * i,
                               exclude=shown_before if v.exclude_shown else (), k=v.k, note=run_note))
        final, actions = ep.final, ep.actions
        finished = ep.finished
        outcome.last = final.experience if final is not None else outcome.last
        answer = final.answer if final else None
        verdict = judge(answer) if finished else None
        if verdict and v.reveal and final is not None and not supported(answer, final.experience):  # a verdict implies final
            verdict = None  # told the answer and only repeated it: nothing to learn from
        shown = list(final.shown) if final else []
        t = Try(i, v.name, answer, finished, final.reason if final else "none", verdict, len(actions),
                [a.tool for a in actions], shown, sum(a.prompt_tokens_evaluated for a in actions),
                round(float(final.totals.get("seconds", 0.0)) if final else 0.0, 3),
                next((a.error for a in reversed(actions) if a.error), None))
        outcome.tries.append(t)
        pool = agent.pool
        if shown and pool is not None:
            pool.record_outcome(shown, bool(verdict))
        if on_try:
            on_try(t)
        if not verdict and final is not None and repair_on and not v.reveal:
            fixed = repair(agent.toolkit, final.experience, judge)
            if fixed is not None:
                verdict = fixed.success_source
                t.verdict, t.repaired = verdict, fixed.answer
                final = dataclasses.replace(final, experience=fixed, answer=fixed.answer)
        if verdict:
            assert final is not None  # a verdict is given to a finished episode, or to its repair
            outcome.solved_at = i
            info = {**(details or {}), "practice_try": i, "variant": v.name + ("+repair" if t.repaired else "")}
            outcome.experience = dataclasses.replace(final.experience, success_source=verdict, success_details=info)
            if learn:
                res = admit_experience(agent.pool, final.experience, verdict, info)
                outcome.admitted = bool(res and res.added)
            return outcome
        shown_before.update(shown)
        note = failure_note(t, actions)
    return outcome


# --- practising a list of tasks into a resumable log ---------------------------------------------


@dataclass(frozen=True)
class Task:
    id: str
    question: str
    answer: str
    where: str = ""
    intent: str | None = None


def load_tasks(path) -> list[Task]:
    """Tasks from a JSONL file of ``{"question", "answer"}`` lines (optional ``id``, ``intent``);
    a bad line is an :class:`InvalidRecord` naming ``file:line`` and the field."""
    import hashlib
    from pathlib import Path

    import orjson

    from ..errors import InvalidRecord, UserError

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    tasks: list[Task] = []
    seen: dict[str, str] = {}
    for lineno, line in enumerate(path.read_bytes().splitlines(), 1):
        where = f"{path}:{lineno}"
        if not line.strip():
            continue
        try:
            d = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise InvalidRecord(where, "not valid JSON") from None
        if not isinstance(d, dict):
            raise InvalidRecord(where, "must be a JSON object")
        q = d.get("question")
        if not isinstance(q, str) or not q.strip():
            raise InvalidRecord(where, "question: must be a non-empty string")
        a = d.get("answer")
        if isinstance(a, bool) or not isinstance(a, (str, int, float)) or not str(a).strip():
            raise InvalidRecord(where, "answer: must be a non-empty string or a number")
        tid = d.get("id", hashlib.sha256(q.strip().encode()).hexdigest()[:12])
        if not isinstance(tid, (str, int)):
            raise InvalidRecord(where, "id: must be a string")
        tid = str(tid)
        if tid in seen:
            raise InvalidRecord(where, f"id: {tid!r} already used at {seen[tid]}")
        seen[tid] = where
        intent = d.get("intent")
        if intent is not None and not isinstance(intent, str):
            raise InvalidRecord(where, "intent: must be a string")
        tasks.append(Task(tid, q.strip(), str(a), where, intent))
    if not tasks:
        raise UserError(f"{path}: no tasks")
    return tasks


def _log(path) -> RowLog:
    return RowLog(path, key="id")


def read_log(path) -> list[dict[str, Any]]:
    """Rows of a practice log, amendments folded in; a torn last line (killed mid-write) is cut
    off, durably, so that the next row starts a fresh line."""
    return _log(path).rows(repair=True)


def practice_tasks(
    agent,
    tasks: list[Task],
    log_path,
    *,
    tries: int = 3,
    admit: str = "lenient",
    llm_judge: Callable[[str, str, str | None], bool] | None = None,
    seed: int = 0,
    details: dict | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_task: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Practise every task not yet in ``log_path`` (resumable); returns :func:`histogram` of the log.

    Per task: one row appended and fsync'ed to the log, *then* the success (if any) added to the
    pool, then an amendment line recording that it was admitted, so a ``kill -9`` loses at most
    the task in flight, never runs one twice, and the log says which tasks the pool holds.
    """
    log = _log(log_path)
    done = log.done(repair=True)
    todo = [t for t in tasks if t.id not in done]
    if on_start:
        on_start(len(tasks), len(tasks) - len(todo))
    recorder = Recorder(log, on_task)
    for t in todo:
        llm = (lambda ans, t=t: llm_judge(t.question, t.answer, ans)) if llm_judge else None
        outcome = practice_task(agent, t.question, t.answer, gold_judge(t.answer, admit, llm), tries=tries, seed=seed, learn=False)
        row = {"id": t.id, "question": t.question, "gold": t.answer, **outcome.to_dict()}
        recorder.record(row, _admission(agent.pool, outcome.experience, {**(details or {}), "practice": t.id}), amend=True)
    return histogram(log.rows(), tries)


def _admission(pool: PoolLike, exp: Experience | None, details: dict[str, Any]):
    """The admission step of a practised task for :class:`Recorder`: None when nothing was solved."""
    if exp is None:
        return None

    def admit():
        res = admit_experience(pool, exp, exp.success_source, {**exp.success_details, **details})
        return {"admitted": True, "experience": res.added[0]} if res and res.added else None

    return admit


def histogram(rows: list[dict[str, Any]], tries: int) -> dict[str, Any]:
    """``{"tasks", "solved_at": {"1": n, ..., "never": n}, "solved", "seconds", "tokens_evaluated"}``."""
    hist = {str(i): 0 for i in range(1, tries + 1)}
    hist["never"] = 0
    for r in rows:
        key = str(r.get("solved_at")) if r.get("solved_at") else "never"
        hist[key] = hist.get(key, 0) + 1
    return {
        "tasks": len(rows),
        "solved": sum(1 for r in rows if r.get("solved_at")),
        "solved_at": hist,
        "tries": sum(len(r.get("tries", [])) for r in rows),
        "seconds": round(sum(t.get("seconds", 0) for r in rows for t in r.get("tries", [])), 1),
        "tokens_evaluated": sum(t.get("tokens_evaluated", 0) for r in rows for t in r.get("tries", [])),
    }
