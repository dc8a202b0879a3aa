"""kill -9 of a writing process at random moments never leaves a broken pool.

A real subprocess adds batches of 5 records in a loop to a real pool directory and is killed
with SIGKILL at a random moment; after each kill the pool must open, hold only whole entries,
a whole number of batches (every batch complete), and an index that finds every entry.

The writer uses :class:`HashEmbedder`, a deterministic hash-based stand-in for MiniLM: this
test is about storage atomicity, and loading ONNX in each of 30+ subprocesses would spend the
test's time budget on model loading instead of on crashes. Everything else is real.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from seer_cli.config import load_settings
from seer_cli.embedder import Embedder
from seer_cli.pool import Pool

TESTS = Path(__file__).resolve().parent
BATCH = 5


class HashEmbedder(Embedder):
    """Deterministic unit vectors from a SHA-256 seed of the text (no model: storage tests only)."""

    dim = 384
    fingerprint = "hash-embedder-v1"

    def __init__(self) -> None:
        self.calls = 0
        self.texts = 0

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out


WRITER = r"""
import sys, itertools
sys.path.insert(0, sys.argv[3])
from test_pool_crash import HashEmbedder, record
from seer_cli.config import load_settings
from seer_cli.pool import Pool
pool = Pool.open(sys.argv[1], load_settings(), embedder=HashEmbedder(), on_warning=lambda m: None)
print("ready", flush=True)
for b in itertools.count():
    tag = f"{sys.argv[2]}-{b}"
    pool.add([record(tag, j) for j in range(5)])
"""


def record(tag: str, j: int):
    from seer_cli.pool.records import Experience, Step

    return Experience(
        question=f"Batch {tag} item {j}: how many rows does table t{j} hold?",
        steps=[Step("count them", "SQL", {"query": f"SELECT count(*) FROM t{j} -- {tag}"}, str(j)),
               Step("report", "Finish", {"answer": str(j)})],
        answer=str(j),
        origin=tag,
    )


def check(path: Path, emb: HashEmbedder) -> int:
    warnings: list[str] = []
    pool = Pool.open(path, load_settings(), embedder=emb, on_warning=warnings.append)
    exps = pool.experiences()  # every line parses into a whole record
    n = len(exps)
    assert n % BATCH == 0, f"{n} entries is not a whole number of batches"
    assert all(c == BATCH for c in Counter(e.origin for e in exps).values())
    assert len(set(pool.ids)) == n
    vecs = pool.vectors("trajectory")
    assert vecs.shape == (n, 384)
    for pos in range(n):
        assert pool.knn(vecs[pos], 1)[0][0] == pos
    qv = pool.vectors("question")
    assert all(pool.knn(qv[p], 1, space="question")[0][0] == p for p in range(0, n, 7))
    return n


@pytest.mark.slow  # child processes killed at random moments, each reopening the pool: ~25 s
def test_kill_9_at_random_moments(tmp_path):
    path = tmp_path / "crashy"
    emb = HashEmbedder()
    rng = random.Random(1234)
    started = time.monotonic()
    counts = []
    trials = 0
    while trials < 30 or time.monotonic() - started < 5:
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), f"t{trials}", str(TESTS)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        line = proc.stdout.readline()
        assert line.strip() == "ready", proc.stderr.read()
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        counts.append(check(path, emb))
        trials += 1
    assert counts[-1] > 0 and counts == sorted(counts)
    # a final writer truncates whatever uncommitted tail the last kill left, and the pool is whole
    pool = Pool.open(path, load_settings(), embedder=emb, on_warning=lambda m: None)
    pool.add([record("final", j) for j in range(BATCH)])
    size = (path / "experiences.jsonl").stat().st_size
    assert int((path / "COMMITTED").read_text()) == size
    assert check(path, emb) == counts[-1] + BATCH
    assert time.monotonic() - started < 90
