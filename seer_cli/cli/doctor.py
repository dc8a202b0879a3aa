"""`seer doctor`: is this machine ready to run seer?

Each check really exercises its part (the model resolves; the CPU path llama.cpp may take is
probed in a child process, so a CPU feature that kills llama.cpp is reported, not fatal; the model
loads and generates one token; the embedder embeds one sentence) and is timed, so a slow or broken install shows up here rather
than mid-episode. :func:`run_checks` returns plain data; the command only renders it.
"""

from __future__ import annotations

import importlib.metadata
import platform
import time
from pathlib import Path
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from ..errors import SeerError, UserError
from .options import JsonFlag, LlmUrlOpt, ModelOpt

VERSIONED = {"seer": "seer-cli", "llama_cpp": "llama_cpp_python", "onnxruntime": "onnxruntime", "hnswlib": "hnswlib"}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    seconds: float | None = None
    data: dict[str, Any] = field(default_factory=dict)
    error: SeerError | None = field(default=None, repr=False)


def _timed(name: str, fn: Callable[[], tuple[str, dict]]) -> Check:
    start = time.perf_counter()
    try:
        detail, data = fn()
    except SeerError as e:
        return Check(name, False, str(e), time.perf_counter() - start, error=e)
    except ImportError as e:
        return Check(name, False, f"cannot import: {e}", time.perf_counter() - start)
    except Exception as e:  # a broken install is what doctor is for: report, don't crash
        return Check(name, False, f"{type(e).__name__}: {' '.join(str(e).split())[:200]}", time.perf_counter() - start)
    return Check(name, True, detail, time.perf_counter() - start, data)


def _versions() -> Check:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    missing = []
    for label, dist in VERSIONED.items():
        try:
            versions[label] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[label] = None
            missing.append(dist)
    detail = " ".join(f"{k} {v}" for k, v in versions.items() if v)
    if missing:
        return Check("versions", False, f"not installed: {', '.join(missing)}", data=versions)
    return Check("versions", True, detail, data=versions)


def _sandbox(settings) -> Check:
    from ..toolkits.confine import available

    support = available()  # only a missing boundary that sandbox_require asks for fails doctor
    data = {"landlock_abi": support.landlock_abi, "seccomp": support.seccomp, "required": settings.sandbox_require}
    return Check("sandbox", support.ok or not settings.sandbox_require, str(support), data=data)


def run_checks(settings, on_check: Callable[[Check], None] | None = None) -> list[Check]:
    """Resolve, load and exercise the model and the embedder; one :class:`Check` each."""
    from ..backends.registry import backend_spec, get_backend

    checks: list[Check] = []

    def add(check: Check) -> Check:
        checks.append(check)
        if on_check:
            on_check(check)
        return check

    add(_versions())
    add(_sandbox(settings))
    kind, target = backend_spec(settings)

    def model():
        if kind == "openai":
            return f"server {target}", {"backend": kind, "url": target}
        from ..backends.weights import resolve_model

        info = resolve_model(target or None, settings)
        data = {"backend": kind, "path": str(info.path), "alias": info.alias, "size": info.size, "sha256": info.sha256}
        sha = (info.sha256 or "unknown")[:16]
        return f"{info.path} ({info.size / 1e6:.0f} MB, sha256 {sha}…)", data

    model_check = add(_timed("model", model))
    backend_holder = {}

    def cpu():
        from ..backends import cpu_path

        chosen = cpu_path.choose(Path(model_check.data["path"]), settings.cpu_probe_dir, settings.extra_bufts)
        return cpu_path.describe(chosen), {**asdict(chosen), "flags": cpu_path.notable_flags()}

    if model_check.ok and kind != "openai":  # the CPU path llama.cpp will take, probed before the load below
        add(_timed("cpu", cpu))

    def load():
        backend_holder["b"] = backend = get_backend(settings)
        served = getattr(backend, "model", None)  # an HTTP backend asks the server here
        detail = f"{backend.name} serving {served}" if isinstance(served, str) else backend.name
        return detail, {"backend": backend.name, "served_model": served if isinstance(served, str) else None}

    def generate():
        c = backend_holder["b"].complete([{"role": "user", "content": "Reply with OK."}], max_tokens=1)
        return (f"{c.completion_tokens} token {c.text!r} in {c.seconds:.2f} s "
                f"({c.prompt_tokens} prompt tokens)", asdict(c))

    if model_check.ok:
        if add(_timed("backend", load)).ok:
            add(_timed("generate", generate))
    else:
        add(Check("backend", False, "skipped: no model"))

    def embed():
        from ..embedder import get_embedder

        embedder = get_embedder()
        start = time.perf_counter()
        vec = embedder.embed("doctor: does the embedder work?")
        took = time.perf_counter() - start
        norm = float((vec * vec).sum()) ** 0.5
        if vec.shape != (embedder.dim,) or abs(norm - 1) > 1e-3:
            raise UserError(f"embedder returned shape {vec.shape} with norm {norm:.3f}")
        return (f"{type(embedder).__name__} dim {embedder.dim}, one sentence in {took * 1000:.0f} ms",
                {"fingerprint": embedder.fingerprint, "dim": embedder.dim, "embed_seconds": took})

    add(_timed("embedder", embed))
    return checks


def doctor(model: ModelOpt = None, llm_url: LlmUrlOpt = None, json_out: JsonFlag = False):
    """Check the model, the backend and the embedder: each is loaded, run once and timed.

    Exits 1 naming the first failed check.

    Example: seer doctor --model qwen2.5-coder-0.5b
    """
    from ..config import load_settings
    from .console import emit_json, err, out, progress

    settings = load_settings().replace(model=model, llm_url=llm_url)
    if err.is_terminal:
        with progress(transient=True) as bar:
            task = bar.add_task("doctor", total=7, status="")
            checks = run_checks(settings, on_check=lambda c: bar.update(task, advance=1, status=c.name))
    else:  # a transient bar on a pipe would still leave a blank line on stderr
        checks = run_checks(settings)
    failed = [c for c in checks if not c.ok]
    if json_out:
        emit_json({"ok": not failed, "checks": [
            {"name": c.name, "ok": c.ok, "detail": c.detail, "seconds": c.seconds, **({"data": c.data} if c.data else {})}
            for c in checks]})
    else:
        from rich.table import Table
        from rich.text import Text

        table = Table(title="seer doctor")
        table.add_column("check")
        table.add_column("status")
        table.add_column("detail", overflow="fold")
        table.add_column("time", justify="right")
        for c in checks:
            table.add_row(c.name, "[green]ok[/]" if c.ok else "[red]FAIL[/]", Text(c.detail),
                          f"{c.seconds:.2f} s" if c.seconds is not None else "")
        out.print(table)
    if failed:
        first = failed[0]
        raise first.error if first.error is not None else UserError(f"{first.name}: {first.detail}")
    if not json_out:
        err.print("[green]all checks passed[/]")
