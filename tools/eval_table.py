"""Summarise several `seer eval toolqa` run directories as one Markdown table.

    python tools/eval_table.py RUN_DIR [RUN_DIR ...]

One row per run and domain: questions, EM and lenient accuracy, mean seconds, mean prompt tokens
evaluated (not served from the KV cache) and mean steps per question, and how episodes ended.
The run's recall mode and demo source come from its saved config.json.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

import orjson


def rows_of(run: Path) -> tuple[dict, list[dict]]:
    config = orjson.loads((run / "config.json").read_bytes()) if (run / "config.json").exists() else {}
    rows = [orjson.loads(line) for line in (run / "results.jsonl").read_bytes().splitlines() if line.strip()]
    return config, rows


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip())
        return 2
    print("| run | mode | domain | n | EM | lenient | s/question | prompt tokens evaluated/question | steps/question | ended by |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for run in map(Path, argv):
        config, rows = rows_of(run)
        mode = config.get("recall", "?") if config.get("demos", "recall") == "recall" else "static demos"
        mode += " (online)" if config.get("online") else " (frozen)"
        by_domain: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            by_domain[f"{r['split']}/{r['domain']}"].append(r)
        for domain, rs in sorted(by_domain.items()):
            n = len(rs)
            scored = [r for r in rs if r.get("scored", True)]
            em = sum(bool(r["em"]) for r in scored)
            len_ = sum(bool(r["lenient"]) for r in scored)
            ended = Counter(r.get("reason", "?") for r in rs)
            print(
                f"| {run.name} | {mode} | {domain} | {n} | {em}/{len(scored)} | {len_}/{len(scored)} | "
                f"{sum(r['seconds'] for r in rs) / n:.0f} | {sum(r['tokens_evaluated'] for r in rs) / n:.0f} | "
                f"{sum(r['steps'] for r in rs) / n:.1f} | {', '.join(f'{k} {v}' for k, v in ended.most_common())} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
