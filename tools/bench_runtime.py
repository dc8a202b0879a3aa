"""Runtime benchmark: is seer's model layer as fast as the libraries under it?

Prints one table of ratios, all measured in this run on this machine (not a test):

(a) overhead: ``LlamaCppBackend.complete`` vs a bare ``llama_cpp.Llama.create_completion`` on the
    same rendered prompt, both with a cold KV cache (goal <= 1.05);
(b) prefix reuse: a ~2,000-token prompt evaluated from scratch, then the same prompt + ~50 new
    tokens, which should only evaluate the suffix (goal >= 10x faster);
(c) embedder throughput, sentences/s at batch 1/16/64 for short and 256-token texts (skipped
    with a message when ``seer_cli.embedder.get_embedder`` is not available).

Usage: python tools/bench_runtime.py [--model PATH|ALIAS] [--repeats 5] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import time


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_overhead(backend, repeats: int) -> list[tuple[str, str, str, str]]:
    from llama_cpp import Llama

    bare = Llama(model_path=str(backend.model_path), n_ctx=backend.n_ctx, n_threads=backend.n_threads,
                 n_threads_batch=backend.n_threads, seed=0, verbose=False)
    messages = [{"role": "system", "content": "You are a helpful assistant that answers briefly."},
                {"role": "user", "content": "Explain in two sentences what a hash table is."}]
    prompt = backend.render(messages)
    kw = dict(max_tokens=32, temperature=0.0, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.0, seed=0)
    times: dict[str, list[float]] = {"ours": [], "bare": []}
    texts = {"ours": "", "bare": ""}

    def ours():
        backend.llm.reset()
        start = time.perf_counter()
        texts["ours"] = backend.complete(messages, max_tokens=32).text
        times["ours"].append(time.perf_counter() - start)

    def plain():
        bare.reset()
        start = time.perf_counter()
        texts["bare"] = bare.create_completion(prompt, **kw)["choices"][0]["text"]
        times["bare"].append(time.perf_counter() - start)

    for i in range(repeats):  # interleaved, order alternating, so noisy neighbours hit both alike
        for fn in ((ours, plain) if i % 2 == 0 else (plain, ours)):
            fn()
    bare.close()
    prep = _median_time(lambda: (backend.tokenize(backend.render(messages)), backend.cached_prefix([])), 50)
    o, b = statistics.median(times["ours"]), statistics.median(times["bare"])
    same = "same text" if texts["ours"] == texts["bare"] else "texts differ"
    return [("(a) backend / bare Llama, cold cache, 32 tokens", f"{o:.3f} s / {b:.3f} s",
             f"{o / b:.3f}x", f"<= 1.05 ({same})"),
            ("(a') our own work per call (template + tokenize + prefix)", f"{prep * 1000:.2f} ms",
             f"{(b + prep) / b:.4f}x", "<= 1.05")]


def bench_prefix(backend, repeats: int) -> list[tuple[str, str, str, str]]:
    facts = " ".join(f"Fact {i}: the warehouse in city number {i} stores {i * 7 % 100} crates of apples."
                     for i in range(110))
    base = [{"role": "system", "content": "You answer questions about warehouses. " + facts},
            {"role": "user", "content": "How many crates are in city number 3?"}]
    more = base + [{"role": "assistant", "content": "21 crates."},
                   {"role": "user", "content": "And how many crates are stored in city number 4 and in city number 5, "
                                               "added together? Please show the two numbers you used and the sum."}]
    cold, warm, toks = [], [], (0, 0, 0)
    for _ in range(repeats):
        backend.llm.reset()
        a = backend.complete(base, max_tokens=1)
        b = backend.complete(more, max_tokens=1)
        cold.append(a.seconds)
        warm.append(b.seconds)
        toks = (a.prompt_tokens, b.prompt_tokens, b.prompt_tokens_evaluated)
    c, w = statistics.median(cold), statistics.median(warm)
    return [(f"(b) {toks[0]}-token prompt cold vs +{toks[1] - toks[0]} tokens reused ({toks[2]} evaluated)",
             f"{c:.3f} s / {w:.3f} s", f"{c / w:.1f}x faster", ">= 10x")]


def bench_embedder() -> list[tuple[str, str, str, str]]:
    try:
        from seer_cli.embedder import get_embedder

        embedder = get_embedder()
    except Exception as e:  # not written yet (ImportError), or not installed
        return [("(c) embedder", "skipped", "", f"{type(e).__name__}: {e}")]
    short = [f"Find flights from city {i} to city {i + 1} on day {i % 28 + 1}." for i in range(256)]
    long_text = " ".join(f"token{i}" for i in range(400))  # truncated to the model's 256 tokens
    long = [f"{i} {long_text}" for i in range(128)]
    embedder.embed_batch(short[:8])  # warm up the session
    rows = []
    for label, texts in (("short", short), ("256-token", long)):
        for batch in (1, 16, 64):
            n = min(len(texts), 32 if batch == 1 and label != "short" else len(texts))
            start = time.perf_counter()
            for i in range(0, n, batch):
                embedder.embed_batch(texts[i:i + batch])
            rate = n / (time.perf_counter() - start)
            rows.append((f"(c) embedder, {label} texts, batch {batch}", f"{n} texts", f"{rate:.0f} sent/s", ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="GGUF path or alias (default: best bundled)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: SEER_THREADS or physical cores)")
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    from seer_cli.backends.llama_cpp import LlamaCppBackend
    from seer_cli.backends.weights import resolve_model
    from seer_cli.config import load_settings

    console = Console(stderr=True)
    settings = load_settings()
    info = resolve_model(args.model, settings)
    backend = LlamaCppBackend(info.path, n_ctx=4096, n_threads=args.threads or settings.n_threads)
    rows = []
    with console.status("(a) backend overhead..."):
        rows += bench_overhead(backend, args.repeats)
    with console.status("(b) prefix reuse..."):
        rows += bench_prefix(backend, args.repeats)
    backend.close()
    with console.status("(c) embedder..."):
        rows += bench_embedder()

    table = Table(title=f"seer runtime: {info.path.name}, {backend.n_threads} threads, median of {args.repeats}")
    for col in ("measure", "seconds / count", "ratio", "goal"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    Console(width=130).print(table)


if __name__ == "__main__":
    main()
