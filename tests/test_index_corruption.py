"""Broken derived files are repaired on open: indexes from the stored vectors, vectors by
embedding only the rows that are missing. Real files; a deterministic hash embedder stands in for
MiniLM (what is rebuilt and re-embedded does not depend on the model, and embedding the template
pool with MiniLM was 4 s of the plumbing tier), wrapped to count how many texts it is asked to embed."""

from __future__ import annotations

import os
import shutil

import numpy as np
import orjson
import pytest

from seer_cli.config import load_settings
from seer_cli.embedder import Embedder
from seer_cli.pool import Pool
from seer_cli.pool.records import Experience, Step

TOPICS = ["rainfall", "train times", "stock prices", "recipes", "bus routes", "film ratings", "exchange rates", "tides"]
CITIES = ["Bergen", "Cusco", "Da Nang", "Fez", "Graz", "Hobart", "Izmir"]
QUERIES = ["when is the next train", "what will the weather be like", "how much is one euro in yen", "cook dinner"]


class Counting(Embedder):
    """An embedder, counting the texts it embeds; ``fingerprint`` can be overridden to
    play a different embedder."""

    def __init__(self, inner: Embedder, fingerprint: str | None = None):
        self.inner = inner
        self.dim = inner.dim
        self.fingerprint = fingerprint or inner.fingerprint
        self.texts = 0

    def embed_batch(self, texts):
        self.texts += len(texts)
        return self.inner.embed_batch(texts)


@pytest.fixture(scope="module")
def embedder():
    from test_pool_crash import HashEmbedder

    return HashEmbedder()


def exp(i: int) -> Experience:
    topic, city = TOPICS[i % len(TOPICS)], CITIES[i % len(CITIES)]
    return Experience(
        question=f"Look up {topic} for {city} (request {i})",
        steps=[Step(f"search {topic}", "Search", {"topic": topic, "city": city}, "found it"),
               Step("answer", "Finish", {"answer": f"{topic} in {city}"})],
        answer=f"{topic} in {city}",
        intent=topic.replace(" ", "-"),
    )


@pytest.fixture(scope="module")
def _template(tmp_path_factory, embedder):
    """A 56-entry pool with both indexes saved, and its answers to a few queries: built once."""
    where = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as mp:  # the per-test SEER_HOME is not set up yet at module scope
        mp.setenv("SEER_HOME", str(where / "seer-home"))
        pool = Pool.open(where / "p", load_settings(), embedder=embedder)
        pool.add([exp(i) for i in range(56)], dedup=False)
        qv = embedder.embed_batch(QUERIES)
        expected = {sp: [pool.knn(v, 8, space=sp) for v in qv] for sp in ("trajectory", "question")}
        pool.close()
    assert (pool.path / "index-trajectory.hnsw").exists() and (pool.path / "index-question.hnsw").exists()
    return pool.path, qv, expected


@pytest.fixture
def built(tmp_path, _template):
    """A fresh copy of the template pool for a test to damage."""
    path, qv, expected = _template
    copy = shutil.copytree(path, tmp_path / "p")
    return copy, qv, expected


def results(pool, qv):
    return {sp: [pool.knn(v, 8, space=sp) for v in qv] for sp in ("trajectory", "question")}


def same(a, b):
    for sp in a:
        for x, y in zip(a[sp], b[sp]):
            assert [p for p, _ in x] == [p for p, _ in y]
            assert np.allclose([s for _, s in x], [s for _, s in y], atol=1e-5)


def _truncate(f):
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])


def _zero(f):
    f.write_bytes(bytes(f.stat().st_size))


def _random(f):
    f.write_bytes(os.urandom(f.stat().st_size))


def _flip_body(f):  # header intact, level-0 data scrambled: only the checksum notices
    data = bytearray(f.read_bytes())
    data[200:4000] = os.urandom(3800)
    f.write_bytes(bytes(data))


def _tiny(f):
    f.write_bytes(b"\x01\x02")


@pytest.mark.parametrize("damage", [_truncate, _zero, _random, _flip_body, _tiny], ids=lambda d: d.__name__[1:])
def test_damaged_index_is_rebuilt_with_same_results(built, embedder, damage):
    path, qv, expected = built
    for sp in ("trajectory", "question"):
        damage(path / f"index-{sp}.hnsw")
    warns: list[str] = []
    counting = Counting(embedder)
    pool = Pool.open(path, load_settings(), embedder=counting, on_warning=warns.append)
    same(results(pool, qv), expected)
    assert sum("rebuilding it from the stored vectors" in w for w in warns) == 2, warns
    assert counting.texts == 0  # rebuilt from the stored vectors, nothing re-embedded
    assert pool.stats()["index"] == {"trajectory": "rebuilt", "question": "rebuilt"}
    again = Pool.open(path, load_settings(), embedder=embedder, on_warning=pytest.fail)
    same(results(again, qv), expected)  # the rebuilt index was saved and now loads cleanly
    assert again.stats()["index"] == {"trajectory": "ok", "question": "ok"}


