"""Build a toolkit from what a user names on the command line.

Why this module exists: ``seer run``, ``seer practice`` and ``seer practice --auto`` take the
same inputs (``--data`` files, a ``--docs`` folder, a ``--tools`` file, ``--mcp`` servers, or the
ToolQA checkout) and must check them the same way: every file first, each mistake one line naming
its option, and MCP servers started last so that a bad ``--data`` never leaves one running.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, cast

from ..errors import UserError
from .base import Toolkit, get_toolkit, toolkit_names

if TYPE_CHECKING:
    from .general import GeneralToolkit


def build_toolkit(name: str = "general", *, data: list[Path] | None = None, docs: Path | None = None,
                  tools: Path | None = None, mcp: list[str] | None = None, toolqa_dir: Path | None = None,
                  toolqa_strict: bool = False, settings=None, on_warning: Callable[[str], None] | None = None,
                  on_progress: Callable[[int, int, str], None] | None = None) -> Toolkit:
    """Check the files the options name, then build the toolkit (a UserError names the option)."""
    if name not in toolkit_names():
        raise UserError(f"--toolkit: unknown toolkit {name!r}; available: {', '.join(toolkit_names())}")
    for f in data or []:
        if not Path(f).is_file():
            raise UserError(f"--data: no such file: {f}")
    if docs is not None and not Path(docs).is_dir():
        raise UserError(f"--docs: no such directory: {docs}")
    if tools is not None and not Path(tools).is_file():
        raise UserError(f"--tools: no such file: {tools}")
    if name == "toolqa":
        if data or docs or tools or mcp:
            raise UserError("--data/--docs/--tools/--mcp belong to the general toolkit; --toolkit toolqa reads --toolqa-dir")
        opts: dict = {"data_dir": toolqa_dir} if toolqa_dir else {}
        opts["strict"] = toolqa_strict
    else:
        opts = {}
        if data:
            opts["data"] = list(data)
        if docs:
            opts["docs"] = docs
            opts["on_warning"] = on_warning
            if settings is not None:
                opts["retrieval"] = settings.retrieval
        if tools:
            opts["tools_file"] = tools
            opts["on_warning"] = on_warning
        if mcp:
            opts["mcp"] = list(mcp)
            if settings is not None:
                opts["mcp_timeout"] = settings.mcp_timeout
    if on_progress is not None:
        opts["on_progress"] = on_progress
    if settings is not None:
        opts.update(cache_dir=settings.cache_dir, sandbox_timeout=settings.sandbox_timeout,
                    sandbox_memory_mb=settings.sandbox_memory_mb)
    kit = get_toolkit(name, **opts)
    if docs:
        try:
            cast("GeneralToolkit", kit).documents()  # (--docs is the general toolkit's) a folder with nothing readable fails here, in every command, before any model loads
        except BaseException:
            kit.close()
            raise
    return kit
