"""The 13 ToolQA tools, offline, over a ToolQA checkout's ``data/external_corpus``.

Why: SEER is evaluated on ToolQA, and experiences recorded with the official tools only transfer
if our tools answer the way the official ones do. This is a reimplementation (not a copy) of
the official ReAct tools with the same arguments and observation texts, minus their online
services: DuckDB instead of pandas and MySQL, our MiniLM embedder + hnswlib instead of Chroma,
``calc.py`` instead of WolframAlpha, the subprocess sandbox instead of a bare ``exec``.

Tables (:mod:`.toolqa_tables`). Each database is read once into a DuckDB file cached under
``cache_dir/toolqa-db/`` (typed: BIGINT, DOUBLE or VARCHAR per column; no dates or booleans, as
pandas would not parse them). ``LoadDB``/``FilterDB``/``GetValue`` see the values as the
official ``df.astype(str)`` does: floats print like Python (``757.0``), an integer column with a
gap prints as floats, a gap prints as ``nan``; yelp's dicts print as Python reprs.
``SQLInterpreter`` sees the MySQL layout of ``mysql_db_create.py``: ``flights.flights_data``,
``coffee.coffee_data``, ``airbnb.airbnb_data``, ``yelp.yelp_data``, with airbnb's column names
rewritten the official way (spaces -> ``_``, ``lat`` -> ``latitude``, ``long`` -> ``longitude``,
so ``calculated host listings count`` becomes ``calculatitudeed_host_listings_count``). Unlike
MySQL's all-varchar tables the columns are typed, so ``AVG(Close)`` works; gaps are NULL and print
as ``---`` (the official fill value).

FilterDB quirks (``strict=True`` mirrors them exactly):
  * conditions are split on ``", "``; operators are tried in the order ``>=``, ``<=``, ``>``,
    ``<``, ``=``; comparisons are between *strings* (so ``"9" > "10"``);
  * a condition that leaves no row undoes the whole call and says the query is incorrect;
  * an unknown column aborts with "we have failed when conducting ..." and, officially, keeps the
    conditions applied before it.
  The default mode differs only where it is clearly better: when both the value and a cell parse
  as finite numbers they are compared as numbers (``DepTime=1215`` matches ``1215.0``) and a gap
  (``nan``) never meets a numeric condition other than ``!=``; spaces around column and value are
  ignored; a piece without an operator is glued back to the previous value
  (``OriginCityName=Alphaville, AA``); ``!=`` works; a failing call changes nothing.

Graph tools keep the official messages. One deliberate deviation even in strict mode: the
official ``EdgeCheck`` on AuthorNet rewrites the edge's paper ids to titles *in place*, so asking
twice fails; we return a copy.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import Callable, Literal

from ..errors import ToolCallError, UserError
from ..toolqa_calls import TOOLQA_ARGS as TOOLQA_ARGS  # the tools' argument names, shared with the library.json reader
from . import calc
from .base import SqlTables, Toolkit, tool
from .sql_names import literal, quote
from .toolqa_tables import DB_FILES, Tables, cell_text, file_key, is_number, missing, tables

TEXT_FILES = {"agenda": ("agenda/agenda_descriptions_merged.jsonl", "event"),
              "scirex": ("scirex/Preprocessed_Scirex.jsonl", "content")}
DBLP_FILES = ["paper_net", "author_net", "title2id_dict", "author2id_dict", "id2title_dict", "id2author_dict"]
# What each domain needs under data/external_corpus/: the one table behind tool availability,
# intents and the eval's corpus check.
CORPUS_FILES: dict[str, tuple[str, ...]] = {
    "flight": (DB_FILES["flights"],),
    "coffee": (DB_FILES["coffee"],),
    "yelp": (DB_FILES["yelp"],),
    "airbnb": (DB_FILES["airbnb"],),
    "dblp": tuple(f"dblp/{name}.pkl" for name in DBLP_FILES),
    "scirex": (TEXT_FILES["scirex"][0],),
    "agenda": (TEXT_FILES["agenda"][0],),
    "gsm8k": (),
}
OUTPUT_CHARS = 10_000
SQL_ROWS = 200

INTENT_HINTS = {
    "flight": "US domestic flights of 2022: LoadDB flights, FilterDB on FlightDate/Origin/Dest/"
    "IATA_Code_Marketing_Airline/Flight_Number_Marketing_Airline, GetValue DepTime/ArrDelay/...",
    "coffee": "daily coffee prices: LoadDB coffee, FilterDB Date>=/<=, GetValue Open/High/Low/Close/Volume",
    "yelp": "Yelp businesses: LoadDB yelp, FilterDB name/city/state/postal_code, GetValue address/stars/...",
    "airbnb": "NYC Airbnb listings: LoadDB airbnb, FilterDB NAME/neighbourhood/id, GetValue price/host name/...",
    "dblp": "DBLP papers and co-authors: LoadGraph dblp, then NeighbourCheck/NodeCheck/EdgeCheck on PaperNet or AuthorNet",
    "scirex": "ML papers' results (dataset, metric, score): RetrieveScirex with method, dataset and metric",
    "agenda": "people's calendar events: RetrieveAgenda with the person, event or date",
    "gsm8k": "grade-school maths word problems: PythonInterpreter (set ans) or Calculate",
}
_OPS = (">=", "<=", ">", "<", "=")


class ToolQAToolkit(Toolkit):
    """ToolQA's tools over ``<data_dir>/data/external_corpus`` (see the module docstring)."""

    name = "toolqa"
    intent_hints = INTENT_HINTS

    def __init__(self, data_dir: str | Path | None = None, *, strict: bool = False, cache_dir: str | Path | None = None,
                 embedder=None, on_progress: Callable[[int, int, str], None] | None = None,
                 sandbox_timeout: float = 10, sandbox_memory_mb: int = 512, extra_tools=None):
        super().__init__(extra_tools)
        if data_dir is None:
            raise UserError("the toolqa toolkit needs the ToolQA data dir (the folder holding data/external_corpus)")
        self.data_dir = Path(data_dir).expanduser()
        if not self.data_dir.is_dir():
            raise UserError(f"{self.data_dir}: ToolQA data dir not found")
        self.corpus = self.data_dir / "data" / "external_corpus"
        if cache_dir is None:
            from ..config import load_settings

            cache_dir = load_settings().cache_dir
        self.cache_dir = Path(cache_dir)
        self.strict = strict
        self._embedder = embedder
        self.on_progress = on_progress
        self.sandbox_timeout, self.sandbox_memory_mb = sandbox_timeout, sandbox_memory_mb
        self._db: str | None = None
        self._where: list[str] = []
        self._graph: dict | None = None
        self._indexes: dict = {}

    # Tools are offered only where their data exists (as the general toolkit does), so a run
    # with a partial corpus (gsm8k only, say) does not tempt the model into LoadDB calls that can
    # only fail. With the whole ToolQA corpus all 13 tools are offered, as in the official setup.
    _TABLES = ("flight", "coffee", "yelp", "airbnb")
    _NEEDS = {  # tool -> domains of which any one makes it useful
        "LoadDB": _TABLES, "FilterDB": _TABLES, "GetValue": _TABLES, "SQLInterpreter": _TABLES,
        "RetrieveAgenda": ("agenda",), "RetrieveScirex": ("scirex",),
        "LoadGraph": ("dblp",), "NeighbourCheck": ("dblp",), "NodeCheck": ("dblp",), "EdgeCheck": ("dblp",),
    }

    def has_corpus(self, domain: str) -> bool:
        return all((self.corpus / f).is_file() for f in CORPUS_FILES[domain])

    # Intents follow the same rule: a question can only be about a domain whose data is here, so
    # the classifier never picks (and the prompt never hints at) a domain the tools cannot reach.
    # Before this, the 0.5B classifier put maths questions under "coffee" and copied its hint.
    @property
    def intents(self) -> list[str]:
        return [d for d in INTENT_HINTS if self.has_corpus(d)]  # gsm8k needs no corpus

    def available(self, tool_name: str) -> bool:
        need = self._NEEDS.get(tool_name)
        return need is None or any(self.has_corpus(d) for d in need)

    # --- tables ----------------------------------------------------------------------------
    @property
    def _t(self) -> Tables:
        return tables(self.data_dir, self.cache_dir)

    def _count(self, where: list[str]) -> int:
        sql = f"SELECT count(*) FROM {self._db}_str" + (" WHERE " + " AND ".join(where) if where else "")
        return self._t.con.execute(sql).fetchall()[0][0]  # count(*): always one row

    @tool
    def LoadDB(self, db: Literal["flights", "coffee", "airbnb", "yelp"]) -> str:
        """Load one of the ToolQA databases; lists its columns.

        Args:
            db: the database: flights, coffee, airbnb or yelp.
        """
        cols = self._t.ensure(db)
        self._db, self._where = db, []
        return f"We have successfully loaded the {db} database, including the following columns: {', '.join(cols)}."

    def _split(self, condition: str) -> list[str]:
        pieces = condition.split(", ")
        if self.strict:
            return pieces
        merged: list[str] = []
        for p in pieces:
            if merged and not any(op in p for op in _OPS):
                merged[-1] += ", " + p
            else:
                merged.append(p)
        return merged

    def _condition_sql(self, db: str, cmd: str) -> str:
        ops = _OPS if self.strict else ("!=",) + _OPS
        op = next((o for o in ops if o in cmd), None)
        if op is None:
            return ""  # the official filter silently ignores a piece without an operator
        column, value = cmd.split(op, 1)[0], cmd.split(op)[1]
        cols = self._t.columns[db]
        if not self.strict:
            column, value = column.strip(), value.strip()
            if column not in cols:
                column = next((c for c in cols if c.lower() == column.lower()), column)
        if column not in cols:
            raise KeyError(column)
        c, v = quote(column), literal(value)
        sql_op = "<>" if op == "!=" else op
        if not self.strict and is_number(value):
            num = f"TRY_CAST({c} AS DOUBLE)"
            gap = "true" if op == "!=" else "false"  # a numeric condition never matches a gap, except !=
            return (f"(CASE WHEN isfinite({num}) THEN {num} {sql_op} {float(value)!r} WHEN {c} = 'nan' THEN {gap} "
                    f"ELSE {c} {sql_op} {v} END)")
        return f"({c} {sql_op} {v})"

    @tool
    def FilterDB(self, condition: str) -> str:
        """Keep the rows of the loaded database that meet all conditions.

        Args:
            condition: comma-separated conditions such as "Date>=2019-10-01, Date<=2019-10-31" or "Origin=ATL".
        """
        if self._db is None:
            raise ToolCallError("No database is loaded. Call LoadDB first." if not self.strict else
                                f"we have failed when conducting the {condition.split(', ')[0]} command. Please make changes.")
        backup = list(self._where)
        for cmd in self._split(condition):
            try:
                frag = self._condition_sql(self._db, cmd)
            except KeyError:
                if not self.strict:
                    self._where = backup
                raise ToolCallError(f"we have failed when conducting the {cmd} command. Please make changes.") from None
            if frag:
                self._where.append(frag)
            if self._count(self._where) == 0:
                self._where = backup
                raise ToolCallError(f"The filtering query {cmd} is incorrect. Please modify the condition.")
        return f"We have successfully filtered the data ({self._count(self._where)} rows)."

    @tool
    def GetValue(self, column: str) -> str:
        """The values of one column in the filtered rows.

        Args:
            column: the column name, exactly as LoadDB listed it.
        """
        if self._db is None or (column if self.strict else column.strip()) not in self._t.columns[self._db]:
            raise ToolCallError("The value you are querying does not exist. Please modify it.")
        column = column if self.strict else column.strip()
        where = (" WHERE " + " AND ".join(self._where)) if self._where else ""
        cur = self._t.con.execute(f"SELECT {quote(column)} FROM {self._db}_str{where} ORDER BY __row")
        values, size, total = [], 0, 0
        while True:
            chunk = cur.fetchmany(10_000)
            if not chunk:
                break
            for (v,) in chunk:
                total += 1
                if size <= OUTPUT_CHARS:
                    values.append(v)
                    size += len(v) + 2
        text = ", ".join(values)
        if total > len(values) or len(text) > OUTPUT_CHARS:
            text = text[:OUTPUT_CHARS] + f" ... [{total} values in total; filter further]"
        return text

    @tool
    def SQLInterpreter(self, sql: str) -> str:
        """Run one read-only SQL query on flights.flights_data, coffee.coffee_data, airbnb.airbnb_data or yelp.yelp_data.

        Args:
            sql: a SELECT statement, e.g. SELECT Volume FROM coffee.coffee_data WHERE Date = '2019-10-01'.
        """
        stmt = sql.strip().rstrip(";").strip()
        bad = "There is something wrong with the SQL command you send. Please modify it."
        if not re.match(r"(?is)^(select|with)\b", stmt) or re.search(
                r"(?i)\b(read_\w+|copy|attach|detach|install|load|export|import|pragma|set|call|create|insert|update|delete|drop|alter)\b\s*[\s(]", stmt):
            raise ToolCallError(bad + ("" if self.strict else " Only SELECT queries are allowed."))
        for db in DB_FILES:
            if re.search(rf"(?i)\b{db}_data\b", stmt):
                self._t.ensure(db)
        try:
            with self._t.lock:
                cur = self._t.con.execute(stmt)
                names = [d[0] for d in cur.description]
                rows = cur.fetchmany(SQL_ROWS + 1)
        except ToolCallError:
            raise
        except Exception as e:
            detail = "" if self.strict else " (" + str(e).strip().splitlines()[0][:200] + ")"
            raise ToolCallError(bad + detail) from None
        lines = [", ".join(f"{n}: {cell_text(v)}" for n, v in zip(names, row)) for row in rows[:SQL_ROWS]]
        text = "\n".join(lines)
        if len(rows) > SQL_ROWS or len(text) > OUTPUT_CHARS:
            text = text[:OUTPUT_CHARS] + "\n... [more rows; add a WHERE or LIMIT]"
        return text if (text or self.strict) else "(no rows)"

    def sql_tables(self) -> SqlTables | None:
        """Each ToolQA table whose corpus file is here, as SQLInterpreter names it, loaded."""
        found = self._table_domains()
        for name in found:
            self._t.ensure(name.split(".", 1)[0])
        return SqlTables(self._t.con, found, "SQLInterpreter", "sql") if found else None

    def table_names(self) -> list[str]:
        """The names of :meth:`sql_tables` without loading them (flights is hundreds of megabytes)."""
        return list(self._table_domains())

    def _table_domains(self) -> dict[str, str]:
        """SQL name ("flights.flights_data") -> domain, for each ToolQA table whose corpus file is here."""
        found = {}
        for domain in self._TABLES:
            if self.has_corpus(domain):
                db = "flights" if domain == "flight" else domain
                found[f"{db}.{db}_data"] = domain
        return found

    # --- text retrieval --------------------------------------------------------------------
    def _retrieve(self, corpus: str, query: str) -> str:
        from .retrieval import PassageIndex

        rel, field = TEXT_FILES[corpus]
        path = self.corpus / rel
        if corpus not in self._indexes:
            if not path.is_file():
                raise missing(path)
            texts = []
            for line in path.open(encoding="utf-8"):
                if line.strip():
                    item = json.loads(line)
                    texts.append(str(item.get(field, item.get("content", item.get("event", "")))))
            emb = self._embedder
            if emb is None:
                from ..embedder import get_embedder

                emb = self._embedder = get_embedder()
            st = path.stat()
            key = file_key(path.resolve(), st.st_size, st.st_mtime_ns, emb.fingerprint)
            self._indexes[corpus] = PassageIndex(
                texts, self.cache_dir / "toolqa-index" / f"{corpus}-{key}", emb,
                on_progress=(lambda d, t: report(d, t, f"indexing {corpus}")) if (report := self.on_progress) else None)
        hits = self._indexes[corpus].search(query, k=3)
        if not hits:
            raise ToolCallError("There is no information that can be matched in the database. Please try another query.")
        return "\n".join(self._indexes[corpus].texts[i] for i, _ in hits).strip()

    @tool
    def RetrieveAgenda(self, query: str) -> str:
        """Search the agenda (people's events) and return the 3 closest descriptions.

        Args:
            query: what to look for, e.g. a person's name with an event or a date.
        """
        return self._retrieve("agenda", query)

    @tool
    def RetrieveScirex(self, query: str) -> str:
        """Search the SciREX paper passages and return the 3 closest ones.

        Args:
            query: what to look for, e.g. a method, a dataset and a metric.
        """
        return self._retrieve("scirex", query)

    # --- graphs ----------------------------------------------------------------------------
    @tool
    def LoadGraph(self, graph: Literal["dblp"]) -> str:
        """Load the DBLP citation and co-author graphs.

        Args:
            graph: the graph to load: dblp.
        """
        loaded = {}
        for name in DBLP_FILES:
            p = self.corpus / "dblp" / f"{name}.pkl"
            if not p.is_file():
                raise missing(p)
            with p.open("rb") as f:
                loaded[name] = pickle.load(f)
        self._graph = loaded
        return "DBLP data is loaded, including two graphs: AuthorNet and PaperNet."

    def _net(self, graph: str, what: str):
        if self._graph is None:
            raise ToolCallError(f"There is something wrong with the arguments you send for {what}. Please modify it."
                                + ("" if self.strict else " Load the graph first: LoadGraph dblp."))
        g = self._graph
        if graph == "PaperNet":
            return g["paper_net"], g["title2id_dict"], g["id2title_dict"]
        return g["author_net"], g["author2id_dict"], g["id2author_dict"]

    @tool
    def NeighbourCheck(self, graph: Literal["PaperNet", "AuthorNet"], node: str) -> str:
        """List a node's neighbours: papers a paper cites (PaperNet) or an author's co-authors (AuthorNet).

        Args:
            graph: PaperNet (nodes are paper titles) or AuthorNet (nodes are author names).
            node: the paper title or author name.
        """
        net, ids, names = self._net(graph, "neighbour checking")
        if node not in ids:
            raise ToolCallError("There is something wrong with the arguments you send for neighbour checking. Please modify it.")
        out = []
        for n in net.neighbors(ids[node]):
            if n in names:
                out.append(names[n])
            elif self.strict:
                raise ToolCallError("There is something wrong with the arguments you send for neighbour checking. Please modify it.")
            else:
                out.append(net.nodes[n].get("title", n))
        return str(out)

    @tool
    def NodeCheck(self, graph: Literal["PaperNet", "AuthorNet"], node: str) -> str:
        """The attributes of a paper (title, authors, year, venue, n_citation, ...) or an author (org).

        Args:
            graph: PaperNet (nodes are paper titles) or AuthorNet (nodes are author names).
            node: the paper title or author name.
        """
        net, ids, _ = self._net(graph, "node checking")
        if node not in ids or ids[node] not in net.nodes:
            raise ToolCallError("The node does not exist in the graph. Please modify it.")
        return str(net.nodes[ids[node]])

    @tool
    def EdgeCheck(self, graph: Literal["PaperNet", "AuthorNet"], node1: str, node2: str) -> str:
        """The attributes of the edge between two nodes (for authors: weight, shared papers, their citations).

        Args:
            graph: PaperNet (nodes are paper titles) or AuthorNet (nodes are author names).
            node1: the first paper title or author name.
            node2: the second paper title or author name.
        """
        net, ids, _ = self._net(graph, "edge checking")
        try:
            edge = dict(net.edges[ids[node1], ids[node2]])
            if graph == "AuthorNet":
                assert self._graph is not None  # loaded: _net checked
                titles = self._graph["id2title_dict"]
                edge["papers"] = [titles[p] for p in edge.get("papers", [])]
        except KeyError:
            raise ToolCallError("There is no edge between the two nodes. Please modify it.") from None
        return str(edge)

    # --- maths and code --------------------------------------------------------------------
    @tool
    def Calculate(self, expression: str) -> str:
        """Evaluate an arithmetic expression, e.g. (-12)-(-5) or sqrt(16)*2.

        Args:
            expression: numbers, + - * / ** ^ %, parentheses and functions like sqrt, round, min, max, mean.
        """
        try:
            return calc.calculate(expression)
        except ToolCallError as e:
            raise ToolCallError(str(e) if not self.strict else "Illegal Mathematical Expression. Please try again.") from None

    @tool
    def PythonInterpreter(self, code: str) -> str:
        """Run Python code in a sandbox; set the variable ans to the result.

        Args:
            code: Python source; the value of ans (and anything printed) is returned.
        """
        from .sandbox import run_python

        res = run_python(code, timeout=self.sandbox_timeout, memory_mb=self.sandbox_memory_mb)
        if not res.ok:
            raise ToolCallError(res.observation())
        return res.observation()
