"""The Python sandbox survives what a small model (or a careless user) throws at it.

Every case runs a real subprocess. The fork bomb is bounded: RLIMIT_NPROC 32, a 3 s timeout and
a process-group kill, so it cannot take down a 2-core machine.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from seer_cli.toolkits.sandbox import run_python


def _nobody_processes() -> int:
    out = subprocess.run(["ps", "-u", "65534", "-o", "pid="], capture_output=True, text=True).stdout
    return len(out.split())


def test_value_and_stdout():
    res = run_python("print('hello')\nans = 6 * 7")
    assert (res.ok, res.stdout, res.value, res.error) == (True, "hello\n", "42", None)
    assert res.observation() == "hello\n42"
    assert run_python("ans = 'plain text'").value == "plain text"  # str is not repr-ed
    assert run_python("ans = [1, 'a']").value == "[1, 'a']"
    assert run_python("x = 1").value is None


def test_a_final_expression_is_the_value_as_in_ipython():
    res = run_python("17 * 23", timeout=10)
    assert res.ok and res.value == "391"
    res = run_python("x = [3, 1, 2]\nsorted(x)", timeout=10)
    assert res.value == "[1, 2, 3]"
    res = run_python("ans = 5\nans * 2", timeout=10)  # an explicit ans wins
    assert res.value == "5"
    res = run_python("print('hi')", timeout=10)  # None is no value
    assert res.value is None and res.stdout.strip() == "hi"


def test_errors_name_the_line():
    res = run_python("x = 1\ny = missing_name")
    assert not res.ok and res.error == "line 2: NameError: name 'missing_name' is not defined"
    assert run_python("def (").error.startswith("line 1: SyntaxError")
    assert run_python("import sys\nsys.exit(3)").error == "SystemExit: 3"


def test_numpy_is_importable_in_the_sandbox():
    pytest.importorskip("numpy")
    res = run_python("import numpy as np\nans = int(np.arange(5).sum())")
    assert res.ok and res.value == "10", res.error


def test_infinite_loop_times_out():
    start = time.monotonic()
    res = run_python("while True:\n    pass", timeout=2)
    assert time.monotonic() - start < 6
    assert not res.ok and res.error == "timed out after 2 s (killed)"


def test_memory_bomb_is_an_error():
    res = run_python("x = bytearray(4 * 1024**3)", memory_mb=256)
    assert not res.ok and "MemoryError" in res.error
    res = run_python("x = []\nwhile True:\n    x.append(' ' * 10**6)", memory_mb=256, timeout=10)
    assert not res.ok and ("MemoryError" in res.error or "killed" in res.error)


def test_fork_is_refused_by_the_audit_hook():
    res = run_python("import os\nwhile True:\n    os.fork()", timeout=3)
    assert not res.ok and res.error == "line 3: PermissionError: sandbox: os.fork is not allowed"
    res = run_python("import subprocess\nsubprocess.run(['true'])")
    assert "subprocess.Popen is not allowed" in res.error


def test_fork_bomb_under_nproc_limit_without_the_hook():
    """The rlimit layer alone: a bomb that swallows fork errors runs until the timeout kills its group."""
    before = time.monotonic()
    res = run_python("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
                     timeout=3, nproc=32, _audit=False)
    assert time.monotonic() - before < 10
    assert not res.ok and "timed out" in res.error
    if os.geteuid() == 0:  # as nobody: its processes are countable, and all gone soon
        for _ in range(50):
            if _nobody_processes() == 0:
                break
            time.sleep(0.1)
        assert _nobody_processes() == 0
    # the machine is still usable
    assert run_python("ans = 1").value == "1"


def test_writing_outside_the_temp_dir_fails(tmp_path):
    target = tmp_path / "evil.txt"
    res = run_python(f"open({str(target)!r}, 'w').write('x')")
    assert not res.ok and "writing outside the working directory is not allowed" in res.error
    assert not target.exists()
    res = run_python(f"import os\nos.remove({str(tmp_path)!r})")
    assert not res.ok and "not allowed" in res.error
    # inside its own directory it may write and read back
    res = run_python("open('a.txt', 'w').write('ok')\nans = open('a.txt').read()")
    assert res.ok and res.value == "ok"


@pytest.mark.skipif(os.geteuid() != 0, reason="privilege drop only happens when running as root")
def test_as_root_the_code_runs_as_nobody_and_cannot_write_root_dirs(tmp_path):
    res = run_python("import os\nans = (os.getuid(), os.getgid())")
    assert res.value == "(65534, 65534)"
    target = tmp_path / "evil.txt"  # pytest's tmp dirs are 0700 root
    res = run_python(f"open({str(target)!r}, 'w').write('x')", _audit=False)
    assert not res.ok and "PermissionError" in res.error
    assert not target.exists()


def test_huge_output_is_truncated():
    res = run_python("for i in range(300000):\n    print(i)\nans = 'done'", max_output=1000)
    assert res.ok and res.value == "done"
    assert res.stdout.startswith("0\n1\n2\n")
    assert "[output truncated:" in res.stdout and len(res.stdout) < 1100
    res = run_python("ans = 'x' * 50000", max_output=100)
    assert res.value.startswith("x" * 100) and "[truncated: 49900 more characters]" in res.value


def test_temp_dir_is_removed_and_stdin_is_closed():
    res = run_python("import os, sys\nprint(os.getcwd())\nans = sys.stdin.read()")
    assert res.ok and res.value == ""
    assert not os.path.exists(res.stdout.strip())
