"""Which backend serves a run, chosen by prefix, loaded once per process.

A backend spec is ``<prefix>:<target>``: ``llama-cpp:<GGUF path or alias>`` or
``openai:<base url>``. seer's own backends are registered with the same :func:`register` call a
plugin would use, so adding one never touches call sites. :func:`get_backend` reads the spec from
settings (``llm_url`` wins; else ``model``, which may carry a registered prefix; else the best
bundled model) and caches backends per process by (kind, resolved target, n_ctx), so a 400 MB
model is loaded once however many commands or agents ask for it.
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass
from typing import Callable

from ..config import Settings, load_settings
from ..errors import UserError
from .base import Backend

Factory = Callable[[str, Settings], Backend]
Resolver = Callable[[str, Settings], str]


@dataclass(frozen=True)
class _Entry:
    factory: Factory
    resolve: Resolver | None


_REGISTRY: dict[str, _Entry] = {}
_CACHE: dict[tuple[str, str, int], Backend] = {}
_LOCK = threading.Lock()


def register(prefix: str, factory: Factory, *, resolve: Resolver | None = None) -> None:
    """Make ``<prefix>:<target>`` build a backend with ``factory(target, settings)``.

    ``resolve(target, settings)``, when given, canonicalises the target (an alias to a file path)
    so that equal backends share one cache entry.
    """
    _REGISTRY[prefix] = _Entry(factory, resolve)


def kinds() -> list[str]:
    return sorted(_REGISTRY)


def backend_spec(settings: Settings) -> tuple[str, str]:
    """``(kind, target)`` for these settings, before resolution."""
    if settings.llm_url:
        return "openai", settings.llm_url
    model = settings.model or ""
    prefix, sep, rest = model.partition(":")
    if sep and prefix in _REGISTRY:
        return prefix, rest
    return "llama-cpp", model


def get_backend(settings: Settings | None = None) -> Backend:
    """The backend these settings name, loaded on first use and cached for the process."""
    settings = settings or load_settings()
    kind, target = backend_spec(settings)
    entry = _REGISTRY.get(kind)
    if entry is None:
        raise UserError(f"unknown backend {kind!r}; known: {', '.join(kinds())}")
    if entry.resolve is not None:
        target = entry.resolve(target, settings)
    key = (kind, target, settings.n_ctx)
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = entry.factory(target, settings)
        return _CACHE[key]


def clear_cache() -> None:
    """Close and forget every cached backend (tests, long-lived hosts)."""
    with _LOCK:
        for backend in _CACHE.values():
            backend.close()
        _CACHE.clear()


# Free models before the interpreter tears modules down: llama.cpp's finaliser fails noisily when
# it runs after its own module globals are gone.
atexit.register(clear_cache)


# ------------------------------------------------------------------------------ built-ins ---

def _resolve_gguf(target: str, settings: Settings) -> str:
    from .weights import resolve_model

    return str(resolve_model(target or None, settings).path)


def _llama_cpp(target: str, settings: Settings) -> Backend:
    from .llama_cpp import LlamaCppBackend

    return LlamaCppBackend(target, n_ctx=settings.n_ctx, n_threads=settings.n_threads, seed=settings.seed,
                           kv_cache_mb=settings.kv_cache_mb, kv_disk_dir=settings.cache_dir / "kv", kv_disk_mb=settings.kv_disk_mb,
                           extra_bufts=settings.extra_bufts, probe_dir=settings.cpu_probe_dir)


def _openai(target: str, settings: Settings) -> Backend:
    from .openai_http import OpenAIBackend

    return OpenAIBackend(target, timeout=settings.request_timeout)


register("llama-cpp", _llama_cpp, resolve=_resolve_gguf)
register("openai", _openai)
