"""Does recall bring self-practised experiences to held-out questions? Paraphrase keys and masked
similarity, on and off, at step 1 (issue 24, item 4).

Why: a practised plan helps only if recall shows it. On held-out ToolQA coffee the generated
examples were among the step-1 demos 2 times in 96 (stop 20), because they were worded like the
table. This replays step-1 recall (the real Recaller over the real pool, the real embedder) for
the questions of an eval run, under four configurations: plain, keys (each self-practised
experience also matched by its paraphrases), masked (``w_masked`` = 1) and both. It counts the
questions whose top-k shows at least one self-practised experience, and how many of the k are.
No model runs unless ``--write-keys``: then the model writes the paraphrases
(:func:`seer_cli.practice.phrasing.paraphrases`) for experiences practised before keys
existed, kept in memory only (the pool is not changed).

    python tools/bench_recall_keys.py --pool runs/coffee-auto/pool --questions runs/coffee-auto/practised/results.jsonl \
        --write-keys --model qwen2.5-coder-1.5b --out runs/coffee-auto/keys.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from seer_cli.config import load_settings  # noqa: E402
from seer_cli.embedder import get_embedder  # noqa: E402
from seer_cli.pool.pool import Pool  # noqa: E402
from seer_cli.pool.recall import Recaller, RecallWeights  # noqa: E402
from seer_cli.practice.examples import ORIGIN  # noqa: E402
from seer_cli.practice.tasks import AutoTask, Call  # noqa: E402


class KeyedPool:
    """The real pool, with self-practised experiences carrying extra keys (in memory)."""

    def __init__(self, pool, keys: dict[str, list[str]] | None):
        self.pool = pool
        self._exps = [dataclasses.replace(e, success_details={**e.success_details, "keys": keys[e.id]})
                      if keys and keys.get(e.id) else e for e in pool.experiences()]

    def experiences(self):
        return self._exps

    def vectors(self, space):
        return self.pool.vectors(space)

    def knn(self, vec, k, space="trajectory", intent=None):
        return self.pool.knn(vec, k, space=space, intent=intent)

    def record_recalls(self, ids):
        pass


def task_of(exp) -> AutoTask:
    """The generated task behind a self-practised experience, from what admission recorded."""
    d = exp.success_details
    calls = tuple(Call.from_dict(c) for c in d["gold_calls"])
    tool = calls[-1].tool
    kind = "data" if tool in ("SQL", "SQLInterpreter") else "docs" if tool == "Retrieve" else "tools"
    return AutoTask(kind, d.get("generator", ""), d.get("template_question", exp.question), str(d["gold"]), calls,
                    exp.intent, dict(d.get("covers", {})), exp.question if d.get("template_question") else None)


def write_keys(exps, model: str | None) -> dict[str, list[str]]:
    from seer_cli.backends.registry import get_backend
    from seer_cli.practice.phrasing import paraphrases

    settings = load_settings().replace(model=model)
    backend = get_backend(settings)
    out = {}
    for i, e in enumerate(exps, 1):
        out[e.id] = paraphrases(backend, task_of(e), e.question)
        print(f"  keys {i}/{len(exps)}: {e.question!r} -> {out[e.id]}", file=sys.stderr)
    return out


def load_rows(spec: str, toolqa_dir: str | None) -> list[dict]:
    """The questions to recall for: an eval's rows, or a ToolQA domain's whole test half."""
    if not spec.startswith("toolqa:"):
        return [json.loads(line) for line in open(spec)]
    from seer_cli.evals.plan import EvalConfig, select

    domain = spec.split(":", 1)[1]
    config = EvalConfig(split="all", domains=[domain], split_train=0.5, seed=0, toolqa_dir=toolqa_dir)
    _, test, _ = select(config)
    return [{"question": q.question, "intent": domain} for q in test]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", required=True)
    ap.add_argument("--questions", required=True,
                    help="an eval run's results.jsonl (question, intent), or 'toolqa:DOMAIN' for every test-half question "
                         "of that domain (--split-train 0.5 --seed 0, as the held-out runs split them)")
    ap.add_argument("--toolqa-dir", default=None)
    ap.add_argument("-k", type=int, default=4)
    ap.add_argument("--write-keys", action="store_true")
    ap.add_argument("--model", default=None)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    settings = load_settings()
    embedder = get_embedder()
    pool = Pool.open(Path(a.pool), settings, embedder=embedder, create=False)
    rows = load_rows(a.questions, a.toolqa_dir)
    mine = [e for e in pool.experiences() if e.origin == ORIGIN]
    keys = {e.id: list(e.success_details.get("keys") or []) for e in mine}
    if a.write_keys:
        keys.update({k: v for k, v in write_keys([e for e in mine if not keys[e.id]], a.model).items()})
    configs = {"plain": (None, 0.0), "keys": (keys, 0.0), "masked": (None, 1.0), "keys+masked": (keys, 1.0)}
    table = {}
    for name, (k, w) in configs.items():
        view = KeyedPool(pool, k)
        recaller = Recaller(view, embedder, k=a.k, weights=RecallWeights(masked=w))
        hits, shown = 0, 0
        for r in rows:
            got = recaller.recall(r["question"], r.get("intent"), [])
            n = sum(x.experience.origin == ORIGIN for x in got)
            hits += n > 0
            shown += n
        table[name] = {"questions": len(rows), "with_practised_demo": hits, "practised_demos": shown, "demos": a.k * len(rows)}
    print(f"{len(mine)} self-practised experiences of {len(pool.experiences())}; "
          f"{sum(bool(v) for v in keys.values())} with keys")
    print("| recall | questions with a practised demo at step 1 | practised demos / all |")
    print("|---|---|---|")
    for name, t in table.items():
        print(f"| {name} | {t['with_practised_demo']}/{t['questions']} | {t['practised_demos']}/{t['demos']} |")
    if a.out:
        Path(a.out).write_text(json.dumps({"table": table, "keys": keys}, indent=1))


if __name__ == "__main__":
    main()
