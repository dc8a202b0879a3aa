"""Check that every question's evidence is in the text its document yields.

Why: a question whose evidence is not in the extracted text measures the extractor, not
retrieval. This reads each file the way a reader library would (pypdf for PDF, the visible text
of HTML through BeautifulSoup, python-docx paragraphs and tables for DOCX, plain text otherwise),
normalises whitespace and case, and checks each ``evidence`` is a substring of its ``file``'s
text, that it is 5-25 words long, and that every word of ``answer`` appears in it. A PDF is read
by both pypdfium2 and pypdf, and its evidence may also match with all whitespace removed
(pypdf runs some PDFs' words together). Nothing here calls seer.

    python evals/docqa/check_evidence.py            # one line per failure, exit 1 if any
    python evals/docqa/check_evidence.py --stats    # words per file (pages at ~500 words)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE / "docs"


def norm(text: str) -> str:
    """Lower case, one space between words (what 'whitespace-normalised' means in this set)."""
    return " ".join(text.split()).lower()


def compact(text: str) -> str:
    """Lower case, no whitespace at all: pypdf runs the words of some PDFs together
    ("TheDebianProjectwascreated"), so a PDF's evidence is also looked for this way."""
    return "".join(text.split()).lower()


def pdf_texts(path: Path) -> list[str]:
    """A PDF's text as pypdfium2 and as pypdf yield it (they differ in spaces and hyphens)."""
    import pypdfium2
    from pypdf import PdfReader

    doc = pypdfium2.PdfDocument(str(path))
    try:
        pdfium = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    return [pdfium, "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)]


def extract(path: Path) -> str:
    """The text a reader library yields for ``path``."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_texts(path)[0]
    if suffix in (".html", ".htm"):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        for tag in soup(["script", "style", "head"]):
            tag.decompose()
        return soup.get_text(" ")
    if suffix == ".docx":
        import docx

        doc = docx.Document(str(path))
        parts = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            parts += [cell.text for row in table.rows for cell in row.cells]
        return "\n".join(parts)
    return path.read_text(encoding="utf-8", errors="replace")


def check(questions: list[dict], docs: Path = DOCS) -> list[str]:
    """One message per broken question (empty when all hold)."""
    texts: dict[str, str] = {}
    problems, seen = [], set()
    for q in questions:
        qid = q.get("id", "?")
        if qid in seen:
            problems.append(f"{qid}: duplicate id")
        seen.add(qid)
        missing = [k for k in ("id", "question", "answer", "file", "evidence", "kind") if not q.get(k)]
        if missing:
            problems.append(f"{qid}: missing {', '.join(missing)}")
            continue
        path = docs / q["file"]
        if not path.is_file():
            problems.append(f"{qid}: {q['file']} not in {docs}")
            continue
        if q["file"] not in texts:
            raw = pdf_texts(path) if path.suffix.lower() == ".pdf" else [extract(path)]
            texts[q["file"]] = [norm(t) for t in raw] + [compact(t) for t in raw]
        ev = norm(q["evidence"])
        if not 5 <= len(ev.split()) <= 25:
            problems.append(f"{qid}: evidence has {len(ev.split())} words (5-25)")
        if not any(ev in t or compact(ev) in t for t in texts[q["file"]]):
            problems.append(f"{qid}: evidence not in the text of {q['file']}")
        if not all(w in ev for w in re.findall(r"[\w+.-]+", q["answer"].lower())):
            problems.append(f"{qid}: a word of the answer {q['answer']!r} is not in its evidence")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    ap.add_argument("--stats", action="store_true", help="print words per file instead")
    ap.add_argument("--docs", type=Path, default=DOCS, help="the documents' folder (another set's, e.g. evals/docqa-dev/docs)")
    args = ap.parse_args(argv)
    if args.stats:
        total = 0
        for path in sorted(args.docs.iterdir()):
            words = len(extract(path).split())
            total += words
            print(f"{path.name:32} {words:7d} words  ~{words / 500:5.1f} pages")
        print(f"{'total':32} {total:7d} words  ~{total / 500:5.1f} pages")
        return 0
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    problems = check(questions, args.docs)
    for p in problems:
        print(p)
    print(f"{len(questions)} questions, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
