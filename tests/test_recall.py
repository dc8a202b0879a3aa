"""SEER recall: the scoring on hand-computed examples, and the Recaller over a pool of real vectors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from seer_cli.pool.recall import (
    Recaller,
    RecallWeights,
    coverage,
    history_text,
    rank,
    score,
)
from seer_cli.pool.masking import keys_of, template_key
from seer_cli.pool.records import Experience, Step


class ArrayPool:
    """The Pool recall contract over in-memory numpy arrays, with exact (brute-force) knn.

    Why it exists: recall must be tested on its own, against the contract in docs/DESIGN.md, and
    these tests need to control a pool's exact contents (positions, intents, failures) without
    files. The vectors are real MiniLM embeddings from the real embedder; the real Pool (files,
    hnswlib) is tested in its own test module and once here in ``test_real_pool``.
    """

    def __init__(self, experiences: list[Experience], embedder):
        self._exps = list(experiences)
        self._vecs = {
            "question": embedder.embed_batch([e.question for e in self._exps]),
            "trajectory": embedder.embed_batch([e.trajectory_text() for e in self._exps]),
        }
        self.recorded: list[list[str]] = []
        self.knn_calls: list[tuple[int, str, str | None]] = []

    def __len__(self):
        return len(self._exps)

    def experiences(self):
        return list(self._exps)

    def vectors(self, space):
        return self._vecs[space]

    def knn(self, vec, k, space="trajectory", intent=None):
        self.knn_calls.append((k, space, intent))
        sims = self._vecs[space] @ vec
        allowed = [i for i, e in enumerate(self._exps) if intent is None or e.intent == intent]
        allowed.sort(key=lambda i: -sims[i])
        return [(i, float(sims[i])) for i in allowed[:k]]

    def record_recalls(self, ids):
        self.recorded.append(list(ids))


def exp(question, calls, intent="general", answer="42", source="imported"):
    steps = [Step(f"use {tool}", tool, args) for tool, args in calls] + [Step("done", "Finish", {"answer": answer})]
    return Experience(question=question, steps=steps, answer=answer, intent=intent, success_source=source)


# --- the pure scoring ----------------------------------------------------------------------------


def test_step_one_has_no_coverage():
    total, parts = score(0.8, [], ["LoadDB", "FilterDB", "Finish"], True, RecallWeights())
    assert parts == {"sim": 0.8, "coverage": 0.0, "intent": 1.0, "utility": 0.5, "masked": 0.0}
    assert total == pytest.approx(1.8)  # utility is off (weight 0) by default


def test_coverage_counts_repeated_calls_in_the_denominator():
    # 3 calls so far, 2 distinct tools, both used by the experience: 2/3.
    assert coverage(["LoadDB", "FilterDB", "FilterDB"], ["LoadDB", "FilterDB", "GetValue", "Finish"]) == pytest.approx(2 / 3)
    total, parts = score(0.6, ["LoadDB", "FilterDB", "FilterDB"], ["LoadDB", "FilterDB", "GetValue"], False, RecallWeights(sim=0.5, cov=2.0, intent=3.0))
    assert parts["coverage"] == pytest.approx(2 / 3) and parts["intent"] == 0.0
    assert total == pytest.approx(0.5 * 0.6 + 2.0 * 2 / 3)


def test_coverage_ignores_finish_and_disjoint_tools():
    assert coverage(["LoadDB", "Finish"], ["LoadDB"]) == 1.0
    assert coverage(["Finish"], ["Finish"]) == 0.0
    assert coverage(["Calculate", "Calculate"], ["LoadDB", "Finish"]) == 0.0
    assert coverage(["LoadDB", "Calculate"], ["LoadDB", "LoadDB", "Calculate"]) == 1.0


def test_rank_breaks_ties_by_position_and_ignores_float_noise():
    a, b, c = exp("q a", [("LoadDB", {})]), exp("q b", [("LoadDB", {})]), exp("q c", [("LoadDB", {})])
    # 0.1 + 0.2 != 0.3 in floating point; the older (lower position) must still win the tie.
    cands = [(7, 0.3, a), (2, 0.1 + 0.2, b), (5, 0.29, c)]
    out = rank(cands, [], None, RecallWeights(), k=3)
    assert [r.position for r in out] == [2, 7, 5]
    assert [r.experience for r in out] == [b, a, c]
    assert rank(cands, [], None, RecallWeights(), k=1)[0].parts == {"sim": pytest.approx(0.3), "coverage": 0.0, "intent": 0.0, "utility": 0.5, "masked": 0.0}


def test_rank_intent_and_coverage_can_beat_similarity():
    near = exp("similar", [("Search", {})], intent="docs")
    far = exp("different", [("LoadDB", {}), ("FilterDB", {})], intent="db")
    out = rank([(0, 0.9, near), (1, 0.2, far)], ["LoadDB", "FilterDB"], "db", RecallWeights(), k=2)
    assert out[0].experience is far and out[0].score == pytest.approx(0.2 + 1.0 + 1.0)
    assert out[0].intent_match and not out[1].intent_match
    assert out[1].score == pytest.approx(0.9)


def test_history_text_matches_trajectory_text():
    steps = [Step("load it", "LoadDB", {"db": "shop"}), Step("filter", "FilterDB", {"condition": "x>1"})]
    e = Experience(question="Q?", steps=steps, answer="a")
    assert history_text("Q?", steps) == e.trajectory_text()
    assert history_text("Q?", steps) == 'Q?\nload it LoadDB(db="shop")\nfilter FilterDB(condition="x>1")'


# --- the Recaller over real embeddings -------------------------------------------------------------

WEATHER = [
    exp(f"What was the average temperature in {city} during {month}?", [("LoadDB", {"db": "weather"}), ("FilterDB", {"condition": f"city={city}"}), ("GetValue", {"column": "temp"})], intent="weather")
    for city in ("Oslo", "Lima", "Pune", "Kyiv", "Perth", "Quito", "Turin", "Dakar")
    for month in ("March", "July")
]
LIBRARY = exp(
    "Which author wrote the most borrowed novel at the city library?",
    [("SQLInterpreter", {"query": "SELECT author FROM loans"})],
    intent="library",
)


def test_intent_filtered_candidate_reaches_top_k_despite_low_similarity(embedder):
    pool = ArrayPool(WEATHER + [LIBRARY], embedder)
    question = "What was the average temperature in Bergen during May?"
    recaller = Recaller(pool, embedder, k=2, m=4, mode="stepwise")
    out = recaller.recall(question, "library", [])
    lib = [r for r in out if r.experience is LIBRARY]
    assert lib, "the only same-intent experience must be a candidate and win through its intent bonus"
    assert lib[0].intent_match and lib[0].position == len(WEATHER)
    # Its similarity is lower than every weather experience's, so plain top-m would have dropped it.
    sims = pool.vectors("question") @ embedder.embed(question)
    assert sims[len(WEATHER)] < np.sort(sims[: len(WEATHER)])[-4]
    assert (4, "question", "library") in pool.knn_calls


def test_step_one_uses_question_space_then_trajectory_space(embedder):
    pool = ArrayPool(WEATHER + [LIBRARY], embedder)
    recaller = Recaller(pool, embedder, k=3, m=8)
    q = "What was the average temperature in Oslo during March?"
    first = recaller.recall(q, "weather", [])
    assert first.space == "question"
    assert first[0].position == 0 and first[0].sim == pytest.approx(1.0, abs=1e-5)  # the same question
    assert [r.score for r in first] == sorted((r.score for r in first), reverse=True)
    later = recaller.recall(q, "weather", [Step("use LoadDB", "LoadDB", {"db": "weather"})])
    assert later.space == "trajectory"
    assert all(r.coverage == 1.0 for r in later)
    for part in ("embed_ms", "search_ms", "rescore_ms"):
        assert later.timings[part] >= 0 and recaller.last_timings[part] == later.timings[part]
    # Re-scoring is exact: the reported similarity is the dot product of the stored vectors.
    h = embedder.embed(history_text(q, [Step("use LoadDB", "LoadDB", {"db": "weather"})]))
    assert later[0].sim == pytest.approx(float(pool.vectors("trajectory")[later[0].position] @ h), abs=1e-6)


def test_stepwise_and_task_modes_differ_when_the_history_moves(embedder):
    inventory = [
        exp(f"How many {item} are left in the warehouse?", [("Search", {"q": item}), ("Summarise", {})], intent="stock")
        for item in ("bolts", "screws", "nails", "washers")
    ]
    charts = [
        exp(f"Plot the monthly sales of {item} as a bar chart", [("Query", {"sql": f"SELECT * FROM sales WHERE item='{item}'"}), ("Plot", {"kind": "bar"})], intent="stock")
        for item in ("bolts", "screws", "nails", "washers")
    ]
    pool = ArrayPool(inventory + charts, embedder)
    q = "How many hinges are left in the warehouse?"
    history = [Step("query the sales table", "Query", {"sql": "SELECT * FROM sales"}), Step("draw it", "Plot", {"kind": "bar"})]
    stepwise = Recaller(pool, embedder, k=3, m=8, mode="stepwise")
    task = Recaller(pool, embedder, k=3, m=8, mode="task")

    s1, t1 = stepwise.recall(q, "stock", []), task.recall(q, "stock", [])
    assert [r.position for r in s1] == [r.position for r in t1]
    assert all(r.experience in inventory for r in s1)

    s3, t3 = stepwise.recall(q, "stock", history), task.recall(q, "stock", history)
    assert [r.position for r in t3] == [r.position for r in t1]  # task mode keeps its set
    assert all(r.experience in charts and r.coverage == 1.0 for r in s3)  # stepwise follows the history
    assert t3.timings == {"embed_ms": 0.0, "search_ms": 0.0, "rescore_ms": 0.0}

    # A new question starts a new episode in task mode.
    t_new = task.recall("Plot the monthly sales of hinges as a bar chart", "stock", [])
    assert all(r.experience in charts for r in t_new)


def test_none_mode_empty_pool_and_failed_experiences(embedder):
    pool = ArrayPool(WEATHER[:4], embedder)
    assert Recaller(pool, embedder, mode="none").recall("anything", "weather", []) == []
    assert Recaller(ArrayPool([], embedder), embedder).recall("anything", None, []) == []

    failed = exp("What was the average temperature in Oslo during March?", [("LoadDB", {"db": "weather"})], intent="weather", answer="?", source="failed")
    pool = ArrayPool([failed] + WEATHER[:4], embedder)
    out = Recaller(pool, embedder, k=5, m=5).recall("What was the average temperature in Oslo during March?", "weather", [])
    assert len(out) == 4 and failed not in [r.experience for r in out]


def test_identical_experiences_tie_to_the_older(embedder):
    a = exp("Count the open tickets in the support queue", [("Query", {"sql": "SELECT 1"})], answer="3")
    b = exp("Count the open tickets in the support queue", [("Query", {"sql": "SELECT 1"})], answer="4")
    # Identical texts can embed a last float32 bit apart; whichever way, the older one comes first.
    for first, second in ((a, b), (b, a)):
        pool = ArrayPool([WEATHER[0], first, second], embedder)
        out = Recaller(pool, embedder, k=2, m=3).recall("Count the open tickets in the support queue", None, [])
        assert [r.experience for r in out] == [first, second]
        assert out[0].score == pytest.approx(out[1].score, abs=1e-6)


def test_record_usage_and_bad_arguments(embedder):
    pool = ArrayPool(WEATHER[:3], embedder)
    out = Recaller(pool, embedder, k=2, record_usage=True).recall("temperature in Lima", "weather", [])
    assert pool.recorded == [[r.id for r in out]]
    Recaller(pool, embedder, k=2).recall("temperature in Lima", "weather", [])
    assert len(pool.recorded) == 1  # off by default: the agent records what it showed
    with pytest.raises(ValueError, match="recall mode must be one of stepwise, task, none"):
        Recaller(pool, embedder, mode="episodic")


def test_from_settings_uses_the_configured_weights(embedder):
    from seer_cli.config import load_settings

    s = load_settings().replace(k=2, candidates_m=5, w_sim=0.5, w_cov=0.0, w_intent=2.0, recall="task")
    r = Recaller.from_settings(ArrayPool(WEATHER[:3], embedder), embedder, s)
    assert (r.k, r.m, r.mode, r.weights) == (2, 5, "task", RecallWeights(0.5, 0.0, 2.0))


def test_real_pool(tmp_path, embedder):
    """The Recaller over the real on-disk Pool (hnswlib knn, stored vectors) agrees with ArrayPool."""
    pool_mod = pytest.importorskip("seer_cli.pool")
    if not hasattr(pool_mod, "Pool"):
        pytest.skip("seer_cli.pool.Pool is not written yet")
    exps = WEATHER[:6] + [LIBRARY]
    pool = pool_mod.Pool.open(tmp_path / "pool", embedder=embedder)
    pool.add(exps, dedup=False)
    assert [e.id for e in pool.experiences()] == [e.id for e in exps]
    reference = ArrayPool(exps, embedder)
    q = "What was the average temperature in Lima during July?"
    for steps in ([], [Step("use LoadDB", "LoadDB", {"db": "weather"})]):
        got = Recaller(pool, embedder, k=3, m=4, record_usage=True).recall(q, "library", steps)
        want = Recaller(reference, embedder, k=3, m=4).recall(q, "library", steps)
        assert [r.id for r in got] == [r.id for r in want]
        assert [r.score for r in got] == pytest.approx([r.score for r in want], abs=1e-5)
        if not steps:  # at step 1 the intent bonus outweighs its low similarity (no coverage yet)
            assert LIBRARY.id in [r.id for r in got]  # the intent-filtered knn works on the real index
    assert (tmp_path / "pool" / "usage.json").is_file()


# --- utility, dominant best, exclusion --------------------------------------------------------------


def test_utility_breaks_a_tie_when_weighted(embedder):
    a = exp("How warm was Oslo in March?", [("LoadDB", {"db": "weather"})], intent="weather", answer="3")
    b = exp("How warm was Oslo in March?", [("LoadDB", {"db": "weather"})], intent="weather", answer="4")
    pool = ArrayPool([a, b], embedder)
    pool.usage = lambda: {b.id: {"count": 9, "judged": 8, "wins": 8}, a.id: {"count": 9, "judged": 8, "wins": 0}}
    q = "How warm was Oslo in March?"
    assert Recaller(pool, embedder, k=2)._recall(q, "weather", [])[0].experience is a  # off: the older wins the tie
    ranked = Recaller(pool, embedder, k=2, weights=RecallWeights(utility=1.0))._recall(q, "weather", [])
    assert ranked[0].experience is b and ranked[0].utility == pytest.approx(0.9) and ranked[1].utility == pytest.approx(0.1)


def test_a_dominant_best_demo_is_shown_alone_and_exclusion_is_honoured(embedder):
    pool = ArrayPool(WEATHER + [LIBRARY], embedder)
    q = WEATHER[0].question  # the very question: similarity 1.0, the next far below
    full = Recaller(pool, embedder, k=3, m=8)._recall(q, "weather", [])
    assert len(full) == 3
    alone = Recaller(pool, embedder, k=3, m=8, dominant_margin=0.01)._recall(q, "weather", [])
    assert [r.position for r in alone] == [0]
    never = Recaller(pool, embedder, k=3, m=8, dominant_margin=0.9)._recall(q, "weather", [])
    assert len(never) == 3
    excluded = Recaller(pool, embedder, k=3, m=8).recall(q, "weather", [], exclude=frozenset({WEATHER[0].id}))
    assert WEATHER[0].id not in {r.id for r in excluded} and len(excluded) == 3
    assert len(Recaller(pool, embedder, k=3, m=8).recall(q, "weather", [], k=1)) == 1


# --- paraphrase keys and masked similarity ------------------------------------------------------------


def test_an_experience_is_matched_by_its_best_key(embedder):
    table_worded = exp("What is the lowest temp min on 2014-12-25 in the weather data?", [("SQL", {"query": "SELECT 1"})],
                       intent="data", answer="1.7")
    other = exp("What is the average wind in the weather data?", [("SQL", {"query": "SELECT 2"})], intent="data", answer="3")
    q = "How cold did it get on Christmas Day 2014?"
    plain = Recaller(ArrayPool([other, table_worded], embedder), embedder, k=2)._recall(q, "data", [])
    keyed = dataclasses.replace(table_worded, success_details={"keys": ["How cold did it get on 2014-12-25?", 7, ""]})
    pool = ArrayPool([other, keyed], embedder)
    got = Recaller(pool, embedder, k=2)._recall(q, "data", [])
    before = {r.experience.question: r.sim for r in plain}
    assert got[0].experience is keyed  # the person-worded key brought it first
    assert got[0].sim > before[table_worded.question] + 0.1
    assert got[0].sim == pytest.approx(float(embedder.embed("How cold did it get on 2014-12-25?") @ embedder.embed(q)), abs=1e-5)
    assert keys_of(keyed) == [keyed.question, "How cold did it get on 2014-12-25?"]  # non-strings and blanks dropped
    # later steps compare trajectories, where keys play no part
    step = Step("look", "SQL", {"query": "SELECT 1"})
    assert Recaller(pool, embedder, k=2)._recall(q, "data", [step]).space == "trajectory"


def test_masked_similarity_counts_only_when_weighted(embedder):
    same_shape = exp("What was the closing price of coffee on 2016-04-01?", [("SQL", {"query": "SELECT 1"})], answer="1")
    other = exp("What was the closing price of coffee in total?", [("SQL", {"query": "SELECT 2"})], answer="2")
    q = "What was the closing price of coffee on 2019-10-03?"
    assert template_key(q) == template_key(same_shape.question) == "what was the closing price of coffee on <DATE>"
    pool = ArrayPool([other, same_shape], embedder)
    off = Recaller(pool, embedder, k=2)._recall(q, None, [])
    assert all(r.masked == 0.0 for r in off)
    on = Recaller(pool, embedder, k=2, weights=RecallWeights(masked=1.0))._recall(q, None, [])
    by_q = {r.experience.question: r for r in on}
    assert by_q[same_shape.question].masked == pytest.approx(1.0, abs=1e-5)
    assert by_q[other.question].masked < 0.99
    assert on[0].experience is same_shape
    assert on[0].score == pytest.approx(on[0].sim + on[0].masked + 1.0 * 0, abs=1e-5)  # no intent given: sim + masked
    assert on[0].parts["masked"] == on[0].masked


# --- self-practised experiences: shown only where they fit -------------------------------------------


def test_what_a_question_asks_for():
    from seer_cli.pool.asks import asks

    assert asks("How many days in 2014 got more than 10 mm of precipitation?") == {"count"}
    assert asks("What was the minimum precipitation in Seattle in January 2012?") == {"lowest"}
    assert asks("By what percentage did Amazon's stock price rise from 2000 to 2010?") == {"percentage", "change"}
    assert asks("In how many quarters was inflation above 10 percent?") == {"count"}  # a unit, not a percentage asked
    assert asks("What was the low temperature in Seattle on Christmas Day 2013?") == frozenset()  # a look-up
    assert asks("Which month of 2003 had the highest average close?") == {"highest", "average"}


def test_a_practised_experience_is_shown_only_to_a_question_asking_the_same_and_alike(embedder):
    """After practice the 1.5B answered "How many days in 2014 got more than 10 mm of precipitation?"
    with the MIN of a practised "minimum precipitation" experience; a practised experience is shown
    only to a question asking the same operations, at a similarity of at least PRACTISED_MIN_SIM;
    seed experiences are shown as before, and ``practised="any"`` shows everything."""
    from seer_cli.pool.recall import PRACTISED_MIN_SIM
    from seer_cli.pool.records import PRACTISED

    def practised(e):
        return dataclasses.replace(e, origin=PRACTISED)

    lowest = practised(exp("What was the minimum precipitation in Seattle in January 2012?", [("SQL", {"query": "SELECT min(p)"})], intent="data"))
    count = practised(exp("How many days in 2013 had more than 5 mm of rain in Seattle?", [("SQL", {"query": "SELECT count(*)"})], intent="data"))
    far = practised(exp("How many firms are in the grunfeld data?", [("SQL", {"query": "SELECT count(*)"})], intent="data"))
    seed = exp("What was the lowest closing price of the stock in 2010?", [("SQL", {"query": "SELECT min(c)"})], intent="data")
    pool = ArrayPool([lowest, count, far, seed], embedder)
    q = "How many days in 2014 got more than 10 mm of precipitation in Seattle?"
    shown = {r.experience.question for r in Recaller(pool, embedder, k=4)._recall(q, "data", [])}
    assert count.question in shown and seed.question in shown and lowest.question not in shown
    far_sim = float(embedder.embed(far.question) @ embedder.embed(q))
    assert (far.question in shown) == (far_sim >= PRACTISED_MIN_SIM)
    everything = {r.experience.question for r in Recaller(pool, embedder, k=4, practised="any")._recall(q, "data", [])}
    assert everything == {e.question for e in (lowest, count, far, seed)}
    with pytest.raises(ValueError):
        Recaller(pool, embedder, practised="some")


def test_a_practised_experience_whose_calls_cannot_be_made_here_is_not_shown(embedder, tmp_path):
    """A practised query over elnino.csv, shown for a question about lincoln_weather.csv alone, had
    the 1.5B join the two tables until its steps ran out: with the toolkit's ``fits``, a practised
    experience reading a table, citing a document or calling a tool the inputs at hand lack is left out."""
    from seer_cli.pool.records import PRACTISED
    from seer_cli.toolkits import get_toolkit

    (tmp_path / "lincoln.csv").write_text("day,tmax\n2016-08-01,88\n2016-08-02,84\n")
    kit = get_toolkit("general", data=[tmp_path / "lincoln.csv"])

    def practised(question, query):
        return dataclasses.replace(exp(question, [("SQL", {"query": query})], intent="data"), origin=PRACTISED)

    here = practised("What is the average tmax in August 2016?", 'SELECT AVG(tmax) FROM "lincoln" WHERE day >= \'2016-08-01\'')
    other = practised("What is the average FEB sea temperature?", "SELECT AVG(FEB) FROM elnino")
    joined = practised("What is the average tmax on El Nino years?", "SELECT AVG(tmax) FROM lincoln JOIN elnino ON 1=1")
    tool = dataclasses.replace(exp("What is the average of 3 and 5?", [("convert_units", {"x": 3})], intent="data"), origin=PRACTISED)
    try:
        assert kit.fits(here) and not kit.fits(other) and not kit.fits(joined) and not kit.fits(tool)
        pool = ArrayPool([here, other, joined, tool], embedder)
        q = "What was the average daily high in August 2016?"
        shown = {r.experience.question for r in Recaller(pool, embedder, k=4, fits=kit.fits)._recall(q, "data", [])}
        assert other.question not in shown and joined.question not in shown and tool.question not in shown
        from seer_cli.toolkits.input_words import calls_fit

        cited = [Step("look", "Retrieve", {"query": "shell"}, "[crontab.5.txt] SHELL is set to /bin/sh.\n\n[cron.8.txt p.2 § Notes] ...")]
        assert calls_fit(cited, {"Retrieve"}, set(), {"crontab.5.txt", "cron.8.txt"})
        assert not calls_fit(cited, {"Retrieve"}, set(), {"crontab.5.txt"})  # a document not given
        spaced = [Step("look", "Retrieve", {"query": "refunds"}, "[my policy.pdf p.3 § Refunds] Refunds take 14 days.\n\n[my pol")]
        assert calls_fit(spaced, {"Retrieve"}, set(), {"my policy.pdf"})  # a name with a space; a cut-off citation unread
        assert not calls_fit(spaced, {"Retrieve"}, set(), {"policy.pdf"})
    finally:
        kit.close()
