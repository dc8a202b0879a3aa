"""Measure --docs on a 100-page PDF: extraction (pypdfium2 against pypdf), indexing with embedding, query latency per mode.

Why: the readers and the hybrid index must stay cheap enough for ``seer run --docs`` on a laptop
(goal: a 100-page PDF indexed in at most 60 s on 2 cores, embedding included). The PDF is built
with fpdf2 from real text (a licence from /usr/share/common-licenses, repeated), so the figures
are about real extraction, chunking and MiniLM embedding, with a fresh cache each time.

    python tools/bench_docs.py [--pages 100] [--queries 20] [--licence GPL-3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def build_pdf(path: Path, text: str, pages: int) -> int:
    from fpdf import FPDF

    paras = [p.encode("latin-1", "replace").decode("latin-1") for p in text.split("\n\n") if p.strip()]
    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    i = 0
    while pdf.page_no() < pages:
        if pdf.page_no() == 0:
            pdf.add_page()
        pdf.multi_cell(0, 5, paras[i % len(paras)])
        pdf.ln(3)
        i += 1
    pdf.output(str(path))
    return pdf.page_no()


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def cpu_timed(fn):
    """(result, wall seconds, CPU seconds of this process): on a shared machine the CPU time says
    what the work costs, the wall time what this run waited."""
    c, t = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--licence", default="GPL-3")
    args = ap.parse_args()

    import pypdf
    import pypdfium2 as pdfium

    from seer_cli.embedder import get_embedder
    from seer_cli.toolkits.chunks import chunk_document
    from seer_cli.toolkits.documents import read_folder
    from seer_cli.toolkits.retrieval import ChunkSearch

    text = Path("/usr/share/common-licenses", args.licence).read_text()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "docs")
        folder.mkdir()
        pdf_path = folder / "big.pdf"
        pages = build_pdf(pdf_path, text, args.pages)
        print(f"PDF: {pages} pages of /usr/share/common-licenses/{args.licence}, {pdf_path.stat().st_size / 1e6:.2f} MB")

        def with_pdfium():
            doc = pdfium.PdfDocument(str(pdf_path))
            return sum(len(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc)))

        words_a, t_a = timed(with_pdfium)
        words_b, t_b = timed(lambda: sum(len(p.extract_text().split()) for p in pypdf.PdfReader(str(pdf_path)).pages))
        print(f"extraction: pypdfium2 {t_a:.2f} s ({words_a} words), pypdf {t_b:.2f} s ({words_b} words): "
              f"pypdfium2 {t_b / t_a:.1f}x faster")

        embedder, t_load = timed(get_embedder)
        print(f"embedder load: {t_load:.2f} s (not counted below)")
        cache = Path(tmp, "cache")
        docs, t_read, c_read = cpu_timed(lambda: read_folder(folder, cache))
        chunks, t_chunk, c_chunk = cpu_timed(lambda: [c for d in docs for c in chunk_document(d)])
        search, t_index, c_index = cpu_timed(lambda: ChunkSearch(chunks, cache, mode="hybrid", embedder=embedder))
        total, cpu = t_read + t_chunk + t_index, c_read + c_chunk + c_index
        print(f"index (cold, hybrid): read {t_read:.2f} s + chunk {t_chunk:.3f} s + BM25 and embed {t_index:.2f} s "
              f"= {total:.1f} s wall for {pages} pages, {len(chunks)} chunks: {total / pages * 1000:.0f} ms/page "
              f"(goal <= 60 s: {'met' if total <= 60 else 'NOT met'} here)")
        print(f"  CPU time {cpu:.1f} s on {embedder.threads} embedder thread(s): about {cpu / 2:.1f} s wall on 2 idle cores "
              f"({cpu / 2 / pages * 1000:.0f} ms/page); load average now {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        _, t_warm = timed(lambda: ChunkSearch([c for d in read_folder(folder, cache) for c in chunk_document(d)],
                                              cache, mode="hybrid", embedder=embedder))
        print(f"index (warm, from the caches): {t_warm:.2f} s")

        words = [w for w in text.split() if w.isalpha() and len(w) > 5]
        queries = [" ".join(words[(i * 37) % len(words):(i * 37) % len(words) + 4]) for i in range(args.queries)]
        lat = {}
        for mode in ("dense", "bm25", "hybrid"):
            s = ChunkSearch(chunks, cache, mode=mode, embedder=embedder)
            s.search(queries[0])  # warm-up
            runs = []
            for q in queries:
                _, t = timed(lambda q=q, s=s: s.search(q, 3))
                runs.append(t * 1000)
            lat[mode] = statistics.median(runs)
            print(f"query latency {mode:6s}: median {lat[mode]:.1f} ms, max {max(runs):.1f} ms over {len(runs)} queries")
        print(f"hybrid / dense latency: {lat['hybrid'] / lat['dense']:.2f}x")


if __name__ == "__main__":
    main()
