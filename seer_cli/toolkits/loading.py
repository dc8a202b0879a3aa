"""Tools from a user's Python file (``seer run --tools my_tools.py``).

Why: adding a tool should be writing a typed, documented function, nothing more. Every public
function *defined* in the file (not imported into it) becomes a tool through ``make_tool``; a
function without a docstring or a type hint is a ``UserError`` naming the file, the function and
what is missing, before any model runs. A parameter the docstring's ``Args:`` section does not
describe (often there is no such section: a one-line docstring) is only a warning: the model is
shown that parameter by its name and type. An exception raised by a user tool
while the agent runs becomes a ``ToolCallError`` (the model sees it as the observation).

Tools from MCP servers come through :mod:`.mcp_tools`.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import inspect
import sys
import warnings
from pathlib import Path
from typing import Callable

from ..errors import ToolCallError, UserError
from .base import FINISH, Tool, make_tool


def _guard(name: str, fn):
    @functools.wraps(fn)
    def call(**kwargs):
        try:
            return fn(**kwargs)
        except ToolCallError:
            raise
        except Exception as e:
            raise ToolCallError(f"{name} failed: {type(e).__name__}: {e}") from None

    return call


def load_tools_file(path: str | Path, on_warning: Callable[[str], None] | None = None) -> list[Tool]:
    """The public functions of ``path`` as tools, in the order they are defined; undocumented
    parameters are reported through ``on_warning`` (default: ``warnings.warn``)."""
    warn = on_warning or (lambda m: warnings.warn(m, stacklevel=3))
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"{path}: tools file not found")
    mod_name = f"seer_user_tools_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise UserError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise UserError(f"{path}:{e.lineno}: syntax error: {e.msg}") from None
    except Exception as e:
        raise UserError(f"{path}: importing it failed: {type(e).__name__}: {e}") from None
    functions = [
        obj for name, obj in vars(module).items()
        if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == mod_name
    ]
    functions.sort(key=lambda f: f.__code__.co_firstlineno)
    if not functions:
        raise UserError(f"{path}: defines no public functions to use as tools")
    tools = []
    for f in functions:
        if f.__name__ == FINISH:
            raise UserError(f"{path}:{f.__code__.co_firstlineno}: function Finish: the name is reserved")
        undocumented: list[str] = []
        where = f"{path}:{f.__code__.co_firstlineno}: function {f.__name__}"
        try:
            t = make_tool(f, on_undocumented=undocumented.append)
        except TypeError as e:
            msg = str(e).split(": ", 1)[-1]
            raise UserError(f"{where}: {msg}") from None
        if undocumented:
            names = ", ".join(repr(p) for p in undocumented)
            warn(f"{where}: no Args: description for {names}; the model sees only the name and type")
        tools.append(dataclasses.replace(t, fn=_guard(t.name, f)))
    return tools
