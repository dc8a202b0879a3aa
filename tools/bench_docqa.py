"""Dense vs hybrid vs BM25 retrieval on the docqa set: passage recall, then whole episodes.

Why: hybrid retrieval (``SEER_RETRIEVAL=hybrid``, BM25 fused with the dense ranking) costs a second
index and a dependency; it is worth keeping only if it finds the passage a question needs more often
than dense alone, and if the model then answers more questions. ``evals/docqa/`` holds 50 questions
over 14 real documents (PDF, HTML, DOCX, Markdown, text), each with a short verbatim ``evidence``.

* ``recall``: for each mode, a child process with ``SEER_RETRIEVAL=<mode>`` and a fresh cache builds
  ``GeneralToolkit(docs=DIR)`` (timed: reading the files, then indexing) and calls its ``Retrieve``
  tool with each question's text as the query (timed). A hit at 3: the evidence is inside the
  observation (its 3 passages); at 1: inside the first passage. Evidence and observation are
  compared lower-cased with all whitespace removed (readers differ in the spaces they put around
  inline HTML tags and PDF line ends), and also with whitespace collapsed to one space (``strict``).
* ``e2e``: ``seer run --docs DIR --json --no-learn "<question>"`` per question and mode, one process
  at a time, in one seer home made once, modes alternating per question on a seeded shuffle so a
  run cut short still holds pairs; one fsync'ed row per episode (resumable); ``--until HH:MM``
  (UTC) starts no episode after that time. The home's document index is built first, untimed
  (:func:`prepare`), so no episode pays for it. Scored by seer's ``lenient_match`` and by containment
  (the gold's words in order in the reply, ``suite_harness.found``).
* ``reach``: where each evidence lies in seer's passages (inside one, split across two, or not in
  the text seer's readers yield), beside each mode's hit from a ``recall`` folder.
* ``fusion``: a what-if on the same BM25 and dense candidate lists fused other ways (tuned on
  this set: a lead, not a result).
* ``table``: accuracy per mode, the paired difference with a bootstrap interval and McNemar's p.

    python tools/bench_docqa.py recall --out runs/docqa-recall
    python tools/bench_docqa.py e2e --out runs/docqa-e2e.jsonl --home /work/seer-home-docqa --until 00:30
    python tools/bench_docqa.py table runs/docqa-e2e.jsonl
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SET = ROOT / "evals" / "docqa"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from seer_cli.evals.scoring import lenient_match, mcnemar, paired_bootstrap, wilson  # noqa: E402
from seer_cli.rowlog import RowLog  # noqa: E402

MODES = ["dense", "hybrid", "bm25"]
KINDS = ["exact", "paraphrase"]


def questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def compact(text: str) -> str:
    return "".join(str(text).split()).lower()


def spaced(text: str) -> str:
    return " ".join(str(text).split()).lower()


def contains(evidence: str, text: str, *, strict: bool = False) -> bool:
    """The evidence is inside ``text`` (whitespace removed; ``strict``: collapsed to one space)."""
    return spaced(evidence) in spaced(text) if strict else compact(evidence) in compact(text)


# --- recall: one child process per mode ---------------------------------------------------------

def recall_mode(mode: str, docs: Path, qs: list[dict]) -> dict:
    """In this process (``SEER_RETRIEVAL`` already set by the parent): build the toolkit, time it,
    ask every question through ``Retrieve``; returns timings and one row per question."""
    from seer_cli.config import load_settings
    from seer_cli.errors import ToolCallError
    from seer_cli.toolkits.general import GeneralToolkit

    def retrieve(query: str) -> str:
        try:
            return kit.call("Retrieve", {"query": query})
        except ToolCallError:  # bm25: no passage shares a word with the query, a miss
            return ""

    assert load_settings().retrieval == mode, f"SEER_RETRIEVAL={os.environ.get('SEER_RETRIEVAL')} but mode {mode}"
    t0 = time.perf_counter()
    kit = GeneralToolkit(docs=docs)
    kit.documents()
    t_read = time.perf_counter() - t0
    kit.prepare()  # chunks and indexes (dense: embeds every passage, BM25: in memory)
    t_index = time.perf_counter() - t0 - t_read
    retrieve("warm-up")  # the first query loads the stemmer / hnsw ef: not a question's cost
    rows = []
    for q in qs:
        start = time.perf_counter()
        obs = retrieve(q["question"])
        ms = 1000 * (time.perf_counter() - start)
        hits = kit.search_documents(q["question"], 3)
        first = f"{hits[0].citation()} {hits[0].text}" if hits else ""
        if first and not obs.startswith(first):
            raise RuntimeError(f"{q['id']}: the observation does not start with the first search hit")
        rows.append({"id": q["id"], "kind": q["kind"], "file": q["file"], "mode": mode, "ms": round(ms, 1),
                     "hit3": contains(q["evidence"], obs), "hit1": contains(q["evidence"], first),
                     "hit3_strict": contains(q["evidence"], obs, strict=True),
                     "cited": [h.citation() for h in hits]})
    passages = len(kit._doc_search().chunks)
    kit.close()
    return {"mode": mode, "read_s": round(t_read, 2), "index_s": round(t_index, 2), "passages": passages, "rows": rows}


def reach(docs: Path, qs: list[dict], out: Path | None) -> None:
    """Which evidences lie inside one passage at all (as seer's readers and chunker cut the files):
    a question whose evidence no passage holds is a miss in every mode, whatever the ranking."""
    from seer_cli.toolkits.chunks import chunk_document
    from seer_cli.toolkits.general import GeneralToolkit

    with tempfile.TemporaryDirectory(prefix="docqa-reach-") as tmp:
        kit = GeneralToolkit(docs=docs, cache_dir=tmp, retrieval="bm25")
        chunks = [c for d in kit.documents() for c in chunk_document(d)]
    rows = {}
    if out:
        rows = {m: {r["id"]: r for r in json.loads((out / f"{m}.json").read_text())["rows"]}
                for m in MODES if (out / f"{m}.json").exists()}
    for q in qs:
        inside = [c for c in chunks if c.file == q["file"] and contains(q["evidence"], c.text)]
        whole = compact(q["evidence"]) in compact(" ".join(c.text for c in chunks if c.file == q["file"]))
        hits = " ".join(f"{m}:{'@1' if r[q['id']]['hit1'] else '@3' if r[q['id']]['hit3'] else '-'}" for m, r in rows.items())
        where = inside[0].citation() if inside else ("split across passages" if whole else "not in the text seer reads")
        print(f"{q['id']} {q['kind']:10} {hits:30} {where}")


def fusion(docs: Path, qs: list[dict], home: Path) -> None:
    """What-if: hit@3 when the same BM25 and dense top-20 lists are fused with other RRF constants
    or a weight on BM25's ranks. Run it on the development set (``evals/docqa-dev/``) to choose;
    on the test set it is only a lead."""
    from seer_cli.toolkits.general import GeneralToolkit
    from seer_cli.toolkits.retrieval import CANDIDATES

    kit = GeneralToolkit(docs=docs, cache_dir=home / "cache", retrieval="hybrid")
    search = kit._doc_search()
    lists = [([i for i, _ in search.dense.search(q["question"], CANDIDATES)],
              [i for i, _ in search.bm25.search(q["question"], CANDIDATES)]) for q in qs]
    grid = [(k, w) for k in (1, 5, 10, 20, 60) for w in (0.5, 1, 2, 3)] + [(60, 0), (60, 1e9)]
    for k, w in grid:
        hits = []
        for q, (dense, bm25) in zip(qs, lists):
            score: dict[int, float] = {}
            for weight, ranking in ((1, dense), (w, bm25)):
                for rank, i in enumerate(ranking, 1):
                    score[i] = score.get(i, 0.0) + weight / (k + rank)
            top = sorted(score, key=lambda i: -score[i])[:3]
            hits.append(any(contains(q["evidence"], search.chunks[i].text) for i in top))
        by = {kind: sum(h for h, q in zip(hits, qs) if q["kind"] == kind) for kind in KINDS}
        print(f"RRF k={k}, BM25 weight {w:g}: hit@3 {sum(hits)}/{len(qs)} (exact {by['exact']}, paraphrase {by['paraphrase']})")
    import numpy as np  # dense alone, hnswlib (approximate) against every passage scored (exact)

    vecs = np.asarray(search.dense.index.get_items(list(range(len(search.chunks)))), dtype=np.float32)
    approx = exact = same = 0
    for q, (dense, _) in zip(qs, lists):
        top = list(np.argsort(-(vecs @ np.asarray(search.dense.embedder.embed(q["question"]), dtype=np.float32)))[:3])
        exact += any(contains(q["evidence"], search.chunks[i].text) for i in top)
        approx += any(contains(q["evidence"], search.chunks[i].text) for i in dense[:3])
        same += [int(i) for i in top] == dense[:3]
    print(f"dense alone: hnswlib hit@3 {approx}/{len(qs)}, exact scan hit@3 {exact}/{len(qs)}, same top 3 for {same}")


def recall(out: Path, docs: Path, qpath: Path, modes: list[str]) -> list[dict]:
    """Each mode in its own child process with a fresh cache (so indexing is timed, never read back)."""
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for mode in modes:
        with tempfile.TemporaryDirectory(prefix=f"docqa-{mode}-") as tmp:
            env = dict(os.environ, SEER_RETRIEVAL=mode, SEER_THREADS="1", SEER_HOME=tmp, SEER_CACHE_DIR=f"{tmp}/cache")
            cmd = [sys.executable, str(Path(__file__).resolve()), "_recall-mode", mode, "--docs", str(docs),
                   "--questions", str(qpath), "--json-out", str(out / f"{mode}.json")]
            p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"recall {mode}: child failed:\n{p.stderr[-2000:]}")
        results.append(json.loads((out / f"{mode}.json").read_text()))
        print(f"{mode}: read {results[-1]['read_s']} s, index {results[-1]['index_s']} s", file=sys.stderr)
    print_recall(results)
    return results


def _pct(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k}/{n} = {100 * k / n:.0f} % [{lo:.0f}, {hi:.0f}]" if n else "-"


def _paired(a: list[bool], b: list[bool]) -> str:
    """``a`` vs ``b`` on the same questions: difference in points, discordant counts, McNemar p."""
    only_a = sum(x and not y for x, y in zip(a, b))
    only_b = sum(y and not x for x, y in zip(a, b))
    d, lo, hi = paired_bootstrap(a, b)
    return (f"{100 * d:+.0f} points [{100 * lo:+.0f}, {100 * hi:+.0f}], {only_a} only first / {only_b} only second, "
            f"McNemar p = {mcnemar(a, b):.3g}")


def print_recall(results: list[dict]) -> None:
    by_mode = {r["mode"]: r for r in results}
    print("| mode | passages | read s | index s | query ms (median, max) | recall@3, all | exact | paraphrase | recall@1 | recall@3 strict |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        rows = r["rows"]
        ms = sorted(x["ms"] for x in rows)
        cells = [_pct(sum(x["hit3"] for x in rows), len(rows))]
        for kind in KINDS:
            sub = [x for x in rows if x["kind"] == kind]
            cells.append(_pct(sum(x["hit3"] for x in sub), len(sub)))
        cells.append(_pct(sum(x["hit1"] for x in rows), len(rows)))
        cells.append(_pct(sum(x["hit3_strict"] for x in rows), len(rows)))
        print(f"| {r['mode']} | {r['passages']} | {r['read_s']} | {r['index_s']} | {ms[len(ms) // 2]:.0f}, {ms[-1]:.0f} | "
              + " | ".join(cells) + " |")
    for other in ("dense", "bm25"):
        if "hybrid" in by_mode and other in by_mode:
            h = {x["id"]: x for x in by_mode["hybrid"]["rows"]}
            o = {x["id"]: x for x in by_mode[other]["rows"]}
            for kind in ["all", *KINDS]:
                ids = [i for i in h if kind == "all" or h[i]["kind"] == kind]
                for at in ("hit3", "hit1"):
                    print(f"hybrid vs {other}, {kind}, {at}: {_paired([h[i][at] for i in ids], [o[i][at] for i in ids])}")


# --- e2e: whole episodes through seer run --------------------------------------------------------

def _order(qs: list[dict], modes: list[str], seed: int) -> list[tuple[dict, str]]:
    """A seeded shuffle of the questions; each question asked in every mode, the first mode alternating."""
    qs = list(qs)
    random.Random(seed).shuffle(qs)
    plan = []
    for i, q in enumerate(qs):
        rot = modes[i % len(modes):] + modes[:i % len(modes)]
        plan += [(q, m) for m in rot]
    return plan


def _episode(seer: str, docs: Path, q: dict, mode: str, home: Path, timeout: float) -> dict:
    from suite_harness import found, run_seer

    env = dict(os.environ, SEER_RETRIEVAL=mode, SEER_THREADS="1", SEER_HOME=str(home))
    cmd = shlex.split(seer) + ["run", "--docs", str(docs), "--json", "--no-learn", q["question"]]
    rc, stdout, stderr, seconds = run_seer(cmd, env, home, timeout)
    row = {"id": q["id"], "kind": q["kind"], "mode": mode, "question": q["question"], "gold": q["answer"],
           "code": _code_version(), "rc": rc, "seconds": seconds, "reply": None, "error": None}
    try:
        res = json.loads(stdout)
        steps = res.get("experience", {}).get("steps", [])
        observations = [str(s.get("observation", "")) for s in steps if s.get("tool") == "Retrieve"]
        row.update(reply=res.get("answer"), reason=res.get("reason"), tools=[s.get("tool") for s in steps],
                   queries=[(s.get("args") or {}).get("query") for s in steps if s.get("tool") == "Retrieve"],
                   evidence_shown=any(contains(q["evidence"], o) for o in observations),
                   sources=[s.get("citation") for s in res.get("sources") or []])
    except (json.JSONDecodeError, AttributeError):
        lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
        row["error"] = lines[-1][:300] if lines else f"exit {rc}, no output"
    row["found"] = found(row["reply"], q["answer"])
    row["lenient"] = bool(row["reply"] is not None and lenient_match(row["reply"], q["answer"]))
    return row


def _code_version() -> str:
    """The seer under test: HEAD, and '+dirty' when seer_cli/ has uncommitted edits (others work in
    this tree while an e2e run goes on; both modes of a question run back to back on the same code)."""
    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + ("+dirty" if git("status", "--porcelain", "--", "seer_cli") else "")


def _deadline(until: str | None) -> dt.datetime | None:
    if not until:
        return None
    now = dt.datetime.now(dt.timezone.utc)
    h, m = map(int, until.split(":"))
    t = now.replace(hour=h, minute=m, second=0, microsecond=0)
    return t if t > now - dt.timedelta(hours=12) else t + dt.timedelta(days=1)


def prepare(docs: Path, home: Path, mode: str) -> float:
    """Build the home's document index for ``mode`` before any episode, in a child process with no
    time limit: on this folder the first dense index took 12 minutes on the loaded 2-core machine,
    and inside ``seer run`` it used up the episode's timeout (the episode was killed, nothing saved)."""
    env = dict(os.environ, SEER_RETRIEVAL=mode, SEER_THREADS="1", SEER_HOME=str(home))
    code = "import sys; from seer_cli.toolkits.general import GeneralToolkit; GeneralToolkit(docs=sys.argv[1]).prepare()"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(docs)], env=env, check=True, cwd=home)
    return time.perf_counter() - start


