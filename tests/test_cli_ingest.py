"""`seer ingest` through the real CLI, in the throwaway SEER_HOME, with the real ONNX embedder.

Every bad input must exit 1, list ``file:line: reason`` on stderr and leave the pool's files
byte-for-byte unchanged; ``--skip-invalid`` adds the good records; ingesting twice adds nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from seer_cli.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "formats"
SEER, OPENAI, LIBRARY = (str(EXAMPLES / n) for n in ("example-seer.jsonl", "example-openai.jsonl", "example-library.json"))


def seer(*args: str, input: bytes | None = None):
    return CliRunner().invoke(app, list(args), input=input)


def ingest_json(*args: str, input: bytes | None = None) -> dict:
    r = seer("ingest", *args, "--json", input=input)
    assert r.exit_code == 0, r.stderr
    return orjson.loads(r.stdout)


def pool_files(home: Path, name: str = "t") -> dict[str, str]:
    d = home / "pools" / name
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(d.iterdir()) if f.is_file()}


@pytest.mark.parametrize("path, added, skipped", [(SEER, 3, 0), (OPENAI, 2, 1), (LIBRARY, 2, 0)])
def test_each_example_ingests(path, added, skipped):
    s = ingest_json(path, "--pool", "t")
    assert (s["read"], s["added"], s["duplicates"], s["rejected"], s["skipped"]) == (added + skipped, added, 0, 0, skipped)
    assert s["formats"] == {path: Path(path).name.split("-")[1].split(".")[0]}


def test_table_summary_and_second_ingest_adds_nothing(seer_home):
    first = seer("ingest", SEER, LIBRARY, "--pool", "t")
    assert first.exit_code == 0, first.stderr
    assert "read" in first.stdout and "duplicates" in first.stdout and "seconds" in first.stdout
    before = pool_files(seer_home)
    again = ingest_json(SEER, LIBRARY, "--pool", "t")
    assert (again["added"], again["duplicates"]) == (0, 5)
    assert pool_files(seer_home)["experiences.jsonl"] == before["experiences.jsonl"]


def _bad_cases(tmp: Path) -> list[tuple[str, str]]:
    """(file, the exact error line) for each kind of bad input."""
    good = Path(SEER).read_bytes().splitlines()[0]
    cases = {
        "notjson.jsonl": (b"{this is not json\n", ":1: not JSON (invalid syntax at column 2)"),
        "types.jsonl": (good + b"\n" + good.replace(b'"intent":"math"', b'"intent":7') + b"\n", ":2: intent: must be a non-empty string"),
        "missing.jsonl": (b'{"schema_version": 1, "steps": [{"tool": "Calculate"}]}\n', ":1: question: must be a non-empty string"),
        "utf8.jsonl": (good + b"\n" + b'{"question": "caf\xe9"}\n', ":2: not valid UTF-8 (byte 18 of the line)"),
        "empty.jsonl": (b"", ": empty file, no records"),
        "binary.jsonl": (b"\x7fELF\x02\x01\x01\x00\x00\x00", ":1: binary data (NUL byte), not JSON or JSONL"),
        "unknown.jsonl": (b'{"prompt": "hi", "completion": "there"}\n', ":1: unknown format (first record has keys prompt, completion); pass --format (openai, library, seer)"),
    }
    out = []
    for name, (content, where) in cases.items():
        (tmp / name).write_bytes(content)
        out.append((str(tmp / name), f"{tmp / name}{where}"))
    big = tmp / "big.jsonl"
    with big.open("wb") as f:  # a real 50 MB line, above the 16 MiB cap
        f.write(b'{"question": "' + b"x" * (50 * 10**6) + b'"}\n' + good + b"\n")
    out.append((str(big), f"{big}:1: line too long (over 16 MiB)"))
    (tmp / "adir").mkdir()
    out.append((str(tmp / "adir"), f"{tmp / 'adir'}: is a directory, not a file"))
    return out


def test_every_bad_input_is_one_line_exit_1_and_the_pool_is_unchanged(tmp_path, seer_home):
    assert seer("ingest", SEER, "--pool", "t").exit_code == 0
    before = pool_files(seer_home)
    for path, line in _bad_cases(tmp_path):
        r = seer("ingest", LIBRARY, path, "--pool", "t")
        assert r.exit_code == 1, (path, r.stdout)
        lines = r.stderr.splitlines()
        assert lines == [line, "Error: 1 invalid record; nothing was added (--skip-invalid adds the valid ones)"], path
        assert "Traceback" not in r.output
        assert pool_files(seer_home) == before, path


def test_all_problems_are_listed_together(tmp_path, seer_home):
    bad = tmp_path / "two.jsonl"
    bad.write_bytes(b"nope\n\n{}\n")
    r = seer("ingest", str(bad), str(tmp_path / "missing.jsonl"), "--pool", "t")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{bad}:1: not JSON (invalid syntax at column 1)",
        f"{bad}:3: unknown format (first record is an empty object); pass --format (openai, library, seer)",
        f"{tmp_path / 'missing.jsonl'}: no such file",
        "Error: 3 invalid records; nothing was added (--skip-invalid adds the valid ones)",
    ]
    assert not (seer_home / "pools" / "t").exists()


def test_skip_invalid_adds_the_good_ones(tmp_path):
    lines = Path(SEER).read_bytes().splitlines()
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(lines[0] + b"\n" + b'{"question": ""}\n' + lines[1] + b"\n")
    r = seer("ingest", str(mixed), "--skip-invalid", "--pool", "t", "--json")
    assert r.exit_code == 0
    assert r.stderr.splitlines() == [f"{mixed}:2: question: must be a non-empty string"]
    s = orjson.loads(r.stdout)
    assert (s["read"], s["added"], s["rejected"]) == (3, 2, 1)
    assert s["errors"] == [f"{mixed}:2: question: must be a non-empty string"]


def test_failures_assume_success_and_forced_format(tmp_path):
    assert ingest_json(OPENAI, "--include-failures", "--pool", "t")["added"] == 3
    rec = orjson.loads(Path(OPENAI).read_bytes().splitlines()[1])
    del rec["success"]
    nosuccess = tmp_path / "chat.jsonl"
    nosuccess.write_bytes(orjson.dumps(rec) + b"\n")
    r = seer("ingest", str(nosuccess), "--pool", "u")
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == f"{nosuccess}:1: success: missing (true or false); pass --assume-success to import records without it"
    assert ingest_json(str(nosuccess), "--assume-success", "--pool", "u")["added"] == 1
    forced = seer("ingest", SEER, "--format", "openai", "--pool", "u")
    assert forced.exit_code == 1 and forced.stderr.splitlines()[0] == f"{SEER}:1: messages: must be a non-empty list"
    unknown = seer("ingest", SEER, "--format", "csv", "--pool", "u")
    assert unknown.exit_code == 1 and unknown.stderr.strip() == "Error: unknown format 'csv' (known: openai, library, seer)"


def test_stdin(seer_home):
    s = ingest_json("-", "--pool", "t", input=Path(LIBRARY).read_bytes())
    assert (s["added"], s["formats"]) == (2, {"<stdin>": "library"})
    show = seer("pool", "show", s["added_ids"][0], "--pool", "t", "--json")
    assert orjson.loads(show.stdout)["origin"] == "<stdin>:2"


def test_round_trip_export_ingest_gives_identical_entries(tmp_path):
    for path in (SEER, OPENAI, LIBRARY):
        ingest_json(path, "--pool", "a")
    dump = tmp_path / "a.jsonl"
    assert seer("pool", "export", "--out", str(dump), "--pool", "a").exit_code == 0
    s = ingest_json(str(dump), "--pool", "b")
    assert (s["added"], s["formats"]) == (7, {str(dump): "seer"})
    again = seer("pool", "export", "--pool", "b")
    assert again.exit_code == 0
    assert again.stdout.encode() == dump.read_bytes()


def _chat(question: str, *, success, calls: bool = True, answer: str | None = "42") -> dict:
    msgs = [{"role": "user", "content": question}]
    if calls:
        msgs += [
            {"role": "assistant", "content": "compute it", "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "Calculate", "arguments": '{"expression": "6 * 7"}'}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "42"},
        ]
    if answer is not None:
        msgs.append({"role": "assistant", "content": answer})
    return {"success": success, "messages": msgs}


def test_failed_and_tool_less_conversations_are_skipped_and_counted(tmp_path, seer_home):
    """Regression (issue 11): one failed or tool-less conversation used to fail the whole file."""
    log = tmp_path / "chats.jsonl"
    log.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in [
        _chat("What is six times seven?", success=True),
        _chat("Say hello.", success=True, calls=False, answer="hello"),  # no tool calls
        _chat("What is six times eight?", success=False, answer=None),  # failed, ended on a call
        _chat("Greet me.", success=False, calls=False, answer="hi"),  # failed and tool-less
    ]))
    r = seer("ingest", str(log), "--pool", "t", "--json")
    assert r.exit_code == 0, r.stderr
    s = orjson.loads(r.stdout)
    assert (s["read"], s["added"], s["rejected"], s["skipped"]) == (4, 1, 0, 3)
    assert s["skipped_reasons"] == {"no tool calls": 2, "failed": 1}
    assert s["skipped_records"] == [f"{log}:2: no tool calls", f"{log}:3: failed", f"{log}:4: no tool calls"]
    table = seer("ingest", str(log), "--pool", "t")
    assert table.exit_code == 0
    assert table.stderr.splitlines() == ["skipped 3 (2 no tool calls, 1 failed; --json lists them)"]
    # --include-failures keeps the failed one (with an empty answer); tool-less ones stay skipped
    s = ingest_json(str(log), "--include-failures", "--pool", "u")
    assert (s["added"], s["skipped"]) == (2, 2)
    failed = orjson.loads(seer("pool", "show", s["added_ids"][1], "--pool", "u", "--json").stdout)
    assert (failed["success"]["source"], failed["answer"], failed["steps"][-1]["tool"]) == ("failed", "", "Finish")


def test_malformed_conversations_still_fail(tmp_path, seer_home):
    bad = _chat("What is six times seven?", success=False)
    bad["messages"][2]["tool_call_id"] = "nope"
    noanswer = _chat("What is six times nine?", success=True, answer=None)
    log = tmp_path / "bad.jsonl"
    log.write_bytes(orjson.dumps(_chat("Hi?", success=True, calls=False)) + b"\n" + orjson.dumps(bad) + b"\n"
                    + orjson.dumps(noanswer) + b"\n")
    r = seer("ingest", str(log), "--pool", "t")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{log}:2: messages[2].tool_call_id: 'nope' matches no earlier tool call",
        f"{log}:3: answer: no final assistant message without tool_calls and no \"answer\" field",
        "Error: 2 invalid records; nothing was added (--skip-invalid adds the valid ones)",
    ]
    assert not (seer_home / "pools" / "t").exists()
