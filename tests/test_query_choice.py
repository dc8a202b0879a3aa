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
        template = messages[-1]["content"].split("Query: ", 1)[1].split("\n\n", 1)[0]
        names = list(schema["properties"])
        fill = {n: schema["properties"][n]["enum"][0] for n in names}
        for combo in itertools.product(*(schema["properties"][n]["enum"] for n in names)):
            parts = re.split(r"\[(\d+)\]", template)
            if "".join(combo[int(x) - 1] if k % 2 else x for k, x in enumerate(parts)) == self.wanted:
                fill = dict(zip(names, combo))
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
    enums = [s["properties"]["1"]["enum"] for s in right.schemas]
    assert enums[0] == enums[1][::-1] and enums[0][0] == f"'{a}'"  # the choices in two orders
    # a wording that reversed the dates reads as the swapped query, whose answer differs
    assert not query_choice.chosen(Reader(swapped), con, task, task.question)
    # a reader who takes the first choice listed is right at most once of the two orders
    first_listed = Scripted([json.dumps({"1": f"'{a}'", "2": f"'{b}'"}), json.dumps({"1": f"'{b}'", "2": f"'{a}'"})],
                            repeat_last=False)
    assert not query_choice.chosen(first_listed, con, task, task.question)
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
