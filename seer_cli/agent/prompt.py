"""The prompt, rebuilt from steps every turn, with a prefix that stays put.

Layout (chat messages)::

    system     instructions + tool specs                       (fixed for a toolkit)
    user       Question: <demo 1 question>                     \
    assistant  {"thought": ..., "tool": ..., "args": ...}       | one recalled demonstration,
    user       Observation: <shortened>                         | ending with its Finish step
    assistant  {... "tool": "Finish" ...}                      /
    ...        demos 2..k
    user       Question: <the question> (+ Hint: ...)
    assistant  the agent's own steps, alternating with
    user       Observation: ...

Why alternating messages: with the history folded into one user message the 0.5B model looped;
as alternating assistant-step / user-observation turns it follows the demonstrations step by
step. Why the order matters: llama.cpp reuses the KV cache for the longest unchanged token
prefix, so :class:`DemoOrder` keeps demos that stay in the recalled set where they were and
appends newcomers; an unchanged recalled set gives a byte-identical prefix, and each turn only
appends. But a demo that leaves the set from the middle of the block still invalidates every
token after it, every step. The ``append`` layout (``settings.demo_layout``) never drops one:
step 1's block stays for the whole episode, and a demo that stepwise recall ranks into the top k
later is added after the block (:func:`appended`, at most :data:`MAX_APPENDED` in an episode),
so a newcomer costs itself, the question and the history once, and nothing before it. (A first
version showed the newcomer compactly after the history instead; the 0.5B copied its Finish
answer into its own next step, so it was dropped after six questions.) Demo observations are cut shorter (``settings.demo_observation_chars``) than live ones
(``settings.prompt_observation_chars``) to keep prompts small.

Prompt text lives in ``seer_cli/agent/prompts/`` and is loaded with importlib.resources.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..config import DEMO_ORDERS
from ..pool.records import FINISH, Experience, Step

if TYPE_CHECKING:
    from .contracts import ToolkitLike

MAX_APPENDED = 2  # demos the append layout adds to step 1's block in one episode


@lru_cache(maxsize=None)
def load_prompt(name: str, package: str = "seer_cli.agent", folder: str = "prompts") -> str:
    """The text of the prompt file ``<folder>/<name>`` of ``package`` (``.md`` added when there is
    no suffix): the agent's own by default; the evals keep theirs in ``seer_cli.evals``'
    ``data/prompts``. The one way prompt files are read, as package data, exactly as written."""
    if "." not in name:
        name += ".md"
    return resources.files(package).joinpath(f"{folder}/{name}").read_text(encoding="utf-8")


def render(name: str, **values: Any) -> str:
    """Fill ``{key}`` placeholders by plain replacement (prompts contain JSON braces)."""
    text = load_prompt(name)
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text.rstrip("\n")


def truncate(text: str, limit: int) -> str:
    text = str(text)
    if limit <= 0 or len(text) <= limit:
        return text
    return text[: max(0, limit - 14)].rstrip() + " …[truncated]"


def step_json(thought: str, tool: str, args: dict[str, Any]) -> str:
    """One step as the model writes it: the key order of the step schema."""
    return json.dumps({"thought": thought, "tool": tool, "args": args}, ensure_ascii=False)


def tool_specs(toolkit: ToolkitLike) -> str:
    """The toolkit's tool descriptions (its ``tool_specs_text()``; a plain listing if that is empty)."""
    specs = toolkit.tool_specs_text()
    if specs:
        return str(specs)
    lines = []
    for t in toolkit.tools():
        params = ", ".join(t.parameters.get("properties", {}))
        lines.append(f"- {t.name}({params}): {t.description}")
    return "\n".join(lines)


def system_message(toolkit: ToolkitLike) -> dict[str, str]:
    """The toolkit's own ``system_prompt()`` when it has one (a τ-bench policy), else ``system.md``."""
    custom = toolkit.system_prompt()
    if custom is not None:
        return {"role": "system", "content": custom}
    return {"role": "system", "content": render("system", tools=tool_specs(toolkit))}


