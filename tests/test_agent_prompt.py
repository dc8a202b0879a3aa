"""The prompt layout, demo order and step parsing: pure functions, no model needed."""

from __future__ import annotations

import pytest

import json

from seer_cli.agent.judge import by_expected
from seer_cli.agent.steps import parse_step
from seer_cli.agent.prompt import DemoOrder, appended, build_messages, load_prompt, step_json
from seer_cli.agent.steps import ActionStep, CallbackRegistry, FinalStep, TaskStep
from seer_cli.pool.records import Experience, Step

SYSTEM = {"role": "system", "content": "You answer questions with tools."}


def _exp(q: str, obs: str = "42") -> Experience:
    return Experience(
        question=q,
        steps=[Step("compute it", "Calculate", {"expression": "6*7"}, obs), Step("done", "Finish", {"answer": "42"})],
        answer="42",
        success_source="user",
    )


def test_messages_alternate_and_each_demo_ends_with_its_finish_step():
    demos = [_exp("What is six times seven?"), _exp("What is 7 times 6?")]
    history = [Step("multiply", "Calculate", {"expression": "3*3"}, "9")]
    msgs = build_messages(SYSTEM, demos, "What is 3 squared?", history)
    roles = [m["role"] for m in msgs]
    assert roles[0] == "system"
    assert all(a != b for a, b in zip(roles[1:], roles[2:])), roles  # strictly alternating after system
    # demo 1: question, step, observation, Finish
    assert msgs[1]["content"] == "Question: What is six times seven?"
    assert json.loads(msgs[2]["content"]) == {"thought": "compute it", "tool": "Calculate", "args": {"expression": "6*7"}}
    assert msgs[3]["content"] == "Observation: 42"
    assert json.loads(msgs[4]["content"])["tool"] == "Finish"
    assert msgs[5]["content"] == "Question: What is 7 times 6?"
    assert msgs[9] == {"role": "user", "content": "Question: What is 3 squared?"}
    assert msgs[-1] == {"role": "user", "content": "Observation: 9"}


def test_demo_observations_are_cut_shorter_than_live_ones():
    long = "x" * 1000
    msgs = build_messages(SYSTEM, [_exp("q1", obs=long)], "q2", [Step("t", "Calculate", {"expression": "1"}, long)],
                          demo_observation_chars=100, observation_chars=300)
    demo_obs, live_obs = msgs[3]["content"], msgs[-1]["content"]
    assert len(demo_obs) <= len("Observation: ") + 100 and demo_obs.endswith("[truncated]")
    assert len(live_obs) <= len("Observation: ") + 300 and len(live_obs) > len(demo_obs)


def test_same_recalled_set_gives_a_byte_identical_prefix():
    demos = [_exp("a"), _exp("b"), _exp("c")]
    h1 = [Step("t1", "Calculate", {"expression": "1+1"}, "2")]
    h2 = h1 + [Step("t2", "Calculate", {"expression": "2+2"}, "4")]
    m1 = build_messages(SYSTEM, demos, "q", h1)
    m2 = build_messages(SYSTEM, demos, "q", h2)
    assert m2[: len(m1)] == m1  # the step only appends


def test_append_layout_keeps_the_block_and_adds_the_best_newcomer_up_to_a_limit():
    block = [{"id": "a"}, {"id": "b"}]
    recalled = [{"id": "b"}, {"id": "n1"}, {"id": "n2"}]  # score order
    assert [r["id"] for r in appended(block, recalled, 4)] == ["a", "b", "n1"]  # the best-ranked demo the block lacks
    assert [r["id"] for r in appended(block, [{"id": "b"}, {"id": "a"}], 4)] == ["a", "b"]  # nothing new: unchanged
    assert [r["id"] for r in appended(block, recalled, 2)] == ["a", "b"]  # full: no more newcomers
    demos = [_exp("a"), _exp("b")]
    h1 = [Step("t1", "Calculate", {"expression": "1+1"}, "2")]
    m1 = build_messages(SYSTEM, demos, "q", h1)
    m2 = build_messages(SYSTEM, demos + [_exp("new one")], "q", h1)
    assert m2[: len(m1) - 3] == m1[:-3]  # system and the block stay; the newcomer, question and history follow them


