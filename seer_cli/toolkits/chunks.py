"""Passages that follow the document: a section's paragraphs packed to about 200 words, each with its citation.

Why: a fixed 200-word window cut a table row from its heading and glued the end of one section to
the start of the next, so a passage could not say where it came from. Here a chunk never crosses a
heading or a PDF page: the paragraphs of one section (or one page) are packed together up to
:data:`CHUNK_WORDS`, and only a paragraph longer than that is cut into overlapping word windows
(:func:`chunk_words`). Chunks stay about as long as before, so the Retrieve observation costs the
model no more tokens.

A chunk is cited as ``[file p.N § Heading > Sub]`` (:meth:`Chunk.citation`), the parts that do not
exist left out. What is searched (:attr:`Chunk.search_text`) is the heading path and the text, so
a question naming a section ("refund policy") finds the section's paragraphs.
"""

from __future__ import annotations

import re

from dataclasses import dataclass

from .documents import Document

CHUNK_WORDS = 200
CHUNK_OVERLAP = 20
CHUNKING = f"sections-{CHUNK_WORDS}-{CHUNK_OVERLAP}-v1"  # part of the index cache key: change it when chunks change
CITED_HEADINGS = 3  # the deepest headings a citation shows
HEADING_CHARS = 40


@dataclass(frozen=True)
class Chunk:
    file: str
    text: str
    page: int | None = None
    headings: tuple[str, ...] = ()

    def citation(self) -> str:
        """``[policy.pdf p.3]``, ``[notes.md § Refunds > Late]``: where the passage comes from, short."""
        where = self.file + (f" p.{self.page}" if self.page else "")
        if self.headings:
            shown = [h if len(h) <= HEADING_CHARS else h[: HEADING_CHARS - 1] + "…" for h in self.headings[-CITED_HEADINGS:]]
            where += " § " + " > ".join(shown)
        return f"[{where}]"

    def source(self) -> dict:
        """The citation as data, for ``seer run --json``."""
        return {"file": self.file, "page": self.page, "headings": list(self.headings), "citation": self.citation()[1:-1]}

    @property
    def search_text(self) -> str:
        return " > ".join(self.headings) + ": " + self.text if self.headings else self.text


def chunk_words(text: str, size: int = CHUNK_WORDS, overlap: int = CHUNK_OVERLAP) -> list[str]:
    """Windows of ``size`` words overlapping by ``overlap``."""
    words = text.split()
    if not words:
        return []
    step = max(1, size - overlap)
    return [" ".join(words[i:i + size]) for i in range(0, max(1, len(words) - overlap), step)]


def chunk_document(doc: Document, size: int = CHUNK_WORDS) -> list[Chunk]:
    """The document's paragraphs packed per section (same page, same heading path) up to ``size`` words."""
    chunks: list[Chunk] = []
    buf: list[str] = []
    where: tuple = (None, ())

    def flush() -> None:
        if buf:
            chunks.append(Chunk(doc.name, " ".join(buf), *where))
            buf.clear()

    for block in doc.blocks:
        here = (block.page, block.headings)
        n = len(block.text.split())
        if here != where or sum(len(b.split()) for b in buf) + n > size:
            flush()
            where = here
        if n > size:
            chunks += [Chunk(doc.name, w, *here) for w in chunk_words(block.text, size)]
        else:
            buf.append(block.text)
    flush()
    return chunks


def cites(observation: str, name: str) -> bool:
    """Whether a Retrieve observation cites document ``name`` (``[name p.2 § ...]``, ``[name]``: :meth:`Chunk.citation`)."""
    return re.search(rf"\[{re.escape(name)}[\] ]", observation) is not None


_PASSAGE_CITATION = re.compile(r"^\[([^\]\n]+)\]", re.MULTILINE)  # Retrieve starts each passage with its citation


def cites_only(observation: str, names: set[str]) -> bool:
    """Whether every passage of a Retrieve observation cites one of the documents ``names`` (file
    names may hold spaces: ``[my policy.pdf p.3]``); a citation cut off by truncation is not read."""
    return all(c in names or any(c.startswith(n + " ") for n in names) for c in _PASSAGE_CITATION.findall(observation))
