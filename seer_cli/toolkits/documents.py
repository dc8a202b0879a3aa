"""Documents as people keep them: text, Markdown, reStructuredText, PDF, HTML and Word, read into blocks.

Why: ``--docs DIR`` must answer from the files a person actually has, and say which of them it
could not read. Each reader turns one file into :class:`Block` s (a paragraph of plain text with
where it stands: the PDF page, the heading path) so that a passage can be cited as
``[policy.pdf p.3]`` or ``[notes.md § Refunds > Late returns]``.

Readers, all local (no network, no model):

- PDF: ``pypdfium2`` (PDFium's text layer, page by page). On a 100-page text PDF (the GPL-3
  repeated, built with fpdf2 as ``tools/bench_docs.py`` does) it extracted the text in 0.39 s
  against 1.79 s for ``pypdf`` (4.6x faster, the same 48,199 words; 2 shared cores). A PDF whose
  pages hold no text (a scan) is reported, not OCR'd.
- HTML: BeautifulSoup with Python's own ``html.parser`` walks the tree once: headings h1-h6
  become the heading path, block elements (p, li, td, pre, ...) end a paragraph, script, style,
  nav, header, footer, aside and form are dropped, ``<main>`` or ``<article>`` is read when present.
  Not trafilatura: its main-text heuristics are tuned for news pages (a short page of a few
  paragraphs can come back empty) and it pulls a dozen dependencies for what one tree walk does.
- DOCX: ``python-docx``; paragraphs and tables in document order, styles "Title" and
  "Heading N" are the heading path, a table row is one line of cells joined by `` | ``.
- Markdown (``#`` and underlined headings, code fences kept whole), reStructuredText
  (underlined headings, levels in order of first use) and plain text: blank lines end paragraphs.

Each file is read once: the blocks are cached as JSON under ``cache_dir/documents/`` by the
file's content hash (and :data:`READER_VERSION`), so a renamed or touched file is not re-read and
an edited one is. A file that cannot be read (encrypted, damaged, a scan without text, empty)
is one warning naming it; the folder's other files are used. A folder with nothing readable is
a :class:`~seer_cli.errors.UserError` naming the folder and the formats read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import UserError

READ_SUFFIXES = (".txt", ".md", ".markdown", ".rst", ".pdf", ".html", ".htm", ".docx")
READER_VERSION = 3  # part of the extraction cache key: bump when a reader's output changes


class Unreadable(Exception):
    """A file seer cannot take text from; the message says why, in a few words."""


@dataclass(frozen=True)
class Block:
    """One paragraph of a document and where it stands (page for PDF, heading path otherwise)."""

    text: str
    page: int | None = None
    headings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    name: str  # path relative to the folder: what a citation shows
    blocks: tuple[Block, ...]


def formats_text() -> str:
    return ", ".join(READ_SUFFIXES)


def document_files(folder: Path) -> list[Path]:
    """The files under ``folder`` seer reads, sorted; hidden files and Office lock files (``~$x.docx``) skipped."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in READ_SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts) and not p.name.startswith("~$"))


def read_folder(folder: Path, cache_dir: Path, on_warning: Callable[[str], None] | None = None) -> list[Document]:
    """Every readable document of ``folder``; one warning per unreadable file (``on_warning``, else
    ``warnings.warn``); UserError when none is readable."""
    warn = on_warning or (lambda m: warnings.warn(m, stacklevel=3))
    docs = []
    for path in document_files(folder):
        try:
            blocks = _cached(path, Path(cache_dir) / "documents")
        except Unreadable as e:
            warn(f"{path}: skipped, {e}")
            continue
        docs.append(Document(str(path.relative_to(folder)), tuple(blocks)))
    if not docs:
        raise UserError(f"{folder}: no readable document (seer reads {formats_text()})")
    return docs


def _cached(path: Path, cache: Path) -> list[Block]:
    data = path.read_bytes()
    key = hashlib.sha256(data).hexdigest()[:32]
    entry = cache / f"{key}-v{READER_VERSION}.json"
    try:
        return [Block(b["text"], b.get("page"), tuple(b.get("headings", ()))) for b in json.loads(entry.read_text())]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    blocks = [b for b in read_document(path, data) if b.text.strip()]
    if not blocks:
        raise Unreadable("no text in it" + (" (a scanned PDF without a text layer?)" if path.suffix.lower() == ".pdf" else ""))
    cache.mkdir(parents=True, exist_ok=True)
    tmp = entry.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps([{"text": b.text, "page": b.page, "headings": list(b.headings)} for b in blocks]))
    os.replace(tmp, entry)
    return blocks


def read_document(path: Path, data: bytes | None = None) -> list[Block]:
    """The blocks of one file, by its suffix; :class:`Unreadable` when its text cannot be had."""
    suffix = path.suffix.lower()
    data = path.read_bytes() if data is None else data
    if suffix == ".pdf":
        return read_pdf(data)
    if suffix == ".docx":
        return read_docx(data)
    if suffix in (".html", ".htm"):
        return read_html(data)  # bytes: BeautifulSoup honours the page's <meta charset>
    text = data.decode("utf-8", errors="replace")
    if suffix in (".md", ".markdown"):
        return read_markup(text, markdown=True)
    if suffix == ".rst":
        return read_markup(text, markdown=False)
    return [Block(p) for p in paragraphs(text)]


