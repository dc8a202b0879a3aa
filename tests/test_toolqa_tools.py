"""Every ToolQA tool on the tiny made-up corpus written by tools/make_tiny_toolqa.py.

Expected values are known by construction from that script (no benchmark question or answer).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from seer_cli.errors import ToolCallError, UserError
from seer_cli.toolkits import get_toolkit
from seer_cli.toolkits.toolqa import TOOLQA_ARGS, ToolQAToolkit

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def tiny_toolqa(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny-toolqa")
    subprocess.run([sys.executable, str(REPO / "tools" / "make_tiny_toolqa.py"), str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="session")
def toolqa_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("toolqa-cache")


@pytest.fixture
def kit(tiny_toolqa, toolqa_cache) -> ToolQAToolkit:
    return get_toolkit("toolqa", data_dir=tiny_toolqa, cache_dir=toolqa_cache)


@pytest.fixture
def strict(tiny_toolqa, toolqa_cache) -> ToolQAToolkit:
    return ToolQAToolkit(tiny_toolqa, cache_dir=toolqa_cache, strict=True)


def err(kit, tool, **args) -> str:
    with pytest.raises(ToolCallError) as e:
        kit.call(tool, args)
    return str(e.value)


def test_layout_and_tool_names(tiny_toolqa, kit):
    corpus = tiny_toolqa / "data" / "external_corpus"
    for rel in ["flights/Combined_Flights_2022.csv", "coffee/coffee_price.csv", "airbnb/Airbnb_Open_Data.csv",
                "yelp/yelp_academic_dataset_business.json", "dblp/paper_net.pkl", "dblp/id2author_dict.pkl",
                "agenda/agenda_descriptions_merged.jsonl", "scirex/Preprocessed_Scirex.jsonl"]:
        assert (corpus / rel).is_file(), rel
    assert {t.name: t.arg_names for t in kit.tools()} == TOOLQA_ARGS
    assert list(TOOLQA_ARGS)[-1] == "Finish"
    assert kit.intents == ["flight", "coffee", "yelp", "airbnb", "dblp", "scirex", "agenda", "gsm8k"]
    assert set(kit.intent_hints) == set(kit.intents)


def test_flights_load_filter_get(kit):
    out = kit.call("LoadDB", {"db": "flights"})
    assert out.startswith("We have successfully loaded the flights database, including the following columns: "
                          "FlightDate, Airline, Origin, Dest, Cancelled,") and out.endswith("DivAirportLandings.")
    assert kit.call("FilterDB", {"condition": "Flight_Number_Marketing_Airline=101, FlightDate=2022-01-04"}) == \
        "We have successfully filtered the data (1 rows)."
    assert kit.call("GetValue", {"column": "DepTime"}) == "830.0"  # float column, as pandas prints it
    assert kit.call("GetValue", {"column": "CRSDepTime"}) == "800"  # int column without gaps
    assert kit.call("GetValue", {"column": "Cancelled"}) == "False"
    kit.call("LoadDB", {"db": "flights"})  # reloading resets the filter
    assert kit.call("FilterDB", {"condition": "Cancelled=True"}) == "We have successfully filtered the data (1 rows)."
    assert kit.call("GetValue", {"column": "DepTime"}) == "nan"
    kit.call("LoadDB", {"db": "flights"})
    kit.call("FilterDB", {"condition": "Origin=AAA"})
    assert kit.call("GetValue", {"column": "Dest"}) == "BBB, BBB, CCC, CCC"


def test_filter_default_improvements(kit):
    kit.call("LoadDB", {"db": "flights"})
    # numeric comparison when both sides are numbers: 1215 matches 1215.0
    assert kit.call("FilterDB", {"condition": "DepTime=1215"}) == "We have successfully filtered the data (1 rows)."
    kit.call("LoadDB", {"db": "flights"})
    # a value with ", " inside, spaces around the operator, and !=
    assert kit.call("FilterDB", {"condition": "OriginCityName = Alphaville, AA, Dest!=CCC"}) == \
        "We have successfully filtered the data (2 rows)."
    # numeric >=: 15.0, 30.0 and 32.0; the cancelled flight's gap (nan) does not match
    kit.call("LoadDB", {"db": "flights"})
    assert kit.call("FilterDB", {"condition": "DepDelay>=15"}) == "We have successfully filtered the data (3 rows)."


def test_filter_strict_mirrors_the_official_quirks(strict):
    strict.call("LoadDB", {"db": "flights"})
    # string comparison: "1215.0" != "1215"
    assert err(strict, "FilterDB", condition="DepTime=1215") == \
        "The filtering query DepTime=1215 is incorrect. Please modify the condition."
    # string comparison: "15.0", "30.0", "32.0" and "-3.0" are all < "5"; only "nan" is >= "5"
    assert strict.call("FilterDB", {"condition": "DepDelay>=5"}) == "We have successfully filtered the data (1 rows)."
    assert strict.call("GetValue", {"column": "DepDelay"}) == "nan"  # "nan" > "5" as strings
    strict.call("LoadDB", {"db": "flights"})
    # the ", " split breaks values that contain it; the "AA" piece has no operator and is ignored
    assert err(strict, "FilterDB", condition="OriginCityName=Alphaville, AA") == \
        "The filtering query OriginCityName=Alphaville is incorrect. Please modify the condition."
    # an unknown column aborts but keeps the conditions applied before it
    assert err(strict, "FilterDB", condition="Origin=AAA, Nope=1") == \
        "we have failed when conducting the Nope=1 command. Please make changes."
    assert strict.call("GetValue", {"column": "Origin"}) == "AAA, AAA, AAA, AAA"


def test_filter_errors_and_atomicity(kit):
    assert err(kit, "FilterDB", condition="Date>=2019") == "No database is loaded. Call LoadDB first."
    kit.call("LoadDB", {"db": "coffee"})
    assert kit.call("FilterDB", {"condition": "Date>=2019-10-01, Date<=2019-10-31"}) == \
        "We have successfully filtered the data (4 rows)."
    assert err(kit, "FilterDB", condition="Date>=2030-01-01") == \
        "The filtering query Date>=2030-01-01 is incorrect. Please modify the condition."
    assert err(kit, "FilterDB", condition="Close>100, Nope=1") == \
        "we have failed when conducting the Nope=1 command. Please make changes."
    # both failures left the earlier filter intact
    assert kit.call("GetValue", {"column": "Close"}) == "103.5, 104.0, 99.0, 100.5"
    assert kit.call("GetValue", {"column": "Volume"}) == "1200, 900, 1500, 800"
    assert err(kit, "GetValue", column="Price") == "The value you are querying does not exist. Please modify it."
    assert err(kit, "LoadDB", db="stocks").startswith('LoadDB: argument db must be "flights"|"coffee"|"airbnb"|"yelp"')


def test_airbnb_and_yelp_values_print_like_pandas(kit):
    kit.call("LoadDB", {"db": "airbnb"})
    kit.call("FilterDB", {"condition": "NAME=Garden Studio"})
    assert kit.call("GetValue", {"column": "availability 365"}) == "nan"
    assert kit.call("GetValue", {"column": "price"}) == "$110 "
    assert kit.call("GetValue", {"column": "host name"}) == "Orla"
    kit.call("LoadDB", {"db": "yelp"})
    kit.call("FilterDB", {"condition": "name=Hilltop Bakery"})
    assert kit.call("GetValue", {"column": "city"}) == "Alphaville, Betatown"
    assert kit.call("GetValue", {"column": "hours"}) == "{'Monday': '7:0-15:0', 'Tuesday': '7:0-15:0'}, {'Saturday': '8:0-12:0'}"
    kit.call("LoadDB", {"db": "yelp"})
    kit.call("FilterDB", {"condition": "name=Riverside Diner"})
    assert [kit.call("GetValue", {"column": c}) for c in ("attributes", "stars", "review_count", "postal_code")] == \
        ["None", "3.0", "45", "20002"]


def test_sql_interpreter_uses_the_mysql_names(kit):
    assert kit.call("SQLInterpreter", {"sql": "SELECT Volume FROM coffee.coffee_data WHERE Date = '2019-10-02';"}) == "Volume: 900"
    assert kit.call("SQLInterpreter", {"sql": "SELECT AVG(Close) AS avg_close FROM coffee.coffee_data "
                                              "WHERE Date LIKE '2019-10%'"}) == "avg_close: 101.75"
    out = kit.call("SQLInterpreter", {"sql": "SELECT NAME, latitude, calculatitudeed_host_listings_count, availability_365 "
                                             "FROM airbnb.airbnb_data WHERE id = 1003"})
    assert out == "NAME: Garden Studio, latitude: 40.62, calculatitudeed_host_listings_count: 1.0, availability_365: ---"
    assert kit.call("SQLInterpreter", {"sql": "SELECT count(*) AS n FROM flights.flights_data WHERE Dest = 'CCC'"}) == "n: 3"
    assert kit.call("SQLInterpreter", {"sql": "SELECT address FROM yelp.yelp_data WHERE postal_code = '20003'"}) == \
        "address: 88 Market Ave"
    assert kit.call("SQLInterpreter", {"sql": "SELECT Date FROM coffee.coffee_data WHERE Volume > 99999"}) == "(no rows)"


def test_sql_interpreter_errors(kit, strict):
    bad = "There is something wrong with the SQL command you send. Please modify it."
    assert err(kit, "SQLInterpreter", sql="DROP TABLE coffee.coffee_data") == bad + " Only SELECT queries are allowed."
    assert err(kit, "SQLInterpreter", sql="SELECT * FROM read_csv('/etc/passwd')") == bad + " Only SELECT queries are allowed."
    assert err(kit, "SQLInterpreter", sql="SELECT nope FROM coffee.coffee_data").startswith(bad + " (Binder Error")
    assert err(strict, "SQLInterpreter", sql="SELECT nope FROM coffee.coffee_data") == bad


def test_graph_tools(kit):
    assert err(kit, "NodeCheck", graph="PaperNet", node="x").startswith(
        "There is something wrong with the arguments you send for node checking. Please modify it.")
    assert kit.call("LoadGraph", {"graph": "dblp"}) == "DBLP data is loaded, including two graphs: AuthorNet and PaperNet."
    assert kit.call("NeighbourCheck", {"graph": "AuthorNet", "node": "Ben Ortiz"}) == "['Ada Quill', 'Cleo Vance', 'Dev Rao']"
    assert kit.call("NeighbourCheck", {"graph": "PaperNet", "node": "Sparse Widgets for Graph Learning."}) == \
        "['Dense Gadgets Revisited.', 'A Note on Widget Pruning.']"
    assert kit.call("NodeCheck", {"graph": "AuthorNet", "node": "Ada Quill"}) == "{'org': 'North Institute'}"
    node = kit.call("NodeCheck", {"graph": "PaperNet", "node": "Dense Gadgets Revisited."})
    assert node.startswith("{'title': 'Dense Gadgets Revisited.', 'authors': [{'name': 'Ben Ortiz'") and "'year': 2020" in node
    edge = "{'weight': 2, 'papers': ['Sparse Widgets for Graph Learning.', 'A Note on Widget Pruning.'], 'n_citation': [10, 0]}"
    assert kit.call("EdgeCheck", {"graph": "AuthorNet", "node1": "Ada Quill", "node2": "Ben Ortiz"}) == edge
    assert kit.call("EdgeCheck", {"graph": "AuthorNet", "node1": "Ben Ortiz", "node2": "Ada Quill"}) == edge  # asked twice
    assert kit.call("EdgeCheck", {"graph": "PaperNet", "node1": "Sparse Widgets for Graph Learning.",
                                  "node2": "Dense Gadgets Revisited."}) == "{}"
    assert err(kit, "EdgeCheck", graph="AuthorNet", node1="Ada Quill", node2="Cleo Vance") == \
        "There is no edge between the two nodes. Please modify it."
    assert err(kit, "NodeCheck", graph="AuthorNet", node="Nobody") == "The node does not exist in the graph. Please modify it."
    assert err(kit, "NeighbourCheck", graph="AuthorNet", node="Nobody") == \
        "There is something wrong with the arguments you send for neighbour checking. Please modify it."
    assert err(kit, "NodeCheck", graph="CiteNet", node="x").startswith("NodeCheck: argument graph must be")


def test_calculate_and_python(kit, strict):
    assert kit.call("Calculate", {"expression": "(-12)-(-5)"}) == "-7"
    assert err(kit, "Calculate", expression="2 +") == "Calculate: cannot parse '2 +' as arithmetic"
    assert err(strict, "Calculate", expression="2 +") == "Illegal Mathematical Expression. Please try again."
    assert kit.call("PythonInterpreter", {"code": "ans = sum(range(10))"}) == "45"
    assert err(kit, "PythonInterpreter", code="ans = 1/0") == "Error: line 1: ZeroDivisionError: division by zero"
    assert kit.call("Finish", {"answer": "42"}) == "42"


def test_retrieval_on_the_tiny_corpora(tiny_toolqa, tmp_path, embedder):
    progress = []
    kit = ToolQAToolkit(tiny_toolqa, cache_dir=tmp_path, embedder=embedder,
                        on_progress=lambda d, t, label: progress.append((d, t, label)))
    out = kit.call("RetrieveAgenda", {"query": "Marcus jazz concert"})
    assert out.splitlines()[0].startswith("Marcus will attend a jazz concert at the Blue Note Hall")
    assert len(out.splitlines()) == 3
    out = kit.call("RetrieveScirex", {"query": "BLEU score of Sprocket on Baz-MT translation"})
    assert out.splitlines()[0] == "section : Results On Baz-MT translation , the Sprocket model reaches a BLEU score of 29.3 ."
    assert progress == [(4, 4, "indexing agenda"), (4, 4, "indexing scirex")]
    cached = sorted(p.name.split("-")[0] for p in (tmp_path / "toolqa-index").iterdir())
    assert cached == ["agenda", "scirex"]
    # a new toolkit (new process, in real use) loads the cached index instead of embedding again
    again = []
    kit2 = ToolQAToolkit(tiny_toolqa, cache_dir=tmp_path, embedder=embedder, on_progress=lambda *a: again.append(a))
    assert kit2.call("RetrieveAgenda", {"query": "Lena rowing"}).startswith("On 2022/07/09 Lena joins a rowing lesson")
    assert again == []


def test_missing_corpus_files_name_the_path(tiny_toolqa, tmp_path):
    partial = tmp_path / "partial"
    shutil.copytree(tiny_toolqa / "data" / "external_corpus" / "coffee", partial / "data" / "external_corpus" / "coffee")
    kit = ToolQAToolkit(partial, cache_dir=tmp_path / "cache")
    assert kit.call("LoadDB", {"db": "coffee"}).startswith("We have successfully loaded the coffee database")
    missing = err(kit, "LoadDB", db="flights")
    assert missing == (f"{partial}/data/external_corpus/flights/Combined_Flights_2022.csv is missing: download the "
                       "ToolQA external corpus (see the ToolQA README) into the data dir")
    # tools whose data is absent are not offered at all, and a call names the ones that are
    offered = ["LoadDB", "FilterDB", "GetValue", "SQLInterpreter", "Calculate", "PythonInterpreter", "Finish"]
    assert [t.name for t in kit.tools()] == offered
    assert err(kit, "LoadGraph", graph="dblp") == f"Unknown tool 'LoadGraph'. Valid tools: {', '.join(offered)}."
    assert err(kit, "RetrieveAgenda", query="x").startswith("Unknown tool 'RetrieveAgenda'.")
    no_corpus = tmp_path / "empty"
    (no_corpus / "data").mkdir(parents=True)
    assert [t.name for t in ToolQAToolkit(no_corpus, cache_dir=tmp_path / "cache").tools()] == ["Calculate", "PythonInterpreter", "Finish"]
    with pytest.raises(UserError, match="nowhere: ToolQA data dir not found"):
        ToolQAToolkit(tmp_path / "nowhere")
    with pytest.raises(UserError, match="the toolqa toolkit needs the ToolQA data dir"):
        get_toolkit("toolqa")


def test_step_schema_compiles(kit):
    import json

    from llama_cpp import LlamaGrammar

    schema = kit.step_schema(200)
    assert [o["properties"]["tool"]["const"] for o in schema["anyOf"]] == list(TOOLQA_ARGS)
    assert LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False) is not None


@pytest.mark.shared
def test_real_coffee_table_from_the_shared_corpus(shared_toolqa, tmp_path):
    """The real coffee_price.csv (read-only share): loads, filters by date strings, prints like pandas."""
    corpus = shared_toolqa / "data" / "external_corpus" / "coffee" / "coffee_price.csv"
    if not corpus.is_file():
        pytest.skip("coffee corpus absent from ../shared/toolqa")
    first = corpus.read_text().splitlines()[1].split(",")  # the first data row, whatever it is
    kit = ToolQAToolkit(shared_toolqa, cache_dir=tmp_path)
    assert kit.call("LoadDB", {"db": "coffee"}) == ("We have successfully loaded the coffee database, including the "
                                                    "following columns: Date, Open, High, Low, Close, Volume, Currency.")
    assert kit.call("FilterDB", {"condition": f"Date={first[0]}"}) == "We have successfully filtered the data (1 rows)."
    assert kit.call("GetValue", {"column": "Open"}) == repr(float(first[1]))
    assert kit.call("GetValue", {"column": "Currency"}) == first[6]
    sql = kit.call("SQLInterpreter", {"sql": f"SELECT Volume FROM coffee.coffee_data WHERE Date = '{first[0]}'"})
    assert sql == f"Volume: {int(first[5])}"
