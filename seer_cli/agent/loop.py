"""The SEER agent loop: recall before every step, act, observe, learn from successes.

:meth:`Agent.run` is a generator of typed steps (:mod:`.steps`). One episode:

1. intent: given, or one schema-constrained call (:mod:`.intent`);
2. before every step, recall: ``recall="stepwise"`` re-ranks the pool against the partial
   trajectory, ``"task"`` recalls once from the question, ``"none"`` shows nothing.
   ``demos="static"`` instead shows a fixed set: the first ``k`` experiences of the pool with
   the episode's intent (for a freshly seeded pool, the first ``k`` seed entries), topped up with
   the pool's first entries of other intents;
3. the prompt is rebuilt from the steps (:mod:`.prompt`), demos in a stable order so the
   llama.cpp KV cache is reused;
4. the model writes one step JSON under the toolkit's step schema (constrained decoding); an
   unparsable reply (e.g. cut at ``step_max_tokens``) is retried once with twice the tokens,
   then ends the episode with ``reason="parse"``;
5. the call runs through ``toolkit.call``; a model mistake or a tool exception becomes the
   observation;
6. a ``Finish`` whose answer is an error message (or repeats an observation that starts with
   "Error"; :mod:`.refusal`) is refused: the observation asks for a fix and the episode goes on (at most
   ``ERROR_FINISH_REFUSALS`` times, then it ends with ``reason="error_answer"``);
7. it stops on ``Finish``, at ``max_steps``, when the next step would not fit the context, at
   the third identical call in a row (the second one gets a note in its observation), or when a
   conversational toolkit says the episode is over (its ``done`` attribute turns true: the
   simulated user left, or the agent transferred to a human; ``reason="done"``).

:meth:`Agent.learn` adds a trajectory judged successful (:mod:`.judge`) to the pool.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ..config import DEMO_MODES, RECALL_MODES
from ..errors import ContextOverflow, ToolCallError
from ..pool.records import FINISH, Experience, Step
from .intent import classify_intent
from .prompt import MAX_APPENDED, DemoOrder, appended, build_messages, step_messages, system_message, truncate
from .refusal import (CLOCK_NOTE, ERROR_FINISH_NOTE, ERROR_FINISH_REFUSALS, LOOK_FIRST_NOTE, REFUSAL_NOTES, UNUSED_VALUES_NOTE,  # noqa: F401  (re-exported)
                      bars_finish, is_error_answer, is_refusal_note, once_refusal)
from .steps import ActionStep, CallbackRegistry, FinalStep, Reason, TaskStep, Usage, parse_step


REPEAT_NOTE = "\n(The same call gave the same result last step. Change the arguments, use another tool, or Finish.)"
REPEAT_NOTE_NO_FINISH = "\n(The same call gave the same result last step. Change the arguments or use another tool.)"


class Agent:
    """A tool-using agent that recalls experiences from a pool before every step."""

    def __init__(
        self,
        backend,
        toolkit,
        pool,
        embedder,
        settings=None,
        *,
        recall: str | None = None,
        demos: str | None = None,
        k: int | None = None,
        max_steps: int | None = None,
        callbacks=None,
        demo_order: str | None = None,
        demo_layout: str | None = None,
    ):
        from ..config import load_settings

        self.settings = settings or load_settings()
        self.backend = backend
        self.toolkit = toolkit
        self.pool = pool
        self.embedder = embedder
        self.recall_mode = recall or self.settings.recall
        self.demos = demos or self.settings.demos
        self.k = self.settings.k if k is None else k
        self.max_steps = self.settings.max_steps if max_steps is None else max_steps
        self.demo_order = demo_order or self.settings.demo_order
        self.demo_layout = demo_layout or self.settings.demo_layout
        if self.recall_mode not in RECALL_MODES:
            raise ValueError(f"recall: must be one of {', '.join(RECALL_MODES)}, not {self.recall_mode!r}")
        if self.demos not in DEMO_MODES:
            raise ValueError(f"demos: must be one of {', '.join(DEMO_MODES)}, not {self.demos!r}")
        self.callbacks = callbacks if isinstance(callbacks, CallbackRegistry) else CallbackRegistry(callbacks)
        self._recaller = None
        self._last_timings: dict[str, float] = {}
        self.last_prompts: list[list[dict[str, str]]] = []  # the messages of each step of the last episode

    # --- recall ------------------------------------------------------------------------------
    @property
    def recaller(self):
        if self._recaller is None:
            from ..pool.recall import Recaller, RecallWeights

            s = self.settings
            weights = RecallWeights.from_settings(s)
            self._recaller = Recaller(self.pool, self.embedder, k=self.k, m=s.candidates_m, weights=weights, mode=self.recall_mode,
                                      dominant_margin=s.dominant_margin, practised=s.practised_demos, fits=self.toolkit.fits)
        return self._recaller

    def static_demos(self, intent: str) -> list[Experience]:
        """The first ``k`` pool entries of ``intent``, topped up with the pool's first others."""
        exps = self.pool.experiences() if self.pool is not None else []
        chosen = [e for e in exps if e.intent == intent][: self.k]
        if len(chosen) < self.k:
            chosen += [e for e in exps if e.intent != intent][: self.k - len(chosen)]
        return chosen

    def _recall(self, question: str, intent: str, steps: list[Step], cached: list | None, exclude: frozenset[str] = frozenset(),
                k: int | None = None) -> list[dict[str, Any]]:
        """Recalled demos for this step as dicts ``{experience, id, score, sim, coverage, intent}``."""
        if self.demos == "static":
            if cached is not None:
                return cached
            return [{"experience": e, "id": e.id, "score": None, "sim": None, "coverage": None, "intent": None} for e in self.static_demos(intent)]
        if self.recall_mode == "none" or self.pool is None:
            return []
        found = self.recaller.recall(question, intent, steps, exclude=exclude, k=k)  # "task" mode: reused after step 1
        self._last_timings = dict(found.timings)
        w = self.recaller.weights
        return [
            {
                "experience": r.experience,
                "id": r.experience.id,
                "score": round(float(r.score), 4),
                "sim": round(float(r.sim), 4),
                "coverage": round(float(r.coverage), 4),
                "intent": bool(r.intent_match),
                # the weighted terms that add up to the score, so what is printed is what ranked
                "terms": {name: round(weight * value, 4) for name, weight, value in (
                    ("sim", w.sim, float(r.sim)), ("cov", w.cov, float(r.coverage)),
                    ("intent", w.intent, 1.0 if r.intent_match else 0.0), ("utility", w.utility, float(r.utility))) if weight},
            }
            for r in found
        ]

    # --- budget ------------------------------------------------------------------------------
    def _n_ctx(self) -> int:
        return int(self.backend.n_ctx or self.settings.n_ctx)

    def _count_tokens(self, messages: list[dict[str, str]]) -> int:
        """Prompt tokens: exact when the backend can render and tokenize (llama.cpp), else an
        estimate of 3 characters a token."""
        render, tokenize = getattr(self.backend, "render", None), getattr(self.backend, "tokenize", None)
        if callable(render) and callable(tokenize):
            return len(tokenize(render(messages)))
        return sum(len(m["content"]) for m in messages) // 3 + 6 * len(messages)

    # --- the episode -------------------------------------------------------------------------
    def _emit(self, step):
        self.callbacks(step)
        return step

    def run(
        self,
        question: str,
        *,
        intent: str | None = None,
        temperature: float | None = None,
        seed: int | None = None,
        exclude: Iterable[str] = (),
        k: int | None = None,
        note: str | None = None,
    ) -> Iterator[TaskStep | ActionStep | FinalStep]:
        """Answer ``question``; yields a TaskStep, one ActionStep per model call, a FinalStep.

        Per-episode variations (practice retries use them): ``temperature``/``seed`` for sampling,
        ``exclude`` ids never to show, ``k`` demos instead of the agent's, and a ``note`` shown
        under the question (not stored in the experience).

        The parts, in order: :meth:`_start` (intent, the episode's fixed parts), then per step
        :meth:`_prepare` (recall and the prompt), :meth:`_act` (one model call), and either
        :meth:`_on_finish` (the refusal policy) or :meth:`_after_call` (observe, repeats), and
        last :meth:`_final` (the experience and the totals).
        """
        with self.toolkit.asked(question):
            yield from self._episode(question, intent, temperature, seed, exclude, k, note)

    def _episode(self, question, intent, temperature, seed, exclude, k, note) -> Iterator[TaskStep | ActionStep | FinalStep]:
        ep = self._start(question, intent, temperature, seed, exclude, k, note)
        yield self._emit(ep.task)
        for index in range(1, self.max_steps + 1):
            prepared = self._prepare(ep)
            if prepared is None:
                ep.reason = "context"
                break
            messages, recalled, recall_ms, recall_parts, n_prefix = prepared
            action = self._act(index, messages, ep.step_schema(), recalled, recall_ms, ep.temperature, ep.seed, n_prefix)
            if action is None:
                ep.reason = "context"
                break
            action.recall_parts = recall_parts
            ep.actions.append(action)
            if action.error and not action.tool:  # unparsable twice
                yield self._emit(action)
                ep.reason = "parse"
                break
            ended = self._on_finish(ep, action) if action.tool == FINISH else self._after_call(ep, action)
            yield self._emit(action)
            if ended:
                ep.reason = ended
                break
        yield self._emit(self._final(ep))

    def _start(self, question, intent, temperature, seed, exclude, k, note) -> "_Run":
        """The episode's fixed parts: intent (given, or classified), system prompt, step schema."""
        s = self.settings
        t_start = time.perf_counter()
        run_id = uuid.uuid4().hex[:12]
        if intent:
            intent_source, intent_seconds = "given", 0.0
        else:
            intent, intent_source, intent_seconds = classify_intent(self.backend, self.toolkit, question, seed=s.seed, pool=self.pool, embedder=self.embedder)
        task = TaskStep(question, intent, intent_source, self.toolkit.name, self.recall_mode, self.demos, self.k, self.max_steps, run_id,
                        round(intent_seconds, 3))
        self.last_prompts = []
        return _Run(
            task=task, t_start=t_start, intent_seconds=intent_seconds, note=note,
            temperature=s.temperature if temperature is None else temperature, seed=s.seed if seed is None else seed,
            exclude=frozenset(exclude), k=self.k if k is None else k,
            hints=(self.toolkit.intent_hints or {}) if s.hint == "intent" else {},
            system=system_message(self.toolkit), schema=self.toolkit.step_schema(s.thought_max_chars),
            order=DemoOrder(self.demo_order), look_first=self.toolkit.first_tools(intent),
        )

    def _prepare(self, ep: "_Run"):
        """Recall for this step and the prompt: ``(messages, recalled, recall_ms, recall_parts,
        n_prefix)``, or None when the next step would not fit the context window."""
        s = self.settings
        history = ep.history(s.observation_max_chars)
        t0 = time.perf_counter()
        recalled = self._recall(ep.task.question, ep.task.intent, history, ep.cached, ep.exclude, ep.k)
        ep.cached = recalled
        recall_ms = (time.perf_counter() - t0) * 1000
        recall_parts = {k: round(v, 3) for k, v in self._last_timings.items()}
        self._last_timings = {}
        if self.demo_layout == "append" and ep.block is not None:  # step 1's demos stay; a newcomer is added after them
            recalled = ep.block = appended(ep.block, recalled, ep.block_limit)
        else:
            recalled = ep.block = ep.order.update(recalled, key=lambda r: r["id"])
            ep.block_limit = len(recalled) + MAX_APPENDED
        ep.shown += [r["id"] for r in recalled if r["id"] not in ep.shown]
        hint = ep.hints.get(ep.task.intent)
        if s.hint == "plan" and recalled:
            hint = plan_hint(max(recalled, key=lambda r: r["score"] or 0)["experience"])
        if ep.note:
            hint = f"{hint}\n{ep.note}" if hint else ep.note
        messages = build_messages(ep.system, [r["experience"] for r in recalled], ep.task.question, history, hint=hint,
                                  demo_observation_chars=s.demo_observation_chars, observation_chars=s.prompt_observation_chars)
        self.last_prompts.append(messages)
        if self._count_tokens(messages) + s.step_max_tokens > self._n_ctx():
            return None
        n_prefix = len(messages) - 1 - len(step_messages(history, s.prompt_observation_chars))  # system + demos
        return messages, recalled, recall_ms, recall_parts, n_prefix

    def _on_finish(self, ep: "_Run", action: ActionStep) -> Reason | None:
        """The refusal policy: a Finish before any tool call on a question the toolkit says needs a
        look (:meth:`Toolkit.needs_lookup`) is refused once; so is one after queries that left out
        a value the question names (:meth:`Toolkit.unused_values`), and one that is no time of day for a
        question asking one (:func:`.refusal.once_refusal`); a Finish whose answer is an error message is refused (the episode goes on, at most ``ERROR_FINISH_REFUSALS`` times); any
        other Finish ends the episode."""
        answer = action.args.get("answer")
        answer = "" if answer is None else str(answer)
        if refused := once_refusal(self.toolkit, ep.task.question, ep.task.intent, answer, ep.actions[:-1], ep.refused):
            kind, action.observation, action.error = refused  # the next step cannot be a Finish (:meth:`_Run.step_schema`)
            ep.refused.add(kind)
            action.error_kind = "refused"
            return None
        earlier = [a.observation for a in ep.actions[:-1] if a.tool]
        if is_error_answer(answer, [truncate(o, self.settings.observation_max_chars) for o in earlier]):
            ep.refusals += 1
            action.observation = ERROR_FINISH_NOTE
            action.error = "refused: the answer is an error message"
            action.error_kind = "refused"
            return "error_answer" if ep.refusals > ERROR_FINISH_REFUSALS else None
        action.observation = ""
        ep.answer = answer
        return "finish"

    def _after_call(self, ep: "_Run", action: ActionStep) -> Reason | None:
        """Run the call, note a repeat in its observation; the reason to stop, if any."""
        self._observe(action)
        call = (action.tool, action.args, action.observation)
        ep.repeats = ep.repeats + 1 if call == ep.last_call else 0
        ep.last_call = call
        if ep.repeats == 1:  # a small model stuck on one call: say so once, in the observation
            action.observation += REPEAT_NOTE if any(t.name == FINISH for t in self.toolkit.tools()) else REPEAT_NOTE_NO_FINISH
        if self.toolkit.done:  # the conversation is over (user left, transfer)
            return "done"
        if ep.repeats >= 2:  # the third identical call in a row: nothing new will come of it
            if ep.last_word or not any(t.name == FINISH for t in self.toolkit.tools()):
                return "repeat"
            ep.last_word = True  # one step more, a Finish: the 0.5B wrote "The launch is called Petrel." as it retrieved again
        return None

    def _final(self, ep: "_Run") -> FinalStep:
        """The episode as an experience (refused Finishes teach nothing), its usage and totals."""
        history = ep.history(self.settings.observation_max_chars)
        experience = Experience(
            question=ep.task.question,
            steps=[h for h in history if not (h.tool == FINISH and is_refusal_note(h.observation))],
            answer=ep.answer if ep.answer is not None else "",
            intent=ep.task.intent,
            success_source="failed",
            origin=f"run:{ep.task.run_id}",
            model=self.backend.name,
        )
        if ep.shown and self.pool is not None:
            try:
                self.pool.record_recalls(ep.shown)
            except Exception:  # usage stats are best effort, never fail an episode
                pass
        a = ep.actions
        usage = sum((Usage.of(x) for x in a), Usage())
        totals = {
            "steps": len(a),
            "prompt_tokens": usage.prompt_tokens,
            "prompt_tokens_evaluated": usage.prompt_tokens_evaluated,
            "completion_tokens": usage.completion_tokens,
            "llm_seconds": round(sum(x.seconds for x in a), 3),
            "recall_ms": round(sum(x.recall_ms for x in a), 2),
            "tool_seconds": round(sum(x.tool_seconds for x in a), 3),
            "parse_failures": sum(x.parse_failures for x in a),
            "intent_seconds": round(ep.intent_seconds, 3),
            "seconds": round(time.perf_counter() - ep.t_start, 3),
        }
        return FinalStep(ep.answer, experience, ep.reason in ("finish", "done"), ep.reason, totals, ep.shown)

    def _act(self, index, messages, schema, recalled, recall_ms, temperature=None, seed=None, n_prefix=0) -> ActionStep | None:
        """One model call (plus at most one retry); None when the context overflowed."""
        s = self.settings
        recalled_view = [{k: v for k, v in r.items() if k != "experience"} for r in recalled]
        step = ActionStep(index, "", "", {}, recalled=recalled_view, recall_ms=round(recall_ms, 3))
        max_tokens = s.step_max_tokens
        for _attempt in range(2):
            try:
                comp = self.backend.complete(messages, json_schema=schema, max_tokens=max_tokens,
                                             temperature=s.temperature if temperature is None else temperature,
                                             seed=s.seed if seed is None else seed, prefix_messages=n_prefix)
            except ContextOverflow:  # the prompt outgrew the window despite the budget check
                return None
            step.prompt_tokens += comp.prompt_tokens
            step.prompt_tokens_evaluated += comp.prompt_tokens_evaluated
            step.completion_tokens += comp.completion_tokens
            step.seconds = round(step.seconds + comp.seconds, 3)
            parsed = parse_step(comp.text)
            if parsed is not None:
                step.thought, step.tool, step.args = parsed
                step.error = None
                step.error_kind = None
                step.raw = ""
                return step
            step.parse_failures += 1
            step.error = f"could not parse the model's step (finish_reason={comp.finish_reason})"
            step.error_kind = "parse"
            step.raw = comp.text[:500]
            max_tokens *= 2
        return step

    def _observe(self, step: ActionStep) -> None:
        t0 = time.perf_counter()
        try:
            obs = self.toolkit.call(step.tool, step.args)
        except ToolCallError as e:
            text = str(e)
            obs, step.error, step.error_kind = (text if text.startswith("Error") else f"Error: {text}"), text, "call"
        except Exception as e:  # a tool crashed: the model sees it and may try something else
            obs, step.error, step.error_kind = f"Error: {type(e).__name__}: {e}", f"{type(e).__name__}: {e}", "tool"
        step.tool_seconds = round(time.perf_counter() - t0, 3)
        s = self.settings
        step.observation = truncate(obs, max(s.observation_max_chars, s.prompt_observation_chars))

    # --- learning ------------------------------------------------------------------------------
    def learn(self, experience: Experience, verdict_or_source, details: dict | None = None):
        """Add ``experience`` to the pool if the verdict is a success; returns the AddResult
        (or None when nothing was added because the episode failed or did not finish)."""
        if hasattr(verdict_or_source, "success"):
            if not verdict_or_source.success:
                return None
            source, details = verdict_or_source.source, {**verdict_or_source.details, **(details or {})}
        else:
            source = verdict_or_source
        from .judge import admit_experience

        return admit_experience(self.pool, experience, source, details)


