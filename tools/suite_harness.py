"""What the suites under ``tools/`` share: asking a question through ``seer run`` in a fresh
process, scoring its reply, practising first, and the tables of one run or two.

Why: the newcomer suite (files this project made) and the real-files suites (files it did not
write) must score and run the same way, or their numbers do not compare; this module is that one
way. Each suite keeps only its files, its questions and how it passes them (``--data``, ``--mcp``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from seer_cli.rowlog import RowLog  # noqa: E402

KINDS = ["data", "docs", "tools", "mcp", "math", "code"]

# --- scoring ------------------------------------------------------------------------------

_NUM = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def found(reply: str | None, gold: str) -> bool:
    """The gold is in the reply: a number in it equal to the gold at the gold's precision (commas
    as thousands separators allowed), or the gold's words in order, case-insensitive."""
    if not reply:
        return False
    text = str(reply)
    try:
        g = float(gold)
    except ValueError:
        words = lambda s: re.findall(r"[a-z0-9:]+", s.lower())  # noqa: E731
        gw, rw = " ".join(words(gold)), " ".join(words(text))
        return f" {gw} " in f" {rw} "
    places = len(gold.split(".")[1]) if "." in gold else 0
    for tok in _NUM.findall(text):
        try:
            v = float(tok.replace(",", ""))
        except ValueError:
            continue
        if abs(v - g) < 1e-9 or round(v, places) == g:
            return True
    return False


# --- running ------------------------------------------------------------------------------

def default_seer() -> str:
    """``seer`` beside this Python (a virtual environment's), else this checkout's CLI through it."""
    exe = Path(sys.executable).parent / "seer"
    if exe.exists():
        return shlex.quote(str(exe))
    return f"{shlex.quote(sys.executable)} -c 'from seer_cli.cli import main; main()'"


def practise(out: Path, seer: str, flags: list[str], env: dict, auto: int, tries: int, echo=print) -> dict:
    """``seer practice --auto`` on the suite's files (``flags``: their --data/--docs/--tools/--mcp
    options; never its questions) into the run's default pool, once: resumable through
    ``practice.jsonl``, its summary and wall time in ``practice.json``."""
    done = out / "practice.json"
    if done.exists():
        return json.loads(done.read_text())
    args = ["practice", "--auto", str(auto), "--tries", str(tries), "--json", "--log", str(out / "practice.jsonl"), *flags]
    cmd = shlex.split(seer) + args
    echo(f"self-practice: seer {shlex.join(args)}")
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, cwd=out)
    if p.returncode != 0:
        raise SystemExit(f"seer practice --auto failed (exit {p.returncode}): {p.stderr.strip().splitlines()[-1:]}")
    summary = {**json.loads(p.stdout[p.stdout.index("{"):]), "wall_seconds": round(time.perf_counter() - start, 1),
               "auto": auto, "tries": tries}
    done.write_text(json.dumps(summary, indent=2))
    echo(f"self-practice: {summary['admitted']} of {summary['tasks']} admitted in {summary['wall_seconds']} s")
    return summary


def pin_model(out: Path, model: str | None) -> str:
    """The model a run directory is measured with, written once to ``suite.json``: a resumed run
    with another model is refused, so one table row is never two models. None = the default
    of ``seer run`` (the best bundled model installed, ``$SEER_MODEL`` when set)."""
    from seer_cli.backends.weights import best_installed

    model = model or os.environ.get("SEER_MODEL") or best_installed() or "none installed"
    pinned = out / "suite.json"
    if pinned.exists():
        was = json.loads(pinned.read_text()).get("model")
        if was != model:
            raise SystemExit(f"{out} was run with model {was}, not {model}: use another --out")
    else:
        pinned.write_text(json.dumps({"model": model}))
    return model


def run_seer(cmd: list[str], env: dict, cwd: Path, timeout: float) -> tuple[int | str, str, str, float]:
    """One seer command in a fresh process, no standard input: ``(rc, stdout, stderr, seconds)``,
    rc "timeout" when it ran past ``timeout``."""
    start = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL, cwd=cwd)
        rc, stdout, stderr = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        rc, stdout, stderr = "timeout", "", ""
    return rc, stdout, stderr, round(time.perf_counter() - start, 1)


