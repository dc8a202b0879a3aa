"""Saved prefix states of the llama.cpp backend (real 0.5B model, short prompts): a prompt whose
system + demonstrations prefix was saved before skips evaluating it even after another prompt
evicted the live cache, greedy output is unchanged, and the store stays within its byte budget."""

from __future__ import annotations

import pytest

from seer_cli.backends.prefix_states import PrefixStates

SYSTEM = {"role": "system", "content": "You answer arithmetic questions with one number and nothing else. " * 6}
DEMO = [{"role": "user", "content": "What is 2 + 2? Think of it as two pairs of apples put together."},
        {"role": "assistant", "content": "4"}]


def ask(llm, question: str, demos=DEMO):
    messages = [SYSTEM, *demos, {"role": "user", "content": question}]
    return llm.complete(messages, max_tokens=4, prefix_messages=len(messages) - 1)


@pytest.fixture
def states(llm):
    old = llm.states
    llm.states = PrefixStates(64 * 1024 * 1024)
    llm.complete([{"role": "user", "content": "hi"}], max_tokens=1)  # a live cache that shares nothing
    yield llm.states
    llm.states = old


def test_saved_prefix_survives_an_evicting_prompt_with_the_same_answer(llm, states):
    first = ask(llm, "What is 3 + 5?")
    assert first.prompt_tokens_evaluated >= first.prompt_tokens - 8  # nothing cached yet (but the chat markers)
    assert states.saved == 2  # the system prompt, and system + demonstration
    other = llm.complete([{"role": "system", "content": "Translate to French. " * 20},
                          {"role": "user", "content": "cat"}], max_tokens=2)
    assert other.prompt_tokens_evaluated >= other.prompt_tokens - 8  # it evicted the live cache
    again = ask(llm, "What is 3 + 5?")
    assert states.restored >= 1
    assert again.prompt_tokens_evaluated < first.prompt_tokens // 4  # only the question's tail
    assert again.text == first.text
    llm.states = None  # the same prompt from a cold cache, without states: the same greedy answer
    llm.complete([{"role": "user", "content": "hi"}], max_tokens=1)
    cold = ask(llm, "What is 3 + 5?")
    assert cold.prompt_tokens_evaluated >= cold.prompt_tokens - 8 and cold.text == first.text


def test_a_new_demonstration_set_restores_the_system_prompt(llm, states):
    ask(llm, "What is 6 + 1?")
    llm.complete([{"role": "user", "content": "hi"}], max_tokens=1)
    other_demos = [{"role": "user", "content": "What is 10 - 3? Take three away from ten."}, {"role": "assistant", "content": "7"}]
    c = ask(llm, "What is 9 - 4?", demos=other_demos)
    system_tokens = len(llm.tokenize(llm.render([SYSTEM])))
    assert c.prompt_tokens_evaluated <= c.prompt_tokens - system_tokens + 8  # the system prompt came from its state


def test_store_evicts_least_recently_used_beyond_its_budget():
    s = PrefixStates(capacity=100)
    s.put((1, 2), b"x" * 40)
    s.put((1, 2, 3), b"y" * 40)
    assert s.longest([1, 2, 3, 4]) == ((1, 2, 3), b"y" * 40)  # longest prefix, now most recent
    assert s.longest([1, 2]) is None  # a key must be shorter than the prompt (one token is always evaluated)
    s.put((5,), b"z" * 40)  # 120 bytes > 100: the least recently used, (1, 2), goes
    assert (1, 2) not in s and (1, 2, 3) in s and (5,) in s and s.bytes == 80 and s.evicted == 1
    s.put((6,), b"w" * 101)  # larger than the whole budget: not kept
    assert (6,) not in s


def test_kv_cache_mb_zero_turns_the_store_off(gguf_path):
    from seer_cli.backends.llama_cpp import LlamaCppBackend

    b = LlamaCppBackend(gguf_path, n_ctx=512, n_threads=1, kv_cache_mb=0)
    try:
        assert b.states is None
        c = b.complete([SYSTEM, {"role": "user", "content": "What is 1 + 1?"}], max_tokens=2, prefix_messages=1)
        assert c.prompt_tokens_evaluated >= c.prompt_tokens - 1
    finally:
        b.close()


def test_states_on_disk_make_the_next_process_warm_and_damaged_files_are_dropped(gguf_path, tmp_path):
    from seer_cli.backends.llama_cpp import LlamaCppBackend

    def backend():
        return LlamaCppBackend(gguf_path, n_ctx=1024, n_threads=1, kv_disk_dir=tmp_path / "kv", kv_disk_mb=64)

    a = backend()
    try:
        cold = ask(a, "What is 4 + 4?")
    finally:
        a.close()
    files = list((tmp_path / "kv").rglob("*.kv"))
    assert len(files) == 2  # system; system + demonstration
    b = backend()  # a new process, in effect: nothing in RAM
    try:
        warm = ask(b, "What is 4 + 4?")
        assert b.states.loaded == 1 and warm.prompt_tokens_evaluated < cold.prompt_tokens // 4 and warm.text == cold.text
    finally:
        b.close()
    longest = max(files, key=lambda p: p.stat().st_size)
    data = bytearray(longest.read_bytes())
    data[-100] ^= 0xFF  # one flipped byte in the state: the checksum fails, the file goes
    longest.write_bytes(bytes(data))
    c = backend()
    try:
        again = ask(c, "What is 4 + 4?")
        assert again.text == cold.text and c.states.loaded == 1  # only the system prompt's file was usable
        assert again.prompt_tokens_evaluated > warm.prompt_tokens_evaluated
    finally:
        c.close()
    assert sum(p.stat().st_size for p in (tmp_path / "kv").rglob("*.kv")) <= 64 * 1024 * 1024
