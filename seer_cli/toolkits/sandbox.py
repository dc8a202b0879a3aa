"""Run untrusted Python (written by the model) in a subprocess, fenced by the kernel, with limits
and a timeout.

Why: seer feeds the model documents, tables and tool output written by others, so an injected
instruction can make it write hostile code; and an in-process "safe exec" cannot stop
``while True: pass``, a memory bomb or native code. Here each call gets:

* a fresh ``python -I`` process (isolated mode: no user site, no ``PYTHON*`` variables, no cwd on
  ``sys.path``), no stdin, a minimal environment, a fresh temporary working directory that is
  deleted afterwards;
* **the boundary, on Linux:** before any user code runs, the child confines itself for good
  (:mod:`.confine`). Landlock lets it write only inside its temp dir and read only the Python
  runtime, the temp dir, a few devices and the ``read_paths`` the caller names; TCP bind and
  connect are refused, and so are abstract unix sockets and signals to processes outside it.
  A seccomp filter refuses (EPERM) starting programs, making processes (threads still work),
  every ``socket()`` (so no TCP, UDP, DNS or named unix socket), ptrace, mounts, namespaces, bpf,
  io_uring and the like. This holds against native code (``ctypes``) too;
  ``tests/test_sandbox_escape.py`` tries the escapes with the audit hook off;
* rlimits set in ``preexec_fn``: address space (``memory_mb``), CPU seconds, file size, open files,
  processes, no core dumps; its own session, so a timeout kills the whole process group;
* when seer runs as root (CI does), the child becomes ``nobody`` (uid/gid 65534) in its chowned
  temp dir before any user code runs. The drop happens in the child's bootstrap, not in
  ``preexec_fn``, because the interpreter often lives where ``nobody`` cannot read it (pyenv under
  ``/root``): the bootstrap first imports the standard modules a snippet typically needs plus
  every module the snippet itself imports (and the confinement code), then calls
  setgroups/setgid/setuid; a module imported later that ``nobody`` cannot read fails with
  ImportError;
* a ``sys.addaudithook`` that refuses writes and removals outside the temp dir and
  process-creating events, so a small model's mistake gets a readable error before the kernel's;
* stdout/stderr read through pipes by threads that keep only the first ``max_output`` characters
  (the rest is drained and dropped), so a print loop cannot fill the parent's memory.

What remains: the code may read everything in the allowed set (the Python installation, and the
files passed as ``read_paths``), use its CPU and memory up to the limits, and talk to its own
threads. Where the kernel offers no Landlock or seccomp (not Linux, an old kernel; ``seer doctor``
shows which), only the rlimits, the uid drop and the audit hook remain, and those stop a small
model's accidents, not a determined attacker; ``sandbox_require`` (``SEER_SANDBOX_REQUIRE=1``)
then refuses to run code at all.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from collections.abc import Sequence

import orjson

from ..config import load_settings
from . import confine

NOBODY = 65534

_BOOTSTRAP = r'''
import os, sys, json, traceback
TMP = os.path.realpath(os.getcwd())
RESULT = os.path.join(TMP, ".seer_result.json")
VAR = sys.argv[1]
MAIN = os.getpid()
AUDIT = sys.argv[2] == "1"
CONFINE = sys.argv[4]
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
BLOCKED = {"os.system", "os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn",
           "subprocess.Popen", "os.kill", "os.killpg", "os.setuid", "os.chroot", "pty.spawn"}
PRELOAD = ("math", "cmath", "json", "re", "datetime", "collections", "itertools", "functools",
           "statistics", "fractions", "decimal", "random", "string", "heapq", "bisect", "operator",
           "time", "calendar", "typing", "dataclasses", "textwrap", "csv", "io", "copy", "pprint")
PATH_EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown",
               "os.link", "os.symlink", "os.truncate", "os.utime", "shutil.rmtree"}

def _inside(path):
    try:
        p = os.path.realpath(os.fsdecode(path))
    except Exception:
        return False
    return p == TMP or p.startswith(TMP + os.sep)

def _hook(event, args):
    if event == "open":
        path, mode, flags = (tuple(args) + (None, None, 0))[:3]
        if path is None or isinstance(path, int):
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITE_FLAGS)
        if writing and not _inside(path):
            raise PermissionError(f"sandbox: writing outside the working directory is not allowed: {path}")
    elif event in BLOCKED:
        raise PermissionError(f"sandbox: {event} is not allowed")
    elif event in PATH_EVENTS:
        for a in args[:2]:
            if isinstance(a, (str, bytes, os.PathLike)) and not _inside(a):
                raise PermissionError(f"sandbox: {event} outside the working directory is not allowed")

with open("main.py", encoding="utf-8") as f:
    source = f.read()
if CONFINE != "-":  # loaded by path, while it is readable: seer itself may not be on sys.path
    import importlib.util
    spec = importlib.util.spec_from_file_location("seer_confine", CONFINE)
    confine = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(confine)
if sys.argv[3] != "-":
    # Started as root: import what the code will need while the interpreter's files are still
    # readable (they may sit under /root), then become nobody before any user code runs.
    import ast, importlib
    wanted = set(PRELOAD)
    try:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                wanted.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                wanted.add(node.module)
                wanted.update(node.module + "." + a.name for a in node.names)
    except SyntaxError:
        pass
    for name in sorted(wanted):
        try:
            importlib.import_module(name)
        except BaseException:
            pass
    uid = int(sys.argv[3])
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SystemExit("sandbox: could not drop privileges")
if CONFINE != "-":
    try:
        confine.confine(TMP, json.loads(sys.argv[5]))
    except OSError as e:
        raise SystemExit(f"sandbox: could not confine the process: {e}")
result = {"value": None, "error": None}
g = {"__name__": "__main__", "__builtins__": __builtins__}
try:
    import ast as _ast
    tree = _ast.parse(source, "<code>")
    last = None
    if tree.body and isinstance(tree.body[-1], _ast.Expr):  # as IPython: a final expression is the value
        last = _ast.Expression(tree.body.pop().value)
    code = compile(tree, "<code>", "exec")
    if AUDIT:
        sys.addaudithook(_hook)
    exec(code, g)
    if last is not None:
        v = eval(compile(last, "<code>", "eval"), g)
        if VAR not in g and v is not None:
            g[VAR] = v
    if VAR in g:
        v = g[VAR]
        result["value"] = v if isinstance(v, str) else repr(v)
except SystemExit as e:
    if e.code not in (None, 0):
        result["error"] = f"SystemExit: {e.code}"
except BaseException as e:
    tb = traceback.extract_tb(e.__traceback__)
    lines = [fr.lineno for fr in tb if fr.filename == "<code>"]
    where = f"line {lines[-1]}: " if lines else (f"line {e.lineno}: " if isinstance(e, SyntaxError) and e.lineno else "")
    result["error"] = where + "".join(traceback.format_exception_only(type(e), e)).strip().splitlines()[-1]
try:
    sys.stdout.flush()
except BaseException:
    pass
if os.getpid() != MAIN:
    os._exit(1)  # a forked child never reports
try:
    payload = json.dumps(result)
except BaseException:
    payload = json.dumps({"value": None, "error": "the result could not be serialised"})
fd = os.open(RESULT, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, payload.encode())
os.close(fd)
'''


@dataclass
class SandboxResult:
    ok: bool
    stdout: str
    value: str | None
    error: str | None

    def observation(self) -> str:
        """stdout, then the value (or the error), as one observation string."""
        parts = [self.stdout.rstrip()] if self.stdout.strip() else []
        if self.error:
            parts.append(f"Error: {self.error}")
        elif self.value is not None:
            parts.append(self.value)
        return "\n".join(parts) if parts else "(no output; set ans = ... to return a value)"


class _Drain(threading.Thread):
    """Read a pipe to the end, keep the first ``limit`` bytes."""

    def __init__(self, pipe, limit: int):
        super().__init__(daemon=True)
        self.pipe, self.limit = pipe, limit
        self.buf = bytearray()
        self.dropped = 0

    def run(self):
        while True:
            chunk = self.pipe.read(65536)
            if not chunk:
                break
            room = self.limit - len(self.buf)
            if room > 0:
                self.buf += chunk[:room]
            self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        s = self.buf.decode("utf-8", errors="replace")
        return s + (f"\n... [output truncated: {self.dropped} more bytes]" if self.dropped else "")


def _limits(memory_mb: int, cpu_s: int, nproc: int, fsize_mb: int):
    def apply():
        mem = memory_mb * 1024 * 1024
        for res, value in (
            (resource.RLIMIT_AS, mem),
            (resource.RLIMIT_CPU, cpu_s),
            (resource.RLIMIT_FSIZE, fsize_mb * 1024 * 1024),
            (resource.RLIMIT_NOFILE, 64),
            (resource.RLIMIT_NPROC, nproc),
            (resource.RLIMIT_CORE, 0),
        ):
            resource.setrlimit(res, (value, value))

    return apply


def _kill_group(proc: subprocess.Popen) -> None:
    # A fork bomb keeps making processes: signal the group until it is empty (zombies count as
    # members until reaped: we reap our child, init reaps the orphans).
    for _ in range(100):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        proc.poll()
        time.sleep(0.01)


def run_python(
    code: str,
    *,
    timeout: float = 10,
    memory_mb: int = 512,
    result_var: str = "ans",
    max_output: int = 10_000,
    nproc: int = 64,
    read_paths: Sequence[str | os.PathLike] = (),
    require: bool | None = None,
    _audit: bool = True,
    _confine: bool = True,
    _drop: bool = True,
) -> SandboxResult:
    """Run ``code`` in a fresh, confined, limited subprocess; return its stdout and ``result_var``.

    ``ok`` is False when the code raised, timed out or was killed; ``error`` then says why in
    one line. ``read_paths`` are files or directories the code may read besides the Python
    runtime. ``require`` (default: the ``sandbox_require`` setting) refuses to run anything when
    the kernel cannot confine the child. ``_audit=False`` leaves the audit hook out and
    ``_confine=False`` the kernel confinement; ``_drop=False`` keeps a root child root (tests and
    the benchmark use them to exercise one layer alone).
    """
    support = confine.available()
    if require is None:
        require = load_settings().sandbox_require
    if require and not (_confine and support.ok):
        why = support if _confine else "confinement switched off"
        return SandboxResult(False, "", None, f"sandbox: refusing to run code without the kernel boundary ({why})")
    confining = _confine and (support.landlock_abi > 0 or support.seccomp)
    tmp = tempfile.mkdtemp(prefix="seer-sandbox-")
    as_root = _drop and os.geteuid() == 0
    try:
        with open(os.path.join(tmp, "main.py"), "w", encoding="utf-8") as f:
            f.write(code)
        if as_root:
            os.chown(tmp, NOBODY, NOBODY)
            os.chown(os.path.join(tmp, "main.py"), NOBODY, NOBODY)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": tmp,
            "TMPDIR": tmp,
            "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        cpu = max(1, int(timeout) + 1)
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP, result_var, "1" if _audit else "0", str(NOBODY) if as_root else "-",
             confine.__file__ if confining else "-", json.dumps([os.path.realpath(p) for p in read_paths])],
            cwd=tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_limits(memory_mb, cpu, nproc, fsize_mb=16),
            close_fds=True,
        )
        out, errs = _Drain(proc.stdout, max_output), _Drain(proc.stderr, 4_000)
        out.start()
        errs.start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        # Always clear the group: the main process may be gone while its children live on.
        _kill_group(proc)
        if timed_out:
            proc.wait()
        out.join(timeout=2)
        errs.join(timeout=2)
        for pipe in (proc.stdout, proc.stderr):
            assert pipe is not None  # both are PIPEs
            pipe.close()
        stdout = out.text()
        if timed_out:
            return SandboxResult(False, stdout, None, f"timed out after {timeout:g} s (killed)")
        result_path = os.path.join(tmp, ".seer_result.json")
        result = None
        if os.path.isfile(result_path):
            try:
                result = orjson.loads(open(result_path, "rb").read())
            except orjson.JSONDecodeError:
                result = None
        if proc.returncode != 0 or result is None:
            return SandboxResult(False, stdout, None, _death(proc.returncode, errs.text(), time.monotonic() - start))
        if result.get("error"):
            return SandboxResult(False, stdout, None, str(result["error"]))
        value = result.get("value")
        if isinstance(value, str) and len(value) > max_output:
            value = value[:max_output] + f"... [truncated: {len(value) - max_output} more characters]"
        return SandboxResult(True, stdout, value, None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _death(returncode: int | None, stderr: str, seconds: float) -> str:
    if returncode is not None and returncode < 0:
        sig = signal.Signals(-returncode).name if -returncode in signal.Signals._value2member_map_ else str(-returncode)
        hint = {"SIGKILL": " (memory or process limit?)", "SIGXCPU": " (CPU time limit)", "SIGSEGV": " (crashed)"}.get(sig, "")
        return f"killed by {sig}{hint} after {seconds:.1f} s"
    last = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    return (last[-1] if last else f"exited with status {returncode}")[:500]
