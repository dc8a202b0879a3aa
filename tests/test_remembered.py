"""Seed vectors are kept machine-wide: the second new pool reads them instead of embedding again,
and a damaged file is recomputed. A deterministic hash embedder stands in for MiniLM (what is
cached, read and recomputed does not depend on which model made the vectors; embedding the whole
seed pool with MiniLM cost this file 8 s of the plumbing tier), counted by a wrapper."""

from __future__ import annotations

import numpy as np

from seer_cli.config import load_settings
from seer_cli.embedder import Embedder
from seer_cli.pool import Pool
from test_pool_crash import HashEmbedder


class Counting(Embedder):
    def __init__(self, inner):
        self.inner, self.dim, self.fingerprint, self.texts = inner, inner.dim, inner.fingerprint, 0

    def embed_batch(self, texts):
        self.texts += len(texts)
        return self.inner.embed_batch(texts)


def _seeded(path, embedder):
    pool = Pool.open(path, load_settings(), embedder=embedder, seed="general-seed")
    try:
        return len(pool), pool.vectors("trajectory").copy(), pool.vectors("question").copy()
    finally:
        pool.close()


def test_the_second_new_pool_reads_the_seed_vectors(tmp_path, monkeypatch):
    embedder = HashEmbedder()
    monkeypatch.setenv("SEER_MODEL_CACHE", str(tmp_path / "machine"))
    first, second = Counting(embedder), Counting(embedder)
    n, tv, qv = _seeded(tmp_path / "a", first)
    assert n > 0 and first.texts == 2 * n
    assert len(list((tmp_path / "machine" / "seed-vectors").glob("*.npy"))) == 2
    n2, tv2, qv2 = _seeded(tmp_path / "b", second)
    assert second.texts == 0 and n2 == n
    assert np.array_equal(tv, tv2) and np.array_equal(qv, qv2)


def test_a_damaged_or_foreign_file_is_recomputed(tmp_path, monkeypatch):
    embedder = HashEmbedder()
    monkeypatch.setenv("SEER_MODEL_CACHE", str(tmp_path / "machine"))
    n, tv, qv = _seeded(tmp_path / "a", embedder)
    files = sorted((tmp_path / "machine" / "seed-vectors").glob("*.npy"))
    files[0].write_bytes(files[0].read_bytes()[:100])  # torn
    np.save(files[1], np.zeros((3, 2), dtype=np.float32))  # the wrong shape
    counting = Counting(embedder)
    n2, tv2, qv2 = _seeded(tmp_path / "b", counting)
    assert counting.texts == 2 * n
    np.testing.assert_allclose(tv2, tv, atol=1e-6)
    np.testing.assert_allclose(qv2, qv, atol=1e-6)
    again = Counting(embedder)
    _seeded(tmp_path / "c", again)
    assert again.texts == 0  # both files were replaced by good ones


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch):
    embedder = HashEmbedder()
    blocker = tmp_path / "machine"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("SEER_MODEL_CACHE", str(blocker))
    n, tv, _ = _seeded(tmp_path / "a", embedder)
    assert n > 0 and tv.shape == (n, embedder.dim)
