"""The in-process llama.cpp backend on the real bundled 0.5B model, and the backend registry."""

from __future__ import annotations

import json
import uuid

import jsonschema
import pytest

from seer_cli.backends.base import Completion
from seer_cli.backends.llama_cpp import LlamaCppBackend, physical_cores
from seer_cli.backends.openai_http import OpenAIBackend
from seer_cli.backends.registry import backend_spec, clear_cache, get_backend
from seer_cli.config import load_settings
from seer_cli.errors import BackendError, ModelError



def _user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def test_generates_text_with_token_accounting(llm):
    c = llm.complete(_user("Reply with one word: the color of the sky."), max_tokens=8)
    assert isinstance(c, Completion) and c.text.strip()
    assert c.prompt_tokens > 5 and 1 <= c.completion_tokens <= 8
    assert 0 <= c.prompt_tokens_evaluated <= c.prompt_tokens
    assert c.finish_reason in ("stop", "length") and c.seconds > 0
    assert c.model == "qwen2.5-coder-0.5b"


_S = {"type": "string", "maxLength": 24}
SCHEMAS = [
    {"type": "object", "properties": {"city": _S}, "required": ["city"]},
    {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
    {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
    {"type": "object", "properties": {"mood": {"enum": ["happy", "sad", "neutral"]}}, "required": ["mood"]},
    {"type": "object", "properties": {"tool": {"enum": ["Calculate", "LoadDB", "Finish"]}, "arg": _S},
     "required": ["tool", "arg"]},
    {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}}, "required": ["x", "y"]},
    {"type": "object", "properties": {"tags": {"type": "array", "items": _S, "maxItems": 3}}, "required": ["tags"]},
    {"type": "object", "properties": {"name": _S, "age": {"type": "integer", "minimum": 0}}, "required": ["name", "age"]},
    {"type": "object", "properties": {"intent": {"enum": ["flight", "coffee", "yelp", "other"]}}, "required": ["intent"]},
    {"type": "object", "properties": {"answer": _S, "sure": {"type": "boolean"}}, "required": ["answer", "sure"]},
]
PROMPTS = [
    "Name a large city in France.", "How many legs does a spider have?", "Is water wet? Answer ok true or false.",
    "Describe the mood of a rainy Monday.", "Which tool would you call to add 2 and 3?", "Give a point on the line y = 2x.",
    "Give up to three tags for a photo of a beach.", "Invent a person with a name and an age.",
    "Classify: 'How strong is the espresso at this cafe?'", "What is 7 times 6?",
    "Name a river in Egypt.", "Count the letters in the word cat.", "Is the sun a star?",
    "How does a birthday party feel?", "Which tool finishes a task with an answer?", "Pick any point in the plane.",
    "Tags for a recipe of pancakes.", "Describe a fictional pilot.", "Classify: 'Flights from Boston to Denver'.",
    "What is the capital of Japan?",
]


def test_json_schema_output_always_validates(llm):
    """20 varied prompts x small schemas; each reply parses and validates against its schema."""
    for i, prompt in enumerate(PROMPTS):
        schema = SCHEMAS[i % len(SCHEMAS)]
        c = llm.complete(_user(prompt + " Answer in JSON."), json_schema=schema, max_tokens=48)
        assert c.finish_reason == "stop", (prompt, c.text)
        jsonschema.validate(json.loads(c.text), schema)


def test_an_enum_value_with_a_double_quote_is_refused_not_a_crash(llm):
    """llama.cpp cannot parse the grammar llama-cpp-python writes for it and the process died
    with SIGSEGV (found when self-practice offered the column "High" with its quotes)."""
    for schema in ({"type": "object", "properties": {"x": {"enum": ['"High"', '"Close"']}}, "required": ["x"]},
                   {"type": "object", "properties": {"x": {"const": 'say "hi"'}}, "required": ["x"]}):
        with pytest.raises(BackendError, match="double quote"):
            llm.complete([{"role": "user", "content": "pick one"}], json_schema=schema, max_tokens=8)
    plain = llm.complete([{"role": "user", "content": "pick one"}], max_tokens=32,
                         json_schema={"type": "object", "properties": {"x": {"enum": ["High", "it's"]}}, "required": ["x"]})
    assert json.loads(plain.text)["x"] in ("High", "it's")


