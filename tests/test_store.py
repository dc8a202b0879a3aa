"""The pool on real files with the real MiniLM embedder: add, dedup, redaction, recovery of torn
and uncommitted tails, corruption reports, export round trip, seeding, usage, stats, prune, locking."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from seer_cli.config import load_settings
from seer_cli.errors import PoolCorrupt, PoolError, PoolLocked, UserError
from seer_cli.pool import AddResult, Pool
from seer_cli.pool.records import Experience, Step
from seer_cli.pool.redact import redact_text
from seer_cli.pool.seeds import seed_names

CITIES = ["Lisbon", "Oslo", "Nairobi", "Lima", "Hanoi", "Perth", "Quito", "Riga", "Accra", "Dakar", "Tunis", "Sofia"]


def weather(i: int, **kw) -> Experience:
    city = CITIES[i % len(CITIES)]
    return Experience(
        question=f"Will it rain in {city} on day {i} of the trip?",
        steps=[
            Step(f"Look up the forecast for {city}.", "Forecast", {"city": city, "day": i}, f"rain chance {i % 10 * 10}%"),
            Step("Answer from the forecast.", "Finish", {"answer": "yes" if i % 2 else "no"}),
        ],
        answer="yes" if i % 2 else "no",
        intent="weather",
        **kw,
    )


def sums(i: int) -> Experience:
    return Experience(
        question=f"Add up the invoice totals of customer {i} for March.",
        steps=[
            Step("Query the invoices.", "SQL", {"query": f"SELECT sum(total) FROM invoices WHERE customer = {i}"}, f"{i * 7}"),
            Step("Report the sum.", "Finish", {"answer": str(i * 7)}),
        ],
        answer=str(i * 7),
        intent="billing",
    )


@pytest.fixture
def settings():
    return load_settings()


@pytest.fixture
def pool(tmp_path, settings, embedder):
    return Pool.open(tmp_path / "p", settings, embedder=embedder, on_warning=pytest.fail)


def test_add_search_get_and_layout(pool, embedder):
    res = pool.add([weather(i) for i in range(6)] + [sums(i) for i in range(4)])
    assert isinstance(res, AddResult) and len(res.added) == 10 and res.duplicates == 0
    assert len(pool) == 10 and pool.ids == res.added
    names = {p.name for p in pool.path.iterdir()}
    assert {"experiences.jsonl", "COMMITTED", "write.lock", "vectors-trajectory.f32", "vectors-question.f32", "meta.json"} <= names
    assert int((pool.path / "COMMITTED").read_text()) == (pool.path / "experiences.jsonl").stat().st_size
    assert pool.vectors("question").shape == (10, 384)
    hits = pool.search("How much did customer 2 pay in March invoices?", k=3)
    assert hits[0][0].intent == "billing" and hits[0][1] > 0.5
    assert pool.get(res.added[0]) == pool.experiences()[0]
    assert pool.get("0" * 16) is None
    only = pool.knn(embedder.embed("rain forecast"), 20, intent="billing")
    assert len(only) == 4 and all(pool.experiences()[p].intent == "billing" for p, _ in only)
    assert [s for _, s in only] == sorted((s for _, s in only), reverse=True)


def test_dedup_exact_and_near(pool):
    first = pool.add([weather(1), weather(2)])
    again = pool.add([weather(1), weather(3), weather(3)])
    assert again.duplicates == 2 and len(again.added) == 1
    # same calls and answer but a reworded thought: same tool chain, cosine ~0.99 -> near duplicate
    w = weather(2)
    w.steps[0].thought = "Check the forecast for Nairobi"
    w.question = w.question + " "
    w.answer = "no "
    near = pool.add([w, sums(1)])
    assert near.near_duplicates + near.duplicates == 1 and len(near.added) == 1
    kept = pool.add([weather(4)], dedup=False)
    assert len(kept.added) == 1 and len(pool) == len(first.added) + 1 + 1 + 1


def test_redaction_before_hashing(pool):
    secret = Experience(
        question="Deploy with key sk-abcdefghijklmnopqrstuvwx1234 please",
        steps=[Step("use token", "Http", {"headers": {"Authorization": "Bearer abcdef1234567890XYZ"},
                                          "url": "https://bob:hunter22@example.org/x", "cfg": ["password=swordfish"]},
                    "AKIAABCDEFGHIJKLMNOP ghp_" + "a" * 36 + " " + "x" * 5000),
               Step("done", "Finish", {"answer": "ok"})],
        answer="ok",
    )
    res = pool.add([secret])
    raw = (pool.path / "experiences.jsonl").read_text()
    for leak in ("sk-abcdef", "abcdef1234567890XYZ", "hunter22", "swordfish", "AKIAABCD", "ghp_aaaa"):
        assert leak not in raw
    stored = pool.experiences()[0]
    assert stored.id == res.added[0]
    assert len(stored.steps[0].observation) == load_settings().observation_max_chars
    assert "https://bob:[REDACTED]@example.org/x" == stored.steps[0].args["url"]
    assert redact_text("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----") == "[REDACTED]"
    assert redact_text("xoxb-1234567890-abcdef") == "[REDACTED]"
    assert redact_text("api_key: abc123def") == "api_key: [REDACTED]"


def test_extra_redact_patterns(tmp_path, settings, embedder):
    p = Pool.open(tmp_path / "q", settings.replace(redact_patterns=(r"EMP-\d{6}",)), embedder=embedder)
    e = weather(1)
    e.question = "Staff EMP-123456 asks: " + e.question
    p.add([e])
    assert "EMP-123456" not in (p.path / "experiences.jsonl").read_text()
    with pytest.raises(UserError, match="redact_patterns"):
        Pool.open(tmp_path / "r", settings.replace(redact_patterns=("(",)), embedder=embedder).add([weather(1)])


def _hand_made(path: Path, exps: list[Experience], tail: bytes = b"") -> None:
    path.mkdir(parents=True)
    (path / "experiences.jsonl").write_bytes(b"".join(orjson.dumps(e.to_dict()) + b"\n" for e in exps) + tail)


def test_torn_last_line_without_committed(tmp_path, settings, embedder):
    d = tmp_path / "hand"
    _hand_made(d, [weather(i) for i in range(3)], tail=orjson.dumps(weather(9).to_dict())[:40])
    warns: list[str] = []
    p = Pool.open(d, settings, embedder=embedder, on_warning=warns.append)
    assert len(p) == 3 and p.experiences()[2].question == weather(2).question
    assert any("torn last line" in w for w in warns)
    p.add([sums(1)])  # a writer cuts the torn tail and creates COMMITTED
    assert any("cut a torn last line" in w for w in warns)
    assert len(Pool.open(d, settings, embedder=embedder, on_warning=pytest.fail)) == 4


def test_last_line_without_newline_is_kept(tmp_path, settings, embedder):
    d = tmp_path / "hand"
    _hand_made(d, [weather(1)], tail=orjson.dumps(weather(2).to_dict()))
    p = Pool.open(d, settings, embedder=embedder, on_warning=lambda m: None)
    assert len(p) == 2
    p.add([sums(3)])
    assert [e.question for e in Pool.open(d, settings, embedder=embedder).experiences()][-1] == sums(3).question


def test_uncommitted_tail_is_ignored_then_cut(tmp_path, settings, embedder):
    p = Pool.open(tmp_path / "p", settings, embedder=embedder)
    p.add([weather(i) for i in range(3)])
    with open(p.path / "experiences.jsonl", "ab") as f:  # a writer died before moving COMMITTED
        f.write(orjson.dumps(weather(7).to_dict()) + b"\n" + b'{"question": "half')
    warns: list[str] = []
    q = Pool.open(p.path, settings, embedder=embedder, on_warning=warns.append)
    assert len(q) == 3 and not warns
    q.add([sums(1)])
    assert any("uncommitted tail" in w for w in warns)
    assert [e.question for e in q.experiences()] == [weather(i).question for i in range(3)] + [sums(1).question]


def test_corrupt_committed_line_names_file_and_line(tmp_path, settings, embedder):
    p = Pool.open(tmp_path / "p", settings, embedder=embedder)
    p.add([weather(i) for i in range(3)])
    path = p.path / "experiences.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[1] = b"#" + lines[1][1:]
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(PoolCorrupt, match=r"experiences.jsonl:2: not valid JSON"):
        Pool.open(p.path, settings, embedder=embedder)
    lines[1] = orjson.dumps({**weather(1).to_dict(), "steps": "nope"})
    lines[1] = lines[1] + b" " * (len(path.read_bytes().split(b"\n")[1]) - len(lines[1]))
    path.write_bytes(b"\n".join(lines))
    (p.path / "COMMITTED").write_text(str(path.stat().st_size))
    with pytest.raises(PoolCorrupt, match=r"experiences.jsonl:2: not a valid record \(steps: must be a non-empty list\); run: seer pool repair --pool "):
        Pool.open(p.path, settings, embedder=embedder)


def test_export_then_add_into_empty_pool_is_identical(pool, tmp_path, settings, embedder):
    pool.add([weather(i) for i in range(5)] + [sums(i) for i in range(3)])
    buf = io.BytesIO()
    assert pool.export(buf) == 8
    text = io.StringIO()
    pool.export(text)
    assert text.getvalue().encode() == buf.getvalue()
    records = [Experience.from_dict(orjson.loads(line)) for line in buf.getvalue().splitlines()]
    other = Pool.open(tmp_path / "copy", settings, embedder=embedder)
    assert len(other.add(records).added) == 8
    assert [e.to_dict() for e in other.experiences()] == [e.to_dict() for e in pool.experiences()]
    assert (other.path / "experiences.jsonl").read_bytes() == buf.getvalue()


def test_open_by_name_create_false_and_list(settings, embedder):
    with pytest.raises(PoolError, match="does not exist"):
        Pool.open("nothere", settings, embedder=embedder, create=False)
    with pytest.raises(UserError, match="pool name"):
        Pool.open("bad name!", settings, embedder=embedder)
    p = Pool.open("work", settings, embedder=embedder)
    assert p.path == settings.pools_dir / "work"
    p.add([weather(1), weather(2)])
    listed = {row["name"]: row for row in Pool.list_pools(settings)}
    assert listed["work"]["entries"] == 2


def test_default_pool_is_seeded_once(settings, embedder):
    p = Pool.open(None, settings, embedder=embedder, on_warning=lambda m: None)
    if "general-seed" in seed_names():
        assert len(p) > 0
        n = len(p)
        p.prune(max_size=0)
        assert len(Pool.open(None, settings, embedder=embedder)) == 0 < n  # pruned to empty: not re-seeded
    else:
        assert len(p) == 0
    q = Pool.open("other", settings, embedder=embedder, seed="no-such-seed")
    assert len(q) == 0


def test_usage_stats_and_prune(pool):
    pool.add([weather(i) for i in range(8)] + [sums(i) for i in range(4)])
    ids = pool.ids
    pool.record_recalls([ids[0], ids[1]])
    pool.record_recalls([ids[0]])
    use = pool.usage()
    assert use[ids[0]]["count"] == 2 and use[ids[1]]["count"] == 1
    st = pool.stats()
    assert st["entries"] == 12 and st["intents"] == {"weather": 8, "billing": 4}
    assert st["tools"]["Finish"] == 12 and st["steps_histogram"] == {"2": 12} and st["recalled_entries"] == 2
    assert st["embedder"] and st["disk_bytes"]["experiences.jsonl"] > 0 and st["path"] == str(pool.path)
    dry = pool.prune(never_recalled=True, dry_run=True)
    assert dry.removed == 10 and len(pool) == 12
    res = pool.prune(max_size=5)
    assert res.kept == 5 and res.reasons == {"max_size": 7}
    assert pool.ids[:2] == ids[:2] and len(pool) == 5  # the recalled ones survive, order kept
    assert pool.vectors("trajectory").shape == (5, 384) and pool.knn(pool.vectors()[4], 1)[0][0] == 4
    assert pool.prune(older_than=timedelta(days=1)).removed == 0
    assert pool.prune(never_recalled=True).kept == 2


def test_prune_dedup_and_reopen(pool, tmp_path, settings, embedder):
    pool.add([weather(i) for i in range(4)])
    pool.add([weather(1), weather(2)], dedup=False)
    assert len(pool) == 6
    res = pool.prune(dedup=True)
    assert res.reasons.get("duplicate") == 2 and len(pool) == 4
    again = Pool.open(pool.path, settings, embedder=embedder, on_warning=pytest.fail)
    assert [e.id for e in again.experiences()] == pool.ids
    assert again.search(weather(3).question, 1)[0][0].question == weather(3).question


def test_rewrite_interrupted_before_commit_rolls_back(pool, settings, embedder):
    pool.add([weather(i) for i in range(4)])
    (pool.path / "experiences.jsonl.new").write_bytes(b'{"half')
    (pool.path / "COMMITTED.new").write_text("6\n")
    warns: list[str] = []
    p = Pool.open(pool.path, settings, embedder=embedder, on_warning=warns.append)
    assert len(p) == 4
    p.add([sums(1)])
    assert any("rolled back" in w for w in warns) and not list(pool.path.glob("*.new")) and len(p) == 5


def test_lock_held_by_another_process(pool, settings, embedder):
    code = (
        "import filelock, sys, time; l = filelock.FileLock(sys.argv[1]); l.acquire(); "
        "print('held', flush=True); time.sleep(30)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(pool.path / "write.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        p = Pool.open(pool.path, settings.replace(lock_timeout=0.3), embedder=embedder)
        t = time.perf_counter()
        with pytest.raises(PoolLocked, match=rf"pool {pool.path} is locked by another seer process \(waited 0.3 s\)"):
            p.add([weather(1)])
        assert time.perf_counter() - t < 5
        assert len(p) == 0  # readers never block
    finally:
        proc.kill()
        proc.wait()
    assert len(pool.add([weather(1)]).added) == 1


def test_summaries_cache_is_used_and_checked(tmp_path, settings, embedder, monkeypatch):
    import seer_cli.pool.pool as pool_mod

    monkeypatch.setattr(pool_mod, "CACHE_EVERY", 1)
    p = Pool.open(tmp_path / "c", settings, embedder=embedder)
    p.add([weather(i) for i in range(6)] + [sums(i) for i in range(3)])
    cache = p.path / "summaries.json"
    assert orjson.loads(cache.read_bytes())["ids"] == p.ids
    monkeypatch.setattr(pool_mod, "CACHE_EVERY", 10**9)
    p.add([sums(5)])  # appended after the cache: parsed on open
    q = Pool.open(p.path, settings, embedder=embedder, on_warning=pytest.fail)
    assert q.ids == p.ids and q.stats()["intents"] == {"weather": 6, "billing": 4}
    assert [e.id for e in q.experiences()] == p.ids
    cache.write_bytes(b"{not json")  # a broken cache is ignored
    assert Pool.open(p.path, settings, embedder=embedder, on_warning=pytest.fail).ids == p.ids
    blob = orjson.loads(p._sum.to_cache(p._end, p._next_line, "0" * 64))
    blob["intents"] = ["wrong"] * len(blob["ids"])
    cache.write_bytes(orjson.dumps(blob))  # a cache that does not match the file is ignored
    assert Pool.open(p.path, settings, embedder=embedder).stats()["intents"] == {"weather": 6, "billing": 4}


def test_intent_knn_over_fetch_matches_exact_search(pool, embedder, monkeypatch):
    import seer_cli.pool.pool as pool_mod

    pool.add([weather(i) for i in range(12)] + [sums(i) for i in range(6)], dedup=False)
    q = embedder.embed("invoice totals for a customer")
    exact = pool.knn(q, 3, intent="billing")
    monkeypatch.setattr(pool_mod, "EXACT_BELOW", 0)  # force the graph search with over-fetch
    fetched = pool.knn(q, 3, intent="billing")
    assert [p for p, _ in fetched] == [p for p, _ in exact]
    assert all(pool.experiences()[p].intent == "billing" for p, _ in fetched)
    assert len(pool.knn(q, 50, intent="weather")) == 12 and pool.knn(q, 5, intent="none") == []


def test_invalid_record_is_refused_before_anything_is_written(pool):
    from seer_cli.errors import InvalidRecord

    bad = Experience(question="  ", steps=[Step("t", "Finish", {"answer": "x"})], answer="x")
    with pytest.raises(InvalidRecord, match=r"record 2 of the batch: question: must be a non-empty string"):
        pool.add([weather(1), bad])
    odd = weather(2)
    odd.steps[0].args = {"when": {1, 2}}  # not JSON
    with pytest.raises(InvalidRecord, match="record 1 of the batch"):
        pool.add([odd])
    assert len(pool) == 0 and not (pool.path / "experiences.jsonl").exists() or (pool.path / "experiences.jsonl").stat().st_size == 0
