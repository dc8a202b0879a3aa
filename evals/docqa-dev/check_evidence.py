"""Check the development set's evidence with the test set's own checker, pointed at this folder.

Why: the test set's checker (``evals/docqa/check_evidence.py``) reads its own ``docs/`` unless
given ``--docs``; this wrapper runs it on ``evals/docqa-dev``. Same extraction, same rules (5-25
words, whitespace-normalised, case-insensitive substring, every word of the answer in the
evidence); the test set is not touched.

    python evals/docqa-dev/check_evidence.py            # one line per failure, exit 1 if any
    python evals/docqa-dev/check_evidence.py --stats    # words per file (pages at ~500 words)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE / "docs"
_spec = importlib.util.spec_from_file_location("docqa_check_evidence", HERE.parent / "docqa" / "check_evidence.py")
checker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(checker)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    return checker.main(["--docs", str(DOCS), "--questions", str(HERE / "questions.jsonl"), *argv])


if __name__ == "__main__":
    sys.exit(main())
