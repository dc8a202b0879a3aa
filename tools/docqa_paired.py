"""Passage hit@3 per question for dense, BM25 and RRF (k=60 and k=10) on a docqa-format set, with
the paired differences (bootstrap 95 % interval, exact McNemar p).

Why: ``bench_docqa.py fusion`` prints totals; a choice between fusions needs the paired view on
the same questions. It reads the home's cached dense index (``bench_docqa.py fusion --home H``
builds it) and writes one row per question.

    python tools/docqa_paired.py evals/docqa-dev/docs evals/docqa-dev/questions.jsonl HOME dev-hits.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_docqa as bd  # noqa: E402  (a sibling script: its evidence matching)

from seer_cli.evals.scoring import mcnemar, paired_bootstrap  # noqa: E402
from seer_cli.toolkits.general import GeneralToolkit  # noqa: E402
from seer_cli.toolkits.retrieval import CANDIDATES, fuse  # noqa: E402


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
    for x, y in (("k10", "dense"), ("k10", "k60"), ("k10", "bm25")):
        a, b = [r[x] for r in rows], [r[y] for r in rows]
        diff, lo, hi = paired_bootstrap(a, b)
        up, down = sum(p and not q for p, q in zip(a, b)), sum(q and not p for p, q in zip(a, b))
        print(f"{x} - {y}: {sum(a)} vs {sum(b)} of {len(rows)}: {100 * diff:+.0f} points [{100 * lo:+.0f}, {100 * hi:+.0f}], "
              f"{up} vs {down} discordant, McNemar p = {mcnemar(a, b):.3g}")
    out.write_text(json.dumps(rows, indent=0))


if __name__ == "__main__":
    main()
