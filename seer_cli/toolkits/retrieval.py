"""Passage retrieval: dense (MiniLM + hnswlib), sparse (BM25) and both fused (the default).

Why: dense retrieval alone finds what a question *means* but misses what it *names*: a product
code (``XK-4471``), a file called NOTICE, a section number, a person. BM25 (``bm25s``: sparse,
in memory, no network; words stemmed by PyStemmer's Snowball) scores exact words, and reciprocal rank fusion (:func:`fuse`,
Cormack et al. 2009) merges the two rankings without tuning a weight between unlike scores. Its
constant k is 10, not the paper's 60: chosen on a development set of 40 questions over 10 real
documents (``evals/docqa-dev/``; k 5 and 10 found 38/40 passages in the top 3, k 60 37, dense alone
33, BM25 alone 32), never on the test set ``evals/docqa/``; with 20 candidates a ranking, a small
k lets a passage that one ranking puts first count for more than one both put in the middle.
``SEER_RETRIEVAL`` (:attr:`seer_cli.config.Settings.retrieval`) picks ``hybrid`` (default),
``dense`` or ``bm25``, so a benchmark can compare them with no code change.

:class:`PassageIndex` (dense) is built once and kept under ``cache_dir/retrieval/<key>/``; the
key hashes the embedder, the chunking (:data:`~.chunks.CHUNKING`), the index kind and every
passage, so a cache made with other chunks or another mode is never read. The BM25 index is
rebuilt in memory (milliseconds for thousands of passages). The ToolQA toolkit uses
:class:`PassageIndex` directly (dense, as the benchmark's reference retriever is).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
from pathlib import Path
from typing import Callable

import numpy as np

from ..config import RETRIEVAL_MODES
from .chunks import CHUNKING, Chunk

RRF_K = 10  # chosen on evals/docqa-dev (see the module docstring)
CANDIDATES = 20  # from each ranking, before fusion


class PassageIndex:
    """Passages + an hnswlib inner-product index, built once and cached in ``directory``."""

    def __init__(self, texts: list[str], directory: Path, embedder, *, on_progress: Callable[[int, int], None] | None = None,
                 batch: int = 64):
        self.texts, self.dir, self.embedder = texts, Path(directory), embedder
        self.index = self._load() if texts else None
        if texts and self.index is None:
            self.index = self._build(on_progress, batch)

    def _load(self):
        import hnswlib

        meta, path = self.dir / "meta.json", self.dir / "index.hnsw"
        try:
            if json.loads(meta.read_text())["count"] != len(self.texts):
                return None
            index = hnswlib.Index(space="ip", dim=self.embedder.dim)
            index.load_index(str(path), max_elements=len(self.texts))
            return index
        except (OSError, ValueError, KeyError, RuntimeError):
            return None

    def _build(self, on_progress, batch: int):
        import hnswlib
        from filelock import FileLock

        self.dir.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.dir / "build.lock")):
            index = self._load()  # another process may have built it meanwhile
            if index is not None:
                return index
            n = len(self.texts)
            index = hnswlib.Index(space="ip", dim=self.embedder.dim)
            index.init_index(max_elements=n, ef_construction=200, M=16)
            for start in range(0, n, batch):
                vecs = np.asarray(self.embedder.embed_batch(self.texts[start:start + batch]), dtype=np.float32)
                index.add_items(vecs, np.arange(start, start + len(vecs)))
                if on_progress:
                    on_progress(min(start + batch, n), n)
            tmp = self.dir / f"index.hnsw.tmp{os.getpid()}"
            index.save_index(str(tmp))
            os.replace(tmp, self.dir / "index.hnsw")
            (self.dir / "meta.json").write_text(json.dumps({"count": n, "dim": self.embedder.dim,
                                                            "embedder": self.embedder.fingerprint}))
            return index

    def search(self, query: str, k: int = 3) -> list[tuple[int, float]]:
        """(passage position, cosine similarity), best first."""
        if self.index is None:
            return []
        k = min(k, len(self.texts))
        self.index.set_ef(max(50, k))
        labels, dists = self.index.knn_query(np.asarray(self.embedder.embed(query), dtype=np.float32)[None, :], k=k)
        return [(int(i), 1.0 - float(d)) for i, d in zip(labels[0], dists[0])]


_TOKEN = re.compile(r"\w+(?:[-./:]\w+)*")


@functools.lru_cache(maxsize=1)
def _stem():
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN

    return Stemmer.Stemmer("english").stemWord, frozenset(STOPWORDS_EN)


def tokens(text: str, *, query: bool = False) -> list[str]:
    """Lower-cased words without English stopwords, Snowball-stemmed (``refunds`` matches
    ``refund``; words with digits are not stemmed). A passage's compound (``xk-4471``, ``3.2``)
    is indexed whole *and* as its parts; a query's compound is searched whole only, so ``XK-4471``
    matches that code and not every passage holding ``4471`` or ``XK``, while ``XK 4471`` or
    ``4471`` asked alone still match the parts."""
    stem, stop = _stem()
    out = []
    for m in _TOKEN.finditer(text.lower()):
        word = m.group()
        parts = re.findall(r"\w+", word)
        words = [word] if query or len(parts) == 1 else [word, *parts]
        out += [w if not w.isalpha() else stem(w) for w in words if w not in stop]
    return out


def shares_no_word(query: str, question: str) -> bool:
    """A query sharing no word with the episode's question: the 1.5B searched for its own argument's
    description ("what to look for, in a few words.") and for a refusal it had just read ("nothing has
    been looked up yet"); Retrieve then ranks by the question alone."""
    return not set(tokens(query, query=True)) & set(tokens(question, query=True))


class Bm25Index:
    """BM25 over the passages (bm25s, in memory)."""

    def __init__(self, texts: list[str]):
        import bm25s

        self.n = len(texts)
        self.model = bm25s.BM25()
        self.model.index([tokens(t) or [""] for t in texts], show_progress=False)

    def search(self, query: str, k: int = 3) -> list[tuple[int, float]]:
        """(passage position, BM25 score), best first; passages sharing no word with the query left out."""
        q = tokens(query, query=True)
        if not q or not self.n:
            return []
        ids, scores = self.model.retrieve([q], k=min(k, self.n), show_progress=False)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if s > 0]