def ask(seer: str, flags: list[str], q: dict, env: dict, cwd: Path, timeout: float, model: str) -> dict:
    """One question (``q``: id, kind, question, answer) through ``seer run --json --no-learn`` in a
    fresh process run in ``cwd``: its result row, scored (``found``, ``lenient``)."""
    from seer_cli.evals import scoring

    # cwd: the run directory, so a checkout in the caller's directory cannot shadow the seer under test
    rc, stdout, stderr, seconds = run_seer(shlex.split(seer) + ["run", "--json", "--no-learn", *flags, q["question"]], env, cwd, timeout)
    row = {**q, "model": model, "rc": rc, "seconds": seconds, "reply": None, "tools": [], "reason": None, "error": None}
    try:
        res = json.loads(stdout)
        row.update(reply=res.get("answer"), reason=res.get("reason"), intent=res.get("intent"),
                   tools=[s.get("tool") for s in res.get("experience", {}).get("steps", [])],
                   steps=[{k: (str(v)[:300] if k == "observation" else v) for k, v in s.items()}
                          for s in res.get("experience", {}).get("steps", [])],
                   prompt_tokens_evaluated=(res.get("totals") or {}).get("prompt_tokens_evaluated"))
    except (json.JSONDecodeError, AttributeError):
        lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
        row["error"] = lines[-1][:300] if lines else f"exit {rc}, no output"
    row["found"] = found(row["reply"], q["answer"])
    row["lenient"] = bool(row["reply"] is not None and scoring.lenient_match(row["reply"], q["answer"]))
    return row


def progress_line(n: int, total: int, row: dict) -> str:
    mark = "ok " if row["found"] else "-- "
    return (f"[{n}/{total}] {mark}{row['id']} {row['kind']:5} {row['seconds']:6.1f}s  {row['question'][:60]!r} -> "
            f"{(row['reply'] or row['error'] or '')[:60]!r} (gold {row['answer']})")


def load(out: Path, *, repair: bool = False, qs: list[dict]) -> list[dict]:
    """The run's rows in question order (``qs``; the last row of an
    id wins; a torn last line is ignored, or cut off with ``repair=True`` before a resumed run appends)."""
    rows = {row["id"]: row for row in RowLog(out / "results.jsonl").rows(repair=repair)}
    return [rows[q["id"]] for q in qs if q["id"] in rows]


NEAR = 0.9  # a suite question this close (MiniLM cosine) to a generated task is reported apart


def practice_similarity(out: Path, qs: list[dict]):
    """``(tasks, sims)``: the questions of the tasks self-practice generated in this run and the
    MiniLM cosine of each suite question (``qs``) to each task (rows:
    questions); None when the run did not practise."""
    log = out / "practice.jsonl"
    if not log.exists():
        return None
    import numpy as np

    from seer_cli.embedder import get_embedder

    tasks = [r["task"]["question"] for r in RowLog(log).rows()]
    if not tasks:
        return tasks, np.zeros((len(qs), 0))
    emb = get_embedder()
    return tasks, np.asarray(emb.embed_batch([q["question"] for q in qs])) @ np.asarray(emb.embed_batch(tasks)).T


def near_ids(out: Path, qs: list[dict]) -> set[str] | None:
    """Ids of the suite questions within cosine :data:`NEAR` of a task self-practice generated in
    this run (None when the run did not practise), so a gain is not one question asked twice."""
    sim = practice_similarity(out, qs)
    if sim is None:
        return None
    return {q["id"] for q, row in zip(qs, sim[1]) if row.size and row.max() >= NEAR}


