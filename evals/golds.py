"""Check (or write) a suite's computed table golds against its ``questions.jsonl``: the one
``main`` every ``evals/<set>/make_golds.py`` ends with.

Why: each held-out set computes its own golds from its own files (that part is the set's), but
checking them against the committed questions is the same for every set, and eleven copies of it
had drifted (three sets never reported a gold computed for no question).

    python evals/<set>/make_golds.py            # check: exit 1 when a gold differs or is missing
    python evals/<set>/make_golds.py --write    # write the data golds into questions.jsonl
    python evals/<set>/make_golds.py --show     # print every computed gold
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def check_golds(computed: dict[str, str], questions: Path, argv: list[str] | None = None) -> int:
    """Compare ``computed`` (question id -> gold, the ``data`` questions) with ``questions``;
    every other kind's gold is only required to be there. 0 when all agree (prints OK)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="write the computed data golds into questions.jsonl")
    ap.add_argument("--show", action="store_true", help="print every gold")
    args = ap.parse_args(argv)
    qs = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    bad = 0
    for q in qs:
        want = computed.get(q["id"]) if q["kind"] == "data" else q["gold"]
        if args.show:
            print(f"{q['id']}: {want}   {q['question']}")
        if q["kind"] == "data" and args.write:
            q["gold"] = want
        elif not want or str(q["gold"]) != str(want):
            print(f"{q['id']}: gold {q['gold']!r}, computed {want!r}", file=sys.stderr)
            bad += 1
    if missing := sorted(set(computed) - {q["id"] for q in qs}):
        print(f"computed but not asked: {missing}", file=sys.stderr)
        bad += 1
    if args.write:
        questions.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in qs), encoding="utf-8")
        return 0
    if not bad:
        print("OK")
    return 1 if bad else 0
