"""Intent: only domains whose data is present, and the nearest-experience vote over a real pool.

Real MiniLM embedder, real seeded pool on disk; the questions are invented. The vote needs no
model call, which the tests prove by passing ``backend=None``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from seer_cli.agent.intent import classify_intent, nearest_intent
from seer_cli.config import load_settings
from seer_cli.pool import Pool
from seer_cli.toolkits import input_words
from seer_cli.toolkits.general import GeneralToolkit
from seer_cli.toolkits.toolqa import ToolQAToolkit

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny-toolqa")
    subprocess.run([sys.executable, str(REPO / "tools" / "make_tiny_toolqa.py"), str(out)], check=True, capture_output=True)
    return out


def _only(tiny: Path, tmp_path: Path, keep: list[str]) -> Path:
    """A copy of the tiny corpus holding only the ``keep`` folders."""
    dst = tmp_path / "tq"
    corpus = dst / "data" / "external_corpus"
    corpus.mkdir(parents=True)
    for name in keep:
        shutil.copytree(tiny / "data" / "external_corpus" / name, corpus / name)
    return dst


def test_toolqa_intents_follow_the_data(tiny, tmp_path):
    assert ToolQAToolkit(tiny).intents == ["flight", "coffee", "yelp", "airbnb", "dblp", "scirex", "agenda", "gsm8k"]
    assert ToolQAToolkit(_only(tiny, tmp_path, ["coffee", "scirex"])).intents == ["coffee", "scirex", "gsm8k"]
    empty = tmp_path / "empty"
    (empty / "data" / "external_corpus").mkdir(parents=True)
    kit = ToolQAToolkit(empty)
    assert kit.intents == ["gsm8k"]  # maths needs no corpus
    assert classify_intent(None, kit, "anything at all") == ("gsm8k", "only", 0.0)


def test_general_intents_follow_the_inputs(tmp_path):
    assert GeneralToolkit().intents == ["math", "code", "other"]
    csv = tmp_path / "t.csv"
    csv.write_text("a,b\n1,2\n")
    assert GeneralToolkit(data=[csv], docs=tmp_path).intents == ["math", "code", "data", "docs", "other"]


def test_nearest_vote_needs_no_model_call(tiny, tmp_path, embedder):
    settings = load_settings()
    pool = Pool.open(tmp_path / "pool", settings, embedder=embedder, seed="toolqa-seed")
    kit = ToolQAToolkit(_only(tiny, tmp_path, ["coffee", "scirex"]))
    cases = {
        "A farmer plants 7 rows of 23 trees and 5 trees die. How many trees are left?": "gsm8k",
        "What was the lowest price of coffee in the first week of March 2014?": "coffee",
        "What accuracy does the ResNet method reach on the CIFAR-10 dataset?": "scirex",
    }
    for question, want in cases.items():
        assert classify_intent(None, kit, question, pool=pool, embedder=embedder)[:2] == (want, "nearest"), question


def test_a_pool_missing_an_intent_falls_back_to_the_model(tmp_path, embedder, llm):
    settings = load_settings()
    pool = Pool.open(tmp_path / "pool", settings, embedder=embedder, seed="toolqa-seed")
    kit = GeneralToolkit()  # math / code / other: the toolqa seed pool has none of them
    assert nearest_intent(pool, embedder, "What is 6 * 7?", kit.intents) is None
    intent, source, _ = classify_intent(llm, kit, "What is 6 * 7?", pool=pool, embedder=embedder)
    assert source == "classified" and intent in kit.intents


def test_a_question_in_the_documents_words_is_about_them(tmp_path, monkeypatch):
    """The vote put "Which code opens the harbour gate?" under math over a club's documents (issue 27's
    end-to-end runs); the general toolkit moves a question with no number whose words are the
    documents' own to "docs", and leaves arithmetic and unrelated questions as classified."""
    import seer_cli.agent.intent as intent_mod

    docs = tmp_path / "club"
    docs.mkdir()
    (docs / "harbour.md").write_text(
        "# Harbour\n\nThe harbour gate opens with code 4471 between sunrise and sunset.\n\n"
        "## Boats\n\nEvery vessel carries 14 life rafts and the rescue launch is called Petrel.\n\n"
        "## Fees\n\nA mooring costs 30 euros a night, paid at the office before noon.\n")
    kit = GeneralToolkit(docs=docs, retrieval="bm25")
    try:
        assert kit.refine_intent("Which code opens the harbour gate?", "math") == "docs"
        assert kit.refine_intent("How many life rafts does every vessel carry?", "code") == "docs"
        assert kit.refine_intent("What is 15% of 80?", "math") == "math"  # a number: arithmetic stays arithmetic
        assert kit.refine_intent("Write a function that reverses a string", "code") == "code"  # not the documents' words
        assert kit.refine_intent("Which code opens the harbour gate?", "docs") == "docs"
        # a question that says a document's name is about it, a number or not (the 1.5B subtracted
        # numbers of its own for "the highest UID adduser will assign" beside adduser.conf.5.txt)
        assert kit.refine_intent("What is the most the harbour charges for 3 nights?", "math") == "docs"
        assert kit.refine_intent("A harbour has 12 boats and 5 leave. How many stay?", "math") == "math"  # a word problem
        # which option, with documents given, is a lookup (the vote put "I want ls to group files by their
        # extension. Which single-letter option sorts that way?" under code, and the 1.5B listed a directory)
        assert kit.refine_intent("I want ls to group files by extension. Which single-letter option sorts that way?", "code") == "docs"
        assert kit.refine_intent("What's the flag for verbose output?", "math") == "docs"
        monkeypatch.setattr(intent_mod, "nearest_intent", lambda pool, embedder, question, intents: "math")  # the vote as seen
        assert classify_intent(None, kit, "Which code opens the harbour gate?")[:2] == ("docs", "inputs")
        assert classify_intent(None, kit, "What is 15% of 80?")[:2] == ("math", "nearest")
    finally:
        kit.close()
    assert GeneralToolkit().refine_intent("Which code opens the harbour gate?", "math") == "math"  # no documents