def summary(rows: list[dict]) -> dict:
    from seer_cli.evals.scoring import wilson

    out = {}
    for kind in KINDS + ["all"]:
        rs = [r for r in rows if kind == "all" or r["kind"] == kind]
        if not rs:
            continue
        k = sum(r["found"] for r in rs)
        lo, hi = wilson(k, len(rs))
        out[kind] = {"n": len(rs), "found": k, "lenient": sum(r["lenient"] for r in rs),
                     "ci": [round(lo, 1), round(hi, 1)],
                     "seconds": round(sum(r["seconds"] for r in rs) / len(rs), 1)}
    return out


def table(dirs: list[Path], as_json: bool, qs: list[dict]) -> None:
    """Scores of one run, or two and their paired difference, on the questions ``qs``."""
    from seer_cli.evals.scoring import mcnemar, paired_bootstrap

    runs = {str(d): load(d, qs=qs) for d in dirs}
    sums = {name: summary(rows) for name, rows in runs.items()}
    result = {"runs": sums}
    near = set().union(*[n for n in (near_ids(d, qs) for d in dirs) if n is not None]) if any((d / "practice.jsonl").exists() for d in dirs) else None
    if near is not None:  # the questions a generated task came within cosine NEAR of, and the score on the others
        result["near"] = sorted(near)
        result["far"] = {name: summary([r for r in rows if r["id"] not in near]) for name, rows in runs.items()}
    for d in dirs:
        if (d / "practice.json").exists():
            result.setdefault("practice", {})[str(d)] = json.loads((d / "practice.json").read_text())
    if len(dirs) == 2:
        a, b = (runs[str(d)] for d in dirs)
        ids = [r["id"] for r in a if r["id"] in {x["id"] for x in b}]
        fa = [next(r for r in a if r["id"] == i)["found"] for i in ids]
        fb = [next(r for r in b if r["id"] == i)["found"] for i in ids]
        diff, lo, hi = paired_bootstrap(fa, fb)
        result["paired"] = {"n": len(ids), "a_minus_b": round(100 * diff, 1), "ci": [round(100 * lo, 1), round(100 * hi, 1)],
                            "mcnemar_p": round(mcnemar(fa, fb), 3),
                            "only_a": sum(x and not y for x, y in zip(fa, fb)), "only_b": sum(y and not x for x, y in zip(fa, fb))}
    if as_json:
        print(json.dumps(result, indent=2))
        return
    kinds = [k for k in KINDS + ["all"] if any(k in s for s in sums.values())]
    print("| run | model | " + " | ".join(kinds) + " | s/question |")
    print("|---|---|" + "---|" * (len(kinds) + 1))
    for name, s in sums.items():
        cells = [f"{s[k]['found']}/{s[k]['n']}" + (f" [{s[k]['ci'][0]:.0f}–{s[k]['ci'][1]:.0f} %]" if k == "all" else "")
                 if k in s else "" for k in kinds]
        model = json.loads((Path(name) / "suite.json").read_text()).get("model") if (Path(name) / "suite.json").exists() else "?"
        print(f"| {name} | {model} | " + " | ".join(cells) + f" | {s['all']['seconds']} |")
    if "near" in result:
        print(f"\n{len(result['near'])} suite questions have a generated task within cosine {NEAR}: {', '.join(result['near']) or 'none'}; "
              "on the others:")
        for name, s in result["far"].items():
            if "all" in s:
                print(f"  {name}: {s['all']['found']}/{s['all']['n']} " + " ".join(f"{k} {s[k]['found']}/{s[k]['n']}" for k in KINDS if k in s))
    for name, p in result.get("practice", {}).items():
        print(f"\nself-practice in {name}: {p['admitted']} of {p['tasks']} tasks admitted ({p.get('made_by')}), "
              f"{p['solved_by_model']} solved by the model, {p['wall_seconds']} s wall, --auto {p['auto']} --tries {p['tries']}")
    if "paired" in result:
        p = result["paired"]
        print(f"\npaired ({p['n']} questions): {dirs[0]} - {dirs[1]} = {p['a_minus_b']:+.1f} points, "
              f"95 % bootstrap CI [{p['ci'][0]:+.1f}, {p['ci'][1]:+.1f}], McNemar p = {p['mcnemar_p']} "
              f"({p['only_a']} only in the first, {p['only_b']} only in the second)")
