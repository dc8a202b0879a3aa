"""The τ-bench tools are faithful: replaying each task's gold actions on a fresh load of the
shipped data gives exactly the database hash recorded in ``gold_db_hashes.json`` (computed with
the official tools), for all 165 test tasks (retail 115, airline 50), the 20 retail dev and the
500 retail train tasks. The reward depends on nothing else, so this is what makes seer's scores
comparable with published τ-bench numbers. Uses the packaged data only (no ../shared)."""

from __future__ import annotations

import json

import pytest

from seer_cli.errors import InvalidRecord, UserError
from seer_cli.evals.taubench import env as E

GOLD = json.loads((E.data_dir() / "gold_db_hashes.json").read_text(encoding="utf-8"))
SPLITS = [("retail", "test", 115), ("retail", "dev", 20), ("retail", "train", 500), ("airline", "test", 50)]


@pytest.mark.parametrize("env", E.ENVS)
def test_untouched_database_hash(env):
    assert E.db_hash(E.load_data(env)) == GOLD[env]["initial_data_hash"]


READS = {"find_user_id_by_email", "find_user_id_by_name_zip", "get_order_details", "get_product_details", "get_user_details",
         "list_all_product_types", "calculate", "think", "transfer_to_human_agents", "get_reservation_details",
         "search_direct_flight", "search_onestop_flight", "list_all_airports"}


def _replay_split(env: str, split: str) -> tuple[list[str], dict[int, list[tuple[str, str]]]]:
    """(final hash per task, {task: [(write tool, its Error: result)]}) after replaying the gold actions."""
    hashes, errors = [], {}
    for t in E.load_tasks(env, split):
        data = E.load_data(env)
        for a in t.actions:
            result = E.TOOLS[env][a.name](data, **a.kwargs)
            if a.name not in READS and result.startswith("Error"):
                errors.setdefault(t.index, []).append((a.name, result))
        hashes.append(E.db_hash(data))
    return hashes, errors


@pytest.mark.slow  # 685 replays, a fresh database and its hash each: minutes
@pytest.mark.parametrize(("env", "split", "count"), SPLITS)
def test_gold_replays_reproduce_every_gold_hash(env, split, count):
    hashes, errors = _replay_split(env, split)
    assert len(hashes) == count == len(GOLD[env][split])
    wrong = [i for i, h in enumerate(hashes) if h != GOLD[env][split][i]]
    assert wrong == [], f"{env} {split}: {len(wrong)} of {count} hashes differ: tasks {wrong}"
    # the gold write actions that the official tools refuse are refused here with the same text
    expected = {e["task_index"]: [tuple(x) for x in e["errors"]] for e in GOLD["gold_write_actions_that_return_an_error"][f"{env}_{split}"]}
    assert errors == expected


def test_reward_needs_the_hash_and_every_output():
    tasks = E.load_tasks("retail", "test")
    task = next(t for t in tasks if t.outputs and t.actions)
    env = E.TauEnv("retail", task)
    for a in task.actions:
        env.step(a.name, dict(a.kwargs))
    assert env.reward().to_dict() == {"reward": 0.0, "failed": "outputs", "missing_outputs": list(task.outputs)}
    env.say("Here you go: " + " and ".join(o.upper() for o in task.outputs))  # case does not matter
    assert env.reward().reward == 1.0
    idle = E.TauEnv("retail", task)
    assert idle.reward().failed == "hash+outputs"


def test_the_do_nothing_floor_matches_the_provenance():
    """An agent that transfers at once scores 1.0 exactly where the gold database is untouched and no output is expected."""
    def floor(env, split):
        return [t.index for t in E.load_tasks(env, split) if not t.outputs and GOLD[env][split][t.index] == GOLD[env]["initial_data_hash"]]

    assert floor("retail", "test") == [10, 12, 25, 50, 57, 65, 106]
    assert floor("airline", "test") == [12, 13, 15, 17, 18, 21, 24, 29, *range(35, 43), 47, 48, 49]


def test_transfer_ends_the_episode_and_bad_calls_are_error_strings():
    env = E.TauEnv("airline")
    assert env.step("get_user_details", {"user_id": "nobody"}) == "Error: user not found"
    assert env.step("no_such_tool", {}).startswith("Error: unknown tool 'no_such_tool'; valid tools: book_reservation")
    assert env.step("get_user_details", {"uid": "x"}).startswith("Error: get_user_details:")
    assert not env.done
    assert env.step("transfer_to_human_agents", {"summary": "wants a human"}) == "Transfer successful"
    assert env.done


def test_each_task_gets_a_fresh_copy_of_the_tables():
    a = E.TauEnv("retail")
    a.data["users"].clear()
    assert E.TauEnv("retail").data["users"]


# --- bad input: one line naming the file and the field -------------------------------------


def test_missing_task_file(tmp_path):
    path = tmp_path / "tasks_test.json"
    with pytest.raises(UserError) as e:
        E.load_tasks("retail", "test", path)
    assert str(e.value) == f"{path}: missing (the retail test tasks)"


def test_malformed_task_file(tmp_path):
    path = tmp_path / "tasks_test.json"
    path.write_text('[{"user_id": "x",', encoding="utf-8")
    with pytest.raises(InvalidRecord) as e:
        E.load_tasks("retail", "test", path)
    assert str(e.value).startswith(f"{path}:1: not valid JSON (")
    path.write_text(json.dumps([{"user_id": "u", "instruction": "", "actions": []}]), encoding="utf-8")
    with pytest.raises(InvalidRecord, match=r"task 0: instruction: must be a non-empty string$"):
        E.load_tasks("retail", "test", path)


def test_unknown_tool_in_a_gold_action(tmp_path):
    path = tmp_path / "tasks_test.json"
    task = {"user_id": "u", "instruction": "do it", "actions": [{"name": "get_order_details", "kwargs": {"order_id": "#W1"}},
                                                                 {"name": "refund_everything", "kwargs": {}}], "outputs": []}
    path.write_text(json.dumps([task]), encoding="utf-8")
    with pytest.raises(InvalidRecord) as e:
        E.load_tasks("retail", "test", path)
    assert str(e.value) == f"{path}: task 0: actions[1].name: unknown retail tool 'refund_everything'"
    assert "\n" not in str(e.value)


def test_unknown_env_and_split():
    with pytest.raises(UserError, match=r"^--env: must be retail or airline, not 'bank'$"):
        E.load_tasks("bank", "test")
    with pytest.raises(UserError, match=r"^--split: airline has test, not 'train'$"):
        E.load_tasks("airline", "train")
