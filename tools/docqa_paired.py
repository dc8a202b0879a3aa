"""Passage hit@3 per question for dense, BM25 and RRF (k=60 and k=10) on a docqa-format set, with
the paired differences (bootstrap 95 % interval, exact McNemar p).

Why: ``bench_docqa.py fusion`` prints totals; a choice between fusions needs the paired view on
the same questions. It reads the home's cached dense index (``bench_docqa.py fusion --home H``
builds it) and writes one row per question.

    python tools/docqa_paired.py evals/docqa-dev/docs evals/docqa-dev/questions.jsonl HOME dev-hits.json
"""

from __future__ import annotations

import json
import random
import sys
from math import comb
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_docqa as bd  # noqa: E402  (a sibling script: its evidence matching)

from seer_cli.toolkits.general import GeneralToolkit  # noqa: E402
from seer_cli.toolkits.retrieval import CANDIDATES, fuse  # noqa: E402


def mcnemar(a: int, b: int) -> float:
    """Exact two-sided McNemar p for a and b discordant pairs."""
    n = a + b
    if n == 0:
        return 1.0
    return min(1.0, 2 * sum(comb(n, i) for i in range(min(a, b) + 1)) / 2 ** n)


def hits(docs: Path, qpath: Path, home: Path) -> list[dict]:
    qs = [json.loads(line) for line in open(qpath)]
    kit = GeneralToolkit(docs=docs, cache_dir=home / "cache", retrieval="hybrid")
    try:
        s = kit._doc_search()
        rows = []
        for q in qs:
            def found(ranking, evidence=q["evidence"]):
                return any(bd.contains(evidence, s.chunks[i].text) for i in ranking[:3])
            d = [i for i, _ in s.dense.search(q["question"], CANDIDATES)]
            b = [i for i, _ in s.bm25.search(q["question"], CANDIDATES)]
            rows.append({"id": q["id"], "kind": q["kind"], "dense": found(d), "bm25": found(b),
                         "k60": found(fuse([d, b], 60)), "k10": found(fuse([d, b], 10))})
        return rows
    finally:
        kit.close()


def main() -> None:
    docs, qpath, home, out = map(Path, sys.argv[1:5])
    rows = hits(docs, qpath, home)
    rng = random.Random(0)
    for x, y in (("k10", "dense"), ("k10", "k60"), ("k10", "bm25")):
        diff = [r[x] - r[y] for r in rows]
        boots = sorted(sum(rng.choice(diff) for _ in diff) / len(diff) for _ in range(10000))
        up, down = sum(d > 0 for d in diff), sum(d < 0 for d in diff)
        print(f"{x} - {y}: {sum(r[x] for r in rows)} vs {sum(r[y] for r in rows)} of {len(rows)}: "
              f"{100 * sum(diff) / len(diff):+.0f} points [{100 * boots[250]:+.0f}, {100 * boots[9750]:+.0f}], "
              f"{up} vs {down} discordant, McNemar p = {mcnemar(up, down):.3g}")
    out.write_text(json.dumps(rows, indent=0))


if __name__ == "__main__":
    main()