def test_demo_order_keeps_survivors_in_place_and_appends_newcomers():
    order = DemoOrder("sticky")
    assert order.update(["A", "B", "C", "D"], key=lambda r: r) == ["A", "B", "C", "D"]
    # new scores reorder the set: the prompt order does not move
    assert order.update(["D", "C", "B", "A"], key=lambda r: r) == ["A", "B", "C", "D"]
    # B drops out, E comes in (ranked first): E goes last, the others keep their order
    assert order.update(["E", "D", "C", "A"], key=lambda r: r) == ["A", "C", "D", "E"]
    score = DemoOrder("score")
    assert score.update(["D", "C"], key=lambda r: r) == ["D", "C"]
    best_last = DemoOrder("best-last")  # the best demo right before the question
    assert best_last.update(["A", "B", "C", "D"], key=lambda r: r) == ["D", "C", "B", "A"]
    assert best_last.update(["E", "D", "C", "A"], key=lambda r: r) == ["D", "C", "A", "E"]
    canonical = DemoOrder("canonical")  # the same set gives the same prefix, whatever the scores
    assert canonical.update(["C", "A", "D", "B"], key=lambda r: r) == ["A", "B", "C", "D"]
    assert DemoOrder("canonical").update(["B", "D", "A", "C"], key=lambda r: r) == ["A", "B", "C", "D"]
    assert canonical.update(["F", "E", "C", "A"], key=lambda r: r) == ["A", "C", "E", "F"]  # survivors stay, newcomers sorted
    with pytest.raises(ValueError, match="sticky, best-last, score, canonical"):
        DemoOrder("random")


def test_parse_step_accepts_step_json_and_rejects_the_rest():
    assert parse_step(step_json("t", "Calculate", {"expression": "1+1"})) == ("t", "Calculate", {"expression": "1+1"})
    assert parse_step('{"thought": "t", "tool": "Calc') is None  # cut at max_tokens
    assert parse_step('{"thought": "t"}') is None
    assert parse_step('{"thought": "t", "tool": "X", "args": [1]}') is None
    assert parse_step("[]") is None
    # what llama.cpp's grammar really produced for a length-limited thought: a raw newline
    raw = '{"thought": "Two steps:\n1. add\n" ,"tool" :"Calculate","args": {"expression": "60 - 40" } }'
    assert parse_step(raw) == ("Two steps:\n1. add\n", "Calculate", {"expression": "60 - 40"})


def test_callbacks_are_called_by_step_type():
    seen = {"task": 0, "action": 0, "all": 0}
    reg = CallbackRegistry({TaskStep: lambda s: seen.__setitem__("task", seen["task"] + 1)})
    reg.register("action", lambda s: seen.__setitem__("action", seen["action"] + 1))
    reg.register(None, lambda s: seen.__setitem__("all", seen["all"] + 1))
    reg(TaskStep("q", "math", "given", "general", "stepwise", "recall", 4, 10, "r"))
    reg(ActionStep(1, "t", "Calculate", {"expression": "1"}))
    reg(FinalStep("1", _exp("q"), True, "finish"))
    assert seen == {"task": 1, "action": 1, "all": 3}


def test_expected_answer_judge_uses_exact_then_lenient_match():
    assert by_expected("391", "391").source == "gold-em"
    assert by_expected("391.0", "391").success
    wrong = by_expected("392", "391")
    assert not wrong.success and wrong.source == "failed"
    assert not by_expected(None, "391").success


def test_prompts_are_package_data():
    assert "{tools}" in load_prompt("system")
    assert "{question}" in load_prompt("question")


def test_self_check_never_passes_an_unfinished_trajectory():
    from seer_cli.agent.judge import by_self_check

    unfinished = Experience("q", [Step("t", "Calculate", {"expression": "1"}, "1")], "", success_source="failed")
    verdict = by_self_check(None, unfinished)  # decided before any model call
    assert not verdict.success and verdict.details == {"reason": "did not finish"}