def test_a_question_naming_a_table_or_column_is_about_the_data(tmp_path):
    """The real-files run's before arm classified "Which island has the heaviest penguins on
    average?" as "other" over penguins.csv and the 1.5B answered at step 1 from its own knowledge.
    A question naming a table or a column (not a generic one like "year") is about the data."""
    csv = tmp_path / "harbour_boats.csv"
    csv.write_text("boat_name,hull_colour,berth,year,HULLLENGTH,WATERTEMP,temp\nPetrel,red,A4,2001,7.5,9,8\nSkua,blue,B2,2015,9,11,10\n")
    kit = GeneralToolkit(data=[csv])
    try:
        assert kit.refine_intent("Which hull colour is the most common?", "other") == "data"
        assert kit.refine_intent("What is the average hull length of the fleet?", "math") == "data"  # HULLLENGTH, run together
        # WATERTEMP, its second word shortened (statsmodels' stack loss; the 1.5B had looped in Python)
        assert kit.refine_intent("In how many runs was the cooling water temperature 20 or higher?", "math") == "data"
        assert kit.refine_intent("In how many runs was the cooling water 20 or higher?", "math") == "math"
        assert kit.refine_intent("What was the mean water temperature in 2015?", "math") == "data"
        assert kit.refine_intent("How many berths are taken?", "math") == "data"
        assert kit.refine_intent("How many boats are there?", "other") == "data"  # the table's name
        assert kit.refine_intent("What year is it?", "other") == "other"  # a generic column word alone
        assert kit.refine_intent("What is 17 * 23?", "math") == "math"
        assert kit.refine_intent("Which hull colour is the most common?", "data") == "data"
    finally:
        kit.close()


