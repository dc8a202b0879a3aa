"""The chosen-query derivation: a table task the model cannot write SQL for is admitted only when,
shown its question and the executed query with blanks where variants that answer differently
differ, the model fills the blanks back into a query that gives the task's answer."""

from __future__ import annotations

import itertools
import json
import random
import re

from seer_cli.practice import phrasing, query_choice
from seer_cli.practice import tables as tables_gen

from scripted import Scripted


class Reader(Scripted):
    """Fills the blanks so that the query becomes ``wanted`` (a reader who understood the question
    as that query), and records what it was shown."""

    def __init__(self, wanted: str):
        super().__init__([])
        self.wanted = wanted

    def complete(self, messages, **kw):
        from seer_cli.backends.base import Completion

        self.prompts.append(messages)
        schema = kw.get("json_schema")
        self.schemas.append(schema)
        text = messages[-1]["content"]
        template = text.split("Query: ", 1)[1].split("\n\n", 1)[0]
        listed = dict(re.findall(r"^\[(\d+)\]: one of (.*)$", text, re.M))
        names = list(schema["properties"])
        assert names == list(listed)
        fill = {n: schema["properties"][n]["enum"][0] for n in names}
        for combo in itertools.product(*(listed[n].split(", ") for n in names)):
            parts = re.split(r"\[(\d+)\]", template)
            if "".join(combo[int(x) - 1] if k % 2 else x for k, x in enumerate(parts)) == self.wanted:
                fill = {n: query_choice._label(tok) for n, tok in zip(names, combo)}
                assert all(fill[n] in schema["properties"][n]["enum"] for n in names)
        return Completion(text=json.dumps(fill), prompt_tokens=10, prompt_tokens_evaluated=10, completion_tokens=2,
                          seconds=0.0, model=self.name)


def _change_task(kit):
    return next(t for t in tables_gen.generate(kit, random.Random(0)) if t.generator == "table.change_dates")


def test_variants_answer_differently_and_the_swapped_dates_come_first(weather):
    task = _change_task(weather)
    sql = task.calls[0].args["query"]
    a, b = tables_gen.literals(sql)[:2]
    found = query_choice.variants(weather.sql_tables().con, sql, task.answer, random.Random(0))
    assert 1 <= len(found) <= query_choice.MAX_VARIANTS and sql not in found
    swapped = sql.replace(f"'{a}'", "'@'").replace(f"'{b}'", f"'{a}'").replace("'@'", f"'{b}'")
    assert found[0] == swapped
    answers = [query_choice._one_value(weather.sql_tables().con, q) for q in found]
    assert None not in answers and len(set(answers)) == len(answers) and task.answer not in answers


def test_a_reader_of_the_question_derives_it_and_a_reversed_wording_is_caught(weather):
    task = _change_task(weather)
    sql = task.calls[0].args["query"]
    a, b = tables_gen.literals(sql)[:2]
    assert sql.index(a) < sql.index(b)  # "from a to b": the query names its values in the question's order
    swapped = sql.replace(f"'{a}'", "'@'").replace(f"'{b}'", f"'{a}'").replace("'@'", f"'{b}'")
    con = weather.sql_tables().con
    right = Reader(sql)
    assert query_choice.chosen(right, con, task, task.question)
    first, second = (p[-1]["content"] for p in right.prompts)
    assert "[1]" in first and sql not in first  # blanks where the variants differ
    date_blank = next(n for n, c in right.schemas[0]["properties"].items() if a in c["enum"])
    enums = [s["properties"][date_blank]["enum"] for s in right.schemas]
    assert enums[0] == enums[1][::-1] and enums[0][0] == a  # the choices in two orders, the executed one first
    assert not any('"' in v for s in right.schemas for p in s["properties"].values() for v in p["enum"])  # no quote reaches the grammar
    assert query_choice._label('"Adj. Close*"') == "Adj. Close*" and query_choice._label("'it''s'") == "it's"
    assert query_choice._label('"say ""hi"""') is None
    # a wording that reversed the dates reads as the swapped query, whose answer differs
    assert not query_choice.chosen(Reader(swapped), con, task, task.question)
    # a reader who takes the first choice listed is right at most once of the two orders
    class FirstListed(Scripted):
        def complete(self, messages, **kw):
            from seer_cli.backends.base import Completion

            props = kw["json_schema"]["properties"]
            return Completion(text=json.dumps({n: p["enum"][0] for n, p in props.items()}), prompt_tokens=10,
                              prompt_tokens_evaluated=10, completion_tokens=2, seconds=0.0, model=self.name)

    assert not query_choice.chosen(FirstListed([]), con, task, task.question)
    assert query_choice.blanks(sql, [sql + " LIMIT 1"]) is None  # a variant of another shape lines up with nothing


