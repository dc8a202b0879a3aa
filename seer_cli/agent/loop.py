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
   "Error") is refused: the observation asks for a fix and the episode goes on (at most
   ``ERROR_FINISH_REFUSALS`` times, then it ends with ``reason="error_answer"``);
7. it stops on ``Finish``, at ``max_steps``, when the next step would not fit the context, at
   the third identical call in a row (the second one gets a note in its observation), or when a
   conversational toolkit says the episode is over (its ``done`` attribute turns true: the
   simulated user left, or the agent transferred to a human; ``reason="done"``).

:meth:`Agent.learn` adds a trajectory judged successful (:mod:`.judge`) to the pool.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any, Iterable, Iterator

from ..errors import BackendError, ToolCallError
from ..pool.records import FINISH, Experience, Step
from .intent import classify_intent
from .prompt import DemoOrder, build_messages, step_messages, system_message, truncate
from .steps import ActionStep, CallbackRegistry, FinalStep, TaskStep

RECALL_MODES = ("stepwise", "task", "none")
DEMO_MODES = ("recall", "static")


REPEAT_NOTE = "\n(The same call gave the same result last step. Change the arguments, use another tool, or Finish.)"
REPEAT_NOTE_NO_FINISH = "\n(The same call gave the same result last step. Change the arguments or use another tool.)"
ERROR_FINISH_NOTE = (
    "Error: that answer is an error message, not an answer to the question. "
    "Fix the call that failed (check the tool's arguments) or use another tool, then Finish with the result."
)
ERROR_FINISH_REFUSALS = 2
_ERROR_START = re.compile(r"(error|exception|traceback|we have failed)\b[\s:(]", re.IGNORECASE)
# an error retold in the model's words ("The table 'sales' does not exist."), after a call failed
_ERROR_RETOLD = re.compile(r"\b(does not exist|doesn't exist|not found|no such \w+|(is|are) not (available|defined)"
                           r"|not defined|unknown (table|column|tool|function))\b", re.IGNORECASE)


