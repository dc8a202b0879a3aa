"""What the agent can do: tools and toolkits.

``Tool`` / ``@tool`` / ``Toolkit`` live in :mod:`.base`. The built-in toolkits (``general``,
``toolqa``) are registered here through the same ``register_toolkit`` door a plugin would use;
their modules (and DuckDB, networkx, hnswlib) are imported only when a toolkit is built.
"""

from __future__ import annotations

from .base import FINISH, Tool, Toolkit, get_toolkit, make_tool, register_toolkit, tool, toolkit_names

__all__ = ["FINISH", "Tool", "Toolkit", "get_toolkit", "make_tool", "register_toolkit", "tool", "toolkit_names"]


def _general(**opts) -> Toolkit:
    from .general import GeneralToolkit

    return GeneralToolkit(**opts)


def _toolqa(**opts) -> Toolkit:
    from .toolqa import ToolQAToolkit

    return ToolQAToolkit(**opts)


register_toolkit("general", _general)
register_toolkit("toolqa", _toolqa)
