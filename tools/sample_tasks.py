"""A seeded sample of the tasks self-practice generates from some files, per source kind, to be
read and judged by a person ("would anyone ask this?").

Why: the generator's worth is whether its tasks are ones a person would ask; that is judged by
reading them, on files the generator was not written beside. No model is loaded (template
wording, as ``seer practice --auto --tries 0``), so the same files give the same sample, and the
sample can be drawn from two versions of the code with ``PYTHONPATH=<other checkout>``:

    python tools/sample_tasks.py --data a.csv --data b.csv --docs DIR --mcp "python -m mcp_server_time" -n 30 --out sample.md
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", action="append", default=[])
    ap.add_argument("--docs", default=None)
    ap.add_argument("--tools", default=None)
    ap.add_argument("--mcp", action="append", default=[])
    ap.add_argument("-n", type=int, default=30, help="tasks per kind")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None, help="write the sample as Markdown (default: stdout)")
    args = ap.parse_args(argv)

    from seer_cli.practice.generated import generate_tasks
    from seer_cli.toolkits import get_toolkit

    kit = get_toolkit("general", data=args.data, docs=args.docs, tools_file=args.tools, mcp=args.mcp or None,
                      on_warning=lambda m: print(f"warning: {m}", file=sys.stderr))
    try:
        tasks = generate_tasks(kit, seed=args.seed, on_warning=lambda m: print(f"warning: {m}", file=sys.stderr))
    finally:
        kit.close()
    by_kind = defaultdict(list)
    for t in tasks:
        by_kind["tools" if t.kind == "compose" else t.kind].append(t)
    rng = random.Random(args.seed)
    lines = []
    for kind in sorted(by_kind):
        found = by_kind[kind]
        sample = rng.sample(found, min(args.n, len(found)))
        lines.append(f"## {kind}: {len(sample)} of {len(found)} generated\n")
        lines += [f"{i}. {t.question} → `{t.answer}`" for i, t in enumerate(sample, 1)]
        lines.append("")
    text = "\n".join(lines)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
