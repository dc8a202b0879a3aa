"""The shipped toolqa-seed pool: valid records in the agent's step format, every domain and every
ToolQA tool covered, argument names that the toolqa toolkit accepts, and no ToolQA benchmark
question or answer in it (exact after normalisation, or a near-duplicate question by the real
embedder's cosine >= 0.9)."""

from __future__ import annotations

from collections import Counter
from importlib import resources

import numpy as np
import orjson
import pytest

from seer_cli.evals.scoring import normalize_answer
from seer_cli.evals.toolqa import DOMAINS, load_questions
from seer_cli.pool.records import Experience

TOOLS = {"LoadDB", "FilterDB", "GetValue", "SQLInterpreter", "RetrieveAgenda", "RetrieveScirex", "LoadGraph",
         "NeighbourCheck", "NodeCheck", "EdgeCheck", "Calculate", "PythonInterpreter", "Finish"}


@pytest.fixture(scope="module")
def seeds() -> list[Experience]:
    text = resources.files("seer_cli.seed_pools").joinpath("toolqa-seed/experiences.jsonl").read_text(encoding="utf-8")
    return [Experience.from_dict(orjson.loads(line)) for line in text.splitlines() if line.strip()]


def test_records_are_valid_and_cover_domains_and_tools(seeds):
    assert len(seeds) >= 30
    assert len({e.id for e in seeds}) == len(seeds)
    per_domain = Counter(e.intent for e in seeds)
    assert set(per_domain) == set(DOMAINS)
    assert min(per_domain.values()) >= 3
    assert {t for e in seeds for t in e.tools} == TOOLS
    for e in seeds:
        assert e.success_source == "user" and e.origin == "seed:toolqa"
        assert e.steps[-1].tool == "Finish" and e.steps[-1].args == {"answer": e.answer}
        assert all(s.thought for s in e.steps)
        assert all(s.observation for s in e.steps[:-1])


def test_argument_names_match_the_toolqa_toolkit(seeds, tmp_path):
    try:
        from seer_cli.toolkits import get_toolkit
        from seer_cli.toolkits.toolqa import DB_FILES, DBLP_FILES, TEXT_FILES

        # every tool is offered only where its data exists: lay out (empty) corpus files
        corpus = tmp_path / "data" / "external_corpus"
        for rel in [*DB_FILES.values(), *(f for f, _ in TEXT_FILES.values()), *(f"dblp/{n}.pkl" for n in DBLP_FILES)]:
            (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
            (corpus / rel).touch()
        kit = get_toolkit("toolqa", data_dir=str(tmp_path))
        assert len(kit.tools()) == 13
    except Exception as e:  # the toolkit is optional for this check
        pytest.skip(f"toolqa toolkit unavailable: {e}")
    schema = {t.name: set(t.parameters.get("properties", {})) for t in kit.tools()}
    for e in seeds:
        for s in e.steps:
            assert s.tool in schema, s.tool
            assert set(s.args) == schema[s.tool], (e.question, s.tool, s.args)


def test_no_benchmark_question_or_answer_verbatim(seeds):
    questions = load_questions("all")
    bench_q = {normalize_answer(q.question) for q in questions}
    for e in seeds:
        assert normalize_answer(e.question) not in bench_q, e.question
    # whole (question, answer) pairs: an answer alone may coincide (e.g. "yes", a small number)
    pairs = {(normalize_answer(q.question), normalize_answer(q.answer)) for q in questions}
    assert not [e.question for e in seeds if (normalize_answer(e.question), normalize_answer(e.answer)) in pairs]
    # no benchmark question text inside any seed text (thoughts, calls, observations)
    long_q = [n for n in bench_q if len(n) > 40]
    for e in seeds:
        blob = normalize_answer(" ".join([e.question] + [s.thought + " " + orjson.dumps(s.args).decode() + " " + s.observation for s in e.steps]))
        assert not [n for n in long_q if n in blob], e.question


@pytest.mark.slow  # embeds every ToolQA question: 75 s of the plumbing tier's 770 s
def test_no_near_duplicate_of_a_benchmark_question(seeds, embedder):
    questions = [q.question for q in load_questions("all")]
    bench = embedder.embed_batch(questions)
    ours = embedder.embed_batch([e.question for e in seeds])
    sims = ours @ bench.T
    worst = np.unravel_index(int(np.argmax(sims)), sims.shape)
    assert sims.max() < 0.9, (seeds[worst[0]].question, questions[worst[1]], float(sims.max()))
