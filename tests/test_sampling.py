"""Seeded, stratified samples and train/test splits (seer_cli/evals/sampling.py): deterministic,
disjoint, spread over templates. Property tests on generated questions, and checks on the real
ToolQA question files that ship with seer."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from seer_cli.evals.plan import EvalConfig, select
from seer_cli.evals.sampling import split_train_test, stratified_sample, template_key
from seer_cli.evals.toolqa import load_questions

TEMPLATES = ["What was the {} price of tea on 20{:02d}-01-{:02d}?", "How many cups were sold on 20{:02d}-03-{:02d} by {}?",
             "Was 20{:02d}-02-{:02d} a good day for {}?"]


def _question(t: int, a: int, b: int, word: str) -> str:
    if t == 0:
        return TEMPLATES[0].format(word, a, b)
    return TEMPLATES[t].format(a, b, word.capitalize())


questions_st = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 99), st.integers(1, 28), st.sampled_from(["opening", "closing", "low"]),
              st.sampled_from(["easy/tea", "hard/tea", "easy/cups"])),
    min_size=1, max_size=60,
)


def _items(raw):
    # (qid, group, text): unique qids, possibly repeated texts
    return [(f"q{i}", g, _question(t, a, b, w)) for i, (t, a, b, w, g) in enumerate(raw)]


@settings(max_examples=60, deadline=None)
@given(questions_st, st.floats(0.05, 0.95), st.integers(0, 10_000))
def test_split_is_deterministic_disjoint_and_complete(raw, frac, seed):
    items = _items(raw)
    kw = dict(group=lambda x: x[1], text=lambda x: x[2])
    train, test = split_train_test(items, frac, seed, **kw)
    again = split_train_test(list(items), frac, seed, **kw)
    assert (train, test) == again
    ids_train, ids_test = {x[0] for x in train}, {x[0] for x in test}
    assert not ids_train & ids_test
    assert ids_train | ids_test == {x[0] for x in items}
    # per group, the train share is the fraction, up to rounding per template
    for g in {x[1] for x in items}:
        n = sum(1 for x in items if x[1] == g)
        n_train = sum(1 for x in train if x[1] == g)
        assert abs(n_train - frac * n) <= len({template_key(x[2]) for x in items if x[1] == g}) + 0.5


@settings(max_examples=60, deadline=None)
@given(questions_st, st.integers(1, 20), st.integers(0, 10_000))
def test_sample_is_deterministic_bounded_and_spread(raw, n, seed):
    items = _items(raw)
    kw = dict(group=lambda x: x[1], text=lambda x: x[2])
    picked = stratified_sample(items, n, seed, **kw)
    assert picked == stratified_sample(list(items), n, seed, **kw)
    assert len({x[0] for x in picked}) == len(picked)
    for g in {x[1] for x in items}:
        size = sum(1 for x in items if x[1] == g)
        assert sum(1 for x in picked if x[1] == g) == min(n, size)


def test_templates_of_the_real_coffee_files():
    easy = load_questions("easy", ["coffee"])
    hard = load_questions("hard", ["coffee"])
    assert len({template_key(q.question) for q in easy}) == 8
    assert len({template_key(q.question) for q in hard}) == 13
    assert template_key("What was the highest price of coffee on 2001-02-03?") == template_key("What was the highest price of coffee on 2019-12-31?")


def test_a_sample_covers_every_template_before_repeating_one():
    easy = load_questions("easy", ["coffee"])
    picked = stratified_sample(easy, 8, 0, group=lambda q: q.domain, text=lambda q: q.question)
    assert len({template_key(q.question) for q in picked}) == 8
    # not the first N of the file: the first 10 are one template
    assert [q.qid for q in picked] != [q.qid for q in easy[:8]]
    picked16 = stratified_sample(easy, 16, 0, group=lambda q: q.domain, text=lambda q: q.question)
    assert set(Counter(template_key(q.question) for q in picked16).values()) == {2}


def test_eval_selection_records_a_disjoint_split_and_is_reproducible():
    cfg = EvalConfig(split="all", domains=["gsm8k"], sample=5, split_train=0.5, practice_tries=2, practice_sample=3, seed=7)
    practice, test, _ = select(cfg)
    assert len(test) == 5 and len(practice) == 3
    assert not set(cfg.train_qids) & set(cfg.test_qids)
    assert set(cfg.practice_qids) <= set(cfg.train_qids)
    assert len(cfg.train_qids) == 50  # gsm8k easy has 100 questions
    cfg2 = EvalConfig(split="all", domains=["gsm8k"], sample=5, split_train=0.5, practice_tries=2, practice_sample=3, seed=7)
    select(cfg2)
    assert (cfg2.train_qids, cfg2.test_qids, cfg2.practice_qids) == (cfg.train_qids, cfg.test_qids, cfg.practice_qids)
    cfg3 = EvalConfig(split="all", domains=["gsm8k"], sample=5, split_train=0.5, seed=8)
    select(cfg3)
    assert cfg3.test_qids != cfg.test_qids
