"""Several real processes (and threads) writing and reading one pool at once.

Writers load the real MiniLM embedder; a reader in this process watches the pool grow during
the run without reopening it (cross-process refresh) and must never see a partial state.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from seer_cli.config import load_settings
from seer_cli.pool import Pool
from seer_cli.pool.records import Experience, Step

WRITER = r"""
import sys, time
from pathlib import Path
from seer_cli.config import load_settings
from seer_cli.embedder import get_embedder
from seer_cli.pool import Pool
sys.path.insert(0, sys.argv[4])
from test_pool_concurrency import task
who = sys.argv[2]
pool = Pool.open(sys.argv[1], load_settings(), embedder=get_embedder())
go = Path(sys.argv[3])
while not go.exists():
    time.sleep(0.01)
for i in range(50):
    res = pool.add([task(who, i)])
    assert len(res.added) == 1, res
assert pool.add([task(who, 0)]).duplicates == 1
"""

NOUNS = "apples bricks cables drums eggs files gloves hats inks jars keys lamps maps nails oars pens quilts rings socks tiles urns vases wires yarns zips".split()
PLACES = "attic barn cellar depot garage hangar kiosk lobby market office pantry quarry".split()
UNITS = ["feet", "yards", "miles", "inches"]


def task(who: str, i: int) -> Experience:
    """Writer ``who``'s i-th record; all 200 are pairwise below the near-duplicate threshold."""
    noun, place = NOUNS[i % 25], PLACES[UNITS.index(who) * 3 + i % 3]
    return Experience(
        question=f"How many {noun} are stored in the {place}? ({who} batch {i})",
        steps=[Step(f"count {noun} in the {place}", "Count", {"item": noun, "place": place, "unit": who}, f"{i * 3}"),
               Step("answer", "Finish", {"answer": str(i * 3)})],
        answer=str(i * 3),
    )


@pytest.mark.slow  # four processes, each loading the embedder: ~25 s
def test_four_processes_fifty_appends_each(tmp_path, embedder):
    path = tmp_path / "shared"
    go = tmp_path / "go"
    watcher = Pool.open(path, load_settings(), embedder=embedder)
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), unit, str(go), str(Path(__file__).parent)], stderr=subprocess.PIPE, text=True)
        for unit in UNITS
    ]
    time.sleep(1.0)
    go.touch()
    seen = []
    while any(p.poll() is None for p in procs):
        exps = watcher.experiences()  # committed snapshots only: every entry whole
        seen.append(len(exps))
        assert len(set(e.id for e in exps)) == len(exps)
        time.sleep(0.05)
    for p in procs:
        assert p.wait() == 0, p.stderr.read()
    assert seen == sorted(seen)
    assert len(watcher) == 200  # the same object, refreshed from COMMITTED
    exps = watcher.experiences()
    assert len({e.id for e in exps}) == 200
    for unit in UNITS:  # each writer's records are all there, in its own order
        mine = [int(e.question.split(" batch ")[1].rstrip(")")) for e in exps if f"({unit} batch " in e.question]
        assert mine == list(range(50))
    vecs = watcher.vectors("trajectory")
    assert vecs.shape == (200, 384)
    sample = list(range(0, 200, 9))
    fresh = embedder.embed_batch([exps[p].trajectory_text() for p in sample])
    assert np.allclose(vecs[sample], fresh, atol=1e-4)  # rows are aligned with lines
    assert all(watcher.knn(vecs[p], 1)[0][0] == p for p in range(200))
    reopened = Pool.open(path, load_settings(), embedder=embedder, on_warning=lambda m: (_ for _ in ()).throw(AssertionError(m)))
    assert reopened.ids == watcher.ids
    qv = reopened.vectors("question")
    assert all(reopened.knn(qv[p], 1, space="question")[0][0] == p for p in range(200))


def test_threads_query_while_one_adds(tmp_path):
    """Three reader threads search while the main thread adds 40 records. A hash embedder stands
    in for MiniLM (which vectors does not matter to the locking; MiniLM made this 6 s)."""
    from test_pool_crash import HashEmbedder

    embedder = HashEmbedder()
    pool = Pool.open(tmp_path / "threads", load_settings(), embedder=embedder)

    def exp(i: int) -> Experience:
        return Experience(
            question=f"Find the opening hours of shop number {i} on street {i % 7}",
            steps=[Step("search", "Lookup", {"shop": i}, "9-17"), Step("answer", "Finish", {"answer": "9-17"})],
            answer="9-17",
        )

    pool.add([exp(i) for i in range(5)], dedup=False)  # near-identical on purpose
    q = embedder.embed("opening hours of a shop")
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                hits = pool.knn(q, 5)
                assert len(hits) == 5 and all(0 <= p < len(pool) for p, _ in hits)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(5, 45):
        pool.add([exp(i)], dedup=False)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert len(pool) == 45 and pool.knn(pool.vectors()[44], 1)[0][0] == 44
