"""Tools from MCP servers: a real server (tests/mcp_server.py, the official SDK's server side) over
stdio and over streamable HTTP, through `seer tools list` and the general toolkit."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from seer_cli.cli import app
from seer_cli.errors import ToolCallError
from seer_cli.toolkits.general import GeneralToolkit

SERVER = Path(__file__).resolve().parent / "mcp_server.py"
STDIO = f"{shlex.quote(sys.executable)} {shlex.quote(str(SERVER))}"


def seer(*args: str):
    return CliRunner().invoke(app, list(args))


def test_tools_list_shows_the_servers_tools_as_the_prompt_does(tmp_path):
    quick = tmp_path / "quick.py"
    quick.write_text('def shout(text: str) -> str:\n    """Upper-case the text."""\n    return text.upper()\n')
    r = seer("tools", "list", "--mcp", STDIO, "--tools", str(quick), "--json")
    assert r.exit_code == 0, r.stderr
    listing = orjson.loads(r.stdout)
    names = [t["name"] for t in listing["tools"]]
    assert names == ["Calculate", "PythonInterpreter", "shout", "add", "city_population", "fail", "nap", "Finish"]
    add = listing["tools"][3]
    assert (add["signature"], add["description"]) == ("add(a: int, b: int)", "Add two integers.")
    assert add["parameters"] == {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                                 "required": ["a", "b"], "additionalProperties": False}
    assert "- city_population(city: str, year?: int): The population of a city in a year.\n" in listing["prompt"]
    assert "second paragraph" not in listing["prompt"]
    assert r.stderr.startswith(f"warning: {quick}:1: function shout: no Args: description for 'text'")
    # the text form prints the prompt's listing (checked without the server: a spawn costs seconds)
    alone = orjson.loads(seer("tools", "list", "--tools", str(quick), "--json").stdout)
    text = seer("tools", "list", "--tools", str(quick))
    assert text.exit_code == 0 and text.stdout == alone["prompt"] + "\n"
    assert text.stderr.strip().splitlines()[-1] == "4 tools (toolkit general)"


def test_calls_go_to_the_server_errors_become_observations_and_a_slow_call_times_out(tmp_path):
    """One server for both (each spawn imports the SDK's server side: seconds of the plumbing tier)."""
    kit = GeneralToolkit(mcp=[STDIO], mcp_timeout=2, cache_dir=tmp_path)
    try:
        assert kit.call("add", {"a": 2, "b": 3}) == "5"
        assert kit.call("city_population", {"city": "Oslo"}) == "Oslo had 717,710 people in 2024"
        with pytest.raises(ToolCallError, match=r"^fail failed: .*fail"):
            kit.call("fail", {"reason": "boom"})
        with pytest.raises(ToolCallError, match=r"^add: missing b\. Expected add\(a: int, b: int\)\.$"):
            kit.call("add", {"a": 2})
        # what the server declares: add reads only, fail does not, city_population says nothing
        assert {t.name: t.read_only for t in kit.user_tools} == {"add": True, "city_population": None, "fail": False, "nap": None}
        kit.reads_only = True  # as while practising: a tool declared to change things is refused, not called
        with pytest.raises(ToolCallError, match=r"^fail may change things and is not called during practice"):
            kit.call("fail", {"reason": "boom"})
        assert kit.call("add", {"a": 1, "b": 1}) == "2"
        kit.reads_only = False
        schema = {o["properties"]["tool"]["const"]: o for o in kit.step_schema()["anyOf"]}
        assert schema["add"]["properties"]["args"]["properties"] == {"a": {"type": "integer"}, "b": {"type": "integer"}}
        t0 = time.monotonic()
        with pytest.raises(ToolCallError, match=r"^nap failed: no answer from the MCP server within 2 s$"):
            kit.call("nap", {"seconds": 3})  # past the timeout, and over soon after: closing waits for it
        assert time.monotonic() - t0 < 15
        assert kit.call("add", {"a": 40, "b": 2}) == "42"  # the session survives
    finally:
        kit.close()
        kit.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_streamable_http_server(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(SERVER), "http", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # importing the SDK's server side is slow on a busy machine
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the MCP HTTP server did not start"
                time.sleep(0.2)
        url = f"http://127.0.0.1:{port}/mcp"
        r = seer("tools", "list", "--mcp", url, "--json")
        assert r.exit_code == 0, r.stderr
        assert [t["name"] for t in orjson.loads(r.stdout)["tools"]][2:-1] == ["add", "city_population", "fail", "nap"]
        kit = GeneralToolkit(mcp=[url], cache_dir=tmp_path)
        try:
            assert kit.call("add", {"a": 1, "b": 1}) == "2"
        finally:
            kit.close()
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_server_that_cannot_start_is_one_line_naming_it(tmp_path):
    bad = f"{shlex.quote(sys.executable)} -c \"import sys; print('missing API key', file=sys.stderr); sys.exit(3)\""
    r = seer("tools", "list", "--mcp", bad)
    assert r.exit_code == 1
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"Error: --mcp {bad!r}: cannot connect (") and line.endswith("; the server said: missing API key")
    r = seer("tools", "list", "--mcp", "http://127.0.0.1:9/mcp")
    assert r.exit_code == 1 and r.stderr.startswith("Error: --mcp 'http://127.0.0.1:9/mcp': cannot connect (")
    r = seer("tools", "list", "--toolkit", "toolqa", "--mcp", STDIO)
    assert r.exit_code == 1
    assert r.stderr.strip() == "Error: --data/--docs/--tools/--mcp belong to the general toolkit; --toolkit toolqa reads --toolqa-dir"
