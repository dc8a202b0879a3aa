"""The agent loop end to end on the real 0.5B model, the real embedder and a real seeded pool.

Kept to a handful of short episodes (the CPU is shared): the prompt prefix is stable and the
KV cache is reused, three invented questions produce parsed trajectories, and learning from an
expected answer grows the pool once (a second identical run is a duplicate).
"""

from __future__ import annotations

import pytest

from seer_cli.agent import ActionStep, Agent, FinalStep, TaskStep, by_expected
from seer_cli.config import load_settings

from scripted import Scripted



@pytest.fixture
def settings():
    return load_settings()


@pytest.fixture
def pool(settings, embedder):
    from seer_cli.pool import Pool

    p = Pool.open("default", settings, embedder=embedder)  # first use seeds it from general-seed
    assert len(p) >= 15
    return p


@pytest.fixture(scope="module")
def kit():
    from seer_cli.toolkits import get_toolkit

    k = get_toolkit("general")
    yield k
    k.close()


def _episode(agent, question, **kw):
    steps = list(agent.run(question, **kw))
    assert isinstance(steps[0], TaskStep) and isinstance(steps[-1], FinalStep)
    actions = [s for s in steps if isinstance(s, ActionStep)]
    assert all(isinstance(s, ActionStep) for s in steps[1:-1])
    return actions, steps[-1]


def test_unchanged_recall_keeps_the_prompt_prefix_and_the_kv_cache(llm, kit, pool, embedder, settings):
    agent = Agent(llm, kit, pool, embedder, settings, recall="task", k=2, max_steps=3)
    actions, final = _episode(agent, "What is 64 * 25?", intent="math")
    assert len(actions) >= 2, [a.to_dict() for a in actions]
    first, second = agent.last_prompts[0], agent.last_prompts[1]
    assert actions[0].recalled == actions[1].recalled  # task mode: the same demonstrations
    assert second[: len(first)] == first  # byte-identical prefix: step 2 only appends
    # measured: step 2 evaluates only its new tail, a small fraction of its prompt
    assert actions[1].prompt_tokens_evaluated < 0.25 * actions[1].prompt_tokens, actions[1].to_dict()


def test_append_layout_never_drops_a_demo_of_step_one(llm, kit, pool, embedder, settings):
    agent = Agent(llm, kit, pool, embedder, settings, recall="stepwise", k=3, max_steps=4, demo_layout="append")
    actions, final = _episode(agent, "What is the sum of the squares of 3, 4 and 12?", intent="math")
    assert len(actions) >= 2, [a.to_dict() for a in actions]
    block = [r["id"] for r in actions[0].recalled]
    first = agent.last_prompts[0]
    for action, prompt in zip(actions, agent.last_prompts):
        shown = [r["id"] for r in action.recalled]
        assert shown[: len(block)] == block and len(shown) <= len(block) + 2  # step 1's demos stay, in place
    # the block's messages (system + step 1's demos) open every later prompt byte for byte
    question_at = max(i for i, m in enumerate(first) if m["role"] == "user" and m["content"].startswith("Question:"))
    assert all(p[:question_at] == first[:question_at] for p in agent.last_prompts)


def test_three_invented_questions_parse_and_learning_dedups(llm, kit, pool, embedder, settings):
    agent = Agent(llm, kit, pool, embedder, settings, recall="stepwise", k=2, max_steps=4)
    cases = [("What is 20% of 350?", None), ("How many times does the letter 'a' appear in 'banana'?", "code"),
             ("What is 57 * 12?", "math")]
    finals = {}
    for question, intent in cases:  # the first one classifies its intent
        actions, final = _episode(agent, question, intent=intent)
        assert actions, question
        assert sum(a.parse_failures for a in actions) == 0, [a.to_dict() for a in actions]
        assert all(a.tool for a in actions)  # every call parsed into a tool
        assert final.experience.question == question and len(final.experience.steps) == len(actions)
        for i, a in enumerate(actions):  # stepwise: demos carry their score parts and timings
            assert a.recalled and all({"id", "score", "sim", "coverage", "intent"} <= set(r) for r in a.recalled)
            assert a.recall_ms > 0 and set(a.recall_parts) == {"embed_ms", "search_ms", "rescore_ms"}
            if i and [r["id"] for r in a.recalled] == [r["id"] for r in actions[i - 1].recalled]:
                prev = agent.last_prompts[i - 1]  # same recalled set: the prefix is byte-identical
                assert agent.last_prompts[i][: len(prev)] == prev
        finals[question] = final
    final = finals["What is 57 * 12?"]
    assert final.finished and final.answer == "684", final.to_dict()

    before = len(pool)
    added = agent.learn(final.experience, by_expected(final.answer, "684"))
    assert added.added == [final.experience.id] and len(pool) == before + 1
    stored = pool.get(final.experience.id)
    assert stored.success_source == "gold-em" and stored.success_details == {"expected": "684"}

    actions, again = _episode(agent, "What is 57 * 12?", intent="math")
    assert final.experience.id in [r["id"] for r in actions[0].recalled]  # the learned trajectory is now a demo
    # The same trajectory learned again is a duplicate. (The second episode itself is not compared: with
    # its own answer shown as a demo, the 0.5B on an AVX2 host finishes at step 1, copying it.)
    second = agent.learn(final.experience, by_expected(final.answer, "684"))
    assert second.added == [] and second.duplicates == 1 and len(pool) == before + 1
    assert again.answer == "684"


def test_a_third_identical_call_in_a_row_leaves_one_step_to_finish_then_ends_the_episode(kit, settings):
    """After the third identical call the next step's grammar holds only Finish (the 0.5B wrote "The
    rescue launch is called Petrel." while it retrieved a third time on an AVX-512 host); a model that
    calls again anyway (a scripted one ignores the grammar) ends the episode."""
    import json

    bad = json.dumps({"thought": "try", "tool": "Calculate", "args": {"expression": "ans = 1 + 1 = 2"}})
    backend = Scripted([bad])
    agent = Agent(backend, kit, None, None, settings, recall="none", k=0, max_steps=10)
    steps = list(agent.run("What is 1 + 1?", intent="math"))
    actions, final = [s for s in steps if isinstance(s, ActionStep)], steps[-1]
    assert final.reason == "repeat" and not final.finished and len(actions) == 4
    assert [o["properties"]["tool"].get("const") for o in backend.schemas[3]["anyOf"]] == ["Finish"]
    assert actions[0].observation.startswith("Error: ") and not actions[0].observation.startswith("Error: Error")
    assert "same call gave the same result" in actions[1].observation
    assert "same call gave the same result" not in actions[0].observation + actions[2].observation
    done = Agent(Scripted([bad, bad, bad, json.dumps({"thought": "t", "tool": "Finish", "args": {"answer": "2"}})], repeat_last=False),
                 kit, None, None, settings, recall="none", k=0, max_steps=10)
    assert list(done.run("What is 1 + 1?", intent="math"))[-1].answer == "2"
