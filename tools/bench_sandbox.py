"""What the kernel boundary costs: seconds per ``run_python`` call with confinement on and off.

The sandbox confines every child (Landlock rules for the Python runtime, a seccomp filter) before
user code runs; this measures what that adds to a call, for a trivial snippet and for one that
imports numpy. The two settings alternate call by call, so a noisy neighbour on a shared CPU hits
both alike; the median of ``--calls`` calls each is reported, with the ratio on/off. The audit
hook, rlimits and (as root) the uid drop stay on in both.

Usage: python tools/bench_sandbox.py [--calls 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from seer_cli.toolkits import confine
from seer_cli.toolkits.sandbox import run_python

SNIPPETS = {"trivial": "ans = 6 * 7", "numpy": "import numpy as np\nans = int(np.arange(10).sum())"}


def seconds(code: str, on: bool) -> float:
    start = time.perf_counter()
    res = run_python(code, require=on, _confine=on)
    took = time.perf_counter() - start
    if not res.ok:
        raise SystemExit(f"bench_sandbox: the snippet failed with confinement {'on' if on else 'off'}: {res.error}")
    return took


def measure(code: str, calls: int) -> dict:
    times = {True: [], False: []}
    for _ in range(calls):
        for on in (True, False):
            times[on].append(seconds(code, on))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    return {"on_s": on, "off_s": off, "ratio": on / off}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    support = confine.available()
    if not support.ok:
        raise SystemExit(f"bench_sandbox: no kernel boundary to measure here: {support}")
    for code in SNIPPETS.values():  # warm the page cache and the .pyc files first
        seconds(code, True)
    rows = {name: measure(code, args.calls) for name, code in SNIPPETS.items()}
    if args.json:
        print(json.dumps({"kernel": str(support), "calls": args.calls, **rows}))
        return
    print(f"{support}; median of {args.calls} calls each")
    for name, r in rows.items():
        print(f"{name:8} on {r['on_s'] * 1000:6.1f} ms   off {r['off_s'] * 1000:6.1f} ms   ratio {r['ratio']:.2f}")


if __name__ == "__main__":
    main()
