"""The real-files suite: questions a person asks of real public files, asked through `seer run`.

Why: the newcomer suite's files are made by this project; self-practice (`seer practice --auto`)
must also be measured on files nobody here wrote. ``evals/realfiles/`` holds four tables shipped
inside PyPI packages (Seattle weather, monthly stock prices, US employment by sector, Palmer
penguins), five Debian manual pages and the questions (``questions.jsonl``, written before any
generator run; golds of the tables computed by ``evals/realfiles/make_golds.py``); the MCP
questions use the reference server ``mcp-server-time`` from PyPI (``evals/realfiles/requirements.txt``).
See ``evals/realfiles/README.md`` for the sources, licences and the date rule of the MCP golds.

Each question runs as ``seer run --json --no-learn <its flags> "question"`` in a fresh process, in
a seer home made for the run directory (``DIR/home``, model files from the machine's shared
cache), and is scored as the newcomer suite scores (``found``: the gold is in the reply):

    python tools/realfiles_suite.py run --out runs/rf-before
    python tools/realfiles_suite.py run --out runs/rf-after --auto 30 --tries 0   # practise on all the files first
    python tools/realfiles_suite.py table runs/rf-after runs/rf-before              # paired difference
    python tools/realfiles_suite.py near runs/rf-after                              # generated tasks close to a question

`run` is resumable (one fsync'ed row per question in ``results.jsonl``); ``--kinds data,docs``,
``--ids d01,k01`` or ``--limit N`` run a subset; ``--model`` pins the model (written to
``suite.json``). With ``--auto N`` it first runs ``seer practice --auto N --tries T --json --log
DIR/practice.jsonl`` with every table, the docs folder and every MCP server of the suite (never
its questions) into the run's default pool.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SUITE = ROOT / "evals" / "realfiles"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import suite_harness as nc  # noqa: E402  (found, ask, practise, pin_model, load, summary, table)

from seer_cli.rowlog import RowLog  # noqa: E402

KINDS = ["data", "docs", "mcp", "math"]


def questions(suite: Path = SUITE) -> list[dict]:
    """The suite's questions in file order; ``answer`` is the gold (the newcomer suite's key)."""
    lines = (suite / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [{**q, "answer": q["gold"]} for q in (json.loads(line) for line in lines if line.strip())]


def default_python(seer: str) -> str:
    """The Python the MCP servers run with: the one beside the seer under test (its virtual
    environment, where ``requirements.txt`` was installed), else the one running this script."""
    exe = Path(shlex.split(seer)[0])
    beside = exe.parent / "python"
    return str(beside) if exe.is_absolute() and beside.exists() else sys.executable


def flags(q: dict, python: str, suite: Path = SUITE) -> list[str]:
    """A question's ``seer run`` options with the suite's paths made absolute and ``{python}`` filled in."""
    out, it = [], iter(q["flags"])
    for opt in it:
        val = next(it)
        if opt in ("--data", "--docs", "--tools"):
            val = str((suite / val).resolve())
        elif opt == "--mcp":
            val = val.replace("{python}", shlex.quote(python))
        out += [opt, val]
    return out


def all_flags(qs: list[dict], python: str, suite: Path = SUITE) -> list[str]:
    """Every file of the suite as ``seer practice`` options: each table, docs folder and MCP server once."""
    seen: list[tuple[str, str]] = []
    for q in qs:
        f = flags(q, python, suite)
        for pair in zip(f[::2], f[1::2]):
            if pair not in seen:
                seen.append(pair)
    order = {"--data": 0, "--docs": 1, "--tools": 2, "--mcp": 3}
    return [x for pair in sorted(seen, key=lambda p: (order[p[0]], p[1])) for x in pair]


def environment(out: Path, model: str) -> dict:
    """The run's seer home; the bundled model is assembled once per machine in the shared user
    cache (as tests/conftest.py does), not copied into every run's home."""
    import platformdirs

    return dict(os.environ, SEER_HOME=str(out / "home"), SEER_MODEL=model,
                SEER_CACHE_DIR=os.environ.get("SEER_CACHE_DIR") or platformdirs.user_cache_dir("seer"))


def check_servers(qs: list[dict], python: str) -> None:
    mods = {shlex.split(v)[2] for q in qs for o, v in zip(q["flags"][::2], q["flags"][1::2])
            if o == "--mcp" and shlex.split(v)[1:2] == ["-m"]}
    for mod in sorted(mods):
        if subprocess.run([python, "-c", f"import {mod}"], capture_output=True).returncode != 0:
            raise SystemExit(f"{python} cannot import {mod}: {python} -m pip install -r {SUITE / 'requirements.txt'}")


def select(qs: list[dict], kinds: set[str] | None, ids: set[str] | None, limit: int | None) -> list[dict]:
    qs = [q for q in qs if (not kinds or q["kind"] in kinds) and (not ids or q["id"] in ids)]
    return qs[:limit] if limit else qs


