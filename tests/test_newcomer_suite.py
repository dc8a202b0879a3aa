"""tools/newcomer_suite.py: its questions are not in any shipped seed pool (it is not a tuning
set), its gold answers agree with the files it writes (checked through the real general toolkit:
DuckDB SQL, the user's tool file, Retrieve with the real MiniLM embedder), and its scoring.

The general seed pool's own trajectories (schema-then-SQL, date SQL, retrieve-then-calculate,
user-tool calls) are checked here too: every call in them runs against the seed data."""

from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path

import numpy as np
import orjson
import pytest

from seer_cli.evals.scoring import normalize_answer
from seer_cli.pool.records import Experience
from seer_cli.toolkits import get_toolkit

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def suite():
    spec = importlib.util.spec_from_file_location("newcomer_suite", ROOT / "tools" / "newcomer_suite.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def seed_questions() -> list[str]:
    out = []
    for pool in ("general-seed", "toolqa-seed", "taubench-retail-seed"):
        text = resources.files("seer_cli.seed_pools").joinpath(f"{pool}/experiences.jsonl").read_text(encoding="utf-8")
        out += [Experience.from_dict(orjson.loads(line)).question for line in text.splitlines() if line.strip()]
    return out


def test_suite_has_every_kind_and_unique_questions(suite):
    qs = suite.questions()
    assert len(qs) >= 20
    assert {q["kind"] for q in qs} == {"data", "docs", "tools", "mcp", "math", "code"}
    assert len({(q["kind"], q["question"]) for q in qs}) == len(qs) and len({q["id"] for q in qs}) == len(qs)


@pytest.mark.slow  # embeds the suite and every seed pool: 36 s of the plumbing tier's 770 s
def test_suite_questions_are_not_in_any_seed_pool(suite, embedder):
    seeds = seed_questions()
    assert len(seeds) > 100
    norm = {normalize_answer(s) for s in seeds}
    qs = sorted({q["question"] for q in suite.questions()})
    assert not [q for q in qs if normalize_answer(q) in norm]
    sims = np.asarray(embedder.embed_batch(qs)) @ np.asarray(embedder.embed_batch(seeds)).T
    worst = np.unravel_index(int(np.argmax(sims)), sims.shape)
    assert sims.max() < 0.9, f"{qs[worst[0]]!r} ~ seed {seeds[worst[1]]!r} (cosine {sims.max():.3f})"


def test_gold_answers_agree_with_the_files(suite, tmp_path, embedder):
    files = suite.make_files(tmp_path / "files")
    gold = {q["question"]: q["answer"] for q in suite.questions()}
    kit = get_toolkit("general", data=[files["data"]], docs=files["docs"], tools_file=files["tools"],
                      cache_dir=tmp_path / "cache", embedder=embedder)
    try:
        obs = kit.call("SQL", {"query": "SELECT SUM(revenue) FROM shop_orders WHERE region = 'North' AND year(order_date) = 2024"})
        assert obs.splitlines()[-1] == gold["What was the total revenue of the North region in 2024?"]
        obs = kit.call("SQL", {"query": "SELECT COUNT(*) FROM shop_orders WHERE region = 'West'"})
        assert obs.splitlines()[-1] == gold["How many orders came from the West region?"]
        assert float(kit.call("shipping_cost", {"weight_kg": 4, "zone": "B"})) == float(gold["What does it cost to ship a 4 kg parcel to zone B?"])
        assert kit.call("loyalty_points", {"amount_eur": 99.90, "tier": "silver"}) == gold[
            "How many loyalty points does a silver customer get for spending 99.90 euros?"]
        assert "45 euros per month" in kit.call("Retrieve", {"query": "parking permit price"})
    finally:
        kit.close()


def test_suite_mcp_server_serves_the_tool_file_functions(suite, tmp_path):
    import sys

    files = suite.make_files(tmp_path / "files")
    kit = get_toolkit("general", mcp=[f"{sys.executable} {files['mcp']}"], cache_dir=tmp_path / "cache")
    try:
        assert {"shipping_cost", "loyalty_points"} <= {t.name for t in kit.tools()}
        assert float(kit.call("shipping_cost", {"weight_kg": 12.5, "zone": "C"})) == 29.5
    finally:
        kit.close()


def test_found_reads_a_reply_as_a_user_does(suite):
    assert suite.found("The North region made 5,777.50 euros in 2024.", "5777.5")
    assert suite.found("It opens at 7:30.", "7:30")
    assert suite.found("Hugo Lindqvist, the finance director", "Hugo Lindqvist")
    assert not suite.found("Hugo", "Hugo Lindqvist")
    assert not suite.found("1170", "117")
    assert not suite.found("SQL error: Binder Error", "5777.5")
    assert not suite.found(None, "4")


def test_general_seed_calls_run_against_the_seed_data(tmp_path, embedder):
    text = resources.files("seer_cli.seed_pools").joinpath("general-seed/experiences.jsonl").read_text(encoding="utf-8")
    seeds = [Experience.from_dict(orjson.loads(line)) for line in text.splitlines() if line.strip()]
    tools = {t for e in seeds for t in e.tools}
    assert {"Tables", "SQL", "Retrieve", "Calculate", "PythonInterpreter", "room_price", "shoe_size_eu"} <= tools
    data = ROOT / "pools" / "general-seed" / "data"
    if not data.is_dir():
        pytest.skip("the seed pool's data/ is not installed with the package (a checkout has it)")
    kit = get_toolkit("general", data=sorted(data.glob("*.csv")), docs=data / "docs", tools_file=data / "seed_tools.py",
                      cache_dir=tmp_path / "cache", embedder=embedder)
    try:
        for e in seeds:
            for s in e.steps[:-1]:
                assert kit.call(s.tool, s.args) == s.observation, (e.question, s.tool)
    finally:
        kit.close()


def test_sql_like_on_a_date_column_reads_its_text(tmp_path):
    csv = tmp_path / "visits.csv"
    csv.write_text("visit_date,visitors\n2023-01-01,5\n2024-02-01,7\n")
    kit = get_toolkit("general", data=[csv], cache_dir=tmp_path / "cache")
    try:
        assert kit.call("SQL", {"query": "SELECT SUM(visitors) FROM visits WHERE visit_date LIKE '2024%'"}).splitlines()[-1] == "7"
        assert kit.call("SQL", {"query": "SELECT SUM(visitors) FROM visits WHERE year(visit_date) = 2024"}).splitlines()[-1] == "7"
    finally:
        kit.close()