def paragraphs(text: str) -> list[str]:
    """Paragraphs split at blank lines, whitespace collapsed."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _push(path: list[tuple[int, str]], level: int, title: str) -> None:
    """Enter a heading of ``level``: the deeper or equal ones before it end."""
    while path and path[-1][0] >= level:
        path.pop()
    path.append((level, " ".join(title.split())))


def _titles(path: list[tuple[int, str]]) -> tuple[str, ...]:
    return tuple(t for _, t in path if t)


# --- PDF -------------------------------------------------------------------------------------
def read_pdf(data: bytes) -> list[Block]:
    """Page by page through PDFium; paragraphs at blank lines, a line-end hyphen joined."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e).lower()
        raise Unreadable("encrypted (it needs a password)" if "password" in msg else "not a readable PDF (damaged?)") from None
    try:
        blocks = []
        for number in range(len(pdf)):
            page = pdf[number]
            textpage = page.get_textpage()
            text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            textpage.close()
            page.close()
            text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
            blocks += [Block(p, number + 1) for p in paragraphs(text)]
        return blocks
    finally:
        pdf.close()


# --- HTML ------------------------------------------------------------------------------------
_DROP = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "head"]
_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "td", "th", "pre",
               "blockquote", "section", "article", "main", "figure", "figcaption", "caption", "br", "hr", "address",
               "details", "summary", "body", "html"}


def read_html(text: str | bytes) -> list[Block]:
    """The main text of a page with its heading path (see the module docstring for what is dropped)."""
    from bs4 import BeautifulSoup, NavigableString, Tag
    from bs4.element import PreformattedString

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(_DROP):
        tag.decompose()
    for link in soup.select("a.headerlink, a.anchor, a.anchorjs-link, a.heading-anchor"):  # Sphinx's ¶, GitHub's #
        link.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []
    buf: list[str] = []

    def flush() -> None:
        para = " ".join("".join(buf).split())
        buf.clear()
        if para:
            blocks.append(Block(para, None, _titles(path)))

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, PreformattedString):  # comments, doctype, CDATA
                continue
            if isinstance(child, NavigableString):
                buf.append(str(child))
            elif isinstance(child, Tag):
                name = child.name.lower()
                if re.fullmatch(r"h[1-6]", name):
                    flush()
                    _push(path, int(name[1]), child.get_text(" "))
                elif name in _BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)

    walk(root)
    flush()
    return blocks


# --- DOCX ------------------------------------------------------------------------------------
def read_docx(data: bytes) -> list[Block]:
    """Paragraphs and tables in order; "Title" and "Heading N" paragraphs make the heading path."""
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError):
        raise Unreadable("not a readable .docx (damaged, encrypted or another format)") from None
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(" ".join(c.text.split()) for c in row.cells))  # merged cells repeat
                line = " | ".join(c for c in cells if c)
                if line:
                    blocks.append(Block(line, None, _titles(path)))
            continue
        text = " ".join(item.text.split())
        style = (item.style.name if item.style is not None else "") or ""
        m = re.fullmatch(r"Heading (\d)", style)
        if text and (m or style == "Title"):
            _push(path, int(m.group(1)) if m else 0, text)
        elif text:
            blocks.append(Block(text, None, _titles(path)))
    return blocks


# --- Markdown, reStructuredText --------------------------------------------------------------
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+:.])\1{2,}\s*$")


def read_markup(text: str, *, markdown: bool) -> list[Block]:
    """Paragraphs under their headings: ``#`` headings (Markdown), underlined ones (both; Markdown
    ``=`` is level 1 and ``-`` level 2, reStructuredText levels follow the order of first use).
    A fenced code block is one paragraph, its ``#`` lines are not headings."""
    blocks: list[Block] = []
    path: list[tuple[int, str]] = []
    rst_levels: list[str] = []
    buf: list[str] = []
    fence = None

    def flush() -> None:
        para = " ".join(" ".join(buf).split())
        buf.clear()
        if para:
            blocks.append(Block(para, None, _titles(path)))

    for line in text.splitlines():
        stripped = line.strip()
        if markdown and (stripped.startswith("```") or stripped.startswith("~~~")):
            fence = None if fence and stripped.startswith(fence) else fence or stripped[:3]
            buf.append(line)
            continue
        if fence:
            buf.append(line)
            continue
        atx = _ATX.match(stripped) if markdown else None
        under = _UNDERLINE.match(stripped)
        if atx:
            flush()
            _push(path, len(atx.group(1)), atx.group(2))
        elif under and len(buf) == 1:
            title = buf.pop().strip()
            char = stripped[0]
            if markdown:
                level = 1 if char == "=" else 2
            else:
                rst_levels += [char] if char not in rst_levels else []
                level = rst_levels.index(char) + 1
            _push(path, level, title)
        elif under:
            flush()  # an rst overline or transition, a Markdown rule
        elif not stripped:
            flush()
        else:
            buf.append(line)
    flush()
    return blocks