_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
# where an entry of a manual's list begins: an option ("-X sort alphabetically by entry extension", "--count"; not the
# long form after "-c,") or a setting ("PollIntervalMinSec= defaults to 32 seconds"); a list's entries run together
# without a full stop once a passage's lines are joined, so these split a passage too
_ENTRY = re.compile(r"(?<=[^\s,])\s+(?=--?[A-Za-z0-9?][\w-]*(?:[,=\[\s]|$))|(?<=\S)\s+(?=[A-Z][A-Za-z]+=(?:\s|$))")


def snippet(text: str, query: str, chars: int = 240) -> str:
    """The part of a passage that answers ``query``: the run of sentences (and list entries), at
    most ``chars`` long, holding the most of the query's words, each weighted a little more the
    fewer of the passage's sentences hold it (a passage is ~200 words, and the model is shown only
    the first few hundred characters of an observation: the answer must be in them). Elided ends
    are marked with "…". In the first 800 characters of Retrieve(question): the gold of the
    real-files suites' 82 document questions 56 times (51 by plain word counts over sentences; 71
    in the passages), the evidence of docqa-dev's 40 23 times (25), of docqa's 50 32 times (31)."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return text
    want = set(tokens(query, query=True))
    parts = [q for p in _SENTENCE.split(text) if p.strip() for q in _ENTRY.split(p) if q.strip()]
    hits = [want & set(tokens(p)) for p in parts]  # each part stemmed once, not once per window holding it
    # a word in every entry of a list ("sort" in ls's) says a little less than one in a single entry ("extension");
    # weighted by idf alone, a rare word of the question that the answer does not use won the window in prose
    weight = {w: 1.0 + 0.3 * math.log((len(parts) + 1) / (0.5 + sum(w in h for h in hits))) for w in want}
    best, best_score = (0, 0), -1.0
    for i in range(len(parts)):
        length, j, found = 0, i, set()
        while j < len(parts) and (j == i or length + 1 + len(parts[j]) <= chars):
            length += len(parts[j]) + (1 if j > i else 0)
            found |= hits[j]
            j += 1
        start = max((weight[w] for w in hits[i]), default=0.0)  # a run that starts at a matching part, then the earlier
        score = sum(weight[w] for w in found) + 0.5 * start - 0.001 * i
        if score > best_score:
            best, best_score = (i, j), score
    i, j = best
    body = " ".join(parts[i:j])
    if len(body) > chars:
        body = body[: chars - 1].rsplit(" ", 1)[0]
        j = len(parts) + 1  # cut inside: the end is elided
    return ("… " if i > 0 else "") + body + (" …" if j < len(parts) or len(body) < len(" ".join(parts[i:j])) else "")


class Vocabulary:
    """Which words the passages use and in how many of them (document frequency): enough to tell
    whether a question is about these documents without searching them."""

    def __init__(self, texts: list[str]):
        from collections import Counter

        self.n = len(texts)
        self.df = Counter(t for text in texts for t in set(tokens(text)))

    def covers(self, question: str, share: float = 0.6) -> bool:
        """At least two of the question's content words (numbers aside), ``share`` of them in all,
        occur in the passages, one of them in few passages (a word that names something here)."""
        words = {t for t in tokens(question, query=True) if len(t) >= 3 and not re.fullmatch(r"[\d.,:/-]+", t)}
        known = {t for t in words if self.df.get(t)}
        rare = {t for t in known if self.df[t] <= max(2, 0.05 * self.n)}
        return len(known) >= 2 and len(known) >= share * len(words) and bool(rare)


def fuse(rankings: list[list[int]], k: int = RRF_K) -> list[int]:
    """Reciprocal rank fusion: each ranking gives 1 / (k + rank); ties keep the first ranking's order."""
    score: dict[int, float] = {}
    for ranking in rankings:
        for rank, i in enumerate(ranking, 1):
            score[i] = score.get(i, 0.0) + 1.0 / (k + rank)
    return sorted(score, key=lambda i: -score[i])


