"""Which CPU path llama.cpp may take on this machine, decided once by a probe in a child process.

Why: at load time ggml's CPU backend places the weights in "extra buffer types": layouts repacked
for AVX2/AVX-512/NEON and, on Intel CPUs that advertise ``amx_tile``, AMX tiles. On some hosts
(virtual machines that advertise AMX without letting the guest use the tile registers) the first
matrix product executes ``tilezero`` and the kernel kills the process with SIGILL; nothing in
the process can catch that, so ``seer run`` would die at its first decode with "Illegal
instruction". Turning extra buffer types off everywhere would cost the repacked kernels' speed on
every other CPU. So:

* before a model is first loaded on a machine, a child process (:func:`probe`) loads it and
  evaluates a short prompt and two tokens with the default buffer types;
* if the child dies by a signal, a second child tries again with extra buffer types off
  (``llama_model_params.use_extra_bufts = False``: the plain CPU kernels); if that one lives, the
  verdict "off" is saved and every later load on this machine uses it;
* the verdict is a small JSON file in the shared cache (next to the assembled models), keyed by
  the CPU's flags, the llama.cpp build and the model file, so a new CPU, build or model is
  probed again. ``SEER_EXTRA_BUFTS=on|off`` skips the probe (``auto``, the default, probes).

``seer doctor`` shows the verdict and why (:func:`describe`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import ModelError
from ..fsutil import atomic_write

PROBE_TIMEOUT = 300.0  # seconds: a 1.5B model's load and 40 tokens take a few seconds on 2 cores
_PROBE_PROMPT = ("A probe of the CPU path: the quick brown fox jumps over the lazy dog while seven "
                 "wizards quickly jinx the lazy dwarf, and the list continues with 1, 2, 3, 4, 5, 6")


@dataclass(frozen=True)
class CpuPath:
    extra_bufts: bool  # load with llama.cpp's extra buffer types (repacked / AMX weights)
    reason: str  # one line: why
    source: str  # "probe" (a saved verdict), "setting" (SEER_EXTRA_BUFTS), "default" (no probe possible)

    def label(self) -> str:
        return "extra buffer types on" if self.extra_bufts else "extra buffer types off (plain CPU kernels)"


def cpu_flags() -> list[str]:
    """The CPU feature flags the kernel reports (Linux; empty elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith(("flags", "Features")):
                return sorted(set(line.split(":", 1)[1].split()))
    except OSError:
        pass
    return []


def notable_flags(flags: list[str] | None = None) -> list[str]:
    """The flags that decide llama.cpp's CPU kernels (AVX2, AVX-512, AMX, NEON...)."""
    flags = cpu_flags() if flags is None else flags
    return [f for f in flags if f.startswith(("avx", "amx", "fma", "f16c", "asimd", "sve", "neon"))]


def _key(model_path: Path) -> str:
    import llama_cpp

    st = model_path.stat()
    tag = "|".join([" ".join(cpu_flags()), llama_cpp.__version__, model_path.name, str(st.st_size)])
    return hashlib.blake2b(tag.encode(), digest_size=10).hexdigest()


def verdict_path(model_path: Path, probe_dir: Path) -> Path:
    return Path(probe_dir) / f"{model_path.stem}-{_key(model_path)}.json"


def probe_command(model_path: Path, extra_bufts: bool) -> list[str]:
    return [sys.executable, "-m", "seer_cli.backends.cpu_path", str(model_path), "1" if extra_bufts else "0"]


def _run(cmd: list[str], timeout: float) -> int | None:
    """The child's return code (negative: the signal that killed it); None when it timed out."""
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return None


def _signal_name(rc: int) -> str:
    try:
        return signal.Signals(-rc).name
    except ValueError:
        return f"signal {-rc}"


def probe(model_path: Path, probe_dir: Path, *, command=probe_command, timeout: float = PROBE_TIMEOUT) -> CpuPath:
    """Decide (once per CPU, llama.cpp build and model) whether extra buffer types are safe.

    ``command(model_path, extra_bufts)`` gives the child's argv: a seam for tests, which drive
    the fallback with a child that dies by a signal on a CPU where the real one lives.
    """
    from filelock import FileLock

    model_path = Path(model_path)
    path = verdict_path(model_path, probe_dir)
    saved = _read(path)
    if saved is not None:
        return saved
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"):
        saved = _read(path)
        if saved is not None:
            return saved
        rc = _run(command(model_path, True), timeout)
        if rc is None or rc > 0:  # a slow machine or a load error: not a CPU verdict, decide nothing
            why = "timed out" if rc is None else f"exited with status {rc}"
            return CpuPath(True, f"the CPU probe {why}; extra buffer types left on", "default")
        if rc == 0:
            verdict = CpuPath(True, "a child process decoded with extra buffer types on", "probe")
        else:
            died = _signal_name(rc)
            rc_off = _run(command(model_path, False), timeout)
            if rc_off is not None and rc_off < 0:
                raise ModelError(f"llama.cpp dies with {died} on this CPU, with extra buffer types on and off "
                                 f"({', '.join(notable_flags()) or 'no flags'}); try another llama-cpp-python build "
                                 f"or --llm-url with a server on another machine")
            verdict = CpuPath(False, f"a child process died by {died} with extra buffer types on "
                                     f"(CPU flags {', '.join(f for f in notable_flags() if f.startswith('amx')) or 'none of amx'})",
                              "probe")
        atomic_write(path, json.dumps(asdict(verdict)).encode(), durable=False)
        return verdict


def _read(path: Path) -> CpuPath | None:
    try:
        data = json.loads(path.read_text())
        return CpuPath(bool(data["extra_bufts"]), str(data["reason"]), "probe")
    except (OSError, ValueError, KeyError, TypeError):
        return None


def choose(model_path: Path, probe_dir: Path, mode: str = "auto", *, command=probe_command) -> CpuPath:
    """The CPU path for loading ``model_path``: the setting when it is on/off, else the probe's verdict."""
    if mode == "on":
        return CpuPath(True, "SEER_EXTRA_BUFTS=on", "setting")
    if mode == "off":
        return CpuPath(False, "SEER_EXTRA_BUFTS=off", "setting")
    return probe(model_path, probe_dir, command=command)


def describe(path: CpuPath) -> str:
    """One line for ``seer doctor``."""
    flags = notable_flags()
    shown = ", ".join(f for f in flags if f.startswith(("amx", "avx512f", "avx2", "asimd"))) or "no SIMD flags seen"
    return f"{path.label()}: {path.reason} [CPU {shown}]"


# ------------------------------------------------------------------------ loading with it ---

_PATCH_LOCK = threading.Lock()


def supports_switch() -> bool:
    """Whether this llama-cpp-python's model parameters have ``use_extra_bufts``."""
    import llama_cpp

    return any(name == "use_extra_bufts" for name, *_ in llama_cpp.llama_model_params._fields_)


@contextlib.contextmanager
def extra_bufts(enabled: bool):
    """Within the block, models loaded through ``llama_cpp.Llama`` get ``use_extra_bufts = enabled``.

    ``Llama()`` takes no such argument; it reads its defaults from
    ``llama_cpp.llama_cpp.llama_model_default_params()`` at load time, so the block swaps that
    function for one that sets the field (under a lock: loads in other threads wait).
    """
    if enabled:
        yield
        return
    import llama_cpp.llama_cpp as low

    if not supports_switch():
        raise ModelError("this CPU needs llama.cpp's extra buffer types off, and this llama-cpp-python has no "
                         "use_extra_bufts; upgrade it: pip install -U llama-cpp-python")
    with _PATCH_LOCK:
        original = low.llama_model_default_params

        def params():
            p = original()
            p.use_extra_bufts = False
            return p

        low.llama_model_default_params = params
        try:
            yield
        finally:
            low.llama_model_default_params = original


def _child(model_path: str, enabled: bool) -> None:
    """The probe: load, evaluate a prompt in one batch, decode two tokens."""
    from llama_cpp import Llama

    with extra_bufts(enabled):
        llm = Llama(model_path=model_path, n_ctx=256, n_threads=1, n_threads_batch=1, verbose=False)
    llm.create_completion(_PROBE_PROMPT, max_tokens=2, temperature=0.0)
    llm.close()


if __name__ == "__main__":
    os.environ.setdefault("GGML_LOG_LEVEL", "error")
    _child(sys.argv[1], sys.argv[2] == "1")
