"""Pool storage benchmark: is the pool fast enough at 1k, 10k and 100k experiences?

For each size N, on synthetic experiences (random words, 2-4 tool calls, 8 intents):

* ingest rate (trajectories/s) through ``Pool.add`` with the real MiniLM embedder, beside the
  embedder's own rate on the same texts (trajectory and question, batches of 64), interleaved
  chunk by chunk so a noisy neighbour hits both alike (goal: ingest >= 0.9 x embedder). It is
  measured on the *last* ``--embed-limit`` experiences, added to a pool already holding the
  others, so it includes dedup and index upkeep at size N;
* the other N - limit experiences are added first with precomputed vectors (random unit
  vectors standing in for MiniLM output, under MiniLM's fingerprint) so that the index figures
  do not wait on embedding; their rate is reported as "bulk add, precomputed vectors";
* index rebuild from the stored vectors (trajectory space, goal < 60 s at 100k), index load +
  verification (goal < 1 s), cold ``Pool.open`` and ``Pool.open().stats()``, warm ``stats()``
  (goal < 2 s), knn p50/p99 over 1,000 queries excluding the query embedding (goal p50 <= 1 ms),
  peak RSS and the pool's size on disk.

Usage: python tools/bench_pool.py [--sizes 1000,10000,100000] [--embed-limit 1000] [--dir DIR] [--json]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

WORDS = ("apple bridge cable delta engine forest garden harbor island jacket kettle ladder meadow needle orbit "
         "pepper quartz river saddle tunnel umbrella valley window yacht zebra anchor basket candle desert "
         "feather glacier helmet igloo jungle kayak lantern magnet nectar oyster pillow quiver rocket summit").split()
TOOLS = ["SQL", "Calculate", "Search", "Retrieve", "PythonInterpreter", "LoadDB", "FilterDB", "GetValue"]
INTENTS = ["inventory", "travel", "billing", "weather", "science", "sports", "cooking", "music"]


def synthetic(n: int, seed: int = 0):
    from seer_cli.pool.records import Experience, Step

    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        w = rng.choice(WORDS, size=6)
        steps = [
            Step(f"check the {w[k]} {w[k + 1]}", TOOLS[int(rng.integers(len(TOOLS)))], {"q": f"{w[k]} {i} {w[5]}"}, f"{w[k]}: {int(rng.integers(1000))}")
            for k in range(int(rng.integers(1, 4)))
        ]
        steps.append(Step("answer", "Finish", {"answer": f"{w[0]} {i}"}))
        out.append(Experience(
            question=f"Which {w[0]} near the {w[1]} {w[2]} has the most {w[3]}s? (case {i})",
            steps=steps, answer=f"{w[0]} {i}", intent=INTENTS[i % len(INTENTS)],
            created_at=f"2026-10-{1 + i % 28:02d}T12:00:00+00:00",
        ))
    return out


class Precomputed:
    """Random unit vectors under the real embedder's fingerprint: fills large pools fast."""

    def __init__(self, real):
        self.dim, self.fingerprint = real.dim, real.fingerprint
        self.rng = np.random.default_rng(7)

    def embed_batch(self, texts):
        v = self.rng.standard_normal((len(texts), self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def embed(self, text):
        return self.embed_batch([text])[0]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench(n: int, root: Path, embed_limit: int, real) -> dict:
    from seer_cli.config import load_settings
    from seer_cli.pool import Pool

    settings = load_settings()
    path = root / f"pool-{n}"
    shutil.rmtree(path, ignore_errors=True)
    exps = synthetic(n)
    live = min(n, embed_limit)
    bulk = exps[: n - live]
    r: dict = {"size": n, "ingest_measured_on": live}
    quiet = lambda m: None  # noqa: E731
    warnings: list[str] = []
    pool = Pool.open(path, settings, embedder=Precomputed(real), on_warning=quiet)
    t = time.perf_counter()
    for i in range(0, len(bulk), 5000):
        pool.add(bulk[i : i + 5000], dedup=True)
    r["bulk_add_per_s"] = len(bulk) / (time.perf_counter() - t) if bulk else None
    pool.close()

    pool = Pool.open(path, settings, embedder=real, on_warning=quiet)
    pool.knn(np.ones(real.dim, dtype=np.float32) / np.sqrt(real.dim), 1)  # index loaded before timing
    ingest = embed = 0.0
    for i in range(n - live, n, 100):
        chunk = exps[i : i + 100]
        t = time.perf_counter()
        for texts in ([e.trajectory_text() for e in chunk], [e.question for e in chunk]):
            for j in range(0, len(texts), 64):
                real.embed_batch(texts[j : j + 64])
        embed += time.perf_counter() - t
        t = time.perf_counter()
        pool.add(chunk)
        ingest += time.perf_counter() - t
    r["ingest_per_s"], r["embedder_per_s"] = live / ingest, live / embed
    r["ingest_ratio"] = embed / ingest
    pool.close()
    assert len(pool) == n, (len(pool), n)

    for f in path.glob("index-*.hnsw"):
        f.unlink()
    pool = Pool.open(path, settings, embedder=real, on_warning=quiet)
    t, c = time.perf_counter(), time.process_time()
    pool._index("trajectory")
    r["rebuild_s"], r["rebuild_cpu_s"] = time.perf_counter() - t, time.process_time() - c
    pool._index("question")

    t = time.perf_counter()
    pool = Pool.open(path, settings, embedder=real, on_warning=warnings.append)
    r["open_s"] = time.perf_counter() - t
    t = time.perf_counter()
    pool._index("trajectory")
    r["load_s"] = time.perf_counter() - t
    assert not warnings, warnings  # the saved index loaded: no rebuild hidden in the figure
    t = time.perf_counter()
    pool.stats()
    r["stats_warm_s"] = time.perf_counter() - t
    t = time.perf_counter()
    Pool.open(path, settings, embedder=real, on_warning=quiet).stats()
    r["stats_cold_s"] = time.perf_counter() - t

    vecs = np.asarray(pool.vectors("trajectory"))
    rng = np.random.default_rng(3)
    queries = vecs[rng.integers(0, n, 1000)] + rng.normal(0, 0.02, (1000, real.dim)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    lat = []
    for q in queries:
        t = time.perf_counter()
        pool.knn(q, 10)
        lat.append(time.perf_counter() - t)
    r["knn_p50_ms"], r["knn_p99_ms"] = np.percentile(lat, 50) * 1e3, np.percentile(lat, 99) * 1e3
    lat = []
    for q in queries[:300]:
        t = time.perf_counter()
        pool.knn(q, 10, intent="travel")
        lat.append(time.perf_counter() - t)
    r["knn_intent_p50_ms"] = np.percentile(lat, 50) * 1e3
    r["rss_peak_mb"] = rss_mb()
    r["disk_mb"] = sum(f.stat().st_size for f in path.iterdir() if f.is_file()) / 2**20
    return r


ROWS = [
    ("ingest_measured_on", "ingest measured on (real MiniLM)", "{:.0f} exps", ""),
    ("ingest_per_s", "ingest rate, trajectories/s", "{:.1f}", ""),
    ("embedder_per_s", "embedder rate, same texts, /s", "{:.1f}", ""),
    ("ingest_ratio", "ingest / embedder", "{:.2f}x", ">= 0.9"),
    ("bulk_add_per_s", "bulk add, precomputed vectors, /s", "{:.0f}", ""),
    ("rebuild_s", "index rebuild from vectors (trajectory)", "{:.2f} s", "< 60 s"),
    ("rebuild_cpu_s", "  same, CPU seconds (load-independent)", "{:.2f} s", ""),
    ("load_s", "index load + verify", "{:.3f} s", "< 1 s"),
    ("open_s", "Pool.open (cold)", "{:.3f} s", ""),
    ("stats_warm_s", "stats() on an open pool", "{:.3f} s", "< 2 s"),
    ("stats_cold_s", "Pool.open().stats()", "{:.3f} s", ""),
    ("knn_p50_ms", "knn k=10 p50", "{:.3f} ms", "<= 1 ms"),
    ("knn_p99_ms", "knn k=10 p99", "{:.3f} ms", ""),
    ("knn_intent_p50_ms", "knn k=10, intent filter, p50", "{:.3f} ms", ""),
    ("rss_peak_mb", "peak RSS (process so far)", "{:.0f} MiB", ""),
    ("disk_mb", "pool on disk", "{:.1f} MiB", ""),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000", help="comma-separated pool sizes")
    ap.add_argument("--embed-limit", type=int, default=1000, help="experiences ingested with the real embedder")
    ap.add_argument("--dir", type=Path, default=None, help="where to build the pools (default: a temp dir)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    from seer_cli.embedder import get_embedder

    os.environ.setdefault("SEER_HOME", tempfile.mkdtemp(prefix="seer-bench-home-"))
    real = get_embedder()
    root = args.dir or Path(tempfile.mkdtemp(prefix="seer-bench-pool-"))
    results = []
    try:
        for n in [int(s) for s in args.sizes.split(",") if s.strip()]:
            results.append(bench(n, root, args.embed_limit, real))
    finally:
        if args.dir is None:
            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        from seer_cli.cli.console import emit_json

        emit_json(results)
        return
    from rich.table import Table

    from seer_cli.cli.console import out

    table = Table(title=f"seer pool benchmark ({os.cpu_count()} CPUs)")
    table.add_column("measure")
    for r in results:
        table.add_column(f"{r['size']:,}", justify="right")
    table.add_column("goal")
    for key, label, fmt, goal in ROWS:
        table.add_row(label, *("-" if r.get(key) is None else fmt.format(r[key]) for r in results), goal)
    out.print(table)


if __name__ == "__main__":
    main()
