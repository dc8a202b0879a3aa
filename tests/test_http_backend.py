"""The OpenAI-compatible HTTP backend against real servers on 127.0.0.1.

A real ``llama_cpp.server`` subprocess serves the bundled model, loaded on the CPU path seer's own
probe chose for this machine (:mod:`seer_cli.backends.cpu_path`): with llama.cpp's extra buffer
types on, a server on a host that advertises AMX dies at its first decode. The failure cases use
tiny real servers (a closed port, a server answering garbage, one that never answers), because
those are exactly the misbehaviours a user's URL can show.
"""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import jsonschema
import pytest
from typer.testing import CliRunner

from seer_cli.backends.openai_http import OpenAIBackend
from seer_cli.cli import app
from seer_cli.errors import BackendError

MSGS = [{"role": "user", "content": "Reply with one short sentence about cats."}]
SCHEMA = {"type": "object", "properties": {"animal": {"type": "string", "maxLength": 20},
                                           "legs": {"type": "integer"}}, "required": ["animal", "legs"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# llama_cpp.server, its model loaded inside cpu_path.extra_bufts(<the probe's verdict>)
_SERVE = """
import runpy, sys
from pathlib import Path
from seer_cli.backends import cpu_path
from seer_cli.config import load_settings
model = Path(sys.argv[sys.argv.index("--model") + 1])
chosen = cpu_path.choose(model, load_settings().cpu_probe_dir)
with cpu_path.extra_bufts(chosen.extra_bufts):
    runpy.run_module("llama_cpp.server", run_name="__main__")
"""


@pytest.fixture(scope="module")
def server(gguf_path, tmp_path_factory):
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = open(log_path, "wb")  # a file, not a pipe: llama.cpp's load log would fill a pipe and block
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVE, "--model", str(gguf_path), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log_path.read_text(errors='replace')[-1000:]}")
            try:
                with urllib.request.urlopen(f"{url}/v1/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("llama_cpp.server did not come up within 120 s")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_complete_plain(server):
    backend = OpenAIBackend(server)
    c = backend.complete(MSGS, max_tokens=16)
    assert c.text.strip() and c.prompt_tokens > 5 and 1 <= c.completion_tokens <= 16
    assert c.prompt_tokens_evaluated == c.prompt_tokens  # this server reports no cache figures
    assert backend.model.endswith(".gguf")  # the first of /v1/models


def test_complete_with_schema_and_fallback(server):
    backend = OpenAIBackend(server + "/v1/")
    for prompt in ("Describe a dog.", "Describe a bird.", "Describe a snake."):
        c = backend.complete([{"role": "user", "content": prompt + " Answer in JSON."}], json_schema=SCHEMA, max_tokens=40)
        jsonschema.validate(json.loads(c.text), SCHEMA)
    assert backend._schema_style == "json_object"  # llama-cpp-python refuses json_schema


def test_streaming(server):
    pieces: list[str] = []
    c = OpenAIBackend(server).complete(MSGS, max_tokens=16, on_text=pieces.append)
    assert len(pieces) > 1 and "".join(pieces) == c.text and c.completion_tokens == len(pieces)


def test_stop_sequence_over_http(server):
    c = OpenAIBackend(server).complete([{"role": "user", "content": "Count from 1 to 10, separated by commas."}],
                                       stop=["4"], max_tokens=40)
    assert "1" in c.text and "4" not in c.text


# ------------------------------------------------------------------------------ failures ---

def _one_line(e: pytest.ExceptionInfo) -> str:
    msg = str(e.value)
    assert "\n" not in msg and msg
    return msg


def test_connection_refused_names_the_url():
    url = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    with pytest.raises(BackendError) as e:
        OpenAIBackend(url, model="m").complete(MSGS)
    assert _one_line(e) == f"{url}/v1/chat/completions: cannot connect (connection refused)"


def test_bad_url_scheme():
    with pytest.raises(BackendError, match="must start with http"):
        OpenAIBackend("localhost:8080")


class _Canned(http.server.BaseHTTPRequestHandler):
    """Answers every request with the class's status, content type and body."""

    status, ctype, body = 200, "text/html", b"<html>not json</html>"

    def _answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(self.status)
        self.send_header("Content-Type", self.ctype)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def canned():
    servers = []

    def start(status: int, ctype: str, body: bytes) -> str:
        handler = type("H", (_Canned,), {"status": status, "ctype": ctype, "body": body})
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def test_garbage_answer(canned):
    url = canned(200, "text/html", b"<html>not json</html>")
    with pytest.raises(BackendError) as e:
        OpenAIBackend(url, model="m").complete(MSGS)
    assert _one_line(e) == f"{url}/v1/chat/completions: answer is not JSON ('<html>not json</html>')"


def test_missing_choices(canned):
    url = canned(200, "application/json", b'{"object": "chat.completion"}')
    with pytest.raises(BackendError, match=r"/v1/chat/completions: answer has no choices") as e:
        OpenAIBackend(url, model="m").complete(MSGS)
    _one_line(e)


def test_http_error_detail(canned):
    url = canned(401, "application/json", b'{"error": {"message": "Invalid API key"}}')
    with pytest.raises(BackendError) as e:
        OpenAIBackend(url, model="m", api_key="sk-wrong").complete(MSGS)
    assert _one_line(e) == f"{url}/v1/chat/completions: HTTP 401 Unauthorized: Invalid API key"


def test_empty_model_list(canned):
    url = canned(200, "application/json", b'{"data": []}')
    with pytest.raises(BackendError, match=r"/v1/models: no models listed$"):
        OpenAIBackend(url).complete(MSGS)


def test_server_that_never_answers():
    with socket.socket() as listener:  # accepts connections (kernel backlog), never replies
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        start = time.monotonic()
        with pytest.raises(BackendError) as e:
            OpenAIBackend(url, model="m", timeout=1).complete(MSGS)
        assert time.monotonic() - start < 5
    assert _one_line(e) == f"{url}/v1/chat/completions: no answer within 1 s (timeout)"


def test_cli_unreachable_llm_url():
    url = f"http://127.0.0.1:{_free_port()}"
    result = CliRunner().invoke(app, ["doctor", "--llm-url", url])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {url}/v1/models: cannot connect (connection refused)"
    assert "Traceback" not in result.output


def test_eval_with_concurrency_against_the_server(server, tmp_path, seer_home):
    """--concurrency 2 runs episodes on two threads against the real server; every question is
    answered once, the run dir is consistent and the summary counts them all."""
    import importlib.util

    # The server answers one request at a time on one thread, so a request queued behind the
    # other waits for it; on a CPU shared with other tests (CI runs two workers) that wait alone
    # passed the default 120 s. This test is about concurrency, not latency.
    seer_home.mkdir(parents=True, exist_ok=True)
    (seer_home / "config.toml").write_text("request_timeout = 900\n")
    from pathlib import Path

    import orjson

    repo = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_synthetic_toolqa", repo / "tools" / "make_synthetic_toolqa.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    synth = mod.make(tmp_path / "synthetic-toolqa")
    run = tmp_path / "run"
    res = CliRunner().invoke(app, ["eval", "toolqa", "--toolqa-dir", str(synth), "--domains", "coffee", "--split", "all",
                                   "--llm-url", server, "--concurrency", "2", "-k", "1", "--max-steps", "1",
                                   "--no-judge", "--no-plots", "--out", str(run), "--json"])
    assert res.exit_code == 0, res.output
    rows = [orjson.loads(line) for line in (run / "results.jsonl").read_bytes().splitlines()]
    assert sorted(r["qid"] for r in rows) == ["easy-coffee-0000", "easy-coffee-0001", "hard-coffee-0000"]
    assert all(r["steps"] == 1 and r["seconds"] > 0 and len(r["trace"]) == 1 for r in rows)
    assert orjson.loads(res.stdout)["questions"] == 3
