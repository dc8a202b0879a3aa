"""`seer pool ...` through the real CLI on a real pool (real ONNX embedder, real files)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from seer_cli.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "formats"


def seer(*args: str):
    return CliRunner().invoke(app, list(args))


def seer_json(*args: str):
    r = seer(*args, "--json")
    assert r.exit_code == 0, r.stderr
    return orjson.loads(r.stdout)


@pytest.fixture
def pool(seer_home) -> Path:
    """Pool "t" holding the 7 successful example trajectories; returns its directory."""
    for name in ("example-seer.jsonl", "example-openai.jsonl", "example-library.json"):
        r = seer("ingest", str(EXAMPLES / name), "--pool", "t")
        assert r.exit_code == 0, r.stderr
    return seer_home / "pools" / "t"


def _ids() -> dict[str, str]:
    return {e["question"]: e["id"] for e in map(orjson.loads, seer("pool", "export", "--pool", "t").stdout.splitlines())}


def test_stats(pool):
    s = seer_json("pool", "stats", "--pool", "t")
    assert s["entries"] == 7
    assert s["intents"] == {"math": 3, "text": 2, "data": 1, "inventory": 1}
    assert s["tools"]["Finish"] == 7
    table = seer("pool", "stats", "--pool", "t")
    assert table.exit_code == 0 and "inventory" in table.stdout and "entries" in table.stdout


def test_search_ranks_the_obvious_match_first(pool):
    hits = seer_json("pool", "search", "a cyclist's average speed in km/h", "-k", "3", "--pool", "t")
    assert len(hits) == 3
    assert hits[0]["question"].startswith("A cyclist rides 42 km")
    assert hits[0]["score"] > hits[1]["score"] >= hits[2]["score"]
    hits = seer_json("pool", "search", "count the vowels of a word", "--space", "question", "--pool", "t")
    assert hits[0]["question"] == "How many vowels are in the word 'encyclopedia'?"
    table = seer("pool", "search", "warehouse parcels", "--pool", "t")
    assert table.exit_code == 0 and "score" in table.stdout


def test_show_whole_trajectory_and_unknown_id(pool):
    cid = _ids()["How many blue umbrellas were in stock at the Harbour Street shop on 2024-02-10?"]
    r = seer("pool", "show", cid[:8], "--pool", "t")
    assert r.exit_code == 0, r.stderr
    for text in ("1. thought: Load the inventory database.", '1. call: LoadDB(db="inventory")', "3. observation: 37", "answer: 37"):
        assert text in r.stdout
    assert seer_json("pool", "show", cid, "--pool", "t")["steps"][1]["args"] == {"condition": "shop=Harbour Street, item=blue umbrella, date=2024-02-10"}
    bad = seer("pool", "show", "0000nothere", "--pool", "t")
    assert bad.exit_code == 1
    assert bad.stderr.strip() == f"Error: '0000nothere': no such id in pool {pool}"


def test_export_stdout_and_atomic_out(pool, tmp_path):
    stdout = seer("pool", "export", "--pool", "t").stdout.encode()
    assert len(stdout.splitlines()) == 7
    target = tmp_path / "dump.jsonl"
    target.write_bytes(b"old")
    r = seer("pool", "export", "--out", str(target), "--pool", "t")
    assert r.exit_code == 0 and "exported 7 experiences" in r.stderr
    assert target.read_bytes() == stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "seer-home") == ["dump.jsonl"]  # no temp left
    nodir = seer("pool", "export", "--out", str(tmp_path / "no" / "x.jsonl"), "--pool", "t")
    assert nodir.exit_code == 1 and nodir.stderr.startswith("Error: ")


def test_rebuild_remakes_derived_files(pool):
    for f in ("index-trajectory.hnsw", "vectors-question.f32", "meta.json"):
        (pool / f).unlink(missing_ok=True)
    out = seer_json("pool", "rebuild", "--pool", "t")
    assert out["entries"] == 7 and set(out["index"].values()) <= {"ok", "built", "rebuilt"}
    for f in ("index-trajectory.hnsw", "index-question.hnsw", "vectors-trajectory.f32", "vectors-question.f32", "meta.json"):
        assert (pool / f).is_file(), f
    hits = seer_json("pool", "search", "a cyclist's average speed", "-k", "1", "--pool", "t")
    assert hits[0]["question"].startswith("A cyclist rides")


def test_prune(pool):
    assert seer("pool", "prune", "--pool", "t").exit_code == 1
    dry = seer_json("pool", "prune", "--max-size", "2", "--dry-run", "--pool", "t")
    assert (dry["dry_run"], dry["removed"], dry["kept"]) == (True, 5, 2)
    assert seer_json("pool", "stats", "--pool", "t")["entries"] == 7
    before = set(_ids().values())
    r = seer("pool", "prune", "--max-size", "4", "--pool", "t")
    assert r.exit_code == 0, r.stderr
    assert "removed 3 of 7 experiences (3 by max_size); 4 kept" in r.stdout
    after = set(_ids().values())
    assert len(after) == 4 and all(i in r.stdout for i in before - after) and not any(i in r.stdout for i in after)
    js = seer_json("pool", "prune", "--max-size", "2", "--pool", "t")
    assert (js["removed"], js["kept"]) == (2, 2) and set(js["removed_ids"]) == after - set(_ids().values())
    none = seer("pool", "prune", "--older-than", "3650", "--pool", "t")
    assert "removed 0 of 2" in none.stdout


def test_list(pool):
    rows = seer_json("pool", "list")
    assert [(r["name"], r["entries"]) for r in rows] == [("t", 7)]
    assert "t" in seer("pool", "list").stdout


def test_missing_pool_is_an_error(seer_home):
    r = seer("pool", "show", "abc", "--pool", "nowhere")
    assert r.exit_code == 1 and r.stderr.startswith("Error: pool nowhere does not exist")


@pytest.mark.parametrize("args", [["stats"], ["search", "cyclist"], ["export"], ["check"], ["show", "abc"]])
def test_reading_a_pool_that_does_not_exist_creates_nothing(seer_home, args):
    """Regression (issue 18): `seer pool stats --pool typo` used to create an empty pool "typo"."""
    r = seer("pool", *args, "--pool", "typo")
    assert r.exit_code == 1
    assert r.stderr.strip() == f"Error: pool typo does not exist ({seer_home / 'pools' / 'typo'})"
    assert not (seer_home / "pools" / "typo").exists()


def test_a_directory_that_holds_no_pool_is_not_made_one(tmp_path):
    empty = tmp_path / "not-a-pool"
    empty.mkdir()
    r = seer("pool", "stats", "--pool", str(empty))
    assert r.exit_code == 1
    assert r.stderr.strip() == f"Error: pool {empty} does not exist ({empty})"
    assert list(empty.iterdir()) == []


def test_the_default_pool_is_seeded_on_first_use(seer_home):
    from seer_cli.pool.seeds import read_seed

    s = seer_json("pool", "stats")
    assert s["entries"] == len(read_seed("general-seed")) > 0
    assert (seer_home / "pools" / "default" / "experiences.jsonl").is_file()
