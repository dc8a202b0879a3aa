"""What the look-first rule can cost on arithmetic: how many maths word problems, asked beside a
user's files, are classified as being about those files.

Why: when the question is about the user's tables, documents or tools, a Finish before any tool
call is refused once (``seer_cli.agent.refusal.LOOK_FIRST_NOTE``), which costs a step. A maths
question is never refused unless its intent comes out as data or docs (or "other" with user tools):
this counts how often that happens, which bounds the cost from above (a refusal also needs the
model to finish at its first step, which it seldom does on arithmetic). No language model is
loaded: the intent comes from the vote of the nearest pool experiences (``nearest_intent``), as
``seer run`` classifies it when the pool holds every intent, then the toolkit's refinement.

    python tools/bench_look_first.py --questions ../shared/toolqa/data/questions/easy/gsm8k-easy.jsonl -n 100 \\
        --data evals/realfiles/data/penguins.csv --docs evals/realfiles/docs

The pool is a fresh copy of the general seed in a temporary directory (the user's pools are not
read); the questions are a seeded sample of the file's lines (``question`` field).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path


class _NoModel:
    """The backend for a pool that lacks an intent: the measurement needs the vote, not a model."""

    def complete(self, *_a, **_k):
        raise SystemExit("the pool lacks an intent, so classifying would need the model: this bench measures the vote only")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=Path, required=True, help="JSON lines with a 'question' field")
    ap.add_argument("-n", type=int, default=100, help="questions sampled (seeded)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", action="append", default=[])
    ap.add_argument("--docs", default=None)
    ap.add_argument("--tools", default=None)
    ap.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args = ap.parse_args(argv)

    from seer_cli.agent.assemble import new_pool_seed
    from seer_cli.agent.intent import classify_intent
    from seer_cli.config import load_settings
    from seer_cli.embedder import get_embedder
    from seer_cli.evals.scoring import wilson
    from seer_cli.pool import Pool
    from seer_cli.toolkits.build import build_toolkit

    lines = [json.loads(s) for s in args.questions.read_text(encoding="utf-8").splitlines() if s.strip()]
    sample = random.Random(args.seed).sample(lines, min(args.n, len(lines)))
    settings = load_settings()
    kit = build_toolkit("general", data=[Path(p) for p in args.data], docs=Path(args.docs) if args.docs else None,
                        tools=Path(args.tools) if args.tools else None, settings=settings)
    embedder = get_embedder()
    intents: Counter[str] = Counter()
    touched, every = [], []
    with tempfile.TemporaryDirectory() as tmp:
        pool = Pool.open(Path(tmp) / "pool", settings, embedder=embedder, seed=new_pool_seed(settings, kit))
        try:
            for q in sample:
                intent, source, _ = classify_intent(_NoModel(), kit, q["question"], pool=pool, embedder=embedder)
                intents[intent] += 1
                every.append({"question": q["question"], "id": q.get("id") or q.get("qid"), "intent": intent, "source": source})
                if kit.needs_lookup(intent):
                    touched.append({"question": q["question"], "intent": intent, "source": source})
        finally:
            pool.close()
            kit.close()
    lo, hi = wilson(len(touched), len(sample))
    result = {"questions": len(sample), "intents": dict(intents), "needs_lookup": len(touched),
              "share": len(touched) / max(1, len(sample)), "wilson95": [lo, hi], "touched": touched,
              "questions_intents": every}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{len(sample)} questions from {args.questions} (seed {args.seed}); intents: "
          + ", ".join(f"{k} {v}" for k, v in intents.most_common()))
    print(f"classified as about the files (a step-1 Finish would be refused once): {len(touched)} "
          f"= {100 * result['share']:.1f} % [Wilson 95 %: {lo:.1f}, {hi:.1f}]")
    for t in touched:
        print(f"  {t['intent']:5} ({t['source']}) {t['question'][:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