def index_key(chunks: list[Chunk], kind: str, embedder_fingerprint: str = "") -> str:
    """The cache key of an index over ``chunks``: embedder, chunking, kind and every passage."""
    h = hashlib.sha256(f"{embedder_fingerprint}|{CHUNKING}|{kind}\n".encode())
    for c in chunks:
        h.update(f"{c.citation()}\x00{c.search_text}\x01".encode())
    return h.hexdigest()[:16]


class ChunkSearch:
    """Search chunks by ``mode`` (hybrid | dense | bm25); the embedder is loaded only when dense is used."""

    def __init__(self, chunks: list[Chunk], cache_dir: Path, *, mode: str = "hybrid", embedder=None,
                 on_progress: Callable[[int, int], None] | None = None):
        if mode not in RETRIEVAL_MODES:
            raise ValueError(f"retrieval mode {mode!r}: use one of {', '.join(RETRIEVAL_MODES)}")
        self.chunks, self.mode = chunks, mode
        texts = [c.search_text for c in chunks]
        self.bm25 = Bm25Index(texts) if mode in ("hybrid", "bm25") else None
        self.dense = None
        if mode in ("hybrid", "dense"):
            if embedder is None:
                from ..embedder import get_embedder

                embedder = get_embedder()
            key = index_key(chunks, "dense", embedder.fingerprint)
            self.dense = PassageIndex(texts, Path(cache_dir) / "retrieval" / key, embedder, on_progress=on_progress)

    def search(self, query: str, k: int = 3, also: str | None = None) -> list[Chunk]:
        """The ``k`` best chunks for ``query``, best first; with ``also`` (the user's question),
        its rankings are fused in beside the query's (see :meth:`GeneralToolkit.Retrieve`)."""
        rankings = []
        many = CANDIDATES if (self.bm25 and self.dense) or also else k  # rankings to fuse: candidates, not k
        for text in [query] + ([also] if also and also.strip().lower() != query.strip().lower() else []):
            if self.dense is not None:
                rankings.append([i for i, _ in self.dense.search(text, many)])
            if self.bm25 is not None:
                rankings.append([i for i, _ in self.bm25.search(text, many)])
        return [self.chunks[i] for i in fuse(rankings)[:k]]