def test_second_derivation_falls_back_to_the_choice_when_no_sampled_query_agrees(weather):
    task = _change_task(weather)
    sql = task.calls[0].args["query"]
    wrong = json.dumps({"sql": "SELECT 1"})

    class SamplesThenReads(Reader):
        def complete(self, messages, **kw):
            if "sql" not in (kw.get("json_schema") or {}).get("properties", {}):
                return super().complete(messages, **kw)
            self.prompts.append(messages)
            from seer_cli.backends.base import Completion
            return Completion(text=wrong, prompt_tokens=10, prompt_tokens_evaluated=10, completion_tokens=2,
                              seconds=0.0, model=self.name)

    backend = SamplesThenReads(sql)
    assert phrasing.second_derivation(backend, weather, task, task.question) == "chosen-query"
    assert backend.calls == len(phrasing.SAMPLES) + 2


def test_no_variant_no_derivation(weather):
    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.count")
    assert query_choice.variants(weather.sql_tables().con, task.calls[0].args["query"], task.answer, random.Random(0)) == []
    assert not query_choice.chosen(Reader(""), weather.sql_tables().con, task, task.question)


def test_a_variant_names_another_measure_so_a_wording_that_changed_the_column_is_caught(weather):
    task = next(t for t in tables_gen.generate(weather, random.Random(0)) if t.generator.startswith("table.avg_month"))
    sql = task.calls[0].args["query"]
    con = weather.sql_tables().con
    measure = re.search(r'AVG\(("[^"]+")\)', sql).group(1)
    others = query_choice.variants(con, sql, task.answer, random.Random(0))
    swapped = [v for v in others if measure not in v and "AVG(" in v]
    assert swapped, others  # the same query over another numeric column of the table
    assert query_choice.chosen(Reader(sql), con, task, task.question)
    assert not query_choice.chosen(Reader(swapped[0]), con, task, task.question)  # read as the other measure


def test_a_worked_example_may_show_an_answer_its_query_names(weather):
    """"Which has the higher average wind: weather sun or fog?" names its answer in the query's IN
    list; the generator's replayed plan shows it computed, so the worked example stands (before, the
    echo rule for told values refused it and the task taught nothing)."""
    from seer_cli.practice.examples import worked

    task = next((t for t in tables_gen.generate(weather, random.Random(0)) if t.generator == "table.compare_groups"), None)
    assert task is not None and f"'{task.answer}'" in task.calls[0].args["query"]
    exp = worked(weather, task)
    assert exp is not None and exp.answer == task.answer



def test_a_wording_with_words_the_query_lacks_is_derived_only_in_the_template_words(weather):
    """The filled-back query vouches for what the query holds; "still supported" for the latest
    release added a filter no blank shows, so that wording gets no chosen-query derivation (the
    template wording may still get one)."""
    task = _change_task(weather)
    sql = task.calls[0].args["query"]
    a, b = tables_gen.literals(sql)[:2]
    assert phrasing.new_words(task, task.question) == []
    assert phrasing.new_words(task, f"How much did the lowest temperature change between {a} and {b}?") == []
    added = f"By how much did the min temperature change from {a} to {b} on sunny weekdays?"
    assert phrasing.new_words(task, added) == ["sunny", "weekdays"]
    reader = Reader(sql)
    assert phrasing.second_derivation(reader, weather, task, added) is None
    assert reader.calls == len(phrasing.SAMPLES)  # the sampled queries were asked; no filling was
