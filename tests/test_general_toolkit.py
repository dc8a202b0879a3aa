"""The general toolkit: calculator, SQL over real files in DuckDB, Retrieve with the real embedder, user tools."""

from __future__ import annotations

import json
import sqlite3

import pytest

from seer_cli.errors import ToolCallError, UserError
from seer_cli.toolkits import get_toolkit
from seer_cli.toolkits.calc import calculate
from seer_cli.toolkits.chunks import chunk_words
from seer_cli.toolkits.general import GeneralToolkit
from seer_cli.toolkits.loading import load_tools_file


@pytest.mark.parametrize("expr,expected", [
    ("2*(3+4)", "14"), ("17 * 23", "391"), ("sqrt(16)", "4"), ("1,234 + 5", "1239"), ("2^10", "1024"),
    ("10/4", "2.5"), ("0.1+0.2", "0.3"), ("(-12)-(-5)", "-7"), ("max(1,234)", "234"), ("round(2/3, 3)", "0.667"),
    ("-2**2", "-4"), ("7 // 2 + 7 % 2", "4"), ("mean(1, 2, 3, 4)", "2.5"), ("2*pi", "6.2831853072"), ("log(e)", "1"),
    ("ans = 12 * 7", "84"), ("total=3+4", "7"),  # a leading assignment is read as its right-hand side
])
def test_calculate(expr, expected):
    assert calculate(expr) == expected


@pytest.mark.parametrize("expr,message", [
    ("9**9**9", "exponent 387420489 is too large"), ("10**100000", "exponent 100000 is too large"),
    ("2**5000", "result too large"), ("__import__('os')", "unknown function '__import__'"),
    ("(1).real", "Attribute is not allowed"), ("x + 1", "unknown name 'x'"), ("1/0", "division by zero"),
    ("", "empty expression"), ("2 +", "cannot parse"), ("sqrt(-1)", "math domain error"), ("1, 2", "one expression"),
    ("3 + 4 = 7", "one expression without '='"), ("ans = 3 + 4 = 7", "one expression without '='"),
    ("3 == 3", "Compare is not allowed"),
])
def test_calculate_errors(expr, message):
    with pytest.raises(ToolCallError, match=message.replace("(", r"\(").replace(")", r"\)").replace("*", r"\*")):
        calculate(expr)


@pytest.fixture
def data_files(tmp_path):
    (tmp_path / "Sales 2024.csv").write_text("region,amount\nnorth,10\nsouth,25\nnorth,5\n")
    (tmp_path / "people.tsv").write_text("name\tage\nAna\t31\nBo\t45\n")
    (tmp_path / "events.jsonl").write_text("".join(json.dumps({"kind": k, "n": n}) + "\n" for k, n in [("a", 1), ("b", 2)]))
    db = tmp_path / "shop.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE items (id INTEGER, name TEXT, price REAL)")
    con.executemany("INSERT INTO items VALUES (?, ?, ?)", [(1, "pen", 1.5), (2, "ink", 4.25)])
    con.commit()
    con.close()
    return tmp_path, [tmp_path / "Sales 2024.csv", tmp_path / "people.tsv", tmp_path / "events.jsonl", db]


def test_tools_offered_only_when_their_inputs_exist(tmp_path, data_files):
    assert [t.name for t in GeneralToolkit(cache_dir=tmp_path).tools()] == ["Calculate", "PythonInterpreter", "Finish"]
    _, files = data_files
    kit = get_toolkit("general", data=files, docs=tmp_path, cache_dir=tmp_path)
    assert [t.name for t in kit.tools()] == ["Calculate", "PythonInterpreter", "Tables", "SQL", "Retrieve", "Finish"]
    with pytest.raises(ToolCallError, match="Unknown tool 'SQL'"):
        GeneralToolkit(cache_dir=tmp_path).call("SQL", {"query": "select 1"})


