"""The ``general`` toolkit (the default of ``seer run``): calculator, Python, SQL over files, doc search,
plus a user's tools from a Python file (:mod:`.loading`) and from MCP servers (:mod:`.mcp_tools`).

Why: a small model is most useful with a few dependable tools over *your* inputs. Tools are only
offered when their inputs exist: ``SQL``/``Tables`` need ``data=[files]`` (csv, tsv, parquet,
json, jsonl, sqlite/db, Excel xlsx: :mod:`.spreadsheets`), ``Retrieve`` needs ``docs=DIR`` (text, Markdown, reStructuredText, PDF,
HTML and Word files: :mod:`.documents`).

SQL runs in an in-memory DuckDB: each file is copied into a table named after its sanitised stem
(sqlite files are read through Python's ``sqlite3`` in read-only mode, because DuckDB's sqlite
extension would need a download), then external access is switched off, so queries can neither
read other files nor write any; only SELECT-like statements are accepted.

The system prompt (:meth:`GeneralToolkit.tool_specs_text`) shows each table's columns with types
and two sample rows, and names the documents, saying Retrieve answers questions about them.

Retrieve reads the documents once (:mod:`.documents`, cached by content hash), cuts them into
passages that follow their sections (:mod:`.chunks`) and searches them hybrid, dense or BM25
(:mod:`.retrieval`, ``SEER_RETRIEVAL``). Each passage it shows starts with its citation
(``[policy.pdf p.3]``); :attr:`GeneralToolkit.sources` lists the passages shown so far, which
``seer run`` reports as the answer's sources.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..errors import ToolCallError, UserError
from . import calc, input_words, sql_hints, sql_run, table_values
from .base import SqlTables, Tool, Toolkit, tool
from .chunks import Chunk, chunk_document
from .documents import Document, document_files, read_folder
from .retrieval import shares_no_word
from .table_values import Unused

if TYPE_CHECKING:
    import duckdb

    from .retrieval import ChunkSearch, Vocabulary

CATEGORY_VALUES = 30  # a text column with at most this many values is a category (unused_values)
LABEL_VALUES = 1_000  # ... and with more, up to this many, a column of names (an animal, a city, a country)
DATA_SUFFIXES = {".csv", ".tsv", ".parquet", ".json", ".jsonl", ".ndjson", ".sqlite", ".sqlite3", ".db", ".xlsx", ".xlsm"}
# Retrieve ranks by the episode's question too (fused with the model's query), and cuts its snippets
# around the words of both: the 1.5B's queries drop what the question turns on ("package installation
# and removal scripts" for "What must a package's install and removal scripts do when there is no
# terminal to talk to the user?").
RETRIEVE_WITH_QUESTION = True
# Characters of each of Retrieve's 3 passages shown (retrieval.snippet: the sentences holding the
# words): 1,050 in all, inside the prompt's 1,200 with the citations. The first two get more room than
# the third: on the docqa development set (31 questions the 1.5B opened with Retrieve), the evidence was
# inside the top 3 passages (ranked by query and question) 27 times, inside 3 snippets of 220 characters
# 13 times, of 300/300/150: 17. Of 300/300/150 against 450/350/250, in what the prompt shows of
# Retrieve(question): the gold or evidence of 172 document questions (the real-files suites' 82,
# docqa-dev's 40, docqa's 50) 111 against 123 times (56/23/32 against 63/26/34); with the 1.5B on 40
# document questions of the development suites, 19 against 22 right (6 gained, 3 lost, McNemar p = 0.5:
# a lean), 1,017 against 1,067 prompt tokens evaluated a question.
SNIPPET_CHARS = (450, 350, 250)
SAMPLE_ROWS = 2  # sample rows per table in the system prompt
CONTEXT_COLUMNS = 16  # columns per table in the system prompt (Tables lists them all)
CONTEXT_CELL_CHARS = 24
CONTEXT_DOCS = 8  # document names in the system prompt

INTENT_HINTS = {
    "math": "arithmetic or a formula: Calculate, or PythonInterpreter for several steps",
    "code": "a computation best written as a short program: PythonInterpreter (set ans)",
    "data": "a question about the given tables: SQL over them (their columns are listed with the tools)",
    "docs": "a question answered by the given documents: Retrieve, then answer from the passages",
    "other": "anything else: answer directly with Finish when no tool helps",
}


class GeneralToolkit(Toolkit):
    """Calculate, PythonInterpreter, SQL/Tables over ``data`` files, Retrieve over ``docs``."""

    name = "general"

    @property
    def intent_hints(self) -> dict[str, str]:
        """With the user's own tools (--tools, --mcp), "other" points at them before Finish: the
        plain hint ("answer directly") made the model skip a tool that was there for the question."""
        if not self._extra:
            return INTENT_HINTS
        names = ", ".join(t.name for t in self._extra[:8])
        return {**INTENT_HINTS, "other": f"anything else: one of {names} if it fits, else answer directly with Finish"}

    @property
    def intents(self) -> list[str]:
        """"data" and "docs" only when tables or documents were given (as their tools are)."""
        return [i for i in INTENT_HINTS if (i != "data" or self.data) and (i != "docs" or self.docs is not None)]

    def __init__(self, data: list[str | Path] | None = None, docs: str | Path | None = None,
                 tools_file: str | Path | None = None, extra_tools: list[Tool] | None = None, *,
                 mcp: list[str] | None = None, mcp_timeout: float = 30.0,
                 cache_dir: str | Path | None = None, embedder=None,
                 on_progress: Callable[[int, int, str], None] | None = None,
                 on_warning: Callable[[str], None] | None = None, retrieval: str | None = None,
                 sandbox_timeout: float = 10, sandbox_memory_mb: int = 512):
        extra = list(extra_tools or [])
        self.tools_file = Path(tools_file).expanduser() if tools_file else None
        if tools_file:
            from .loading import load_tools_file

            extra += load_tools_file(tools_file, on_warning=on_warning)
        super().__init__(extra)
        self.data = [Path(p).expanduser() for p in (data or [])]
        for p in self.data:
            if not p.is_file():
                raise UserError(f"{p}: data file not found")
            if p.suffix.lower() not in DATA_SUFFIXES:
                raise UserError(f"{p}: unsupported data file type {p.suffix!r} (use {', '.join(sorted(DATA_SUFFIXES))})")
        self.docs = Path(docs).expanduser() if docs else None
        if self.docs is not None and not self.docs.is_dir():
            raise UserError(f"{self.docs}: docs directory not found")
        if cache_dir is None or retrieval is None:
            from ..config import load_settings

            settings = load_settings()
            cache_dir, retrieval = cache_dir or settings.cache_dir, retrieval or settings.retrieval
        self.cache_dir, self.retrieval = Path(cache_dir), retrieval
        self._embedder, self.on_progress, self.on_warning = embedder, on_progress, on_warning
        self.sandbox_timeout, self.sandbox_memory_mb = sandbox_timeout, sandbox_memory_mb
        self._con: duckdb.DuckDBPyConnection | None = None
        self._schemas: dict[str, list[tuple[str, str]]] = {}
        self._held: tuple[list[str], set[str]] | None = None  # unused_values: the names and years the tables hold, read once
        self._documents: list[Document] | None = None
        self._search: ChunkSearch | None = None
        self._vocabulary: Vocabulary | None = None
        self._chunks: list[Chunk] | None = None
        self.sources: list[Chunk] = []  # the passages Retrieve has shown, in order, each once
        self._mcp = []
        if mcp:  # last: every other input was checked, so a UserError cannot leave a server running
            from .mcp_tools import connect_servers

            self._mcp = connect_servers(list(mcp), timeout=mcp_timeout)
            for server in self._mcp:
                self._extra += server.tools()

    def needs_lookup(self, intent: str) -> bool:
        """Questions classified as being about the given tables or documents, and "other" ones
        when the user gave tools of their own (the hint points "other" at them)."""
        return intent in ("data", "docs") or (intent == "other" and bool(self._extra))

    def unused_values(self, question: str, calls: list[tuple[str, dict]]) -> Unused | None:
        """Years and names (a text column's capitalised values, when it has at most
        :data:`LABEL_VALUES` of them, and the first words its values share: "Firefox" of
        "Firefox 25.0"; :func:`.table_values.held_names`) that ``question`` names as words, that the tables hold,
        and that no SQL query of the episode wrote: "snow days in 2012" answered by counting snow
        days in every year. Only once SQL was called (a Finish with no look is refused apart).
        First, a time of day the question states that no call of the user's tools took
        (:func:`.input_words.unused_clock`)."""
        if (clock := input_words.unused_clock(question, calls, self._extra)) is not None:
            return clock
        queries = [str(a.get("query", "")) for tool, a in calls if tool == "SQL" and a.get("query")]
        if not queries or not self.data:
            return None
        if self._held is None:
            self._held = table_values.held_names(self._connect(), self._schemas, CATEGORY_VALUES, LABEL_VALUES)
        values, as_written = self._held
        missing = table_values.unused(question, values, queries, exact=as_written)
        if missing is None:
            return None
        return missing._replace(where=table_values.conditions(self._connect(), self._schemas, missing.values))

    def unused_columns(self, question: str, calls: list[tuple[str, dict, str]]) -> Unused | None:
        """Numeric columns the question names that no SQL query (nor what it showed) used (:func:`.input_words.unused_columns`)."""
        sql = [(str(a.get("query", "")), obs) for tool, a, obs in calls if tool == "SQL" and isinstance(a, dict)]
        columns = input_words.unused_columns(question, self._schemas, [text for pair in sql for text in pair]) if sql and self.data else []
        return Unused(columns, sql[-1][0]) if columns else None

    def reads_inputs(self, tool_name: str) -> bool:
        """Calculate and PythonInterpreter (a fresh sandbox without the user's files) read nothing of the user's."""
        return tool_name not in ("Calculate", "PythonInterpreter")

    @property
    def user_tools(self) -> list[Tool]:
        """The user's own tools (from ``--tools`` and ``--mcp``), in the order they were loaded."""
        return list(self._extra)

    def available(self, tool_name: str) -> bool:
        if tool_name in ("SQL", "Tables"):
            return bool(self.data)
        if tool_name == "Retrieve":
            return self.docs is not None
        return True

    @tool
    def Calculate(self, expression: str) -> str:
        """Evaluate an arithmetic expression, e.g. 17 * 23 or sqrt(16) + 2^3.

        Args:
            expression: numbers, + - * / ** ^ %, parentheses and functions like sqrt, log, round, min, max.
        """
        try:
            return calc.calculate(expression)
        except ToolCallError as e:
            raise ToolCallError(self._not_in_sandbox(str(e), expression)) from None

    @tool
    def PythonInterpreter(self, code: str) -> str:
        """Run Python code in a sandbox and return what it prints and the value of ans.

        Args:
            code: Python source; assign the result to ans.
        """
        from .sandbox import run_python

        res = run_python(code, timeout=self.sandbox_timeout, memory_mb=self.sandbox_memory_mb)
        if not res.ok:
            raise ToolCallError(self._not_in_sandbox(res.observation(), code))
        return res.observation()

    def _not_in_sandbox(self, error: str, text: str) -> str:
        """``error``, and when the failed Calculate or PythonInterpreter call (``text``) named a
        table, that only SQL reads it (:func:`.sql_hints.elsewhere`) and the tables' columns."""
        hint = sql_hints.elsewhere(text, self._connect_schemas()) if self.data else ""
        if not hint:
            return error
        error = error.rstrip()
        return f"{error}{'' if error.endswith(('.', '!', '?')) else '.'}{hint} Tables: {self._schema_line()}"

    # --- SQL -------------------------------------------------------------------------------
    def _connect(self) -> duckdb.DuckDBPyConnection:
        if self._con is not None:
            return self._con
        import duckdb

        from . import data_files  # DuckDB is imported when a question first needs the tables

        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")  # core modules never print
        data_files.load(con, self.data)
        con.execute("SET old_implicit_casting = true")  # `date LIKE '2015%'` runs (the 1.5B repeated it after a hint)
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables ORDER BY table_name").fetchall():
            cols = con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name=? "
                               "ORDER BY ordinal_position", [table]).fetchall()
            self._schemas[table] = cols
        self._con = con
        return con

    def _connect_schemas(self) -> dict[str, list[tuple[str, str]]]:
        """Each table's (column, type) list, loading the tables first if no step has yet."""
        self._connect()
        return self._schemas

    def sql_tables(self) -> SqlTables | None:
        if not self.data:
            return None
        con = self._connect()
        return SqlTables(con, dict.fromkeys(self._schemas, "data"), "SQL", "query")

    def table_names(self) -> list[str]:
        """The loaded tables' names (every question on data loads them to refine its intent)."""
        return list(self._connect_schemas()) if self.data else []

    @tool
    def Tables(self) -> str:
        """List the tables you can query with SQL and their columns."""
        self._connect()
        return "\n".join(f"{t}({', '.join(f'{c} {ty}' for c, ty in cols)})" for t, cols in self._schemas.items())

    @tool
    def SQL(self, query: str) -> str:
        """Run one read-only SQL query (DuckDB dialect) over the data tables; see Tables for names.

        Args:
            query: a SELECT (or WITH / DESCRIBE / SHOW) statement.
        """
        return sql_run.run_query(self._connect(), self._schemas, query, self._schema_line(), question=self.question)

    def _schema_line(self, limit: int = 400) -> str:
        """``t(col TYPE, ...); u(...)``: the tables and columns, for an SQL error the model can act on."""
        text = "; ".join(f"{t}({', '.join(f'{c} {ty}' for c, ty in cols)})" for t, cols in self._schemas.items())
        return text if len(text) <= limit else text[: limit - 1] + "…"

    # --- Retrieve --------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        """The readable documents of ``docs`` (read once; a warning per unreadable file; UserError if none)."""
        if self._documents is None:
            assert self.docs is not None  # only a toolkit given --docs has documents (build_toolkit, the Retrieve tool)
            self._documents = read_folder(self.docs, self.cache_dir, self.on_warning)
        return self._documents

    def chunks(self) -> list[Chunk]:
        """The passages of ``docs`` (cut once; Retrieve's index and the documents' vocabulary share them)."""
        if self._chunks is None:
            self._chunks = [c for d in self.documents() for c in chunk_document(d)]
        return self._chunks

    def _doc_search(self):
        if self._search is None:
            from .retrieval import ChunkSearch

            chunks = self.chunks()
            cb = (lambda d, t: self.on_progress(d, t, "indexing documents")) if self.on_progress else None
            self._search = ChunkSearch(chunks, self.cache_dir, mode=self.retrieval, embedder=self._embedder, on_progress=cb)
        return self._search

    def search_documents(self, query: str, k: int = 3, also: str | None = None) -> list[Chunk]:
        """The ``k`` passages that best answer ``query`` (and ``also``, see :mod:`.retrieval`)."""
        return self._doc_search().search(query, k, also=also)

    def fits(self, exp) -> bool:
        """Its calls can be made here: the tools offered, the tables loaded, the documents cited present."""
        return input_words.calls_fit(exp.steps, set(self.tool_map()), set(self._connect_schemas()) if self.data else set(),
                                     set(self._doc_names))

    def refine_intent(self, question: str, intent: str) -> str:
        """The intent after the words the question shares with the user's tables, tools and
        documents (:func:`.input_words.refined_intent`): "For how many penguins is the sex not
        recorded?" is about penguins.csv whatever the vote said."""
        return input_words.refined_intent(
            question, intent, schemas=self._connect_schemas() if self.data else {}, tool_names=[t.name for t in self._extra],
            doc_names=self._doc_names, covers=self._in_documents_words)

    @functools.cached_property
    def _doc_names(self) -> list[str]:
        """The documents' file names, read once (every question's intent is refined with them)."""
        return [p.name for p in document_files(self.docs)] if self.docs else []

    def _in_documents_words(self, question: str) -> bool:
        """Whether the question is said in the documents' words (:meth:`.retrieval.Vocabulary.covers`)."""
        if self._vocabulary is None:
            from .retrieval import Vocabulary

            self._vocabulary = Vocabulary([c.search_text for c in self.chunks()])
        return self._vocabulary.covers(question)

    @tool
    def Retrieve(self, query: str) -> str:
        """Search the documents and return the 3 most relevant passages with their file names.

        Args:
            query: what to look for, in a few words.
        """
        also = self.question if RETRIEVE_WITH_QUESTION else None
        if also and shares_no_word(query, also):  # a copied note or description ("nothing has been looked up yet")
            query = also
        hits = self.search_documents(query, k=3, also=also)
        if not hits:
            raise ToolCallError("Retrieve: no passage shares a word with the query; try other words")
        self.sources += [c for c in hits if c not in self.sources]
        from .retrieval import snippet

        words = f"{query} {also}" if also else query
        return "\n\n".join(f"{c.citation()} {snippet(c.text, words, n)}" for c, n in zip(hits, SNIPPET_CHARS))

    # --- what the model is told about the inputs ----------------------------------------------
    def tool_specs_text(self) -> str:
        """The tool list, then what the inputs hold: each table's columns with their types and a
        couple of sample rows (so the first SQL can be right without a Tables call), and which
        documents Retrieve searches. Part of the system prompt, paid on every step: kept short."""
        parts = [super().tool_specs_text()]
        if self.data:
            parts.append(self.tables_context())
        if self.docs is not None:
            parts.append(self.docs_context())
        return "\n".join(parts)

    def tables_context(self) -> str:
        """``Tables for SQL:`` then per table ``name(col TYPE, ...), N rows`` and SAMPLE_ROWS rows."""
        con = self._connect()
        lines = ["Tables for SQL (columns, then sample rows):"]
        for table, cols in self._schemas.items():
            shown = cols[:CONTEXT_COLUMNS]
            more = f", +{len(cols) - len(shown)} more (see Tables)" if len(cols) > len(shown) else ""
            (count,) = con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0]  # count(*): always one row
            lines.append(f"- {table}({', '.join(f'{c} {t}' for c, t in shown)}{more}), {count} rows")
            names = ", ".join(f'"{c}"' for c, _ in shown)
            for row in con.execute(f'SELECT {names} FROM "{table}" LIMIT {SAMPLE_ROWS}').fetchall():
                lines.append("    " + " | ".join(_cell(v) for v in row))
        return "\n".join(lines)

    def docs_context(self) -> str:
        """Which documents exist, and that Retrieve (not a guess, not SQL) answers questions on them."""
        files = [d.name for d in self.documents()]
        names = ", ".join(files[:CONTEXT_DOCS]) + (f", +{len(files) - CONTEXT_DOCS} more" if len(files) > CONTEXT_DOCS else "")
        return (f"Documents ({len(files)} file{'s' if len(files) != 1 else ''}: {names}): "
                "for questions about them call Retrieve first and answer from the passages.")

    def prepare(self) -> None:
        """Read the data files and build the document index now (progress via ``on_progress``)."""
        if self.data:
            self._connect()
        if self.docs is not None:
            self._doc_search()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        for server in self._mcp:
            server.close()
        self._mcp = []


def _cell(value, limit: int = CONTEXT_CELL_CHARS) -> str:
    text = "NULL" if value is None else calc.format_number(value) if isinstance(value, float) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
