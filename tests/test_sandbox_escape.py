"""Escapes from the Python sandbox, tried from inside it: each must fail and leave nothing behind.

Every escape runs with the audit hook off (``_audit=False``), so what stops it is the kernel layer
(Landlock + seccomp, ``seer_cli.toolkits.confine``) and the rlimits, not Python. Run as root (as
here and in CI) each escape runs twice: as ``nobody`` (the normal path) and with the uid drop
skipped (``_drop=False``), where the child stays root, whom file modes never stop, so the kernel
layer alone is shown to hold. The directory the escapes aim at is world-writable and the fake key
in it world-readable for the same reason.

Where the kernel lacks Landlock or seccomp (macOS, an old kernel) the kernel cases skip and say
why; the cases that must hold everywhere (limits, timeouts, normal code) still run.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from seer_cli.errors import UserError
from seer_cli.toolkits import confine
from seer_cli.toolkits.sandbox import run_python

KERNEL = confine.available()
kernel = pytest.mark.skipif(not KERNEL.ok, reason=f"no kernel boundary here: {KERNEL}")
MODES = ["nobody", "root"] if os.geteuid() == 0 else ["user"]


@pytest.fixture(params=MODES)
def run(request):
    """run_python with the audit hook off, as nobody or (``root``) without the uid drop."""
    return functools.partial(run_python, _audit=False, _drop=request.param != "root", timeout=5, require=False)


@pytest.fixture
def outside():
    """A world-writable directory outside the sandbox holding a world-readable fake key."""
    path = Path(tempfile.mkdtemp(prefix="seer-escape-"))
    path.chmod(0o777)
    key = path / "id_rsa"
    key.write_text("FAKE PRIVATE KEY\n")
    key.chmod(0o644)
    yield path
    shutil.rmtree(path)


def _untouched(outside: Path) -> None:
    assert sorted(p.name for p in outside.iterdir()) == ["id_rsa"]
    assert (outside / "id_rsa").read_text() == "FAKE PRIVATE KEY\n"


def _refused(res, text: str = "PermissionError") -> None:
    assert not res.ok and text in (res.error or ""), res


def _gone(pid: int) -> bool:
    for _ in range(100):
        if not Path(f"/proc/{pid}").exists():
            return True
        time.sleep(0.05)
    return False


# --- programs and processes -------------------------------------------------------------------

@kernel
def test_ctypes_system_starts_nothing(run, outside):
    res = run(f"import ctypes\nans = ctypes.CDLL(None).system(b'id > {outside}/pwned')")
    assert res.ok and res.value != "0", res
    _untouched(outside)


@kernel
def test_ctypes_execve_is_refused(run, outside):
    code = ("import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            f"argv = (ctypes.c_char_p * 4)(b'/bin/sh', b'-c', b'id > {outside}/pwned', None)\n"
            "rc = libc.execve(b'/bin/sh', argv, (ctypes.c_char_p * 1)(None))\n"
            "ans = (rc, ctypes.get_errno())")
    res = run(code)
    assert res.ok and res.value == "(-1, 1)", res  # EPERM
    _untouched(outside)


@kernel
@pytest.mark.parametrize("spawn", [
    "import os\nos.posix_spawn('/bin/sh', ['sh', '-c', 'id > {out}/pwned'], {{}})",
    "import subprocess\nsubprocess.run(['sh', '-c', 'id > {out}/pwned'])",
    "import os\nos.execv('/bin/sh', ['sh', '-c', 'id > {out}/pwned'])",
], ids=["posix_spawn", "subprocess", "execv"])
def test_spawning_a_program_is_refused(run, outside, spawn):
    _refused(run(spawn.format(out=outside)), "Operation not permitted")
    _untouched(outside)


@kernel
def test_fork_bomb_makes_no_process(run):
    res = run("import os\nfor _ in range(1000):\n    os.fork()")
    assert res.error == "line 3: PermissionError: [Errno 1] Operation not permitted", res


def test_a_process_outliving_the_timeout_is_killed(run):
    code = ("import os, threading, time\nprint(os.getpid(), flush=True)\n"
            "threading.Thread(target=time.sleep, args=(60,)).start()\n"
            "try:\n    os.fork()\nexcept OSError:\n    pass\nwhile True:\n    pass")
    start = time.monotonic()
    res = run(code, timeout=2)
    assert not res.ok and res.error == "timed out after 2 s (killed)"
    assert time.monotonic() - start < 8
    assert _gone(int(res.stdout.split()[0]))


def test_a_thread_left_running_ends_with_the_call(run):
    res = run("import os, threading, time\nprint(os.getpid(), flush=True)\n"
              "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\nans = 1")
    assert res.ok and res.value == "1", res
    assert _gone(int(res.stdout.split()[0]))


# --- network ----------------------------------------------------------------------------------

@kernel
def test_tcp_connect_reaches_nothing(run):
    with socket.create_server(("127.0.0.1", 0)) as srv:
        srv.setblocking(False)
        port = srv.getsockname()[1]
        res = run(f"import socket\ns = socket.socket()\ns.connect(('127.0.0.1', {port}))\ns.sendall(b'exfil')")
        _refused(res, "Operation not permitted")
        with pytest.raises(BlockingIOError):
            srv.accept()


@kernel
def test_udp_sendto_reaches_nothing(run):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as srv:
        srv.bind(("127.0.0.1", 0))
        srv.setblocking(False)
        port = srv.getsockname()[1]
        res = run(f"import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'exfil', ('127.0.0.1', {port}))")
        _refused(res, "Operation not permitted")
        time.sleep(0.1)
        with pytest.raises(BlockingIOError):
            srv.recvfrom(100)


@kernel
def test_unix_socket_on_the_host_reaches_nothing(run, outside):
    """Landlock (ABI 7) does not fence connect() to a named socket; seccomp refuses socket()."""
    path = outside / "agent.sock"
    with socket.socket(socket.AF_UNIX) as srv:
        srv.bind(str(path))
        path.chmod(0o777)
        srv.listen()
        srv.setblocking(False)
        res = run(f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({str(path)!r})\ns.sendall(b'exfil')")
        _refused(res, "Operation not permitted")
        with pytest.raises(BlockingIOError):
            srv.accept()


@kernel
@pytest.mark.parametrize("host", [b"example.com", b"localhost"])  # bytes: no idna codec to import
def test_dns_resolution_fails(run, host):
    res = run(f"import socket\nsocket.getaddrinfo({host!r}, 80)")
    assert not res.ok and "gaierror" in res.error, res


# --- files ------------------------------------------------------------------------------------

@kernel
@pytest.mark.parametrize("steal", [
    "open('{out}/id_rsa').read()",
    "import os\nos.listdir('{out}')",
    "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nfd = libc.open(b'{out}/id_rsa', 0)\n"
    "assert fd >= 0, 'errno %d' % ctypes.get_errno()\nans = 'read it'",
    "open('/etc/passwd').read()",
], ids=["open", "listdir", "ctypes-open", "etc-passwd"])
def test_reading_outside_the_allowed_set_fails(run, outside, steal):
    res = run(steal.format(out=outside))
    assert not res.ok and re.search(r"PermissionError|errno 13", res.error), res


@kernel
@pytest.mark.parametrize("write", [
    "open('{out}/evil.txt', 'w').write('x')",
    "import os\nos.remove('{out}/id_rsa')",
    "import os\nos.symlink('/etc', '{out}/link')",
    "import os\nos.mkdir('{out}/dir')",
    "open('{out}/id_rsa', 'a').write('x')",
], ids=["create", "remove", "symlink", "mkdir", "append"])
def test_writing_outside_the_temp_dir_fails(run, outside, write):
    _refused(run(write.format(out=outside)))
    _untouched(outside)


@kernel
def test_process_memory_cannot_be_written(run):
    _refused(run("f = open('/proc/self/mem', 'r+b')"))


@kernel
@pytest.mark.skipif(KERNEL.landlock_abi < 6, reason=f"signals are scoped from Landlock ABI 6; here {KERNEL}")
def test_signals_do_not_leave_the_sandbox(run):
    victim = subprocess.Popen(["sleep", "30"])
    try:
        _refused(run(f"import os, signal\nos.kill({victim.pid}, signal.SIGTERM)"))
        assert victim.poll() is None
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()


# --- limits -----------------------------------------------------------------------------------

def test_memory_bomb_is_an_error(run):
    res = run("x = bytearray(4 * 1024**3)", memory_mb=256)
    assert not res.ok and "MemoryError" in res.error


def test_output_bomb_is_truncated(run):
    res = run("while True:\n    print('x' * 1000)", timeout=2, max_output=1000)
    assert not res.ok and "timed out" in res.error
    assert "[output truncated:" in res.stdout and len(res.stdout) < 1100


# --- normal code still works ------------------------------------------------------------------

def test_normal_code_works_confined(run, outside):
    table = outside / "table.csv"
    table.write_text("city,pop\nLyon,522\nNice,342\n")
    table.chmod(0o644)
    code = ("import csv, json, math, statistics, threading, datetime\n"
            f"rows = list(csv.DictReader(open({str(table)!r})))\n"
            "total = []\nt = threading.Thread(target=lambda: total.append(sum(int(r['pop']) for r in rows)))\n"
            "t.start()\nt.join()\n"
            "open('scratch.json', 'w').write(json.dumps(total))\n"
            "datetime.datetime.now().astimezone()\n"
            "ans = (json.load(open('scratch.json')), round(math.sqrt(2), 3), statistics.mean([1, 2, 3]))")
    res = run(code, read_paths=[table])
    assert res.ok and res.value == "([864], 1.414, 2)", res


def test_numpy_duckdb_and_asyncio_work_confined(run):
    pytest.importorskip("numpy")
    pytest.importorskip("duckdb")
    res = run("import asyncio, duckdb\nimport numpy as np\n"
              "async def main():\n    return int(np.arange(10).sum())\n"
              "ans = (asyncio.run(main()), duckdb.sql('select 42').fetchall())",
              timeout=20, memory_mb=1024)  # duckdb's threads beside numpy come near 512 MB of address space
    assert res.ok and res.value == "(45, [(42,)])", res


@kernel
def test_read_paths_grant_only_what_they_name(run, outside):
    table = outside / "table.csv"
    table.write_text("a\n1\n")
    table.chmod(0o644)
    assert run(f"ans = open({str(table)!r}).read()", read_paths=[table]).value == "a\n1\n"
    res = run(f"open({str(outside / 'id_rsa')!r}).read()", read_paths=[table])
    _refused(res)


# --- sandbox_require and what the kernel offers ----------------------------------------------

def test_require_refuses_without_the_kernel_boundary(monkeypatch):
    res = run_python("ans = 1", require=True, _confine=False)
    assert (res.ok, res.error) == (False, "sandbox: refusing to run code without the kernel boundary "
                                          "(confinement switched off)")
    monkeypatch.setenv("SEER_SANDBOX_REQUIRE", "1")
    assert run_python("ans = 1", _confine=False).error.startswith("sandbox: refusing")
    monkeypatch.setenv("SEER_SANDBOX_REQUIRE", "maybe")
    with pytest.raises(UserError, match="^config: sandbox_require must be bool, got 'maybe'$"):
        run_python("ans = 1")
    if KERNEL.ok:
        monkeypatch.setenv("SEER_SANDBOX_REQUIRE", "1")
        assert run_python("ans = 1").value == "1"


@pytest.mark.skipif(sys.platform != "linux", reason="the architecture is looked at on Linux only")
def test_an_unknown_architecture_is_refused_cleanly(monkeypatch):
    monkeypatch.setattr(confine, "_machine", lambda: "sparc64")
    unknown = confine.available.__wrapped__()
    assert not unknown.ok and str(unknown) == "no kernel confinement (unknown architecture sparc64)"


@pytest.mark.parametrize("arch,header", [
    ("x86_64", "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"),
    ("aarch64", "/usr/include/asm-generic/unistd.h"),
])
def test_syscall_numbers_match_the_kernel_headers(arch, header):
    if not os.path.exists(header):
        pytest.skip(f"no {header} here")
    text = Path(header).read_text()
    numbers = {m[1]: int(m[2]) for m in re.finditer(r"#define __NR(?:3264)?_(\w+)\s+(\d+)", text)}
    table = confine._ARCHES[arch]
    assert {name: numbers.get(name) for name in table.nr} == table.nr
    assert numbers["seccomp"] == table.seccomp


@kernel
def test_confining_a_threaded_process_fails_closed():
    """Landlock binds only the calling thread: with a second thread running, confine refuses."""
    code = ("import threading, time, sys\nsys.path.insert(0, sys.argv[1])\n"
            "from seer_cli.toolkits import confine\n"
            "threading.Thread(target=time.sleep, args=(5,), daemon=True).start()\n"
            "try:\n    confine.confine('/nonexistent')\nexcept OSError as e:\n    print(e)")
    repo = str(Path(__file__).resolve().parent.parent)
    out = subprocess.run([sys.executable, "-c", code, repo], capture_output=True, text=True, timeout=30)
    # 2 or more: importing the package may start a library's own threads (a BLAS pool) besides the test's
    m = re.fullmatch(r"confine: the process has (\d+) threads, not 1", out.stdout.strip())
    assert m and int(m.group(1)) >= 2, (out.stdout, out.stderr)
