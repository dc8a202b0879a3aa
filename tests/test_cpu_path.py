"""The CPU probe: a CPU feature llama.cpp cannot use (AMX in some VMs, SIGILL at the first decode)
must never kill seer. On a host whose CPU runs the default path, the fallback is driven with a
child that dies by a signal, as the real probe does on such CPUs."""

from __future__ import annotations

import json
import signal
import sys

import pytest

from seer_cli.backends import cpu_path
from seer_cli.errors import ModelError


def _dies_when_on(sig=signal.SIGILL):
    def command(model_path, extra_bufts):
        if extra_bufts:
            return [sys.executable, "-c", f"import os, signal; os.kill(os.getpid(), {int(sig)})"]
        return [sys.executable, "-c", "pass"]
    return command


def _never_called(model_path, extra_bufts):
    raise AssertionError("the saved verdict must be used, not a new probe")


def test_a_child_killed_by_sigill_turns_extra_buffer_types_off_once(tmp_path, gguf_path):
    verdict = cpu_path.probe(gguf_path, tmp_path, command=_dies_when_on())
    assert verdict.extra_bufts is False and "SIGILL" in verdict.reason
    saved = json.loads(cpu_path.verdict_path(gguf_path, tmp_path).read_text())
    assert saved["extra_bufts"] is False
    again = cpu_path.probe(gguf_path, tmp_path, command=_never_called)  # decided once per machine
    assert again.extra_bufts is False


def test_a_child_that_dies_both_ways_is_one_line(tmp_path, gguf_path):
    def always_dies(model_path, extra_bufts):
        return [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]

    with pytest.raises(ModelError) as e:
        cpu_path.probe(gguf_path, tmp_path, command=always_dies)
    assert "SIGSEGV" in str(e.value) and "\n" not in str(e.value)
    assert not cpu_path.verdict_path(gguf_path, tmp_path).exists()


def test_a_child_that_fails_without_a_signal_decides_nothing(tmp_path, gguf_path):
    def exits_1(model_path, extra_bufts):
        return [sys.executable, "-c", "raise SystemExit(1)"]

    verdict = cpu_path.probe(gguf_path, tmp_path, command=exits_1)
    assert verdict.extra_bufts is True and verdict.source == "default"
    assert not cpu_path.verdict_path(gguf_path, tmp_path).exists()


def test_the_setting_skips_the_probe(tmp_path, gguf_path):
    assert cpu_path.choose(gguf_path, tmp_path, "off", command=_never_called).extra_bufts is False
    assert cpu_path.choose(gguf_path, tmp_path, "on", command=_never_called).extra_bufts is True


def test_the_real_probe_then_a_load_that_decodes(tmp_path, gguf_path):
    """The real child on this CPU; whatever it decides, the backend loads that way and decodes."""
    from seer_cli.backends.llama_cpp import LlamaCppBackend

    verdict = cpu_path.probe(gguf_path, tmp_path)
    assert verdict.source == "probe"
    if not any(f.startswith("amx") for f in cpu_path.cpu_flags()):
        assert verdict.extra_bufts is True  # AVX2 / AVX-512 hosts keep the repacked kernels
    backend = LlamaCppBackend(gguf_path, n_ctx=512, n_threads=1, kv_cache_mb=0, probe_dir=tmp_path, extra_bufts="auto")
    try:
        assert backend.cpu_path == verdict
        c = backend.complete([{"role": "user", "content": "What is the capital of France? One word."}], max_tokens=8)
        assert "Paris" in c.text
    finally:
        backend.close()


def test_after_a_fallback_verdict_the_model_loads_with_extra_buffer_types_off(tmp_path, gguf_path):
    from seer_cli.backends.llama_cpp import LlamaCppBackend

    cpu_path.probe(gguf_path, tmp_path, command=_dies_when_on())
    backend = LlamaCppBackend(gguf_path, n_ctx=512, n_threads=1, kv_cache_mb=0, probe_dir=tmp_path, extra_bufts="auto")
    try:
        assert backend.cpu_path.extra_bufts is False
        assert backend.llm.model_params.use_extra_bufts is False
        c = backend.complete([{"role": "user", "content": "What is the capital of France? One word."}], max_tokens=8)
        assert "Paris" in c.text
    finally:
        backend.close()
    import llama_cpp.llama_cpp as low

    assert low.llama_model_default_params().use_extra_bufts is True  # the switch is put back
