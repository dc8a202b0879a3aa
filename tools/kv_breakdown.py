"""Where the evaluated prompt tokens of a `seer eval toolqa` run go: the question's own content
(its question message, observations and chat markers, which no cache can hold because they are
new) versus everything else (demonstrations seen for the first time, or evaluated again after a
re-rank or an eviction), which is what prefix caching and demo order can still remove.

    python tools/kv_breakdown.py runs/kv/stepwise-off runs/kv/stepwise-on [--model PATH]

Per run, over the questions all the runs share: prompt tokens evaluated per question, the own
content per question (tokenized with the model's own tokenizer and chat template, the step text
the model generated not counted: it is in the cache already), and the rest.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def own_tokens(backend, row: dict, settings) -> int:
    from seer_cli.agent.prompt import question_message, step_messages
    from seer_cli.pool.records import Step

    steps = [Step(s.get("thought", ""), s.get("tool", ""), s.get("args", {}), s.get("observation", "") or "") for s in row["trace"]]
    msgs = [question_message(row["question"]), *step_messages(steps, settings.prompt_observation_chars)]
    system = [{"role": "system", "content": "x"}]
    whole = len(backend.tokenize(backend.render(system + msgs))) - len(backend.tokenize(backend.render(system)))
    generated = sum(len(backend.tokenize(m["content"])) for m in msgs if m["role"] == "assistant")
    return max(0, whole - generated)  # the turns' markers count, the generated step text does not


def main(argv=None) -> int:
    from seer_cli.config import load_settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", type=Path, nargs="+")
    ap.add_argument("--model", default=None, help="GGUF (default: the bundled 0.5B)")
    args = ap.parse_args(argv)
    settings = load_settings()
    from seer_cli.backends.llama_cpp import LlamaCppBackend
    from seer_cli.backends.weights import resolve_model

    backend = LlamaCppBackend(resolve_model(args.model, settings).path, n_ctx=512, n_threads=1, kv_cache_mb=0)
    runs = {}
    for r in args.runs:
        rows = [json.loads(line) for line in (r / "results.jsonl").read_text().splitlines() if line.strip()]
        runs[r] = {row["qid"]: row for row in rows}
    common = sorted(set.intersection(*(set(v) for v in runs.values())))
    print(f"{len(common)} questions in every run")
    print("| run | evaluated / q | own content / q | rest / q | answers equal to the first run's |")
    print("|---|---|---|---|---|")
    first = next(iter(runs.values()))
    for r, rows in runs.items():
        ev = sum(rows[q]["tokens_evaluated"] for q in common) / len(common)
        own = sum(own_tokens(backend, rows[q], settings) for q in common) / len(common)
        same = sum(rows[q]["prediction"] == first[q]["prediction"] for q in common)
        print(f"| {r.name} | {ev:.0f} | {own:.0f} | {ev - own:.0f} | {same}/{len(common)} |")
    backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