def is_error_answer(answer: str, observations: list[str]) -> bool:
    """True when a Finish answer is an error message: it starts with "Error"/"Exception"/a
    traceback, or it is (a prefix of) an observation that starts with "Error", or a call failed
    in this episode and the answer retells a failure ("... does not exist", "not found")."""
    a = answer.strip()
    if not a:
        return False
    if _ERROR_START.match(a):
        return True
    if _ERROR_RETOLD.search(a) and any(o.strip().lower().startswith("error") for o in observations):
        return True
    for obs in observations:
        o = obs.strip()
        if o.lower().startswith("error") and len(a) >= 12 and (a in o or o.startswith(a)):
            return True
    return False


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
                                      dominant_margin=s.dominant_margin)
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
        self._last_timings = dict(getattr(found, "timings", {}))
        return [
            {
                "experience": r.experience,
                "id": r.experience.id,
                "score": round(float(r.score), 4),
                "sim": round(float(r.sim), 4),
                "coverage": round(float(r.coverage), 4),
                "intent": bool(r.intent_match),
            }
            for r in found
        ]

    # --- budget ------------------------------------------------------------------------------
    def _n_ctx(self) -> int:
        return int(getattr(self.backend, "n_ctx", None) or self.settings.n_ctx)

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
        """
        s = self.settings
        temperature = s.temperature if temperature is None else temperature
        seed = s.seed if seed is None else seed
        exclude = frozenset(exclude)
        k = self.k if k is None else k
        t_start = time.perf_counter()
        run_id = uuid.uuid4().hex[:12]
        if intent:
            intent_source, intent_seconds = "given", 0.0
        else:
            intent, intent_source, intent_seconds = classify_intent(self.backend, self.toolkit, question, seed=s.seed, pool=self.pool, embedder=self.embedder)
        yield self._emit(
            TaskStep(question, intent, intent_source, self.toolkit.name, self.recall_mode, self.demos, self.k, self.max_steps, run_id, round(intent_seconds, 3))
        )

        hints = (getattr(self.toolkit, "intent_hints", {}) or {}) if s.hint == "intent" else {}
        system = system_message(self.toolkit)
        schema = self.toolkit.step_schema(s.thought_max_chars)
        order = DemoOrder(self.demo_order)
        history: list[Step] = []
        actions: list[ActionStep] = []
        shown: list[str] = []
        cached = None
        answer, reason = None, "max_steps"
        last_call, repeats = None, 0  # (tool, args, observation) of the previous step; how often it repeated
        refusals = 0
        self.last_prompts = []

        for index in range(1, self.max_steps + 1):
            t0 = time.perf_counter()
            recalled = self._recall(question, intent, history, cached, exclude, k)
            cached = recalled
            recall_ms = (time.perf_counter() - t0) * 1000
            recall_parts = {k: round(v, 3) for k, v in self._last_timings.items()}
            self._last_timings = {}
            recalled = order.update(recalled, key=lambda r: r["id"])
            shown += [r["id"] for r in recalled if r["id"] not in shown]
            hint = hints.get(intent)
            if s.hint == "plan" and recalled:
                hint = plan_hint(max(recalled, key=lambda r: r["score"] or 0)["experience"])
            if note:
                hint = f"{hint}\n{note}" if hint else note
            messages = build_messages(
                system,
                [r["experience"] for r in recalled],
                question,
                history,
                hint=hint,
                demo_observation_chars=s.demo_observation_chars,
                observation_chars=s.prompt_observation_chars,
            )
            self.last_prompts.append(messages)
            if self._count_tokens(messages) + s.step_max_tokens > self._n_ctx():
                reason = "context"
                break
            n_prefix = len(messages) - 1 - len(step_messages(history, s.prompt_observation_chars))  # system + demos
            action = self._act(index, messages, schema, recalled, recall_ms, temperature, seed, n_prefix)
            if action is not None:
                action.recall_parts = recall_parts
            if action is None:
                reason = "context"
                break
            if action.error and not action.tool:  # unparsable twice
                actions.append(action)
                yield self._emit(action)
                reason = "parse"
                break
            if action.tool == FINISH:
                answer = action.args.get("answer")
                answer = "" if answer is None else str(answer)
                if is_error_answer(answer, [h.observation for h in history]):
                    refusals += 1
                    answer = None
                    action.observation = ERROR_FINISH_NOTE
                    action.error = "refused: the answer is an error message"
                    history.append(Step(action.thought, action.tool, action.args, ERROR_FINISH_NOTE))
                    actions.append(action)
                    yield self._emit(action)
                    if refusals > ERROR_FINISH_REFUSALS:
                        reason = "error_answer"
                        break
                    continue
                action.observation = ""
                history.append(Step(action.thought, action.tool, action.args, ""))
                actions.append(action)
                yield self._emit(action)
                reason = "finish"
                break
            self._observe(action)
            call = (action.tool, action.args, action.observation)
            repeats = repeats + 1 if call == last_call else 0
            last_call = call
            if repeats == 1:  # a small model stuck on one call: say so once, in the observation
                action.observation += REPEAT_NOTE if any(t.name == FINISH for t in self.toolkit.tools()) else REPEAT_NOTE_NO_FINISH
            history.append(Step(action.thought, action.tool, action.args, truncate(action.observation, s.observation_max_chars)))  # the prompt cuts it further
            actions.append(action)
            yield self._emit(action)
            if getattr(self.toolkit, "done", False):  # the conversation is over (user left, transfer)
                reason = "done"
                break
            if repeats >= 2:  # the third identical call in a row: nothing new will come of it
                reason = "repeat"
                break

        finished = reason in ("finish", "done")
        experience = Experience(
            question=question,
            steps=[h for h in history if not (h.tool == FINISH and h.observation == ERROR_FINISH_NOTE)],  # refused Finishes teach nothing
            answer=answer if answer is not None else "",
            intent=intent,
            success_source="failed",
            origin=f"run:{run_id}",
            model=getattr(self.backend, "name", None),
        )
        if shown and self.pool is not None and hasattr(self.pool, "record_recalls"):
            try:
                self.pool.record_recalls(shown)
            except Exception:  # usage stats are best effort, never fail an episode
                pass
        totals = {
            "steps": len(actions),
            "prompt_tokens": sum(a.prompt_tokens for a in actions),
            "prompt_tokens_evaluated": sum(a.prompt_tokens_evaluated for a in actions),
            "completion_tokens": sum(a.completion_tokens for a in actions),
            "llm_seconds": round(sum(a.seconds for a in actions), 3),
            "recall_ms": round(sum(a.recall_ms for a in actions), 2),
            "tool_seconds": round(sum(a.tool_seconds for a in actions), 3),
            "parse_failures": sum(a.parse_failures for a in actions),
            "intent_seconds": round(intent_seconds, 3),
            "seconds": round(time.perf_counter() - t_start, 3),
        }
        yield self._emit(FinalStep(answer, experience, finished, reason, totals, shown))

    def _act(self, index, messages, schema, recalled, recall_ms, temperature=None, seed=None, n_prefix=0) -> ActionStep | None:
        """One model call (plus at most one retry); None when the context overflowed."""
        s = self.settings
        recalled_view = [{k: v for k, v in r.items() if k != "experience"} for r in recalled]
        step = ActionStep(index, "", "", {}, recalled=recalled_view, recall_ms=round(recall_ms, 3))
        max_tokens = s.step_max_tokens
        for attempt in range(2):
            try:
                comp = self.backend.complete(messages, json_schema=schema, max_tokens=max_tokens,
                                             temperature=s.temperature if temperature is None else temperature,
                                             seed=s.seed if seed is None else seed, prefix_messages=n_prefix)
            except BackendError as e:  # the prompt outgrew the window despite the budget check
                if "context window" in str(e):
                    return None
                raise
            step.prompt_tokens += comp.prompt_tokens
            step.prompt_tokens_evaluated += comp.prompt_tokens_evaluated
            step.completion_tokens += comp.completion_tokens
            step.seconds = round(step.seconds + comp.seconds, 3)
            parsed = parse_step(comp.text)
            if parsed is not None:
                step.thought, step.tool, step.args = parsed
                step.error = None
                step.raw = ""
                return step
            step.parse_failures += 1
            step.error = f"could not parse the model's step (finish_reason={comp.finish_reason})"
            step.raw = comp.text[:500]
            max_tokens *= 2
        return step

    def _observe(self, step: ActionStep) -> None:
        t0 = time.perf_counter()
        try:
            obs = self.toolkit.call(step.tool, step.args)
        except ToolCallError as e:
            text = str(e)
            obs, step.error = (text if text.startswith("Error") else f"Error: {text}"), text
        except Exception as e:  # a tool crashed: the model sees it and may try something else
            obs, step.error = f"Error: {type(e).__name__}: {e}", f"{type(e).__name__}: {e}"
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


def plan_hint(exp: Experience) -> str:
    """``Plan of the closest solved question: SQLInterpreter -> Finish``: the tool chain of the
    best demo, as a hint in place of the fixed per-intent tool list."""
    chain = [st.tool for st in exp.steps]
    return "Plan of the closest solved question: " + " -> ".join(chain)


def parse_step(text: str) -> tuple[str, str, dict] | None:
    """``(thought, tool, args)`` from the model's JSON, or None when it does not parse."""
    try:
        # strict=False: llama.cpp's grammar for a length-limited string admits raw newlines,
        # which the JSON spec (and json.loads by default) rejects inside strings.
        d = json.loads(text, strict=False)
    except ValueError:
        return None
    if not isinstance(d, dict) or not isinstance(d.get("tool"), str) or not d["tool"]:
        return None
    args = d.get("args", {})
    if args is None:
        args = {}
    if not isinstance(args, dict):
        return None
    thought = d.get("thought", "")
    return (thought if isinstance(thought, str) else str(thought)), d["tool"], args
