"""`seer pool check` / `seer pool repair` through the real CLI on a real pool (real ONNX embedder).

Regression (issue 11): one flipped byte in the middle of experiences.jsonl left `seer pool stats`
saying all was well and made every `seer run` fail with a bare JSON error. Now check names the line,
stats and run fail with one line naming it and the repair command, and repair quarantines that line,
keeps the rest, rebuilds the derived files, and is crash-safe.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from seer_cli.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "formats"
FILES = [str(EXAMPLES / n) for n in ("example-seer.jsonl", "example-openai.jsonl", "example-library.json")]


def seer(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def pool(seer_home) -> Path:
    r = seer("ingest", *FILES, "--pool", "t", "--json")
    assert r.exit_code == 0, r.stderr
    assert orjson.loads(r.stdout)["added"] == 7
    return seer_home / "pools" / "t"


def _damage(pool: Path, line: int, how: str) -> bytes:
    """Flip one byte of ``line`` (1-based); returns the original line."""
    jsonl = pool / "experiences.jsonl"
    lines = jsonl.read_bytes().split(b"\n")
    original = lines[line - 1]
    if how == "json":  # the ':' after "question" becomes ';'
        at = original.index(b'"question":') + len(b'"question"')
    else:  # a letter of the question changes: still JSON, but no longer the content its id hashes
        at = original.index(b'"question":"') + len(b'"question":"') + 1
    lines[line - 1] = original[:at] + bytes([original[at] ^ 0x01]) + original[at + 1 :]
    jsonl.write_bytes(b"\n".join(lines))
    return original


@pytest.mark.parametrize("how, reason", [
    ("json", "not valid JSON (column {col})"),
    ("content", "the content does not match its id (changed outside seer)"),
])
def test_a_flipped_byte_is_found_reported_and_repaired(pool, how, reason):
    assert seer("pool", "check", "--pool", "t").exit_code == 0
    original = _damage(pool, 4, how)
    col = original.index(b'"question":') + len(b'"question"') + 1
    reason = reason.format(col=col)
    before = (pool / "experiences.jsonl").read_bytes()

    check = seer("pool", "check", "--pool", "t")
    assert check.exit_code == 1
    assert check.stdout.splitlines() == [f"experiences.jsonl:4: {reason}"]
    assert check.stderr.splitlines()[-1] == f"1 problem in {pool}; run: seer pool repair --pool {pool}"
    report = orjson.loads(seer("pool", "check", "--pool", "t", "--json").stdout)
    assert (report["ok"], report["entries"], report["problems"]) == (False, 6, [f"experiences.jsonl:4: {reason}"])

    hint = f"; run: seer pool repair --pool {pool}"
    stats = seer("pool", "stats", "--pool", "t")
    assert stats.exit_code == 1 and stats.stdout == ""
    assert stats.stderr.splitlines() == [f"Error: {pool / 'experiences.jsonl'}:4: {reason}{hint}"]
    run = seer("run", "What is 6 * 7?", "--pool", "t", "--llm-url", "http://127.0.0.1:9", "--no-learn")
    assert run.exit_code == 1
    line = run.stderr.strip().splitlines()[-1]
    assert line.startswith(f"Error: {pool / 'experiences.jsonl'}:4: ") and line.endswith(hint), run.stderr
    assert (pool / "experiences.jsonl").read_bytes() == before  # checking changes nothing

    r = seer("pool", "repair", "--pool", "t", "--json")
    assert r.exit_code == 0, r.stderr
    res = orjson.loads(r.stdout)
    assert (res["kept"], res["rebuilt"], res["ok"], res["reused_vectors"]) == (6, True, True, True)
    assert res["quarantined"] == [{"file": "experiences.jsonl", "line": 4, "reason": reason}]
    kept = before.split(b"\n")
    assert (pool / "experiences.jsonl").read_bytes() == b"\n".join(kept[:3] + kept[4:])
    assert (pool / "COMMITTED").read_text().strip() == str((pool / "experiences.jsonl").stat().st_size)
    (q,) = [orjson.loads(x) for x in (pool / "quarantine.jsonl").read_bytes().splitlines()]
    assert (q["line"], q["reason"], q["raw"]) == (4, reason, before.split(b"\n")[3].decode())

    assert seer("pool", "check", "--pool", "t").exit_code == 0
    stats = orjson.loads(seer("pool", "stats", "--pool", "t", "--json").stdout)
    assert stats["entries"] == 6 and set(stats["index"].values()) <= {"ok", "built"}
    hits = orjson.loads(seer("pool", "search", "rainfall mean", "-k", "2", "--pool", "t", "--json").stdout)
    assert len(hits) == 2
    again = seer("pool", "repair", "--pool", "t")
    assert again.exit_code == 0 and again.stdout.startswith("nothing to repair")
    assert len((pool / "quarantine.jsonl").read_bytes().splitlines()) == 1


def test_table_output_of_repair(pool):
    _damage(pool, 2, "json")
    r = seer("pool", "repair", "--pool", "t")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("quarantined experiences.jsonl:2: not valid JSON")
    assert lines[1] == (f"repaired {pool}: kept 6 entries, quarantined 1 lines (moved to {pool / 'quarantine.jsonl'}); "
                        "derived files rebuilt (stored vectors reused)")


def _zero_row(p: Path) -> None:
    """Row 3 of the trajectory vectors becomes zeros (a silent disk error in a derived file)."""
    f = p / "vectors-trajectory.f32"
    b = bytearray(f.read_bytes())
    b[3 * 1536 : 4 * 1536] = bytes(1536)
    f.write_bytes(bytes(b))


@pytest.mark.parametrize("damage, problem, reused", [
    (lambda p: (p / "vectors-question.f32").write_bytes((p / "vectors-question.f32").read_bytes()[:-1536]),
     "vectors-question.f32: 6 rows for 7 entries", False),
    (lambda p: (p / "meta.json").write_text("{nope"), "meta.json: unreadable", False),
    (lambda p: (p / "COMMITTED").write_text("999999\n"), "COMMITTED: says 999999 bytes but experiences.jsonl has", True),
    (lambda p: (p / "index-question.hnsw").write_bytes(b"\0" * 100), "index-question.hnsw: has an invalid header", True),
])
def test_damaged_derived_files_are_reported_and_rebuilt(pool, damage, problem, reused):
    assert seer("pool", "search", "mean", "--pool", "t").exit_code == 0  # writes the index files
    damage(pool)
    check = seer("pool", "check", "--pool", "t")
    assert check.exit_code == 1 and check.stdout.startswith(problem), check.stdout
    r = orjson.loads(seer("pool", "repair", "--pool", "t", "--json").stdout)
    assert (r["kept"], r["quarantined"], r["rebuilt"], r["ok"], r["reused_vectors"]) == (7, [], True, True, reused)
    assert seer("pool", "check", "--pool", "t").exit_code == 0


def test_a_repair_killed_before_its_commit_point_loses_nothing(pool, monkeypatch):
    from seer_cli.config import load_settings
    from seer_cli.pool.check import check_pool
    from seer_cli.pool.repair import repair_pool
    from seer_cli.pool.store import JsonlStore

    original = _damage(pool, 3, "json")
    before = (pool / "experiences.jsonl").read_bytes()

    def crash(self):
        raise KeyboardInterrupt("killed at the commit point")

    monkeypatch.setattr(JsonlStore, "commit_rewrite", crash)
    with pytest.raises(KeyboardInterrupt):
        repair_pool(pool, load_settings())
    monkeypatch.undo()
    assert (pool / "experiences.jsonl").read_bytes() == before  # the old file, whole
    col = original.index(b'"question":') + len(b'"question"') + 1
    assert [str(p) for p in check_pool(pool).damaged_lines] == [f"experiences.jsonl:3: not valid JSON (column {col})"]
    res = repair_pool(pool, load_settings())  # the next repair rolls the rewrite back, then does it
    assert res.kept == 6 and res.after.ok
    assert len((pool / "quarantine.jsonl").read_bytes().splitlines()) == 1  # not quarantined twice


def test_vectors_that_no_longer_match_their_lines_are_not_reused(pool, embedder):
    """The spot check: meta.json agrees, but a stored row is wrong, so the repair re-embeds."""
    from seer_cli.config import load_settings
    from seer_cli.pool.repair import SPOT_CHECKS, repair_pool

    assert SPOT_CHECKS >= 7  # all seven lines of this pool are checked
    _zero_row(pool)
    _damage(pool, 1, "json")
    res = repair_pool(pool, load_settings(), embedder=embedder)
    assert (res.kept, res.reused_vectors, res.after.ok) == (6, False, True)


def test_a_repair_killed_after_its_commit_point_is_completed_by_the_next_writer(pool, monkeypatch, embedder):
    from seer_cli.config import load_settings
    from seer_cli.pool import Pool
    from seer_cli.pool.check import check_pool
    from seer_cli.pool.repair import repair_pool
    from seer_cli.pool.store import JsonlStore

    _damage(pool, 5, "content")

    def crash(self):
        raise KeyboardInterrupt("killed before COMMITTED moved")

    monkeypatch.setattr(JsonlStore, "finish_rewrite", crash)
    with pytest.raises(KeyboardInterrupt):
        repair_pool(pool, load_settings(), embedder=embedder)
    monkeypatch.undo()
    assert (pool / "COMMITTED.new").exists()
    assert check_pool(pool).ok  # readers already see the repaired file through COMMITTED.new
    p = Pool.open(pool, load_settings(), embedder=embedder)
    assert len(p) == 6 and len(p.search("notebooks cost", k=3)) == 3
    p.prune(dedup=True, dry_run=True)  # the next writer (it takes the lock) completes the rewrite
    p.close()
    assert not (pool / "COMMITTED.new").exists() and check_pool(pool).ok


def test_check_of_a_missing_pool_is_one_line(seer_home):
    r = seer("pool", "check", "--pool", "nope")
    assert r.exit_code == 1
    assert r.stderr.strip() == f"Error: pool nope does not exist ({seer_home / 'pools' / 'nope'})"


def test_a_hand_made_pool_with_a_torn_last_line_is_not_damaged(pool):
    (pool / "COMMITTED").unlink()
    jsonl = pool / "experiences.jsonl"
    jsonl.write_bytes(jsonl.read_bytes() + b'{"question": "half a li')
    r = seer("pool", "check", "--pool", "t", "--json")
    assert r.exit_code == 0, r.stdout
    report = orjson.loads(r.stdout)
    assert report["entries"] == 7
    assert report["notes"] == ["experiences.jsonl: a torn last line of 23 bytes (ignored; cut by the next write)"]


def test_a_flip_outside_the_checksummed_tail_of_a_large_pool_is_caught(tmp_path, seer_home):
    """The exact report of issue 11: meta.json checksums only the last 64 KiB, so a flipped byte
    further back used to leave `seer pool stats` saying all was well."""
    from seer_cli.pool.derived import WINDOW

    recs = []
    for i in range(40):  # ~2.5 KB a line (a long origin: stored, never embedded, so cheap), 100 KB in all
        recs.append({"question": f"What is {i} times {i + 7}?", "intent": "math", "answer": str(i * (i + 7)),
                     "origin": f"batch-{i}/" + "x" * 2400,
                     "steps": [{"thought": "Multiply.", "tool": "Calculate", "args": {"expression": f"{i} * {i + 7}"},
                                "observation": str(i * (i + 7))},
                               {"thought": "", "tool": "Finish", "args": {"answer": str(i * (i + 7))}}]})
    src = tmp_path / "big.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in recs))
    r = seer("ingest", str(src), "--pool", "big", "--json")
    assert r.exit_code == 0, r.stderr
    added = orjson.loads(r.stdout)["added"]  # near-duplicates aside
    assert added >= 35
    pool = seer_home / "pools" / "big"
    size = (pool / "experiences.jsonl").stat().st_size
    assert size > 1.5 * WINDOW
    original = _damage(pool, 2, "content")
    assert size - len(original) - 1 > WINDOW  # line 2 lies outside the checksummed tail
    stats = seer("pool", "stats", "--pool", "big")
    assert stats.exit_code == 1
    assert stats.stderr.splitlines() == [f"Error: {pool / 'experiences.jsonl'}:2: the content does not match its id "
                                         f"(changed outside seer); run: seer pool repair --pool {pool}"]
    assert seer("pool", "repair", "--pool", "big").exit_code == 0
    assert orjson.loads(seer("pool", "stats", "--pool", "big", "--json").stdout)["entries"] == added - 1


# ---- line digests: an edit that keeps the id (issue 18) -------------------------------------------


def _edit(pool: Path, line: int, field: str) -> bytes:
    """Change one letter inside the first step's ``thought`` or ``observation`` of ``line``: still
    a valid record with the same id (the id hashes question, calls and answer only)."""
    jsonl = pool / "experiences.jsonl"
    lines = jsonl.read_bytes().split(b"\n")
    at = lines[line - 1].index(b'"%s":"' % field.encode()) + len(field) + 4
    lines[line - 1] = lines[line - 1][:at] + bytes([lines[line - 1][at] ^ 0x20]) + lines[line - 1][at + 1 :]  # case flip
    jsonl.write_bytes(b"\n".join(lines))
    return lines[line - 1]


@pytest.mark.parametrize("field", ["thought", "observation"])
def test_an_edit_that_keeps_the_id_is_named_by_check_and_kept_by_repair(pool, field):
    from seer_cli.pool.check import CHANGED
    from seer_cli.pool.repair import KEPT_CHANGED

    edited = _edit(pool, 3, field)
    check = seer("pool", "check", "--pool", "t")
    assert check.exit_code == 1
    # meta.json's checksum of the last 64 KiB notices too, but cannot say which line
    assert check.stdout.splitlines() == [f"experiences.jsonl:3: {CHANGED}",
                                         "meta.json: checksum does not match experiences.jsonl (changed outside seer)"]
    assert orjson.loads(seer("pool", "check", "--pool", "t", "--json").stdout)["details"][0] == {
        "file": "experiences.jsonl", "line": 3, "reason": CHANGED}

    r = seer("pool", "repair", "--pool", "t")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[0] == f"kept experiences.jsonl:3: {KEPT_CHANGED}"
    assert (pool / "experiences.jsonl").read_bytes().split(b"\n")[2] == edited  # kept as it is now
    assert not (pool / "quarantine.jsonl").exists()
    assert seer("pool", "check", "--pool", "t").exit_code == 0  # its digest is recorded anew


def test_repair_json_lists_the_kept_changed_lines(pool):
    from seer_cli.pool.repair import KEPT_CHANGED

    _edit(pool, 6, "thought")
    _damage(pool, 2, "json")
    res = orjson.loads(seer("pool", "repair", "--pool", "t", "--json").stdout)
    assert [q["line"] for q in res["quarantined"]] == [2]
    assert res["kept_changed"] == [{"file": "experiences.jsonl", "line": 6, "reason": KEPT_CHANGED}]
    assert (res["kept"], res["ok"]) == (6, True)


def test_a_pool_without_digests_checks_clean_with_a_note_until_the_next_write(pool, embedder):
    from seer_cli.config import load_settings
    from seer_cli.pool import Pool
    from seer_cli.pool.records import Experience, Step

    (pool / "digests.txt").unlink()  # as an older seer left it
    report = orjson.loads(seer("pool", "check", "--pool", "t", "--json").stdout)
    assert (report["ok"], report["entries"]) == (True, 7)
    assert report["notes"] == ["no digests.txt (pool written by an older seer): lines are checked by their id only; "
                               "the next write records a digest of every line"]
    p = Pool.open(pool, load_settings(), embedder=embedder, on_warning=pytest.fail)
    p.add([Experience(question="What is 2 + 2?", steps=[Step("Add.", "Calculate", {"expression": "2 + 2"}, "4"),
                                                        Step("", "Finish", {"answer": "4"})], answer="4", intent="math")])
    p.close()
    assert len((pool / "digests.txt").read_bytes().splitlines()) == 8
    report = orjson.loads(seer("pool", "check", "--pool", "t", "--json").stdout)
    assert (report["ok"], report["entries"], report["notes"]) == (True, 8, [])
    _edit(pool, 8, "thought")  # from now on an edit is caught
    assert seer("pool", "check", "--pool", "t").stdout.startswith("experiences.jsonl:8: changed since seer wrote it")


def test_prune_keeps_an_edited_line_flagged_and_digests_of_a_crash_are_harmless(tmp_path):
    """The store alone, on real files: prune's rewrite carries recorded digests over (only repair
    records new ones); a torn digest entry (a writer killed before its batch committed) is cut by
    the next writer, and digests of a batch that never committed change nothing."""
    from seer_cli.pool.check import CHANGED, check_pool
    from seer_cli.pool.records import Experience, Step
    from seer_cli.pool.store import JsonlStore

    lines = [orjson.dumps(Experience(question=f"What is {i} + 1?", steps=[Step(f"Add one to {i}.", "Calculate", {"expression": f"{i} + 1"}, str(i + 1)),
                                                                         Step("", "Finish", {"answer": str(i + 1)})],
                                     answer=str(i + 1), intent="math").to_dict()) for i in range(3)]
    store = JsonlStore(tmp_path, pytest.fail)
    store.recover()
    store.append(lines)
    jsonl = tmp_path / "experiences.jsonl"
    data = jsonl.read_bytes()
    edited = data.replace(b"Add one to 1.", b"add one to 1.")
    jsonl.write_bytes(edited)
    changed = lambda: [(p.line, p.reason) for p in check_pool(tmp_path).problems if p.file == "experiences.jsonl"]  # noqa: E731
    assert changed() == [(2, CHANGED)]

    store.recover()
    store.begin_rewrite(edited.split(b"\n")[1:3])  # prune away line 1: the edited line becomes line 1
    store.commit_rewrite()
    store.finish_rewrite()
    assert changed() == [(1, CHANGED)]

    with open(tmp_path / "digests.txt", "ab") as f:  # killed mid-append: a digest of a batch never committed, then a torn one
        f.write(b"%s some-id\n" % (b"0" * 64) + b"1234abc")
    assert changed() == [(1, CHANGED)]
    assert [str(p) for p in check_pool(tmp_path).problems if p.file == "digests.txt"] == []
    store.recover()  # the next writer cuts the torn entry
    assert (tmp_path / "digests.txt").read_bytes().endswith(b" some-id\n")
    store.append(lines[:1])
    assert changed() == [(1, CHANGED)]
    assert [p for p in check_pool(tmp_path).problems if p.file == "digests.txt"] == []
