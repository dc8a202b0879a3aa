"""A τ-bench episode as a seer :class:`~seer_cli.toolkits.base.Toolkit`, so the SEER agent loop
(recall before every step, schema-constrained ``{thought, tool, args}`` steps) runs it unchanged.

* The tools are the environment's, with the names, descriptions and argument schemas of
  ``tools.json``, plus ``respond(content)``: the message goes to the simulated user and the
  user's answer comes back as the observation. There is no ``Finish``: the episode ends when the
  user says ``###STOP###`` (or runs out of turns) or the agent transfers to a human; the toolkit's
  ``done`` attribute tells the loop.
* The system prompt is the domain's policy (``wiki.md``) followed by how to act and the tools.
* Intents are task kinds (cancel, return, book, ...): recall prefers experiences of the same
  kind, and each kind has a one-line hint that restates the policy's procedure.
"""

from __future__ import annotations

from typing import Any

from ...agent.prompt import load_prompt
from ...toolkits.base import Tool, Toolkit
from .env import RESPOND, TRANSFER, TauEnv, policy, tool_schemas

RESPOND_SCHEMA = {
    "type": "object",
    "properties": {"content": {"type": "string", "description": "The message to the user."}},
    "required": ["content"],
}
RESPOND_DESCRIPTION = "Send a message to the user (ask for information, list action details and ask for a yes, give results)."
MESSAGE_MAX_CHARS = 800  # a respond message; other string arguments keep the default cap

# Task kinds, named by the write tool a task needs (a task with several takes its first one).
KINDS = {
    "retail": {
        "cancel_pending_order": "cancel",
        "modify_pending_order_items": "modify",
        "modify_pending_order_address": "modify",
        "modify_pending_order_payment": "modify",
        "return_delivered_order_items": "return",
        "exchange_delivered_order_items": "exchange",
        "modify_user_address": "address",
    },
    "airline": {
        "book_reservation": "book",
        "cancel_reservation": "cancel",
        "update_reservation_flights": "change",
        "update_reservation_baggages": "change",
        "update_reservation_passengers": "change",
        "send_certificate": "compensation",
    },
}
INTENTS = {
    "retail": ["cancel", "modify", "return", "exchange", "address", "info"],
    "airline": ["book", "change", "cancel", "compensation", "info"],
}
HINTS = {
    "retail": {
        "cancel": "authenticate (find_user_id_by_email or find_user_id_by_name_zip), get_order_details, check it is pending, ask the reason, confirm with the user, cancel_pending_order.",
        "modify": "authenticate, get_order_details (must be pending), get_product_details for new options, collect every change, confirm, then one modify_pending_order_* call.",
        "return": "authenticate, get_order_details (must be delivered), confirm the items and the refund method, return_delivered_order_items.",
        "exchange": "authenticate, get_order_details (must be delivered), get_product_details, collect all items, confirm, exchange_delivered_order_items once.",
        "address": "authenticate, get_user_details, confirm the new address, modify_user_address.",
        "info": "authenticate, then look up with get_user_details / get_order_details / get_product_details and respond.",
    },
    "airline": {
        "book": "get_user_details, ask trip type, origin, destination, search flights, passengers, cabin, bags, insurance, payment; confirm; book_reservation.",
        "change": "get_user_details and get_reservation_details, check the policy (basic economy flights cannot change), search flights, confirm, update_reservation_*.",
        "cancel": "get_user_details, get_reservation_details, ask the reason, check the cancellation rules, confirm, cancel_reservation.",
        "compensation": "check the facts with get_reservation_details and the membership; only then, if the policy allows, send_certificate.",
        "info": "get_user_details or get_reservation_details and respond with what the tools show.",
    },
}


def task_kind(env: str, action_names: list[str]) -> str:
    """The kind of a task from its gold actions: the first write tool's kind, else ``info``."""
    for name in action_names:
        if name in KINDS[env]:
            return KINDS[env][name]
    return "info"


class TauToolkit(Toolkit):
    """One episode: a fresh :class:`TauEnv` and, for ``respond``, a simulated user (or None)."""

    intents: list[str]  # set per environment in __init__
    intent_hints: dict[str, str]

    def __init__(self, env: TauEnv, user=None):
        super().__init__()
        self.env = env
        self.user = user
        self.name = f"taubench-{env.env}"
        self.intents = INTENTS[env.env]
        self.intent_hints = HINTS[env.env]
        self._tools = [self._env_tool(s["function"]) for s in tool_schemas(env.env)] + [
            Tool(RESPOND, RESPOND_DESCRIPTION, {**RESPOND_SCHEMA, "additionalProperties": False}, self._respond)
        ]

    @property
    def done(self) -> bool:
        return self.env.done or bool(self.user is not None and self.user.done)

    def _env_tool(self, fn: dict[str, Any]) -> Tool:
        name = fn["name"]
        params = {"type": "object", "properties": fn["parameters"].get("properties", {}),
                  "required": fn["parameters"].get("required", []), "additionalProperties": False}
        return Tool(name, fn.get("description", ""), params, lambda **kw: self.env.step(name, kw))

    def _respond(self, content: str) -> str:
        self.env.say(content)
        if self.user is None:
            return "(no user is connected)"
        return self.user.reply(content)

    def tools(self) -> list[Tool]:
        return list(self._tools)

    def step_schema(self, thought_max_chars: int = 200, arg_max_chars: int = 300) -> dict:
        schema = super().step_schema(thought_max_chars, arg_max_chars)
        for option in schema["anyOf"]:
            if option["properties"]["tool"]["const"] == RESPOND:
                option["properties"]["args"]["properties"]["content"]["maxLength"] = MESSAGE_MAX_CHARS
        return schema

    def tool_specs_text(self) -> str:
        """One line per tool, its arguments with their types; descriptions as in tools.json."""
        return "\n".join(f"- {t.signature_text()}: {t.description}" for t in self._tools)

    def system_prompt(self) -> str:
        text = load_prompt("taubench_system.md", "seer_cli.evals", "data/prompts")
        return text.replace("{tools}", self.tool_specs_text()).replace("{policy}", policy(self.env.env).strip()).rstrip("\n")


__all__ = ["TauToolkit", "task_kind", "INTENTS", "RESPOND", "TRANSFER"]
