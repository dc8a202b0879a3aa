"""``seer tools list``: what the agent will see, before any model runs.

Builds the toolkit exactly as ``seer run`` does (same options, same checks), then prints the tool
listing of the system prompt verbatim, or with ``--json`` each tool's name, signature, description
and argument schema plus that listing. MCP servers named with ``--mcp`` are started and stopped.
"""

from __future__ import annotations

import typer

from .console import emit_json, err, out, warn
from .options import DataOpt, DocsOpt, JsonFlag, McpOpt, ToolkitOpt, ToolqaDirOpt, ToolsOpt

app = typer.Typer(no_args_is_help=True, help="See the tools the agent is offered.")


@app.command("list")
def list_tools(
    toolkit: ToolkitOpt = "general",
    data: DataOpt = None,
    docs: DocsOpt = None,
    tools: ToolsOpt = None,
    mcp: McpOpt = None,
    toolqa_dir: ToolqaDirOpt = None,
    json_out: JsonFlag = False,
):
    """Show the tools (name, signature, description) as the agent's system prompt lists them.

    Takes the toolkit options of `seer run` (--data, --docs, --tools, --mcp, --toolkit).

    Example: seer tools list --tools my_tools.py --mcp "python -m my_mcp_server" --json
    """
    from contextlib import nullcontext

    from ..config import load_settings
    from ..toolkits.build import build_toolkit

    settings = load_settings()
    with err.status("Starting the MCP servers…") if mcp else nullcontext():
        kit = build_toolkit(toolkit, data=data, docs=docs, tools=tools, mcp=mcp, toolqa_dir=toolqa_dir, settings=settings, on_warning=warn)
    try:
        listing = kit.describe()
        prompt = kit.tool_specs_text()
    finally:
        kit.close()
    if json_out:
        emit_json({"toolkit": kit.name, "tools": listing, "prompt": prompt})
        return
    out.print(prompt, markup=False, highlight=False)
    err.print(f"{len(listing)} tools (toolkit {kit.name})", markup=False, highlight=False)