def test_a_word_problem_beside_tables_is_arithmetic(tmp_path):
    """With the real-files suite's tables given, 23 of 100 GSM8K problems came out "data" (the vote,
    or a column's word like "length"): shown table demonstrations and told to query. A question that
    brings two quantities of its own and names no table word is "math"; a column word alone does
    not make such a problem "data", a table's name does."""
    csv = tmp_path / "harbour_boats.csv"
    csv.write_text("boat_name,hull_length,berth,year\nPetrel,12.5,A4,2001\nSkua,9.0,B2,2015\n")
    kit = GeneralToolkit(data=[csv])
    try:
        problem = "Ann has 12 apples and gives 5 to Bob. How many apples does she have left?"
        assert kit.refine_intent(problem, "data") == "math"
        assert kit.refine_intent("A shark is 10 feet long with 2 remoras of 6 inches. What share of its hull length is that?",
                                 "math") == "math"  # a column word alone, with quantities of its own
        assert kit.refine_intent("How many boats are longer than 10 and younger than 20 years?", "math") == "data"  # the table's name
        assert kit.refine_intent("How many boats were built in 2001 or 2015?", "data") == "data"  # years are no quantities
        assert kit.refine_intent("What is the average hull length, rounded to 2 decimals?", "data") == "data"
    finally:
        kit.close()
    assert [input_words.own_quantities(q) for q in (
        "What is 17.5% of 2,480?", "At 09:00 in Oslo, what time is it in Lima?", "Rainfall on 2014-03-05, to 1 decimal?",
        "I drove 348 km on 26 litres. Litres per 100 km, to one decimal?")] == [2, 0, 0, 3]


def test_a_question_naming_a_document_beside_tables_is_about_the_document(tmp_path):
    """With the real-files suite's tables and manual pages given together, the vote put every
    question about adduser, split or timeout under "data" (the seed's nearest experiences are table
    questions). A question that says a document's name and no table's is about the documents."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "adduser.conf.5.txt").write_text("LAST_UID is the last UID adduser assigns: 59999.\n")
    (tmp_path / "users.csv").write_text("login,uid,shell\nann,1000,/bin/bash\nbob,1001,/bin/sh\n")
    kit = GeneralToolkit(data=[tmp_path / "users.csv"], docs=tmp_path / "docs", retrieval="bm25")
    try:
        assert kit.refine_intent("What is the highest UID adduser will assign?", "data") == "docs"
        assert kit.refine_intent("Which users does adduser list in users?", "data") == "data"  # a table's name too
        assert kit.refine_intent("How many users have the shell /bin/sh?", "data") == "data"
    finally:
        kit.close()


def test_a_question_saying_a_tools_word_is_for_the_users_tools(tmp_path):
    """With mcp-server-time given, the vote put "Convert 15:30 Tokyo time to Los Angeles time." under
    math and the 1.5B answered with Calculate. A math or code question that says a word of one of
    the user's tools' names goes to "other", which with the user's tools must look first."""
    f = tmp_path / "clock.py"
    f.write_text('def convert_time(time: str, target: str) -> str:\n    """Convert a time.\n\n    Args:\n'
                 '        time: HH:MM.\n        target: a zone.\n    """\n    return time\n')
    kit = GeneralToolkit(tools_file=f)
    try:
        assert kit.refine_intent("Convert 15:30 Tokyo time to Los Angeles time.", "math") == "other"
        assert kit.refine_intent("What time is it in Auckland when it is 16:00 in Chicago?", "code") == "other"
        assert kit.refine_intent("What is 17.5% of 2,480?", "math") == "math"
        assert kit.needs_lookup("other")
    finally:
        kit.close()
    assert input_words.tool_words(["get_current_time", "convertTime", "list-files"]) == {"current", "time", "convert", "file"}


def test_a_word_shortened_as_a_column_shortens_it_names_the_column(tmp_path):
    """vega_datasets' seattle-temps.csv has the columns ``date`` and ``temp``: "What was the mean
    temperature in August 2010?" was classified arithmetic and the 1.5B wrote the days out in Calculate."""
    csv = tmp_path / "seattle_temps.csv"
    csv.write_text("date,temp\n2010-08-01 00:00:00,61.2\n2010-08-01 01:00:00,60.1\n")
    kit = GeneralToolkit(data=[csv])
    try:
        assert kit.refine_intent("What was the mean temperature in August 2010? Round to 2 decimals.", "math") == "data"
        assert kit.refine_intent("A kettle heats 3 cups a minute for 7 minutes. How many cups in all?", "math") == "math"
    finally:
        kit.close()
