"""Which past experiences to show the agent before its next step (SEER, arXiv 2508.15214).

Before every step the pool is re-ranked against the *current partial trajectory*:

    score(tau) = w_sim * sim + w_cov * coverage + w_intent * [intent(tau) == intent]
                 + w_utility * utility(tau) + w_masked * masked_sim

* ``utility``: how often episodes that were shown tau succeeded, ``(wins + 1) / (judged + 2)``
  from ``usage.json`` (a MemRL-style value, arXiv 2601.03192); ``w_utility = 0`` (off) by default.

* ``sim``: cosine similarity of embeddings. At step 1 (no tool call yet) it is question
  similarity, ``cos(E(q), E_q(tau))`` in the pool's "question" space, or the best of it and the
  similarities to tau's paraphrases when practice wrote some (:func:`.masking.keys_of`: an
  experience is matched by its best key, as Re-Invoke matches a tool by its best synthetic query).
  Later it is
  ``cos(E(H_t), E_traj(tau))`` in the "trajectory" space, where ``H_t`` is the question plus the
  "thought Tool(args)" lines so far, built exactly like :meth:`Experience.trajectory_text`
  (observations left out) so both sides are comparable.
* ``coverage``: see :func:`coverage`; 0 before the first call.
* intent match: 1 when the experience's intent equals the task's intent, else 0.
* ``masked_sim`` (step 1 only): ``cos(E(mask(q)), E(mask(q_tau)))`` with values and names masked
  (:func:`.masking.template_key`, DAIL-SQL's masked question similarity), so "the low on
  2014-12-25" and "the low on 2015-03-01" match on what is asked; ``w_masked = 0`` (off) by default.

Candidates are the top-``m`` by embedding in the relevant space, united with the top-``m`` of the
same intent (so an intent match is never lost to the ANN cut), then re-scored exactly with numpy
over the stored vectors. Ties go to the higher score, then the lower pool position (older first);
scores equal to 6 decimals count as ties.
Failed experiences are never shown as demonstrations.

``practised="fitting"`` shows a self-practised experience only to a question that asks for the same
operations (:mod:`.asks`: a count, an average, a highest ...), only at a similarity of at least
:data:`PRACTISED_MIN_SIM`, and only where its calls can be made on the inputs at hand (``fits``, the
toolkit's: a practised query over another table, given one file, had the 1.5B join the two): practised experiences share the user's files' words with every question on
those files, the 1.5B copies their plans and answers where they do not fit, and a practised
experience about other files (cosine 0.07 to 0.3 on the real-files suites, where the intent term
still brought it into the top 4) only perturbs the prompt. Seed experiences, which teach the format,
are shown as before. ``practised="inputs"`` keeps the similarity and ``fits`` tests but not the
operations: a practised query over the user's own table teaches its columns and values to any
question about that table, whatever it asks.

``exclude`` leaves given experiences out (a practice retry that wants other demos), and
``dominant_margin``: when the best candidate's similarity leads the second's by at least that
margin, only the best is shown (the small model copies the first plan it sees; a clearly
best-matched plan is better alone than beside three worse ones). Off (None) by default.

Modes: ``"stepwise"`` recalls before every step; ``"task"`` recalls once with the question at step
1 and keeps that set for the whole episode; ``"none"`` recalls nothing.

The pool is used only through its contract, :class:`.contracts.PoolLike` (``experiences()``,
``vectors(space)``, ``knn(vec, k, space, intent)``, ``record_recalls(ids)``, and ``usage()`` when
``w_utility`` is on), so any object providing it will do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from ..config import PRACTISED_DEMOS, RECALL_MODES
from .asks import asks
from .masking import keys_of, template_key
from .records import FINISH, PRACTISED, Experience, Step

if TYPE_CHECKING:
    from .contracts import EmbedderLike, PoolLike

MODES = RECALL_MODES
PRACTISED_MIN_SIM = 0.4  # the least similarity at which a self-practised experience is shown ("fitting")


@dataclass(frozen=True)
class RecallWeights:
    sim: float = 1.0
    cov: float = 1.0
    intent: float = 1.0
    utility: float = 0.0
    masked: float = 0.0

    @classmethod
    def from_settings(cls, settings) -> "RecallWeights":
        return cls(sim=settings.w_sim, cov=settings.w_cov, intent=settings.w_intent, utility=settings.w_utility,
                   masked=settings.w_masked)


@dataclass(frozen=True)
class Recalled:
    """One demonstration chosen for the next step, with the parts of its score."""

    experience: Experience
    score: float
    sim: float
    coverage: float
    intent_match: bool
    position: int = -1  # line number in the pool (its index label)
    utility: float = 0.5
    masked: float = 0.0

    @property
    def id(self) -> str:
        return self.experience.id

    @property
    def parts(self) -> dict[str, float]:
        return {"sim": self.sim, "coverage": self.coverage, "intent": float(self.intent_match), "utility": self.utility,
                "masked": self.masked}


class RecallList(list):
    """The recalled demonstrations, best first, plus how long each part of recall took."""

    def __init__(self, items=(), *, space: str = "", embed_ms=0.0, search_ms=0.0, rescore_ms=0.0):
        super().__init__(items)
        self.space = space
        self.embed_ms = embed_ms
        self.search_ms = search_ms
        self.rescore_ms = rescore_ms

    @property
    def timings(self) -> dict[str, float]:
        return {"embed_ms": self.embed_ms, "search_ms": self.search_ms, "rescore_ms": self.rescore_ms}


def calls_so_far(steps: Sequence[Step] | Sequence[str]) -> list[str]:
    """Tool names of the calls made so far (repeats kept), ``Finish`` left out."""
    names = [s if isinstance(s, str) else s.tool for s in steps]
    return [n for n in names if n != FINISH]


def coverage(tools_so_far: Sequence[str], exp_tools: Sequence[str]) -> float:
    """How much of what the agent has done so far the experience also did.

    ``|set(tools so far) ∩ set(tools of tau)| / (number of calls so far)``, where the calls so far
    exclude ``Finish`` and the denominator counts every call, repeats included (as in the SEER
    paper): an agent that called ``LoadDB`` three times against an experience that used it once
    gets 1/3. It is 0 before the first call.
    """
    calls = calls_so_far(list(tools_so_far))
    if not calls:
        return 0.0
    return len(set(calls) & set(exp_tools)) / len(calls)


def score(
    sim: float,
    tools_so_far: Sequence[str],
    exp_tools: Sequence[str],
    same_intent: bool,
    w: RecallWeights | None = None,
    utility: float = 0.5,
    masked: float = 0.0,
) -> tuple[float, dict[str, float]]:
    """The SEER score of one experience: ``(total, {"sim", "coverage", "intent", "utility", "masked"})``."""
    w = w or RecallWeights()
    cov = coverage(tools_so_far, exp_tools)
    intent = 1.0 if same_intent else 0.0
    total = w.sim * float(sim) + w.cov * cov + w.intent * intent + w.utility * float(utility)
    if w.masked:
        total += w.masked * float(masked)
    return total, {"sim": float(sim), "coverage": cov, "intent": intent, "utility": float(utility), "masked": float(masked)}


def history_text(question: str, steps: Sequence[Step]) -> str:
    """The partial trajectory as recall embeds it: same text as ``Experience.trajectory_text``."""
    return Experience(question=question, steps=list(steps), answer="", created_at="").trajectory_text()


def rank(
    candidates: Sequence[tuple[int, float, Experience]],
    tools_so_far: Sequence[str],
    intent: str | None,
    w: RecallWeights,
    k: int,
    utilities: dict[str, float] | None = None,
    masked: dict[int, float] | None = None,
) -> list[Recalled]:
    """Score ``(position, sim, experience)`` candidates; best ``k`` first, ties to lower position.
    ``masked``: the masked similarity of each candidate position (step 1, when ``w.masked``)."""
    scored = []
    for pos, sim, exp in candidates:
        same = intent is not None and exp.intent == intent
        u = utilities.get(exp.id, 0.5) if utilities else 0.5
        ms = masked.get(pos, 0.0) if masked else 0.0
        total, parts = score(sim, tools_so_far, exp.tools, same, w, u, ms)
        scored.append(Recalled(exp, total, parts["sim"], parts["coverage"], same, pos, u, ms))
    # Scores equal to 6 decimals tie: float32 vectors carry ~7 significant digits, and the same
    # text embedded twice can differ in the last bit, which must not decide the order.
    scored.sort(key=lambda r: (-round(r.score, 6), r.position))
    return scored[:k]


class Recaller:
    """Chooses the top-``k`` demonstrations from ``pool`` for each step of an episode.

    ``recall`` is called before each step with the steps taken so far; in ``"task"`` mode the set
    chosen at step 1 is kept for as long as the question and intent stay the same.
    ``record_usage=True`` makes every fresh recall call ``pool.record_recalls``; it is off by
    default because the agent records once per episode what it actually showed.
    """

    def __init__(
        self,
        pool: PoolLike,
        embedder: EmbedderLike,
        *,
        k: int = 4,
        m: int = 32,
        weights: RecallWeights | None = None,
        mode: str = "stepwise",
        record_usage: bool = False,
        dominant_margin: float | None = None,
        practised: str = "fitting",
        fits: Callable[[Experience], bool] | None = None,
    ):
        if practised not in PRACTISED_DEMOS:
            raise ValueError(f"practised demos must be one of {', '.join(PRACTISED_DEMOS)}, got {practised!r}")
        if mode not in MODES:
            raise ValueError(f"recall mode must be one of {', '.join(MODES)}, got {mode!r}")
        if k < 0 or m < 1:
            raise ValueError(f"recall needs k >= 0 and m >= 1, got k={k}, m={m}")
        self.pool = pool
        self.embedder = embedder
        self.k = k
        self.m = max(m, k)
        self.weights = weights or RecallWeights()
        self.mode = mode
        self.record_usage = record_usage
        self.dominant_margin = dominant_margin
        self.practised = practised
        self.fits = fits  # with "fitting": whether a practised experience's calls can be made on the inputs at hand
        self.last: RecallList = RecallList()
        self._task_key: tuple[str, str | None, frozenset[str], int] | None = None
        self._task_set: RecallList | None = None
        self._key_vecs: dict[str, np.ndarray] = {}  # paraphrase keys and masked questions, embedded once per recaller

    @classmethod
    def from_settings(cls, pool: PoolLike, embedder: EmbedderLike, settings, **overrides) -> "Recaller":
        opts = dict(k=settings.k, m=settings.candidates_m, weights=RecallWeights.from_settings(settings), mode=settings.recall,
                    dominant_margin=settings.dominant_margin, practised=settings.practised_demos)
        opts.update(overrides)
        return cls(pool, embedder, **opts)

    @property
    def last_timings(self) -> dict[str, float]:
        return self.last.timings

    def recall(self, question: str, intent: str | None, steps_so_far: Sequence[Step], *, exclude: frozenset[str] = frozenset(),
               k: int | None = None) -> RecallList:
        """The top-``k`` :class:`Recalled` for the next step, best first; ``exclude``: ids never shown."""
        k = self.k if k is None else k
        if self.mode == "none" or k == 0:
            self.last = RecallList()
            return self.last
        if self.mode == "task":
            key = (question, intent, exclude, k)
            if not steps_so_far or self._task_key != key or self._task_set is None:
                self._task_set = self._recall(question, intent, [], exclude, k)
                self._task_key = key
            self.last = RecallList(self._task_set, space=self._task_set.space)  # zero cost: reused
            return self.last
        self.last = self._recall(question, intent, list(steps_so_far), exclude, k)
        return self.last

    def _recall(self, question: str, intent: str | None, steps: list[Step], exclude: frozenset[str] = frozenset(),
                k: int | None = None) -> RecallList:
        k = self.k if k is None else k
        experiences = self.pool.experiences()
        if not experiences:
            return RecallList()
        tools = calls_so_far(steps)
        t0 = time.perf_counter()
        if tools:
            space = "trajectory"
            vec = self.embedder.embed(history_text(question, [s for s in steps if s.tool != FINISH]))
        else:
            space = "question"
            vec = self.embedder.embed_cached(question)  # the same question is embedded at every episode start
        t1 = time.perf_counter()
        m = min(max(self.m, k + len(exclude)), len(experiences))
        positions = {pos for pos, _ in self.pool.knn(vec, m, space=space)}
        if intent is not None:
            positions |= {pos for pos, _ in self.pool.knn(vec, m, space=space, intent=intent)}
        t2 = time.perf_counter()
        # Positions past the snapshot (the pool grew meanwhile) wait for the next recall.
        ordered = sorted(p for p in positions if p < len(experiences) and experiences[p].succeeded and experiences[p].id not in exclude)
        sims: np.ndarray | list[float] = self.pool.vectors(space)[ordered] @ np.asarray(vec, dtype=np.float32) if ordered else []
        cands = [(p, float(s), experiences[p]) for p, s in zip(ordered, sims)]
        masked = None
        if space == "question":
            cands = self._best_key(cands, vec)
            if self.weights.masked:
                masked = self._masked(question, cands)
        if self.practised != "any":
            wanted = asks(question) if self.practised == "fitting" else None
            cands = [(p, s, e) for p, s, e in cands if e.origin != PRACTISED or (
                s >= PRACTISED_MIN_SIM and (wanted is None or asks(e.question) == wanted) and (self.fits is None or self.fits(e)))]
        utilities = None
        if self.weights.utility:
            from .summary import utility

            usage = self.pool.usage()
            utilities = {e.id: utility(usage.get(e.id)) for _, _, e in cands}
        top = rank(cands, tools, intent, self.weights, k, utilities, masked)
        if self.dominant_margin is not None and len(top) > 1:
            by_sim = sorted((r.sim for r in top), reverse=True)
            if top[0].sim >= by_sim[1] + self.dominant_margin:
                top = top[:1]
        t3 = time.perf_counter()
        if self.record_usage and top:
            self.pool.record_recalls([r.id for r in top])
        ms = 1000.0
        return RecallList(top, space=space, embed_ms=(t1 - t0) * ms, search_ms=(t2 - t1) * ms, rescore_ms=(t3 - t2) * ms)

    def _embedded(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Vectors of ``texts``, each embedded once in this recaller's life (one batch for the new ones)."""
        new = [t for t in dict.fromkeys(texts) if t not in self._key_vecs]
        if new:
            for t, v in zip(new, np.asarray(self.embedder.embed_batch(new), dtype=np.float32)):
                self._key_vecs[t] = v
        return {t: self._key_vecs[t] for t in texts}

    def _best_key(self, cands: list[tuple[int, float, Experience]], vec) -> list[tuple[int, float, Experience]]:
        """Each candidate's question similarity raised to its best paraphrase key's, if it has any."""
        extra = {p: keys_of(e)[1:] for p, _, e in cands}
        texts = [k for ks in extra.values() for k in ks]
        if not texts:
            return cands
        vecs = self._embedded(texts)
        q = np.asarray(vec, dtype=np.float32)
        return [(p, max([s] + [float(vecs[k] @ q) for k in extra[p]]), e) for p, s, e in cands]

    def _masked(self, question: str, cands: list[tuple[int, float, Experience]]) -> dict[int, float]:
        """Masked question similarity of each candidate position."""
        masks = {p: template_key(e.question) for p, _, e in cands}
        mq = template_key(question)
        vecs = self._embedded([mq, *masks.values()])
        return {p: float(vecs[m] @ vecs[mq]) for p, m in masks.items()}
