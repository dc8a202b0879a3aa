"""The shipped ToolQA question files and their quirks; domains whose corpus is missing."""

from __future__ import annotations

import hashlib

import pytest

from seer_cli.errors import UserError
from seer_cli.evals.toolqa import CORPUS_FILES, DOMAINS, load_questions, missing_corpus, packaged_questions_dir, select_domains


def test_all_questions_load_with_unique_ids():
    easy, hard = load_questions("easy"), load_questions("hard")
    assert (len(easy), len(hard)) == (800, 730)
    qids = [q.qid for q in easy + hard]
    assert len(set(qids)) == 1530
    assert {q.domain for q in easy} == set(DOMAINS)
    assert {q.domain for q in hard} == set(DOMAINS) - {"gsm8k"}
    assert all(q.qid.startswith(f"{q.split}-{q.domain}-") for q in easy + hard)


def test_quirks_are_handled_in_code():
    by_id = {q.qid: q for q in load_questions("all")}
    assert len([q for q in by_id.values() if q.domain == "agenda" and q.split == "hard"]) == 100  # genda-hard.jsonl
    for qid in ("easy-airbnb-0070", "easy-airbnb-0077"):
        assert by_id[qid].answer == "nan" and by_id[qid].flags == ("nan-answer",) and by_id[qid].scored
    dups = sorted(q for q in by_id if "-dup-" in q)
    assert dups == [f"hard-airbnb-dup-{i:04d}" for i in range(30, 40)]
    assert by_id["hard-airbnb-dup-0030"].original_qid == "hard-yelp-0030"
    assert by_id["hard-airbnb-dup-0030"].where.endswith("airbnb-hard.jsonl:31")
    assert by_id["hard-yelp-0030"].domain == "yelp"
    empty = by_id["hard-dblp-0080"]
    assert empty.answer == "" and not empty.scored
    assert sum(1 for q in by_id.values() if not q.scored) == 1
    assert by_id["easy-gsm8k-0000"].answer == "147.0"  # numeric golds become str() as in the official EM


@pytest.mark.shared
def test_shipped_files_are_byte_identical(shared_toolqa):
    ours = packaged_questions_dir()
    theirs = shared_toolqa / "data" / "questions"
    names = sorted(p.relative_to(theirs) for p in theirs.glob("*/*.jsonl"))
    assert names == sorted(p.relative_to(ours) for p in ours.glob("*/*.jsonl"))
    for rel in names:
        assert hashlib.sha256((ours / rel).read_bytes()).digest() == hashlib.sha256((theirs / rel).read_bytes()).digest()


def test_domain_filter_and_bad_names():
    assert {q.domain for q in load_questions("easy", ["coffee", "gsm8k"])} == {"coffee", "gsm8k"}
    with pytest.raises(UserError, match="unknown domain 'cofee'"):
        load_questions("easy", ["cofee"])
    with pytest.raises(UserError, match="--split"):
        load_questions("medium")


def test_missing_corpus_skips_with_a_message(tmp_path):
    (tmp_path / "data" / "external_corpus" / "coffee").mkdir(parents=True)
    (tmp_path / "data" / "external_corpus" / "coffee" / "coffee_price.csv").write_text("Date,Open\n")
    run, skipped = select_domains(None, tmp_path)
    assert run == ["coffee", "gsm8k"]
    assert len(skipped) == 6
    flight = next(m for m in skipped if m.startswith("flight:"))
    assert "flights/Combined_Flights_2022.csv" in flight and str(tmp_path) in flight
    assert missing_corpus("dblp", tmp_path) == list(CORPUS_FILES["dblp"])
    run, skipped = select_domains(None, None)
    assert run == ["gsm8k"] and "no --toolqa-dir" in skipped[0]


def test_asking_for_a_missing_domain_is_an_error(tmp_path):
    with pytest.raises(UserError) as e:
        select_domains(["yelp"], tmp_path)
    msg = str(e.value)
    assert "yelp/yelp_academic_dataset_business.json" in msg and "external_corpus" in msg and "drive.google.com" in msg
    assert "\n" not in msg


def test_questions_from_a_toolqa_dir_override_the_shipped_ones(tmp_path):
    qdir = tmp_path / "data" / "questions" / "easy"
    qdir.mkdir(parents=True)
    (qdir / "gsm8k-easy.jsonl").write_text('{"qid": "easy-gsm8k-9000", "question": "2+2?", "answer": 4}\nnot json\n')
    with pytest.raises(UserError, match=r"gsm8k-easy.jsonl:2: not valid JSON"):
        load_questions("easy", toolqa_dir=tmp_path)
    (qdir / "gsm8k-easy.jsonl").write_text('{"qid": "easy-gsm8k-9000", "question": "2+2?", "answer": 4}\n')
    qs = load_questions("easy", toolqa_dir=tmp_path)
    assert [(q.qid, q.answer) for q in qs] == [("easy-gsm8k-9000", "4")]
