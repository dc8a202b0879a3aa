"""One stdout console, one stderr console, a JSON emitter and a progress helper.

Results go to stdout (so they can be piped); progress, warnings and errors go to stderr. Core
modules never print: they return values or call the callbacks the CLI hands them.
"""

from __future__ import annotations

import sys
from typing import Any

import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(obj: Any) -> None:
    """Write ``obj`` as indented JSON to stdout (bytes, so no console markup touches it)."""
    sys.stdout.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY, default=str).decode() + "\n")
    sys.stdout.flush()


def warn(message: str) -> None:
    """One yellow line on stderr; the message is printed literally (paths and [extras] are not markup)."""
    from rich.markup import escape

    err.print(f"[yellow]warning:[/] {escape(message)}", markup=True)


def progress(*, transient: bool = False) -> Progress:
    """A Rich progress bar on stderr; use as a context manager. Silent when stderr is not a
    terminal (logs and pipes get the summary, not bar frames)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[status]}"),
        console=err,
        transient=transient,
        disable=not err.is_terminal,
    )
