"""A small MCP server for the tests, written with the official SDK's server side.

``python tests/mcp_server.py`` serves over stdio; ``python tests/mcp_server.py http PORT`` serves
streamable HTTP on 127.0.0.1:PORT/mcp. Not a fake: the tests talk to it through the real protocol.
"""

from __future__ import annotations

import sys
import time

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

server = MCPServer("seer-test-tools")


@server.tool(annotations=ToolAnnotations(readOnlyHint=True))
def add(a: int, b: int) -> int:
    """Add two integers.

    A second paragraph that seer leaves out of the prompt.
    """
    return a + b


@server.tool()
def city_population(city: str, year: int = 2024) -> str:
    """The population of a city in a year."""
    return {"oslo": f"{city} had 717,710 people in {year}"}.get(city.lower(), f"unknown city {city}")


@server.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False))
def fail(reason: str) -> str:
    """Always fails, with the reason given."""
    raise ValueError(reason)


@server.tool()
def nap(seconds: float) -> str:
    """Sleep for some seconds, then say so."""
    time.sleep(seconds)
    return f"slept {seconds:g} s"


if __name__ == "__main__":
    print("seer test MCP server starting", file=sys.stderr, flush=True)
    if sys.argv[1:2] == ["http"]:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()