def test_sql_over_csv_tsv_jsonl_and_sqlite(data_files):
    tmp_path, files = data_files
    kit = GeneralToolkit(data=files, cache_dir=tmp_path)
    tables = kit.call("Tables", {})
    assert "sales_2024(region VARCHAR, amount BIGINT)" in tables
    assert "people(name VARCHAR, age BIGINT)" in tables and "items(id BIGINT, name VARCHAR, price DOUBLE)" in tables
    assert "events(kind VARCHAR, n BIGINT)" in tables
    out = kit.call("SQL", {"query": "SELECT region, sum(amount) AS total FROM sales_2024 GROUP BY region ORDER BY region"})
    assert out == "region | total\nnorth | 15\nsouth | 25"
    assert kit.call("SQL", {"query": "select name from people where age > 40"}) == "name\nBo"
    assert kit.call("SQL", {"query": "SELECT sum(price) AS s FROM items"}) == "s\n5.75"
    assert kit.call("SQL", {"query": "select n from events where kind = 'b';"}) == "n\n2"
    assert kit.call("SQL", {"query": "select * from people where age > 99"}) == "name | age\n(no rows)"
    kit.close()


def test_the_prompt_shows_table_schemas_samples_and_the_documents(data_files):
    """Issue 11: the agent sees each --data table's columns, types and sample rows before its
    first SQL, and with --docs which documents exist and that Retrieve answers about them."""
    from seer_cli.agent.prompt import system_message

    tmp_path, files = data_files
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "policy.md").write_text("Refunds are possible within 30 days.")
    (docs / "faq.txt").write_text("Shipping takes five days.")
    kit = GeneralToolkit(data=files, docs=docs, cache_dir=tmp_path)
    specs = kit.tool_specs_text()
    assert specs.split("\n- Finish(answer: str): Give the final answer and stop.\n    answer: ")[1].split("\n", 1)[1] == (
        "Tables for SQL (columns, then sample rows):\n"
        "- events(kind VARCHAR, n BIGINT), 2 rows\n    a | 1\n    b | 2\n"
        "- items(id BIGINT, name VARCHAR, price DOUBLE), 2 rows\n    1 | pen | 1.5\n    2 | ink | 4.25\n"
        "- people(name VARCHAR, age BIGINT), 2 rows\n    Ana | 31\n    Bo | 45\n"
        "- sales_2024(region VARCHAR, amount BIGINT), 3 rows\n    north | 10\n    south | 25\n"
        "Documents (2 files: faq.txt, policy.md): for questions about them call Retrieve first and answer from the passages."
    )
    assert specs in system_message(kit)["content"]
    assert "Tables for SQL" not in GeneralToolkit(cache_dir=tmp_path).tool_specs_text()
    kit.close()


def test_the_schema_context_is_cheap_in_real_tokens(llm, data_files):
    """The context is paid on every step: with the real tokenizer, these four small tables (two
    sample rows each) cost 132 tokens, about 33 a table."""
    tmp_path, files = data_files
    kit = GeneralToolkit(data=files, cache_dir=tmp_path)
    n = len(llm.tokenize(kit.tables_context()))
    assert n <= 4 * 40, n
    kit.close()


def test_wide_tables_and_long_cells_stay_compact_in_the_prompt(tmp_path):
    wide = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(40))
    wide.write_text(header + "\n" + ",".join(["x" * 100] * 40) + "\n" + ",".join(["y"] * 40) + "\n" + ",".join(["z"] * 40) + "\n")
    text = GeneralToolkit(data=[wide], cache_dir=tmp_path).tables_context()
    lines = text.splitlines()
    assert len(lines) == 4  # header, the table, two sample rows
    assert lines[1].endswith("c15 VARCHAR, +24 more (see Tables)), 3 rows")
    assert lines[2] == "    " + " | ".join(["x" * 23 + "…"] * 16)


def test_sql_is_read_only_and_cannot_reach_other_files(data_files):
    tmp_path, files = data_files
    kit = GeneralToolkit(data=files, cache_dir=tmp_path)
    out = tmp_path / "copy.csv"
    for query, message in [
        (f"COPY sales_2024 TO '{out}'", "only read-only queries"),
        ("DROP TABLE people", "only read-only queries"),
        ("select 1; drop table people", "one statement at a time"),
        ("select * from read_csv('/etc/passwd')", "file system operations are disabled"),
        ("select nope from people", "SQL error: Binder Error"),
    ]:
        with pytest.raises(ToolCallError, match=message):
            kit.call("SQL", {"query": query})
    assert not out.exists()
    assert (tmp_path / "Sales 2024.csv").read_text().startswith("region,amount")
    with pytest.raises(ToolCallError) as bad:  # the model is told the columns it can use
        kit.call("SQL", {"query": "select nope from people"})
    assert str(bad.value).endswith(". Tables: events(kind VARCHAR, n BIGINT); items(id BIGINT, name VARCHAR, price DOUBLE); "
                                   "people(name VARCHAR, age BIGINT); sales_2024(region VARCHAR, amount BIGINT)")