def e2e(out: Path, docs: Path, qpath: Path, modes: list[str], seed: int, home: Path, seer: str,
        until: str | None, timeout: float) -> None:
    home.mkdir(parents=True, exist_ok=True)
    for mode in modes:
        print(f"index for {mode} ready in {prepare(docs, home, mode):.1f} s", file=sys.stderr, flush=True)
    log = RowLog(out, key=lambda r: (r["id"], r["mode"]))
    done = log.done(repair=True)
    deadline = _deadline(until)
    plan = _order(questions(qpath), modes, seed)
    for n, (q, mode) in enumerate(plan, 1):
        if (q["id"], mode) in done:
            continue
        if deadline and dt.datetime.now(dt.timezone.utc) >= deadline:
            print(f"stopped at {until} UTC: {len(log.done())} of {len(plan)} episodes done", file=sys.stderr)
            return
        row = _episode(seer, docs, q, mode, home, timeout)
        log.append(row)
        print(f"[{n}/{len(plan)}] {q['id']} {mode:6} {'ok ' if row['found'] else 'no '} {row['seconds']:6.1f}s "
              f"evidence {'shown' if row.get('evidence_shown') else 'not shown'} | {str(row['reply'])[:80]!r}",
              file=sys.stderr, flush=True)


def table(path: Path, first: str = "hybrid", second: str = "dense") -> None:
    rows = RowLog(path, key=lambda r: (r["id"], r["mode"])).rows()
    by = {(r["id"], r["mode"]): r for r in rows}
    ids = sorted({r["id"] for r in rows if (r["id"], first) in by and (r["id"], second) in by})
    print(f"{len(ids)} questions answered in both {first} and {second} ({len(rows)} episodes in all)")
    print("| mode | found (containment) | lenient_match | evidence shown | median s |")
    print("|---|---|---|---|---|")
    for mode in (first, second):
        rs = [by[(i, mode)] for i in ids]
        secs = sorted(r["seconds"] for r in rs) or [0]
        print(f"| {mode} | {_pct(sum(r['found'] for r in rs), len(rs))} | {_pct(sum(r['lenient'] for r in rs), len(rs))} | "
              f"{_pct(sum(bool(r.get('evidence_shown')) for r in rs), len(rs))} | {secs[len(secs) // 2]:.0f} |")
    for kind in ["all", *KINDS]:
        sub = [i for i in ids if kind == "all" or by[(i, first)]["kind"] == kind]
        for score in ("found", "lenient"):
            a = [bool(by[(i, first)][score]) for i in sub]
            b = [bool(by[(i, second)][score]) for i in sub]
            print(f"{first} vs {second}, {kind} (n={len(sub)}), {score}: {_paired(a, b) if sub else '-'}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("recall", "e2e", "_recall-mode", "reach", "fusion"):
        p = sub.add_parser(name)
        p.add_argument("--docs", type=Path, default=SET / "docs")
        p.add_argument("--questions", type=Path, default=SET / "questions.jsonl")
        if name == "_recall-mode":
            p.add_argument("mode", choices=MODES)
            p.add_argument("--json-out", type=Path, required=True)
        elif name == "reach":
            p.add_argument("--out", type=Path, help="a recall folder: show each mode's hit beside it")
        elif name == "fusion":
            p.add_argument("--home", type=Path, default=Path("/work/seer-home-docqa"), help="a seer home whose index is built")
        else:
            p.add_argument("--out", type=Path, required=True, help="recall: a folder; e2e: the rows' JSONL file")
            p.add_argument("--modes", default="dense,hybrid,bm25" if name == "recall" else "dense,hybrid")
    e = sub.choices["e2e"]
    e.add_argument("--seed", type=int, default=20261205)
    e.add_argument("--home", type=Path, default=Path("/work/seer-home-docqa"))
    e.add_argument("--seer", default=str(Path(sys.executable).parent / "seer"))
    e.add_argument("--until", help="HH:MM UTC: start no episode after this time")
    e.add_argument("--timeout", type=float, default=600)
    t = sub.add_parser("table")
    t.add_argument("rows", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "table":
        table(args.rows)
        return 0
    for f in (args.docs, args.questions):
        if not f.exists():
            sys.exit(f"{f}: not found")
    qs = questions(args.questions)
    if args.cmd == "_recall-mode":
        args.json_out.write_text(json.dumps(recall_mode(args.mode, args.docs.resolve(), qs)))
        return 0
    if args.cmd == "reach":
        reach(args.docs.resolve(), qs, args.out)
        return 0
    if args.cmd == "fusion":
        fusion(args.docs.resolve(), qs, args.home.resolve())
        return 0
    modes = args.modes.split(",")
    bad = [m for m in modes if m not in MODES]
    if bad:
        sys.exit(f"--modes: unknown {', '.join(bad)} (use {', '.join(MODES)})")
    if args.cmd == "recall":
        recall(args.out, args.docs.resolve(), args.questions.resolve(), modes)
    else:
        e2e(args.out.resolve(), args.docs.resolve(), args.questions.resolve(), modes, args.seed, args.home.resolve(),
            args.seer, args.until, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