def question_message(question: str, hint: str | None = None) -> dict[str, str]:
    text = render("question", question=question)
    if hint:
        text += "\n" + render("hint", hint=hint)
    return {"role": "user", "content": text}


def step_messages(steps: Iterable[Step], observation_chars: int) -> list[dict[str, str]]:
    """Assistant step / user observation pairs; a Finish step has no observation after it
    (unless it was refused: then the refusal follows it)."""
    messages = []
    for s in steps:
        messages.append({"role": "assistant", "content": step_json(s.thought, s.tool, s.args)})
        if s.tool != FINISH or s.observation:  # a refused Finish carries the refusal
            messages.append({"role": "user", "content": render("observation", observation=truncate(s.observation, observation_chars))})
    return messages


def demo_messages(exp: Experience, observation_chars: int) -> list[dict[str, str]]:
    """A recalled experience as a solved conversation: question, steps, Finish."""
    return [question_message(exp.question), *step_messages(exp.steps, observation_chars)]


def build_messages(
    system: dict[str, str],
    demos: Sequence[Experience],
    question: str,
    history: Sequence[Step],
    *,
    hint: str | None = None,
    demo_observation_chars: int = 160,
    observation_chars: int = 400,
) -> list[dict[str, str]]:
    """The whole prompt for the next step. Pure: equal inputs give equal messages."""
    messages = [system]
    for exp in demos:
        messages += demo_messages(exp, demo_observation_chars)
    messages.append(question_message(question, hint))
    messages += step_messages(history, observation_chars)
    return messages


def appended(block: Sequence[Any], recalled: Sequence[Any], limit: int, key=lambda r: r["id"]) -> list[Any]:
    """The append layout's demo block: ``block`` unchanged, plus the best-ranked of this step's
    ``recalled`` (score order) that it lacks while it holds fewer than ``limit`` demos."""
    held = {key(r) for r in block}
    newcomer = next((r for r in recalled if key(r) not in held), None)
    return [*block, newcomer] if newcomer is not None and len(block) < limit else list(block)


class DemoOrder:
    """Keeps the demonstrations' order stable across steps for KV-cache reuse.

    ``order="sticky"`` (default): demos that stay in the recalled set keep their place, newcomers
    go last (in score order). ``"best-last"``: the same, but newcomers go last in *reverse* score
    order, so at step 1 the best demo sits right before the question. ``order="score"``: best
    first, re-sorted every step. ``"canonical"``: like sticky, but newcomers go in a fixed order
    (by id) rather than by score, so two questions that recall the same set at step 1 share the
    whole demonstration prefix, and its saved KV state serves both.
    """

    ORDERS = DEMO_ORDERS

    def __init__(self, order: str = "sticky"):
        if order not in self.ORDERS:
            raise ValueError(f"order: must be one of {', '.join(self.ORDERS)}, not {order!r}")
        self.order = order
        self._ids: list[str] = []

    def update(self, recalled: Sequence[Any], key=lambda r: r.experience.id) -> list[Any]:
        """``recalled`` in score order -> the same items in prompt order."""
        if self.order == "score":
            self._ids = [key(r) for r in recalled]
            return list(recalled)
        by_id = {key(r): r for r in recalled}
        kept = [i for i in self._ids if i in by_id]
        seen = set(kept)
        new = [key(r) for r in recalled if key(r) not in seen]
        if self.order == "best-last":
            new.reverse()
        elif self.order == "canonical":
            new.sort()
        self._ids = kept + new
        return [by_id[i] for i in self._ids]


def common_prefix_chars(a: list[dict[str, str]], b: list[dict[str, str]]) -> int:
    """Characters of the rendered conversation two prompts share from the start (diagnostics)."""
    ra = "".join(f"<{m['role']}>{m['content']}" for m in a)
    rb = "".join(f"<{m['role']}>{m['content']}" for m in b)
    n = 0
    for x, y in zip(ra, rb):
        if x != y:
            break
        n += 1
    return n
