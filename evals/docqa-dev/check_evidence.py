"""Check the development set's evidence with the test set's own checker, pointed at this folder.

Why: ``evals/docqa/check_evidence.py`` reads its documents from its own ``docs/``; its
``check(questions, docs)`` takes the folder, so this wrapper loads that module unchanged and hands
it ``evals/docqa-dev/docs``. Same extraction, same rules (5-25 words, whitespace-normalised,
case-insensitive substring, every word of the answer in the evidence); the test set is not touched.

    python evals/docqa-dev/check_evidence.py            # one line per failure, exit 1 if any
    python evals/docqa-dev/check_evidence.py --stats    # words per file (pages at ~500 words)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE / "docs"
_spec = importlib.util.spec_from_file_location("docqa_check_evidence", HERE.parent / "docqa" / "check_evidence.py")
checker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(checker)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    ap.add_argument("--stats", action="store_true", help="print words per file instead")
    args = ap.parse_args(argv)
    if args.stats:
        total = 0
        for path in sorted(DOCS.iterdir()):
            words = len(checker.extract(path).split())
            total += words
            print(f"{path.name:32} {words:7d} words  ~{words / 500:5.1f} pages")
        print(f"{'total':32} {total:7d} words  ~{total / 500:5.1f} pages")
        return 0
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    problems = checker.check(questions, DOCS)
    for p in problems:
        print(p)
    print(f"{len(questions)} questions, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