def test_sql_output_is_truncated(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("i\n" + "".join(f"{i}\n" for i in range(500)))
    out = GeneralToolkit(data=[big], cache_dir=tmp_path).call("SQL", {"query": "select i from big"})
    assert out.splitlines()[1] == "0" and "truncated; first 50 rows shown" in out


def test_bad_data_inputs_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="missing.csv: data file not found"):
        GeneralToolkit(data=[tmp_path / "missing.csv"], cache_dir=tmp_path)
    (tmp_path / "notes.xls").write_text("x")  # the old binary Excel format: save it as .xlsx
    with pytest.raises(UserError, match=r"notes.xls: unsupported data file type '.xls'"):
        GeneralToolkit(data=[tmp_path / "notes.xls"], cache_dir=tmp_path)
    (tmp_path / "broken.db").write_text("not sqlite at all, long enough to be a header" * 3)
    with pytest.raises(UserError, match="broken.db: not a readable SQLite database"):
        GeneralToolkit(data=[tmp_path / "broken.db"], cache_dir=tmp_path).call("Tables", {})
    with pytest.raises(UserError, match="nodir: docs directory not found"):
        GeneralToolkit(docs=tmp_path / "nodir", cache_dir=tmp_path)


def test_python_interpreter_tool(tmp_path):
    kit = GeneralToolkit(cache_dir=tmp_path)
    assert kit.call("PythonInterpreter", {"code": "print('hi')\nans = 2 ** 8"}) == "hi\n256"
    with pytest.raises(ToolCallError, match="line 1: ZeroDivisionError"):
        kit.call("PythonInterpreter", {"code": "1/0"})


def test_chunking():
    assert chunk_words("") == []
    chunks = chunk_words(" ".join(f"w{i}" for i in range(450)))
    assert [len(c.split()) for c in chunks] == [200, 200, 90]
    assert chunks[1].split()[0] == "w180"  # 20 words of overlap


def test_retrieve_with_the_real_embedder_and_cached_index(tmp_path, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "garden.md").write_text("Tomatoes need full sun and regular watering in summer.")
    (docs / "cars.txt").write_text("Change the engine oil of a car every ten thousand kilometres.")
    (docs / "space.md").write_text("The Moon orbits the Earth roughly once every 27 days.")
    (docs / "ignored.pdf").write_text("binary")
    progress = []
    kit = GeneralToolkit(docs=docs, cache_dir=tmp_path / "cache", embedder=embedder,
                         on_progress=lambda d, t, label: progress.append((d, t, label)))
    kit.prepare()  # builds the index up front
    assert progress == [(3, 3, "indexing documents")]
    out = kit.call("Retrieve", {"query": "how often should I change motor oil"})
    assert out.startswith("[cars.txt] Change the engine oil")
    assert out.count("\n\n") == 2 and "ignored" not in out
    assert progress == [(3, 3, "indexing documents")]
    index_dirs = list((tmp_path / "cache" / "retrieval").iterdir())
    assert len(index_dirs) == 1 and (index_dirs[0] / "index.hnsw").is_file()
    # a second toolkit reuses the cached index (no progress = no embedding pass)
    again = []
    kit2 = GeneralToolkit(docs=docs, cache_dir=tmp_path / "cache", embedder=embedder,
                          on_progress=lambda d, t, label: again.append(d))
    assert kit2.call("Retrieve", {"query": "moon orbit"}).startswith("[space.md]")
    assert again == []