@dataclass
class _Run:
    """The state of one episode: its fixed parts, the one list of steps, and the counters the
    stopping rules read. The prompt's history is derived from the steps, never kept beside them."""

    task: TaskStep
    t_start: float
    intent_seconds: float
    note: str | None
    temperature: float
    seed: int
    exclude: frozenset
    k: int
    hints: dict
    system: dict[str, str]  # the system message
    schema: dict
    order: DemoOrder
    actions: list[ActionStep] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    cached: list | None = None  # the demos of the first step (static demos and task-level recall reuse them)
    block: list | None = None  # the demo block as last shown (the append layout keeps step 1's and adds to it)
    block_limit: int = 0  # the append layout's largest block: step 1's size + MAX_APPENDED
    answer: str | None = None
    reason: Reason = "max_steps"
    last_call: tuple | None = None  # (tool, args, observation) of the previous call
    repeats: int = 0
    refusals: int = 0
    refused: set[str] = field(default_factory=set)  # the once-only refusals made (:func:`.refusal.once_refusal`)
    last_word: bool = False  # after the third identical call: the next step is a Finish (:meth:`step_schema`)
    look_first: frozenset = frozenset()  # the tools the first step may call (all when empty; :meth:`step_schema`)

    def step_schema(self) -> dict:
        """The step schema for the next call: Finish only on the last word (after a third
        identical call); no Finish right after a refusal that bars it (:func:`.refusal.bars_finish`:
        told to look, the 1.5B finished again at step 2, "The answer is not provided in the given
        documents."), so the grammar makes that step a tool call. On a question about the user's inputs the
        first step reads them: in the real-files runs, document questions begun with Calculate or
        PythonInterpreter ("4500 / 1000" before split's default was read) were right 3 times in 35."""
        if not self.actions and self.look_first:
            options = [o for o in self.schema["anyOf"] if o["properties"]["tool"].get("const") in self.look_first]
            if options:
                return {"anyOf": options}
        last = self.actions[-1] if self.actions else None
        if self.last_word and last is not None and last.tool != FINISH:
            return {"anyOf": [o for o in self.schema["anyOf"] if o["properties"]["tool"].get("const") == FINISH] or self.schema["anyOf"]}
        if last is None or not bars_finish(last.observation):
            return self.schema
        options = [o for o in self.schema["anyOf"] if o["properties"]["tool"].get("const") != FINISH]
        return {"anyOf": options} if options else self.schema

    def history(self, observation_chars: int) -> list[Step]:
        """The steps as the prompt and the experience see them (observations cut to what is stored)."""
        return [Step(a.thought, a.tool, a.args, truncate(a.observation, observation_chars)) for a in self.actions if a.tool]


def plan_hint(exp: Experience) -> str:
    """``Plan of the closest solved question: SQLInterpreter -> Finish``: the tool chain of the
    best demo, as a hint in place of the fixed per-intent tool list."""
    chain = [st.tool for st in exp.steps]
    return "Plan of the closest solved question: " + " -> ".join(chain)
