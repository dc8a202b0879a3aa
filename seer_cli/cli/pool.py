"""``seer pool ...``: look inside a pool and maintain it.

Each command opens the pool, calls one :class:`seer_cli.pool.Pool` method and renders the
result (Rich tables on stdout, or ``--json``); the work itself lives in the library.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import UserError
from .console import emit_json, err, out, warn
from .options import JsonFlag, PoolOpt, TopK

#: Files derived from experiences.jsonl (see docs/DESIGN.md); ``rebuild`` deletes and remakes them.
DERIVED = ("vectors-trajectory.f32", "vectors-question.f32", "index-trajectory.hnsw", "index-question.hnsw", "meta.json")

app = typer.Typer(no_args_is_help=True, help="Inspect and maintain experience pools.")


def _open(pool: str | None):
    """Open an existing pool. Only the default pool comes into being on first use (seeded from the
    shipped seed); any other name or path that holds no pool is an error, and nothing is created."""
    from ..config import load_settings
    from ..pool import Pool
    from ..pool.locate import resolve
    from ..pool.seeds import default_seed_for

    settings = load_settings()
    _, name = resolve(pool, settings)
    return Pool.open(pool, settings, on_warning=warn, create=default_seed_for(name) is not None)


def _table(title: str, rows: list[tuple], columns: list[str]):
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for i, c in enumerate(columns):
        table.add_column(c, justify="right" if i and all(isinstance(r[i], (int, float)) for r in rows) else "left")
    for r in rows:
        table.add_row(*(f"{v:.3f}" if isinstance(v, float) else str(v) for v in r))
    return table


@app.command("stats")
def stats(pool: PoolOpt = None, json_out: JsonFlag = False):
    """What a pool holds: counts, intents, tools, success sources, files.

    Example: seer pool stats --pool default --json
    """
    from ..practice.ledger import Ledger

    p = _open(pool)
    info = p.stats()
    ledger = Ledger.from_experiences(p.experiences())
    if ledger.total():  # the coverage ledger of self-practice: what seer has taught itself
        info["self_practice"] = ledger.to_dict()
    if json_out:
        emit_json(info)
        return
    scalars = [(k, v) for k, v in info.items() if not isinstance(v, (dict, list))]
    out.print(_table("pool", scalars, ["", "value"]))
    for key, value in info.items():
        if key == "self_practice":
            _render_coverage(value)
        elif isinstance(value, dict) and value:
            rows = [(k, v if not isinstance(v, (dict, list)) else str(v)) for k, v in value.items()]
            unit = "bytes" if key.startswith("disk") else "count" if all(isinstance(v, int) for _, v in rows) else "value"
            out.print(_table(key, rows, [key, unit]))


def _render_coverage(cov: dict) -> None:
    """The self-practice ledger: per table its columns, then operations, documents and tools."""
    rows = [(f"table {t}", f"{n} ({', '.join(f'{c} {k}' for c, k in sorted(cov['columns'].get(t, {}).items()))})")
            for t, n in cov["tables"].items()]
    rows += [(f"document {d}", n) for d, n in cov["documents"].items()]
    rows += [(f"tool {t}", n) for t, n in cov["tools"].items()]
    rows += [(f"operation {o}", n) for o, n in sorted(cov["operations"].items())]
    rows += [(f"made by {m}", n) for m, n in cov["made_by"].items()]
    out.print(_table(f"self-practice coverage ({cov['experiences']} verified experiences)", rows, ["what", "experiences"]))


@app.command("rebuild")
def rebuild(pool: PoolOpt = None, json_out: JsonFlag = False):
    """Rebuild the derived files (vectors, indexes, meta) from experiences.jsonl.

    Example: seer pool rebuild --pool default
    """
    from ..config import load_settings
    from ..pool import Pool
    from ..pool.locking import write_lock

    settings = load_settings()
    p = _open(pool)
    path = p.path
    p.close()
    with write_lock(path, settings):  # a pool held by another process: one line (PoolLocked), no traceback
        for f in DERIVED:
            (path / f).unlink(missing_ok=True)
    p = Pool.open(path, settings, on_warning=lambda m: None, create=False)
    p.build_indexes()
    if json_out:
        emit_json({"pool": str(path), "entries": len(p), "index": p.stats()["index"]})
    else:
        out.print(f"rebuilt {path}: {len(p)} experiences re-embedded and indexed")


@app.command("export")
def export(
    out_file: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write here (atomically) instead of stdout.", dir_okay=False)] = None,
    pool: PoolOpt = None,
):
    """Write every experience as seer JSONL (what `seer ingest` reads back).

    Example: seer pool export --out backup.jsonl
    """
    p = _open(pool)
    if out_file is None:
        p.export(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    target = out_file.expanduser().resolve()
    if not target.parent.is_dir():
        raise UserError(f"{out_file}: directory {target.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            p.export(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    err.print(f"exported {len(p)} experiences to {out_file}")


@app.command("show")
def show(
    exp_id: Annotated[str, typer.Argument(metavar="ID", help="Experience id (a unique prefix is enough).")],
    pool: PoolOpt = None,
    json_out: JsonFlag = False,
):
    """Show one whole trajectory: question, every thought, call and observation, the answer.

    Example: seer pool show 439f5372
    """
    from ..pool.records import call_text

    p = _open(pool)
    exp = p.get(exp_id)
    if exp is None:
        matches = [i for i in p.ids if i.startswith(exp_id)] if exp_id else []
        if len(matches) != 1:
            why = f"{len(matches)} ids start with it" if matches else "no such id"
            raise UserError(f"{exp_id!r}: {why} in pool {p.path}")
        exp = p.get(matches[0])
    if json_out:
        emit_json(exp.to_dict())
        return
    from rich.markup import escape

    out.print(f"[bold]{escape(exp.question)}[/]")
    out.print(f"id {exp.id}  intent {exp.intent}  success {exp.success_source}  origin {escape(exp.origin)}  model {exp.model}  {exp.created_at}")
    for n, s in enumerate(exp.steps, 1):
        if s.thought:
            out.print(f"[dim]{n}. thought:[/] {escape(s.thought)}")
        out.print(f"[cyan]{n}. call:[/] {escape(call_text(s.tool, s.args))}")
        if s.observation:
            out.print(f"[dim]{n}. observation:[/] {escape(s.observation)}")
    out.print(f"[bold green]answer:[/] {escape(exp.answer)}")


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Question or trajectory text to match.")],
    k: TopK = 5,
    space: Annotated[str, typer.Option("--space", help="Match against 'trajectory' or 'question' vectors.")] = "trajectory",
    pool: PoolOpt = None,
    json_out: JsonFlag = False,
):
    """The experiences most similar to a text, with their cosine scores.

    Example: seer pool search "average speed of a cyclist" -k 3
    """
    if space not in ("trajectory", "question"):
        raise UserError(f"--space: must be trajectory or question, got {space!r}")
    hits = _open(pool).search(text, k=k, space=space)
    if json_out:
        emit_json([{"id": e.id, "score": float(s), "intent": e.intent, "tools": e.tools, "question": e.question} for e, s in hits])
        return
    rows = [(n, float(s), e.id, e.intent, " > ".join(e.tools), e.question) for n, (e, s) in enumerate(hits, 1)]
    out.print(_table(f"top {k} for {text!r}", rows, ["#", "score", "id", "intent", "tools", "question"]))


@app.command("prune")
def prune(
    dedup: Annotated[bool, typer.Option("--dedup", help="Drop near-duplicate trajectories (keep the first).")] = False,
    max_size: Annotated[Optional[int], typer.Option("--max-size", min=0, help="Keep at most N experiences (the most recalled, then newest).")] = None,
    older_than: Annotated[Optional[float], typer.Option("--older-than", min=0, help="Drop experiences created more than DAYS ago.", metavar="DAYS")] = None,
    never_recalled: Annotated[bool, typer.Option("--never-recalled", help="Drop experiences that were never recalled.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be removed; change nothing.")] = False,
    pool: PoolOpt = None,
    json_out: JsonFlag = False,
):
    """Remove experiences by rule (atomic rewrite); prints what was removed.

    Example: seer pool prune --dedup --older-than 90 --dry-run
    """
    if not (dedup or max_size is not None or older_than is not None or never_recalled):
        raise UserError("prune: give at least one rule: --dedup, --max-size N, --older-than DAYS, --never-recalled")
    from datetime import timedelta

    p = _open(pool)
    before = p.experiences()
    res = p.prune(
        dedup=dedup,
        max_size=max_size,
        older_than=timedelta(days=older_than) if older_than is not None else None,
        never_recalled=never_recalled,
        dry_run=dry_run,
    )
    kept = set(p.ids) if not dry_run else None
    removed = [e for e in before if kept is not None and e.id not in kept]
    if json_out:
        emit_json({"dry_run": dry_run, "kept": res.kept, "removed": res.removed, "reasons": res.reasons, "removed_ids": [e.id for e in removed]})
        return
    verb = "would remove" if dry_run else "removed"
    why = ", ".join(f"{n} by {rule}" for rule, n in res.reasons.items() if n) or "no rule matched"
    out.print(f"{verb} {res.removed} of {len(before)} experiences ({why}); {res.kept} kept")
    if removed:
        out.print(_table("removed", [(e.id, e.intent, e.question) for e in removed], ["id", "intent", "question"]))


@app.command("list")
def list_pools(json_out: JsonFlag = False):
    """The pools on this machine, with their sizes.

    Example: seer pool list --json
    """
    from ..config import load_settings
    from ..pool import Pool

    pools = Pool.list_pools(load_settings())
    if json_out:
        emit_json(pools)
        return
    if not pools:
        out.print("no pools yet (the default one is created on first use)")
        return
    keys = list(pools[0]) if isinstance(pools[0], dict) else ["name"]
    rows = [tuple(d.get(k, "") for k in keys) if isinstance(d, dict) else (d,) for d in pools]
    out.print(_table("pools", rows, keys))


def _pool_dir(pool: str | None):
    from ..config import load_settings
    from ..errors import PoolError
    from ..pool.locate import resolve

    settings = load_settings()
    path, _ = resolve(pool, settings)
    if not (path / "experiences.jsonl").is_file():
        raise PoolError(f"pool {pool or settings.pool} does not exist ({path})")
    return path, settings


@app.command("check")
def check(pool: PoolOpt = None, json_out: JsonFlag = False):
    """Verify every committed line and the derived files; exit 1 on damage, one line per problem.

    Example: seer pool check --pool default
    """
    from ..pool.check import check_pool

    path, _ = _pool_dir(pool)
    report = check_pool(path)
    if json_out:
        emit_json(report.to_dict())
    else:
        for note in report.notes:
            err.print(f"note: {note}", markup=False, highlight=False)
        for problem in report.problems:
            out.print(str(problem), markup=False, highlight=False)
        if report.ok:
            out.print(f"ok: {path}: {report.entries} entries, derived files consistent", markup=False, highlight=False)
    if not report.ok:
        n = len(report.problems)
        err.print(f"{n} problem{'s' if n > 1 else ''} in {path}; run: seer pool repair --pool {path}", markup=False, highlight=False)
        raise typer.Exit(1)


@app.command("repair")
def repair(pool: PoolOpt = None, json_out: JsonFlag = False):
    """Move damaged lines to quarantine.jsonl, keep the rest (crash-safe rewrite), rebuild derived files.

    A line edited outside seer that is still a valid record (a thought, an observation) is kept as
    it is now, and named.

    Example: seer pool repair --pool default
    """
    from ..pool.repair import repair_pool

    path, settings = _pool_dir(pool)
    with err.status("Checking and repairing…"):
        res = repair_pool(path, settings, on_warning=warn)
    if json_out:
        emit_json(res.to_dict())
        return
    if not res.rebuilt:
        out.print(f"nothing to repair: {path}: {res.kept} entries, derived files consistent", markup=False, highlight=False)
        return
    for p in res.quarantined:
        out.print(f"quarantined {p}", markup=False, highlight=False)
    for p in res.kept_changed:
        out.print(f"kept {p}", markup=False, highlight=False)
    where = f" (moved to {res.quarantine_file})" if res.quarantine_file else ""
    how = "stored vectors reused" if res.reused_vectors else "re-embedded"
    out.print(f"repaired {path}: kept {res.kept} entries, quarantined {len(res.quarantined)} lines{where}; "
              f"derived files rebuilt ({how})", markup=False, highlight=False)