def test_prefix_reuse_evaluates_only_the_new_suffix(llm):
    """Same prompt + a new turn: only the suffix is run through the model, and it is faster."""
    nonce = uuid.uuid4().hex  # nothing in the cache shares more than the template's first tokens
    system = f"Session {nonce}. You are a careful assistant. " + " ".join(
        f"Rule {i}: answer briefly and never invent facts about item {i}." for i in range(60))
    first = [{"role": "system", "content": system}, {"role": "user", "content": "Say hi."}]
    a = llm.complete(first, max_tokens=2)
    assert a.prompt_tokens > 700
    assert a.prompt_tokens_evaluated >= a.prompt_tokens - 8
    second = first + [{"role": "assistant", "content": a.text}, {"role": "user", "content": "Now say bye."}]
    b = llm.complete(second, max_tokens=2)
    assert b.prompt_tokens > a.prompt_tokens
    assert b.prompt_tokens_evaluated < 40  # the new turn only
    assert b.prompt_tokens_reused >= a.prompt_tokens - 8
    assert b.seconds < a.seconds  # loose: the CPU is shared; tools/bench_runtime.py measures the ratio


def test_stop_sequences_cut_the_text(llm):
    c = llm.complete(_user("Count from 1 to 10, separated by commas."), stop=["5"], max_tokens=40)
    assert "1" in c.text and "5" not in c.text and "6" not in c.text


def test_max_tokens_limits_length(llm):
    c = llm.complete(_user("Write a long story about a dragon."), max_tokens=5)
    assert c.completion_tokens == 5 and c.finish_reason == "length"


def test_streaming_pieces_add_up_to_the_text(llm):
    pieces: list[str] = []
    c = llm.complete(_user("List three fruits."), max_tokens=16, on_text=pieces.append)
    assert len(pieces) > 1 and "".join(pieces) == c.text and c.completion_tokens > 1


def test_sampling_is_reproducible_with_a_seed(llm):
    """Same seed and same cache state -> same text. (A fresh evaluation and a reused KV prefix
    differ in the last bits of the logits, so the first call only puts the cache in that state.)"""
    msgs = _user("Invent a name for a cat.")
    runs = [llm.complete(msgs, max_tokens=12, temperature=1.0, seed=7).text for _ in range(3)]
    assert runs[1] == runs[2]


def test_prompt_longer_than_context_is_one_line(llm):
    with pytest.raises(BackendError) as e:
        llm.complete(_user("word " * 5000), max_tokens=4)
    assert "longer than the context window (4096)" in str(e.value) and "\n" not in str(e.value)


def test_not_a_gguf_is_a_model_error(tmp_path):
    bad = tmp_path / "x.gguf"
    bad.write_bytes(b"not a model at all")
    with pytest.raises(ModelError, match="is not a GGUF file"):
        LlamaCppBackend(bad)


def test_physical_cores_is_positive():
    assert 1 <= physical_cores() <= len(__import__("os").sched_getaffinity(0))


def test_seer_threads_env_sets_the_default(gguf_path, monkeypatch):
    from seer_cli.backends.registry import _llama_cpp
    from seer_cli.config import load_settings

    monkeypatch.setenv("SEER_THREADS", "1")
    backend = _llama_cpp(str(gguf_path), load_settings().replace(n_ctx=256))  # the registry's factory
    try:
        assert backend.n_threads == 1
    finally:
        backend.close()


# -------------------------------------------------------------------------------- registry ---

def test_registry_loads_a_model_once(gguf_path):
    settings = load_settings().replace(model=str(gguf_path), n_ctx=512)
    try:
        a = get_backend(settings)
        assert isinstance(a, LlamaCppBackend)
        assert get_backend(settings) is a
        assert get_backend(settings.replace(model="qwen2.5-coder-0.5b")) is a  # alias -> same file
        assert get_backend(settings.replace(model=f"llama-cpp:{gguf_path}")) is a  # explicit prefix
    finally:
        clear_cache()


def test_llm_url_selects_the_http_backend_without_connecting():
    settings = load_settings().replace(llm_url="http://127.0.0.1:1/v1")
    try:
        backend = get_backend(settings)
        assert isinstance(backend, OpenAIBackend) and backend.base_url == "http://127.0.0.1:1"
        assert backend_spec(settings) == ("openai", "http://127.0.0.1:1/v1")
    finally:
        clear_cache()