def test_an_unreadable_document_is_one_warning_and_the_rest_is_searched(tmp_path, embedder):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "garden.md").write_text("# Vegetables\n\nTomatoes need full sun and regular watering in summer.")
    (docs / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    warnings = []
    kit = GeneralToolkit(docs=docs, cache_dir=tmp_path / "cache", embedder=embedder, on_warning=warnings.append)
    assert kit.call("Retrieve", {"query": "tomatoes"}) == "[garden.md § Vegetables] Tomatoes need full sun and regular watering in summer."
    assert warnings == [f"{docs / 'scan.pdf'}: skipped, not a readable PDF (damaged?)"]
    assert kit.docs_context().startswith("Documents (1 file: garden.md)")


USER_TOOLS = '''
"""My tools."""
from os.path import join  # imported, so not a tool


def shout(text: str, times: int = 1) -> str:
    """Upper-case the text.

    Args:
        text: what to shout.
        times: how many times.
    """
    return " ".join([text.upper()] * times)


def divide(a: float, b: float) -> float:
    """Divide a by b.

    Args:
        a: numerator.
        b: denominator.
    """
    return a / b


def _helper():
    pass
'''


def test_user_tools_file(tmp_path):
    path = tmp_path / "my_tools.py"
    path.write_text(USER_TOOLS)
    tools = load_tools_file(path)
    assert [t.name for t in tools] == ["shout", "divide"]
    kit = GeneralToolkit(tools_file=path, cache_dir=tmp_path)
    assert [t.name for t in kit.tools()] == ["Calculate", "PythonInterpreter", "shout", "divide", "Finish"]
    assert kit.call("shout", {"text": "hi", "times": 2}) == "HI HI"
    assert kit.call("divide", {"a": 1, "b": 4}) == "0.25"
    with pytest.raises(ToolCallError, match="divide failed: ZeroDivisionError: division by zero"):
        kit.call("divide", {"a": 1, "b": 0})


@pytest.mark.parametrize("source,message", [
    ("def f(x):\n    '''Do.\n\n    Args:\n        x: a.\n    '''\n", r"bad.py:1: function f: parameter 'x' has no type hint"),
    ("def f(x, y: int):\n    '''Do.'''\n", r"bad.py:1: function f: parameter 'x' has no type hint"),
    ("\n\ndef f(x: int):\n    return x\n", r"bad.py:3: function f: needs a docstring"),
    ("def f(:\n", r"bad.py:1: syntax error"),
    ("raise RuntimeError('boom')\n", r"bad.py: importing it failed: RuntimeError: boom"),
    ("X = 1\n", r"bad.py: defines no public functions"),
])
def test_bad_user_tools_file_is_a_user_error_naming_file_and_function(tmp_path, source, message):
    path = tmp_path / "bad.py"
    path.write_text(source)
    with pytest.raises(UserError, match=message):
        load_tools_file(path)


ONE_LINERS = '''
def city_temperature(city: str, fahrenheit: bool = False) -> str:
    """Return today's temperature in a city."""
    return f"{city}: {70 if fahrenheit else 21}"


def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: the first one.
    """
    return a + b
'''


def test_one_line_docstring_tools_are_accepted_with_a_warning(tmp_path):
    """Regression (issue 11): a typed function with a one-line docstring (no Args:) was rejected."""
    from seer_cli.agent.prompt import system_message

    path = tmp_path / "quick.py"
    path.write_text(ONE_LINERS)
    warned: list[str] = []
    kit = GeneralToolkit(tools_file=path, cache_dir=tmp_path, on_warning=warned.append)
    assert warned == [
        f"{path}:2: function city_temperature: no Args: description for 'city', 'fahrenheit'; the model sees only the name and type",
        f"{path}:7: function add: no Args: description for 'b'; the model sees only the name and type",
    ]
    t = kit.tool_map()["city_temperature"]
    assert t.parameters["required"] == ["city"] and t.parameters["properties"]["fahrenheit"]["type"] == "boolean"
    assert kit.call("city_temperature", {"city": "Oslo"}) == "Oslo: 21"
    system = system_message(kit)["content"]  # what the model is shown
    assert "- city_temperature(city: str, fahrenheit?: bool): Return today's temperature in a city.\n- add(" in system
    assert "- add(a: int, b: int): Add two integers.\n    a: the first one.\n- Finish(" in system
    step = {o["properties"]["tool"]["const"]: o for o in kit.step_schema()["anyOf"]}["city_temperature"]
    assert step["properties"]["args"]["required"] == ["city", "fahrenheit"]  # the grammar names every argument
    assert kit.intent_hints["other"] == "anything else: one of city_temperature, add if it fits, else answer directly with Finish"
    assert GeneralToolkit(cache_dir=tmp_path).intent_hints["other"].startswith("anything else: answer directly")
    with pytest.warns(UserWarning) as caught:  # the library's default reporter
        load_tools_file(path)
    assert [str(w.message) for w in caught] == warned


def test_step_schema_caps_string_args_but_not_programs(tmp_path):
    schema = GeneralToolkit(cache_dir=tmp_path).step_schema(200)
    args = {o["properties"]["tool"]["const"]: o["properties"]["args"]["properties"] for o in schema["anyOf"]}
    assert args["Calculate"]["expression"]["maxLength"] == 300 and args["Finish"]["answer"]["maxLength"] == 300
    assert "maxLength" not in args["PythonInterpreter"]["code"]


def test_the_real_model_stops_a_capped_argument_and_the_step_parses(llm, tmp_path):
    import json

    kit = GeneralToolkit(cache_dir=tmp_path)
    words = " ".join(f"word{i}" for i in range(200))
    messages = [{"role": "system", "content": "You call tools:\n" + kit.tool_specs_text() + '\nReply with one JSON object {"thought", "tool", "args"}.'},
                {"role": "user", "content": f"Call Finish with this exact answer, all of it: {words}"}]
    schema = kit.step_schema(40, arg_max_chars=30)
    schema["anyOf"] = [o for o in schema["anyOf"] if o["properties"]["tool"]["const"] == "Finish"]  # the cap is under test, not tool choice
    out = llm.complete(messages, json_schema=schema, max_tokens=120)
    step = json.loads(out.text)
    assert step["tool"] == "Finish" and 0 < len(step["args"]["answer"]) <= 30, step


def test_a_value_the_column_holds_short_is_read_so(tmp_path):
    """tips.csv writes its days "Sun", "Sat", "Thur"; the 1.5B asked ``day = 'Saturday'`` three times
    over a NULL average. A value the column holds cut short (three characters at least) is read so,
    after an empty result, a NULL aggregate or a zero count; a value held in no form is left as asked."""
    f = tmp_path / "tips.csv"
    f.write_text("tip,day,sex\n2.5,Sat,Male\n3.5,Sat,Female\n1.0,Thur,Male\n")
    kit = GeneralToolkit(data=[f])
    try:
        assert kit.call("SQL", {"query": "SELECT AVG(tip) FROM tips WHERE day = 'Saturday'"}) == (
            "Note: read 'Saturday' as 'Sat' (day holds it so).\navg(tip)\n3")
        assert kit.call("SQL", {"query": "SELECT count(*) FROM tips WHERE day = 'Thursday'"}) == (
            "Note: read 'Thursday' as 'Thur' (day holds it so).\ncount_star()\n1")
        assert kit.call("SQL", {"query": "SELECT count(*) FROM tips WHERE day = 'Sunday'"}) == (
            "count_star()\n0\nNote: 'Sunday' is not a value of day; its values are 'Sat', 'Thur'.")  # held in no form: listed
        assert kit.call("SQL", {"query": "SELECT count(*) FROM tips WHERE day = 'Sat' AND tip > 9"}) == "count_star()\n0"
    finally:
        kit.close()


def test_an_empty_result_names_the_values_the_table_holds(tmp_path):
    """A small model filters on the question's words ('gentoo', 'Bisc'); when nothing matches, the
    observation says which spelling the column holds, and says nothing when the value is there."""
    f = tmp_path / "penguins.csv"
    f.write_text("species,island,mass\nAdelie,Torgersen,3750\nGentoo,Biscoe,5000\nChinstrap,Dream,3700\n")
    kit = GeneralToolkit(data=[f])
    try:
        avg = kit.call("SQL", {"query": "SELECT AVG(mass) FROM penguins WHERE species = 'gentoo'"})  # an average of nothing
        assert avg == "Note: read 'gentoo' as 'Gentoo' (species holds it so).\navg(mass)\n5000"
        part = kit.call("SQL", {"query": "SELECT * FROM penguins WHERE island='Bisc'"})
        assert "(no rows)" in part and "it holds 'Biscoe'" in part
        there = kit.call("SQL", {"query": "SELECT * FROM penguins WHERE species='Gentoo' AND mass > 9000"})
        assert there.endswith("(no rows)")  # Gentoo exists: the other condition excluded it
        assert kit.call("SQL", {"query": "SELECT * FROM penguins WHERE species='Emperor'"}).endswith(
            "(no rows)\nNote: 'Emperor' is not a value of species; its values are 'Adelie', 'Chinstrap', 'Gentoo'.")
        assert "Note" not in kit.call("SQL", {"query": "SELECT mass FROM penguins WHERE species = 'Gentoo'"})
    finally:
        kit.close()
