"""Build ``pools/taubench-retail-seed/experiences.jsonl`` from τ-bench retail *train* tasks.

Never from test or dev: those are what ``seer eval taubench`` measures. Airline has no train
split, so there is no airline seed (its runs start from an empty pool).

Each seed experience is one train task's gold actions replayed through seer's environment on a
fresh copy of the tables, so every tool observation is real. The gold actions of the train tasks
are only the database writes, so around them the trajectory adds what the policy requires and a
real conversation would have: authentication (``find_user_id_by_name_zip`` when the instruction
gives a zip code, else ``find_user_id_by_email``, with the user's details from the users table:
a real observation), ``get_order_details`` of each order the task touches
(real), before each write a ``respond`` listing the action and asking for a yes (the user's
answer, "yes", is written here, not simulated), and a closing ``respond`` (answered ``###STOP###``).
The question is the task's instruction (the user's goal in the second person); the intent is the
task kind (:func:`seer_cli.evals.taubench.toolkit.task_kind`). Tasks whose gold write fails (19
train tasks, insufficient gift-card balance) are left out: a seed shows what works.

At most ``--per-kind`` tasks of each kind are kept (in file order), so that seeding a run's pool
(embedding every seed) takes seconds, not minutes.

    python pools/taubench-retail-seed/build_seed.py [--per-kind 30] [--out pools/taubench-retail-seed]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from seer_cli.evals.taubench.env import TauEnv, load_tasks
from seer_cli.evals.taubench.toolkit import task_kind
from seer_cli.pool.records import Experience, Step

OBS_CHARS = 600
REPO = Path(__file__).resolve().parents[2]

THOUGHTS = {
    "cancel_pending_order": "The user confirmed; cancel the pending order with the reason they gave.",
    "modify_pending_order_items": "The user confirmed every item; modify the items in one call.",
    "modify_pending_order_address": "The user confirmed; change the order's shipping address.",
    "modify_pending_order_payment": "The user confirmed; switch the order's payment method.",
    "return_delivered_order_items": "The user confirmed; return the items to the chosen payment method.",
    "exchange_delivered_order_items": "The user confirmed every item; exchange them in one call.",
    "modify_user_address": "The user confirmed; change the default address.",
}


def _call_text(name: str, kwargs: dict) -> str:
    return ", ".join(f"{k}: {json.dumps(v)}" for k, v in kwargs.items())


def _authenticate(env: TauEnv, task) -> Step:
    """Find the user id the way the instruction allows: name + zip when it gives a zip code, else e-mail."""
    user = env.data["users"][task.user_id]
    if "zip code" in task.instruction:
        args = {"first_name": user["name"]["first_name"], "last_name": user["name"]["last_name"], "zip": user["address"]["zip"]}
        return Step("Authenticate the user by name and zip code before anything else.", "find_user_id_by_name_zip", args,
                    env.step("find_user_id_by_name_zip", args))
    args = {"email": user["email"]}
    return Step("Authenticate the user by e-mail before anything else.", "find_user_id_by_email", args,
                env.step("find_user_id_by_email", args))


def build(per_kind: int) -> list[Experience]:
    out: list[Experience] = []
    kept: Counter = Counter()
    for task in load_tasks("retail", "train"):
        names = [a.name for a in task.actions]
        kind = task_kind("retail", names)
        if kept[kind] >= per_kind:
            continue
        env = TauEnv("retail", task)
        steps = [_authenticate(env, task)]
        looked: set[str] = set()
        ok = True
        for a in task.actions:
            order_id = a.kwargs.get("order_id")
            if order_id and order_id not in looked:
                looked.add(order_id)
                steps.append(Step("Check the order's status and items.", "get_order_details", {"order_id": order_id},
                                  env.step("get_order_details", {"order_id": order_id})[:OBS_CHARS]))
            ask = f"To confirm: {a.name.replace('_', ' ')} with {_call_text(a.name, a.kwargs)}. Shall I proceed (yes/no)?"
            steps.append(Step("Policy: list the action details and get an explicit yes first.", "respond", {"content": ask}, "yes"))
            result = env.step(a.name, dict(a.kwargs))
            if result.startswith("Error"):
                ok = False
                break
            steps.append(Step(THOUGHTS.get(a.name, "Do what the user confirmed."), a.name, dict(a.kwargs), result[:OBS_CHARS]))
        if not ok:
            continue
        steps.append(Step("Tell the user it is done.", "respond", {"content": "Done. Is there anything else I can help you with?"}, "###STOP###"))
        kept[kind] += 1
        out.append(Experience(question=task.instruction, steps=steps, answer="", intent=kind, success_source="imported",
                              success_details={"from": f"tau-bench retail train task {task.index}"},
                              origin=f"taubench:retail-train:{task.index}", model=None, created_at="2026-12-02T00:00:00+00:00"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-kind", type=int, default=30)
    ap.add_argument("--out", type=Path, default=REPO / "pools" / "taubench-retail-seed")
    args = ap.parse_args()
    exps = build(args.per_kind)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "experiences.jsonl").open("w", encoding="utf-8") as f:
        for e in exps:
            f.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")
    print(f"{len(exps)} experiences -> {args.out / 'experiences.jsonl'}; kinds {dict(Counter(e.intent for e in exps))}")


if __name__ == "__main__":
    main()
