"""Self-practice bookkeeping: which task comes first (gaps before repeats, kinds in turn, every
table before any twice), what a run of N tasks asks of the model, the ledger and the log.

Model-free: the real general toolkit on the files of :mod:`practice_files`, a scripted backend
where generation would ask the model.
"""

from __future__ import annotations

from seer_cli.answers import value_match as matches
from seer_cli.practice.generated import generate_tasks, share
from seer_cli.practice.ledger import Ledger, first_mention, order_by_gaps
from seer_cli.rowlog import RowLog
from seer_cli.toolkits import get_toolkit


def test_matches_takes_a_short_answer_with_the_gold_number_only():
    assert matches("45 euros", "45") and matches("45", "45") and matches("$1,250", "1250")
    assert not matches("45 or 60", "45") and not matches("46", "45") and not matches("", "45")


def test_gaps_come_first_and_kinds_take_turns(files, embedder):
    kit = get_toolkit("general", data=[files["loans"]], docs=files["docs"], tools_file=files["tools"], embedder=embedder,
                      on_warning=lambda m: None)
    try:
        tasks = generate_tasks(kit, seed=0)
    finally:
        kit.close()
    ordered = order_by_gaps(tasks, Ledger())
    first = ordered[:6]
    kinds = {("table" if "table" in t.covers else "doc" if "doc" in t.covers else "tool") for t in first}
    assert kinds == {"table", "doc", "tool"}
    table_first = [t for t in ordered if "table" in t.covers][:4]
    assert len({t.covers["op"] for t in table_first}) == 4  # four different operations before any repeats


def test_every_table_is_practised_before_any_table_twice():
    """A new column of a practised table does not outrank a table never practised (the real-files
    run practised penguins eight times and its three other tables never)."""
    from seer_cli.practice.tasks import AutoTask, Call

    def task(table, col, op):
        return AutoTask("data", f"table.{op}", f"{op} of {col} in {table}?", "1",
                        (Call("SQL", {"query": f"SELECT {col} FROM {table}"}, "t"),), "data",
                        {"table": table, "columns": [col], "op": op})

    wide = [task("penguins", col, op) for col in ("bill", "flipper", "mass", "sex", "island") for op in ("max", "avg")]
    tasks = wide + [task(t, "value", "max") for t in ("weather", "stocks", "jobs")]
    firsts = [t.covers["table"] for t in order_by_gaps(tasks, Ledger())[:4]]
    assert sorted(firsts) == ["jobs", "penguins", "stocks", "weather"]


def test_a_tool_is_first_of_its_kind_once_per_field_asked():
    led = Ledger()
    difference = {"tool": "convert_time", "op": "call", "field": "time_difference"}
    assert led.unseen(difference)
    led.add(difference)
    assert not led.unseen(difference) and led.unseen({**difference, "field": "target.datetime"})
    led.add({"table": "penguins", "columns": ["mass"], "op": "avg"})
    assert not led.unseen({"table": "penguins", "columns": ["sex"], "op": "count"}) and led.unseen({"table": "stocks", "op": "max"})


def test_first_mention_is_once(tmp_path):
    assert first_mention(tmp_path, ["/a", "/b"]) == ["/a", "/b"]
    assert first_mention(tmp_path, ["/a", "/c"]) == ["/c"]


def test_rowlog_amendments_and_torn_lines(tmp_path):
    log = RowLog(tmp_path / "log.jsonl")
    row = {"id": "t1", "admitted": False}
    log.append(row)
    log.amend(row, {"admitted": True})
    with open(log.path, "ab") as f:
        f.write(b'{"id": "t2", "adm')  # killed mid-write
    rows = log.rows(repair=True)
    assert rows == [{"id": "t1", "admitted": True}]
    log.append({"id": "t3"})
    assert [r["id"] for r in log.rows()] == ["t1", "t3"]


def test_a_run_of_n_tasks_asks_the_model_only_for_its_share(files, embedder, tmp_path):
    """--auto N bounds the model calls of generation by its share of N (an even share and half
    as much again): two document proposals per task of the share, at most 12, and the share of
    tool questions spread over the tools; the rules' table tasks cost no call and are all made
    (every table in turn). The status callback hears each kind as it is proposed."""
    from scripted import Scripted

    from seer_cli.practice.doc_questions import PROPOSE_SYSTEM

    assert share(None, 3) is None and share(30, 3) == 15 and share(6, 3) == 4 and share(30, 0) is None
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "guide.md").write_text("\n\n".join(
        f"## Part {i}\n\nThe office on floor {i} opens at {7 + i % 3} in the morning and closes at {16 + i % 4} in the "
        f"afternoon on weekdays; visitors sign in at the front desk and wear a badge numbered {100 + i} for the whole visit."
        for i in range(20)) + "\n")
    kit = get_toolkit("general", data=[files["loans"]], docs=manual, tools_file=files["tools"], embedder=embedder,
                      on_warning=lambda m: None)
    try:
        every, unbounded = generate_tasks(kit, seed=0), Scripted(["{}"])
        generate_tasks(kit, seed=0, backend=unbounded)
        heard: list[str] = []
        bounded = Scripted(["{}"])
        few = generate_tasks(kit, seed=0, backend=bounded, want=3, on_status=heard.append)
        assert generate_tasks(kit, seed=0, want=0) == []
    finally:
        kit.close()

    def proposals(backend):
        return sum(p[0]["content"] == PROPOSE_SYSTEM for p in backend.prompts)

    assert proposals(unbounded) == 12 and proposals(bounded) == 2 * share(3, 3)
    assert bounded.calls - proposals(bounded) < unbounded.calls - proposals(unbounded)  # fewer tool questions decoded
    tables = [t.id for t in every if "table" in t.covers]
    assert [t.id for t in few if "table" in t.covers] == tables  # every table task, as without a bound
    assert heard[0] == "proposing tables tasks" and any(h.startswith("proposing documents tasks") for h in heard)