def run(out: Path, seer: str, todo_qs: list[dict], timeout: float, echo=print, auto: int | None = None,
        tries: int = 1, model: str | None = None, python: str | None = None, practice_flags: tuple[str, ...] = (),
        shuffle: int | None = None, suite: Path = SUITE) -> list[dict]:
    out = out.resolve()  # the seer calls run in ``out``: relative paths would point nowhere
    out.mkdir(parents=True, exist_ok=True)
    qs = questions(suite)
    python = python or default_python(seer)
    check_servers(qs if auto else todo_qs, python)
    done = {row["id"]: row for row in nc.load(out, repair=True, qs=qs)} if (out / "results.jsonl").exists() else {}
    model = nc.pin_model(out, model)
    env = environment(out, model)
    echo(f"model: {model}")
    if auto:
        nc.practise(out, seer, [*all_flags(qs, python, suite), *practice_flags], env, auto, tries, echo)
    todo = [q for q in todo_qs if q["id"] not in done]
    if shuffle is not None:  # the same seed gives the same order over the whole suite, whatever is done already
        order = [q["id"] for q in qs]
        random.Random(shuffle).shuffle(order)
        todo.sort(key=lambda q: order.index(q["id"]))
    for n, q in enumerate(todo, 1):
        row = nc.ask(seer, flags(q, python, suite), q, env, out, timeout, model)
        RowLog(out / "results.jsonl").append(row)
        done[q["id"]] = row
        echo(nc.progress_line(n, len(todo), row))
    return [done[q["id"]] for q in qs if q["id"] in done]


def near(out: Path, as_json: bool, suite: Path = SUITE) -> None:
    """How many tasks self-practice generated in this run fall within cosine ``nc.NEAR`` of a suite question."""
    qs = questions(suite)
    sim = nc.practice_similarity(out, qs)
    if sim is None:
        raise SystemExit(f"{out} has no practice.jsonl (a run without --auto)")
    tasks, sims = sim
    pairs = sorted(((float(sims[i, j]), qs[i]["id"], qs[i]["question"], tasks[j])
                    for i in range(len(qs)) for j in range(len(tasks)) if sims[i, j] >= nc.NEAR), reverse=True)
    close_tasks = sorted({t for *_, t in pairs})
    result = {"tasks": len(tasks), "near_tasks": len(close_tasks), "threshold": nc.NEAR,
              "near_questions": sorted({i for _, i, _, _ in pairs}),
              "max_cosine": round(float(sims.max()), 3) if sims.size else None,
              "pairs": [{"cosine": round(c, 3), "id": i, "question": q, "task": t} for c, i, q, t in pairs]}
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(f"{result['near_tasks']} of {result['tasks']} generated tasks are within cosine {nc.NEAR} of a suite question "
          f"({len(result['near_questions'])} questions: {', '.join(result['near_questions']) or 'none'}); "
          f"highest cosine {result['max_cosine']}")
    for p in result["pairs"]:
        print(f"  {p['cosine']:.3f} {p['id']} {p['question']!r} ~ {p['task']!r}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", type=Path, default=SUITE,
                    help="a suite folder of the same layout (questions.jsonl, its files) instead of evals/realfiles")
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="ask the questions through seer run")
    r.add_argument("--out", type=Path, required=True, help="run directory (resumable)")
    r.add_argument("--seer", default=nc.default_seer(), help="the seer command to test (default: the one installed beside this Python)")
    r.add_argument("--python", default=None, help="the Python that runs the MCP servers (default: the one beside --seer, else this one)")
    r.add_argument("--kinds", default="", help="comma-separated subset of " + ",".join(KINDS))
    r.add_argument("--ids", default="", help="comma-separated question ids (e.g. d01,k01,t01)")
    r.add_argument("--limit", type=int, default=None, help="only the first N selected questions")
    r.add_argument("--timeout", type=float, default=900, help="seconds per question")
    r.add_argument("--auto", type=int, default=None, metavar="N",
                   help="first run seer practice --auto N on all the suite's files (never its questions) into the run's pool")
    r.add_argument("--tries", type=int, default=1, help="with --auto: the model's tries per task (0: worked examples only)")
    r.add_argument("--shuffle", type=int, default=None, metavar="SEED",
                   help="ask in a seeded random order (use the same seed for both runs of a comparison): a run cut short "
                        "then holds a sample of every kind, and two such runs share most of their questions")
    r.add_argument("--practice-flag", action="append", default=[], metavar="FLAG",
                   help="with --auto: one more option for seer practice (repeatable), e.g. --practice-flag=--phrase")
    r.add_argument("--model", default=None,
                   help="GGUF path or bundled alias for every seer call (default: $SEER_MODEL, else the best bundled model installed)")
    r.add_argument("--json", action="store_true")
    t = sub.add_parser("table", help="scores of one run, or two runs and their paired difference")
    t.add_argument("dirs", type=Path, nargs="+")
    t.add_argument("--json", action="store_true")
    n = sub.add_parser("near", help="generated practice tasks within cosine 0.9 of a suite question")
    n.add_argument("dir", type=Path)
    n.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    suite = args.suite.resolve()
    if args.cmd == "table":
        if len(args.dirs) > 2:
            ap.error("table takes one or two run directories")
        nc.table(args.dirs, args.json, qs=questions(suite))
        return 0
    if args.cmd == "near":
        near(args.dir, args.json, suite)
        return 0
    split = lambda s: {x.strip() for x in s.split(",") if x.strip()} or None  # noqa: E731
    kinds, ids = split(args.kinds), split(args.ids)
    if kinds and kinds - set(KINDS):
        ap.error(f"unknown kinds {sorted(kinds - set(KINDS))}: choose from {','.join(KINDS)}")
    todo = select(questions(suite), kinds, ids, args.limit)
    if ids and ids - {q["id"] for q in questions(suite)}:
        ap.error(f"unknown ids {sorted(ids - {q['id'] for q in questions(suite)})}")
    rows = run(args.out, args.seer, todo, args.timeout, echo=(lambda *_: None) if args.json else print, auto=args.auto,
               tries=args.tries, model=args.model, python=args.python, practice_flags=tuple(args.practice_flag), shuffle=args.shuffle,
               suite=suite)
    if args.json:
        print(json.dumps(nc.summary(rows), indent=2))
    else:
        nc.table([args.out], False, qs=questions(suite))
    return 0


if __name__ == "__main__":
    sys.exit(main())
