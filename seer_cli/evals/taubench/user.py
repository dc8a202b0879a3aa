"""The simulated customer of a τ-bench episode: an LLM playing the task's instruction.

Why: τ-bench tasks are conversations. The agent only ever sees what the user says; the user
model sees the task's instruction (goal, identity, preferences) and the agent's messages. Rules
(``data/prompts/taubench_user.md``): one short line at a time, reveal only what is needed, invent
nothing, and reply ``###STOP###`` when done. The episode starts with the agent's fixed greeting
"Hi! How can I help you today?", which the user answers with its first message. The ``###STOP###``
rule (``taubench_user_stop.md``) joins the user's prompt only after that first message: with it
in the prompt from the start, the bundled 0.5B model answered the greeting with ``###STOP###``
on all three airline tasks tried (24, 0, 5); without it, it stated its request on each.

The conversation is kept from the user's side: the agent's lines are ``user`` turns and the
customer's own lines are ``assistant`` turns of the user model's chat. Turns are capped
(``max_turns``): a user that never says ``###STOP###`` ends the episode there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...agent.prompt import load_prompt

if TYPE_CHECKING:
    from ...agent.contracts import BackendLike

GREETING = "Hi! How can I help you today?"
STOP = "###STOP###"
MAX_TOKENS = 160


def _read(name: str) -> str:
    return load_prompt(name, "seer_cli.evals", "data/prompts").rstrip("\n")


def _prompt(instruction: str, *, stop_rule: bool) -> str:
    rule = _read("taubench_user_stop.md") if stop_rule else ""
    return _read("taubench_user.md").replace("{instruction}", instruction).replace("{stop_rule}", rule)


class UserSimulator:
    """``first_message()`` once, then ``reply(agent_message)`` per agent ``respond``."""

    def __init__(self, backend: BackendLike, instruction: str, *, max_turns: int = 20, seed: int = 0, temperature: float = 0.0):
        self.backend = backend
        self.instruction = instruction
        self.messages = [{"role": "system", "content": _prompt(instruction, stop_rule=False)}]
        self.max_turns = max_turns
        self.seed = seed
        self.temperature = temperature
        self.turns = 0
        self.done = False
        self.stop_reason: str | None = None  # "stop" (said ###STOP###) | "turns" (hit max_turns)
        self.prompt_tokens_evaluated = 0
        self.completion_tokens = 0
        self.seconds = 0.0

    def first_message(self) -> str:
        return self.reply(GREETING)

    def reply(self, agent_message: str) -> str:
        if self.done:
            return STOP
        self.messages.append({"role": "user", "content": agent_message})
        comp = self.backend.complete(self.messages, max_tokens=MAX_TOKENS, temperature=self.temperature, seed=self.seed)
        self.prompt_tokens_evaluated += comp.prompt_tokens_evaluated
        self.completion_tokens += comp.completion_tokens
        self.seconds += comp.seconds
        text = _one_line(comp.text)
        self.turns += 1
        if STOP in text:
            self.done, self.stop_reason = True, "stop"
            text = text.replace(STOP, "").strip() or STOP
        elif self.turns >= self.max_turns:
            self.done, self.stop_reason = True, "turns"
        self.messages.append({"role": "assistant", "content": text})
        if self.turns == 1:  # from now on the user may leave
            self.messages[0] = {"role": "system", "content": _prompt(self.instruction, stop_rule=True)}
        return text


def _one_line(text: str) -> str:
    """The first non-empty line of the reply, without a role prefix a small model may add."""
    for line in text.strip().splitlines():
        line = line.strip()
        if line:
            for prefix in ("Customer:", "User:", "customer:", "user:"):
                if line.startswith(prefix):
                    line = line[len(prefix):].strip()
            if line:
                return line
    return STOP if STOP in text else "..."