def test_deleted_index_is_rebuilt(built, embedder):
    path, qv, expected = built
    (path / "index-question.hnsw").unlink()
    warns: list[str] = []
    pool = Pool.open(path, load_settings(), embedder=embedder, on_warning=warns.append)
    assert pool.stats()["index"]["question"] == "missing"
    same(results(pool, qv), expected)
    assert any("index-question.hnsw: missing" in w for w in warns)


def test_index_behind_the_pool_is_extended_not_rebuilt(built, embedder):
    path, qv, _ = built
    pool = Pool.open(path, load_settings(), embedder=embedder, on_warning=pytest.fail)
    pool.add([exp(i) for i in range(56, 60)], dedup=False)  # index files on disk now cover 56 of 60
    fresh = Pool.open(path, load_settings(), embedder=embedder, on_warning=pytest.fail)
    v = fresh.vectors()
    assert [fresh.knn(v[p], 1)[0][0] for p in range(56, 60)] == [56, 57, 58, 59]
    assert fresh.stats()["index"]["trajectory"] == "ok"


def test_truncated_vectors_reembed_only_missing_rows(built, embedder):
    path, qv, expected = built
    before = {sp: np.fromfile(path / f"vectors-{sp}.f32", dtype=np.float32).reshape(-1, 384) for sp in ("trajectory", "question")}
    f = path / "vectors-trajectory.f32"
    f.write_bytes(f.read_bytes()[: 40 * 384 * 4 + 100])  # 40 whole rows and a torn one
    counting = Counting(embedder)
    warns: list[str] = []
    pool = Pool.open(path, load_settings(), embedder=counting, on_warning=warns.append)
    assert counting.texts == 16
    assert any("16 stored vectors are missing" in w for w in warns)
    assert np.allclose(pool.vectors("trajectory"), before["trajectory"], atol=1e-5)
    same(results(pool, qv), expected)


def test_lost_vectors_file_reembeds_that_space(built, embedder):
    path, qv, expected = built
    (path / "vectors-question.f32").unlink()
    counting = Counting(embedder)
    pool = Pool.open(path, load_settings(), embedder=counting, on_warning=lambda m: None)
    assert counting.texts == 56
    same(results(pool, qv), expected)


def test_foreign_embedder_reembeds_everything(built, embedder):
    path, qv, _ = built
    other = Counting(embedder, fingerprint="some-other-model")
    warns: list[str] = []
    pool = Pool.open(path, load_settings(), embedder=other, on_warning=warns.append)
    assert other.texts == 2 * 56 and any("another embedder" in w for w in warns)
    assert orjson.loads((path / "meta.json").read_bytes())["embedder"] == "some-other-model"
    assert len(pool.knn(qv[0], 3)) == 3


def test_unreadable_meta_and_hand_edited_jsonl(built, embedder):
    path, qv, expected = built
    (path / "meta.json").write_bytes(b"\x00garbage")
    warns: list[str] = []
    pool = Pool.open(path, load_settings(), embedder=embedder, on_warning=warns.append)
    same(results(pool, qv), expected)
    assert any("meta.json: unreadable" in w for w in warns)
    # an edit inside the checksummed tail window is noticed: the vectors are recomputed
    jl = path / "experiences.jsonl"
    data = jl.read_bytes().replace(b"request 55", b"request 99")
    rec = orjson.loads(data.splitlines()[-1])
    rec["id"] = Experience.from_dict({k: v for k, v in rec.items() if k != "id"}).id
    lines = data.splitlines()[:-1] + [orjson.dumps(rec)]
    jl.write_bytes(b"\n".join(lines) + b"\n")
    (path / "COMMITTED").write_text(str(jl.stat().st_size))
    warns.clear()
    edited = Pool.open(path, load_settings(), embedder=embedder, on_warning=warns.append)
    assert any("changed outside seer" in w for w in warns)
    (hit, _), = edited.knn(embedder.embed(rec["question"]), 1, space="question")  # the edited question's vector is fresh
    assert edited.experiences()[hit].question == rec["question"]
