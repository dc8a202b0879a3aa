"""seer_cli.pool.formats on real files: detection, each format's mapping, every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from seer_cli.errors import UserError
from seer_cli.pool import formats, readers
from seer_cli.pool.formats import read_files, register_format
from seer_cli.pool.records import Experience, Step

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "formats"


def _write(path, lines):
    path.write_bytes(b"".join((orjson.dumps(x) if not isinstance(x, bytes) else x) + b"\n" for x in lines))
    return path


def _openai(**extra):
    rec = {
        "messages": [
            {"role": "user", "content": "How long is the word 'harbour'?"},
            {
                "role": "assistant",
                "content": "Count the letters.",
                "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "PythonInterpreter", "arguments": '{"code": "ans = len(\'harbour\')"}'}}],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "7"},
            {"role": "assistant", "content": "7"},
        ],
        "success": True,
    }
    rec.update(extra)
    return rec


@pytest.mark.parametrize(
    "name, fmt, n_ok, n_failed",
    [("example-seer.jsonl", "seer", 3, 0), ("example-openai.jsonl", "openai", 2, 1), ("example-library.json", "library", 2, 0)],
)
def test_examples_are_detected_and_read(name, fmt, n_ok, n_failed):
    path = EXAMPLES / name
    r = read_files([path])
    assert r.errors == []
    assert r.formats == {str(path): fmt}
    assert (len(r.experiences), len(r.failures), r.read) == (n_ok, n_failed, n_ok + n_failed)
    for exp in r.experiences:
        assert exp.steps[-1].tool == "Finish" and exp.steps[-1].args == {"answer": exp.answer}
        assert exp.origin.startswith(f"{path}:")


def test_openai_mapping(tmp_path):
    r = read_files([_write(tmp_path / "log.jsonl", [_openai(intent="text", model="m1")])])
    (exp,) = r.experiences
    assert exp.question == "How long is the word 'harbour'?"
    assert exp.steps[0] == Step("Count the letters.", "PythonInterpreter", {"code": "ans = len('harbour')"}, "7")
    assert exp.steps[1] == Step("", "Finish", {"answer": "7"}, "")
    assert (exp.answer, exp.intent, exp.model, exp.success_source) == ("7", "text", "m1", "imported")
    assert exp.origin == f"{tmp_path / 'log.jsonl'}:1"


def test_openai_success_flag(tmp_path):
    rec = _openai()
    del rec["success"]
    path = _write(tmp_path / "log.jsonl", [rec, _openai(success=False)])
    r = read_files([path])
    assert [str(e) for e in r.errors] == [
        f"{path}:1: success: missing (true or false); pass --assume-success to import records without it"
    ]
    assert [e.success_source for e in r.failures] == ["failed"]
    r = read_files([path], assume_success=True, include_failures=True)
    assert r.errors == [] and [e.success_source for e in r.experiences] == ["imported", "failed"]


def test_library_step_string_and_unknown_tool(tmp_path):
    rec = {
        "class": "weather",
        "question": "Is it colder in Oslo than in Rome today?",
        "steps": "Step 1: Look up Oslo. <CALL_BEGIN>WeatherAPI[Oslo]<CALL_END>\nStep 2: Answer. <CALL_BEGIN>Finish[yes]<CALL_END>",
        "full_text": "Step 1: Look up Oslo. <CALL_BEGIN>WeatherAPI[Oslo]<CALL_END>\nResult 1: -3 C\nline two\nStep 2: Answer.",
    }
    path = tmp_path / "lib.json"
    path.write_bytes(orjson.dumps([rec]))
    (exp,) = read_files([path]).experiences
    assert exp.steps[0] == Step("Look up Oslo.", "WeatherAPI", {"input": "Oslo"}, "-3 C\nline two")
    assert (exp.answer, exp.intent) == ("yes", "weather")


def test_library_uses_the_toolqa_argument_names():
    assert readers.library_args("LoadDB", "coffee") == {"db": "coffee"}
    assert readers.library_args("NodeCheck", "PaperNet, A study, revisited") == {"graph": "PaperNet", "node": "A study, revisited"}
    assert readers.library_args("EdgeCheck", "AuthorNet, Ann Lee, Bo Chen") == {"graph": "AuthorNet", "node1": "Ann Lee", "node2": "Bo Chen"}
    assert readers.library_args("Translate", "hola, amigo") == {"input": "hola, amigo"}
    with pytest.raises(ValueError, match=r"EdgeCheck\[AuthorNet, Ann Lee\]: expected 3 comma-separated arguments \(graph, node1, node2\)"):
        readers.library_args("EdgeCheck", "AuthorNet, Ann Lee")


def test_seer_round_trip_keeps_every_field(tmp_path):
    src = read_files([EXAMPLES / "example-seer.jsonl"]).experiences
    path = _write(tmp_path / "export.jsonl", [e.to_dict() for e in src])
    again = read_files([path]).experiences
    assert [e.to_dict() for e in again] == [e.to_dict() for e in src]


@pytest.mark.parametrize(
    "content, where, reason",
    [
        (b"", "", "empty file, no records"),
        (b"\n  \n", "", "empty file, no records"),
        (b"{not json}\n", ":1", "not JSON (invalid syntax at column 2)"),
        (b"\xff\xfe{}\n", ":1", "not valid UTF-8 (byte 1 of the line)"),
        (b"PK\x03\x04\x00\x00binary", ":1", "binary data (NUL byte), not JSON or JSONL"),
        (b'{"foo": 1}\n', ":1", "unknown format (first record has keys foo); pass --format (openai, library, seer)"),
        (b'[{"question": "q", "steps": [], "full_text": ""}', ":1", "steps: must be a non-empty list of strings"),
        (b'[{"question": "q", "steps": [], "full_text": ""}', ":1", "not JSON (expected ',' or ']' after an array element)"),
    ],
)
def test_bad_files(tmp_path, content, where, reason):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    r = read_files([path])
    assert f"{path}{where}: {reason}" in [str(e) for e in r.errors]
    assert len(r.errors) == (2 if content.startswith(b"[") else 1)
    assert r.experiences == []


def test_line_too_long_is_skipped_in_streaming_fashion(tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "MAX_LINE", 1024)
    good = read_files([EXAMPLES / "example-seer.jsonl"]).experiences[0].to_dict()
    path = _write(tmp_path / "big.jsonl", [good | {"origin": ""}, b'{"question": "' + b"x" * 5000 + b'"}', good | {"origin": "o"}])
    r = read_files([path])
    assert [str(e) for e in r.errors] == [f"{path}:2: line too long (over 1024 bytes)"]
    assert [e.origin for e in r.experiences] == [f"{path}:1", "o"]


def test_wrong_types_name_the_field(tmp_path):
    rec = _openai()
    rec["messages"][1]["tool_calls"][0]["function"]["arguments"] = "{oops"
    seer = read_files([EXAMPLES / "example-seer.jsonl"]).experiences[0].to_dict()
    seer["steps"] = "none"
    path = _write(tmp_path / "mixed.jsonl", [rec, _openai(success="yes"), _openai(intent=3)])
    r = read_files([path])
    assert [str(e) for e in r.errors] == [
        f"{path}:1: messages[1].tool_calls[0].function.arguments: not valid JSON (invalid syntax at column 2)",
        f"{path}:2: success: must be true or false",
        f"{path}:3: intent: must be a non-empty string",
    ]
    seer_path = _write(tmp_path / "seer.jsonl", [seer])
    assert [str(e) for e in read_files([seer_path], format="seer").errors] == [f"{seer_path}:1: steps: must be a non-empty list"]


def test_directory_missing_and_unknown_format(tmp_path):
    r = read_files([tmp_path, tmp_path / "nope.jsonl"])
    assert [str(e) for e in r.errors] == [f"{tmp_path}: is a directory, not a file", f"{tmp_path / 'nope.jsonl'}: no such file"]
    with pytest.raises(UserError, match=r"unknown format 'csv' \(known: openai, library, seer\)"):
        read_files([EXAMPLES / "example-seer.jsonl"], format="csv")


def test_register_format_enters_like_the_builtins(tmp_path):
    def detect(suffix, first_char, rec):
        return isinstance(rec, dict) and "q" in rec and "calc" in rec

    def read(rec, opts):
        return Experience(rec["q"], [Step("", "Calculate", {"expression": rec["calc"]}), Step("", "Finish", {"answer": rec["a"]})], rec["a"])

    register_format("tiny", detect, read)
    try:
        path = _write(tmp_path / "t.jsonl", [{"q": "What is 2+2?", "calc": "2+2", "a": "4"}])
        r = read_files([path])
        assert r.formats == {str(path): "tiny"} and r.experiences[0].tools == ["Calculate", "Finish"]
    finally:
        del formats.FORMATS["tiny"]