def test_a_kind_the_model_solves_at_its_first_try_waits_at_the_back():
    from seer_cli.practice.ledger import PreferFailures
    from seer_cli.practice.tasks import AutoTask, Call

    def task(gen: str, n: int, **covers) -> AutoTask:
        return AutoTask("data", gen, f"{gen} question {n}?", str(n), (Call("SQL", {"query": "SELECT 1"}, "t"),), "data",
                        {"table": "t", "op": gen, **covers})

    tasks = [task("table.count", 1), task("table.count", 2), task("table.pct", 3), task("table.count", 4), task("table.avg", 5)]
    queue = PreferFailures(tasks, 4)
    got = []
    for t in queue:
        got.append(t.answer)
        if t.generator == "table.count":
            queue.solved(t)  # the model solved it at once: its kind waits
    assert got == ["1", "3", "5", "2"]  # the other kinds first, then the solved kind again; 4 tasks in all
    # a tool's tasks are one kind per field asked, and the limit holds with nothing solved
    a = task("tools.call", 1, tool="convert", field="time")
    b = task("tools.call", 2, tool="convert", field="difference")
    queue = PreferFailures([a, task("tools.call", 3, tool="convert", field="time"), b], 2)
    it = iter(queue)
    assert next(it) is a
    queue.solved(a)
    assert next(it) is b and list(it) == []


def test_a_table_tasks_kind_is_its_operation_whatever_its_filters():
    from seer_cli.practice.ledger import family
    from seer_cli.practice.tasks import AutoTask, Call

    def kind(gen: str) -> str:
        return family(AutoTask("data", gen, "q?", "1", (Call("SQL", {"query": "SELECT 1"}, "t"),), "data", {"table": "t"}))

    assert len({kind(g) for g in ("table.avg", "table.avg_where", "table.avg_where_year", "table.series_avg_year",
                                  "table.avg_month", "table.avg_range")}) == 1
    assert kind("table.count_above_year") == kind("table.count") != kind("table.count_rises_year")
    assert kind("table.pct_change_dates") == kind("table.series_pct_change") == kind("table.pct_change_year") != kind("table.change_dates")


def test_a_tables_operations_are_spread_before_any_is_repeated():
    """Recall shows a practised experience only to a question asking the same operations of the
    same inputs, so practice covers a table's operations (a count, an average, a look-up ...)
    before it repeats one on another column."""
    from seer_cli.practice.tasks import AutoTask, Call

    def task(col: str, op: str, question: str) -> AutoTask:
        return AutoTask("data", f"table.{op}", question, "1", (Call("SQL", {"query": f"SELECT {col} FROM t"}, "t"),), "data",
                        {"table": "t", "columns": [col], "op": op})

    tasks = [task("a", "avg", "What is the average a?"), task("b", "avg_years", "What was the average b from 1990 to 1999?"),
             task("c", "avg", "What is the average c?"), task("a", "count_above", "How many years had a above 3?"),
             task("b", "value_in_year", "What was the b in 1997?")]
    first = order_by_gaps(tasks, Ledger())[:3]
    assert [t.question for t in first] == ["What is the average a?", "What was the b in 1997?", "How many years had a above 3?"]
    # the pool's own experiences count the same way, by the question they were practised under
    led = Ledger()
    led.add(tasks[0].covers, question="What was the average a in 2001?")
    assert led.gap(tasks[2])[1] == 1 and led.gap(tasks[3])[1] == 0


def test_a_kind_solved_on_one_table_still_comes_first_on_another():
    from seer_cli.practice.ledger import family
    from seer_cli.practice.tasks import AutoTask, Call

    def kind(table: str) -> str:
        return family(AutoTask("data", "table.count", "q?", "1", (Call("SQL", {"query": "SELECT 1"}, "t"),), "data", {"table": table}))

    assert kind("elnino") != kind("auto_mpg") and kind("elnino") == kind("elnino")
