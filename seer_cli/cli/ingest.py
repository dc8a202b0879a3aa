"""``seer ingest``: grow a pool from trajectory files people already have.

The command is thin: :func:`seer_cli.pool.formats.read_files` reads and validates every file
first (nothing is written while reading), then one ``pool.add()`` batch adds the good records,
so an ingest is all-or-nothing: with any invalid record and no ``--skip-invalid`` the pool is
left byte-for-byte as it was and every problem is listed as ``file:line: reason`` on stderr.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Annotated, Any, Optional

import typer

from ..errors import UserError
from .console import emit_json, err, out, progress, warn
from .options import JsonFlag, PoolOpt


def ingest(
    files: Annotated[list[str], typer.Argument(help="Files to read (seer JSONL, OpenAI chat logs, library.json); - reads stdin.", show_default=False)],
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="Force a format for every file: seer, openai, library (default: detected per file).")] = None,
    include_failures: Annotated[bool, typer.Option("--include-failures", help="Also add trajectories marked as failed (otherwise counted as skipped).")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Add the valid records even when some are invalid (otherwise nothing is added).")] = False,
    assume_success: Annotated[bool, typer.Option("--assume-success", help="Treat OpenAI records without a success flag as successful.")] = False,
    pool: PoolOpt = None,
    json_out: JsonFlag = False,
):
    """Add successful trajectories from files to a pool, atomically.

    Failed conversations (unless --include-failures) and conversations without tool calls are
    skipped and counted; a malformed record is an error.

    Formats are detected per file (extension, first character, keys of the first record);
    docs/formats/ has one example of each. Every file is validated before anything is written.

    Example: seer ingest runs.jsonl docs/formats/example-library.json --skip-invalid
    """
    from ..config import load_settings
    from ..pool import Pool
    from ..pool.formats import read_files

    started = time.perf_counter()
    with _bar() as bar:
        tasks: dict[str, int] = {}

        def on_read(label: str, done: int, total: int | None) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(f"reading {label}", total=total, status="")
            bar.update(tasks[label], completed=done)

        result = read_files(
            files, format=format, assume_success=assume_success, include_failures=include_failures, on_progress=on_read
        )
    for problem in result.errors:
        err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    if result.errors and not skip_invalid:
        n = len(result.errors)
        raise UserError(f"{n} invalid record{'s' if n > 1 else ''}; nothing was added (--skip-invalid adds the valid ones)")

    added: list[str] = []
    duplicates = near_duplicates = 0
    pool_path = None
    if result.experiences:
        p = Pool.open(pool, load_settings(), on_warning=warn)
        pool_path = str(p.path)
        known = set(p.ids)  # skip embedding what the pool already holds (add() would drop it anyway)
        fresh = [e for e in result.experiences if e.id not in known]
        duplicates = len(result.experiences) - len(fresh)
        with _bar() as bar:
            task = bar.add_task("embedding and adding", total=len(fresh), status="")
            res = p.add(fresh, on_progress=lambda done, total=None: bar.update(task, completed=done))
        added, duplicates, near_duplicates = list(res.added), duplicates + res.duplicates, res.near_duplicates
    summary: dict[str, Any] = {
        "read": result.read,
        "added": len(added),
        "duplicates": duplicates,
        "near_duplicates": near_duplicates,
        "rejected": len(result.errors),
        "skipped": len(result.skipped),
        "skipped_reasons": dict(Counter(reason for _, reason in result.skipped)),
        "skipped_records": [f"{where}: {reason}" for where, reason in result.skipped],
        "seconds": round(time.perf_counter() - started, 3),
        "formats": result.formats,
        "pool": pool_path,
        "added_ids": added,
        "errors": [str(e) for e in result.errors],
    }
    if json_out:
        emit_json(summary)
        return
    from rich.table import Table

    table = Table(title=f"ingested into {pool_path}" if pool_path else "nothing to add")
    for name in ("read", "added", "duplicates", "near_duplicates", "rejected", "skipped", "seconds"):
        table.add_column(name.replace("_", "-"), justify="right")
    table.add_row(*(str(summary[k]) for k in ("read", "added", "duplicates", "near_duplicates", "rejected", "skipped", "seconds")))
    out.print(table)
    if summary["skipped"]:
        why = ", ".join(f"{n} {reason}" for reason, n in summary["skipped_reasons"].items())
        err.print(f"skipped {summary['skipped']} ({why}; --json lists them)", markup=False, highlight=False)


def _bar():
    """A transient progress bar, silent when stderr is not a terminal (Rich would print a blank line)."""
    bar = progress(transient=True)
    bar.disable = not err.is_terminal
    return bar
