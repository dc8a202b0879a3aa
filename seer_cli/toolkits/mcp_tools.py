"""Tools from MCP servers (``seer run --mcp "CMD ARGS"`` or ``--mcp URL``), through the official SDK.

Why: many tools already exist as Model Context Protocol servers; the agent should be able to use
them like its own. Each server's tools become :class:`~seer_cli.toolkits.tool.Tool` objects: the
server's name and description (first paragraph, capped), and its input schema as the tool's
parameters, so they enter the step grammar like any typed function.

The SDK is async and the agent is not, so each :class:`McpServer` runs one event loop in a daemon
thread that holds the connection open for the whole run (one server process for stdio, one session
for streamable HTTP); a tool call is handed to that loop and waited for with ``timeout`` seconds.
A call that fails, times out or comes back with ``is_error`` raises
:class:`~seer_cli.errors.ToolCallError`: the model sees it as the observation. A server that
cannot be started or reached is a :class:`~seer_cli.errors.UserError` naming the ``--mcp`` value
(and the last line the server wrote on stderr).
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import tempfile
import threading
from typing import TYPE_CHECKING, Any

from ..errors import ToolCallError, UserError
from .base import Tool

if TYPE_CHECKING:
    from mcp import Client

DESCRIPTION_CHARS = 200
CONNECT_TIMEOUT = 120.0  # starting a server (a Python one imports a lot) can be slow on a busy machine
_KEEP = {"type", "enum", "items", "description", "anyOf", "oneOf", "minimum", "maximum", "properties",
         "required", "minItems", "maxItems", "maxLength", "minLength", "const", "format", "additionalProperties"}


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def _clean(schema: Any) -> Any:
    """A property schema without the keys that mean nothing to the grammar (title, default, $schema)."""
    if isinstance(schema, list):
        return [_clean(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _clean(v) for k, v in schema.items() if k in _KEEP}
    if "properties" in schema:  # property names are data, not keywords
        out["properties"] = {k: _clean(v) for k, v in schema["properties"].items()}
    return out


def _description(text: str | None, name: str) -> str:
    first = re.split(r"\n\s*\n", (text or "").strip(), maxsplit=1)[0]
    first = " ".join(first.split()) or f"The {name} tool of an MCP server."
    return first if len(first) <= DESCRIPTION_CHARS else first[: DESCRIPTION_CHARS - 1] + "…"


def _result_text(result) -> str:
    parts = []
    for block in getattr(result, "content", None) or []:
        text = getattr(block, "text", None)
        parts.append(text if isinstance(text, str) else f"[{getattr(block, 'type', 'content')}]")
    if not parts and getattr(result, "structured_content", None) is not None:
        import json

        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    return "\n".join(parts)


class McpServer:
    """One MCP server, connected for the life of the object; ``tools()`` are ready-to-use Tools."""

    def __init__(self, spec: str, *, timeout: float = 30.0, connect_timeout: float = CONNECT_TIMEOUT):
        self.spec = spec.strip()
        if not self.spec:
            raise UserError("--mcp: empty value (give a command line or an http(s):// URL)")
        self.timeout = timeout
        self._errlog = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._client: Client | None = None
        self._listing: list = []
        self._error: BaseException | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"mcp {self.spec[:40]}", daemon=True)
        self._thread.start()
        if not self._ready.wait(connect_timeout):
            said = self._stderr_tail()
            self.close()
            raise UserError(f"--mcp {self.spec!r}: no answer within {connect_timeout:g} s{said}")
        if self._error is not None:
            err, self._error = self._error, None
            said = self._stderr_tail()
            self.close()
            raise UserError(f"--mcp {self.spec!r}: cannot connect ({_one_line(err)}){said}")

    # ---- the event loop thread ------------------------------------------------------------------
    def _target(self):
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        if is_url(self.spec):
            return self.spec
        argv = shlex.split(self.spec)
        return stdio_client(StdioServerParameters(command=argv[0], args=argv[1:]), errlog=self._errlog)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as e:  # noqa: BLE001 - reported to the caller's thread
            if not self._ready.is_set():
                self._error = e
                self._ready.set()

    async def _main(self) -> None:
        from mcp import Client

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with Client(self._target()) as client:  # the handshake is bounded by connect_timeout, calls by timeout
            self._client = client
            cursor = None
            while True:
                page = await client.list_tools(cursor=cursor)
                self._listing += list(page.tools)
                cursor = getattr(page, "next_cursor", None)
                if not cursor:
                    break
            self._ready.set()
            await self._stop.wait()

    # ---- the caller's side ------------------------------------------------------------------------
    def tools(self) -> list[Tool]:
        out, given = [], self.given_paths()
        for t in self._listing:
            schema = t.input_schema if isinstance(t.input_schema, dict) else {}
            props = {k: _clean(v) for k, v in (schema.get("properties") or {}).items()}
            required = [r for r in schema.get("required") or [] if r in props]
            parameters = {"type": "object", "properties": props, "required": required, "additionalProperties": False}
            hints = getattr(t, "annotations", None)
            read_only = getattr(hints, "read_only_hint", None) if hints is not None else None
            out.append(Tool(name=t.name, description=_description(t.description, t.name), parameters=parameters,
                            read_only=read_only if isinstance(read_only, bool) else None, given=given,
                            fn=self._caller(t.name)))
        return out

    def given_paths(self) -> tuple[str, ...]:
        """The existing files and folders named on the server's command line (``--repository
        /srv/app``, ``--db-path=shop.db``, a folder after the command), absolute; not its program."""
        try:
            words = shlex.split(self.spec)
        except ValueError:
            return ()
        found = []
        for word in words[1:]:
            value = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
            if value.endswith((".py", ".js", ".mjs", ".cjs", ".ts", ".sh")):
                continue  # the server's own program, not its data
            if not value.startswith("-") and ("/" in value or "." in value) and os.path.exists(value):
                found.append(os.path.abspath(value))
        return tuple(dict.fromkeys(found))

    def _caller(self, name: str):
        def call(**args) -> str:
            return self.call(name, args)

        call.__name__ = name
        return call

    def call(self, name: str, args: dict) -> str:
        """One tool call on the server; every failure is a ToolCallError (an observation)."""
        if self._loop is None or self._client is None or not self._thread.is_alive():
            raise ToolCallError(f"{name}: the MCP server {self.spec!r} is not running{self._stderr_tail()}")
        fut = asyncio.run_coroutine_threadsafe(self._client.call_tool(name, args, read_timeout_seconds=self.timeout), self._loop)
        try:
            result = fut.result(self.timeout + 5)
        except TimeoutError:
            fut.cancel()
            raise ToolCallError(f"{name}: no answer from the MCP server within {self.timeout:g} s") from None
        except Exception as e:
            text = _one_line(e)
            if "timed out" in text.lower() or "timeout" in text.lower():
                text = f"no answer from the MCP server within {self.timeout:g} s"
            raise ToolCallError(f"{name} failed: {text}") from None
        text = _result_text(result)
        if getattr(result, "is_error", False):
            raise ToolCallError(f"{name} failed: {text or 'the server reported an error'}")
        return text

    def _stderr_tail(self) -> str:
        try:
            self._errlog.flush()
            self._errlog.seek(0)
            lines = [ln.strip() for ln in self._errlog.read().splitlines() if ln.strip()]
        except (OSError, ValueError):
            return ""
        return f"; the server said: {lines[-1][:200]}" if lines else ""

    def close(self) -> None:
        """Stop the session (and the server process for stdio). Safe to call twice."""
        if self._loop is not None and self._stop is not None and self._thread.is_alive():
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # the loop already closed
                pass
        self._thread.join(10)
        try:
            self._errlog.close()
        except OSError:
            pass


def _one_line(e: BaseException) -> str:
    while isinstance(e, BaseExceptionGroup) and e.exceptions:
        e = e.exceptions[0]
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:300]


def connect_servers(specs: list[str], *, timeout: float = 30.0) -> list[McpServer]:
    """Connect to every server (closing those already started when one fails)."""
    servers: list[McpServer] = []
    try:
        for spec in specs:
            servers.append(McpServer(spec, timeout=timeout))
    except BaseException:
        for s in servers:
            s.close()
        raise
    return servers
