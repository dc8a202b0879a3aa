"""What an eval run is before any model runs: its config and its plan.

Why this module exists: ``--resume`` must continue the very run that was killed, so the config is
written whole to ``config.json`` and read back by field name (:class:`RunConfig`, shared with
τ-bench), and the questions a run scores, practises and skips, in their order and batches, are a
pure function of that config (:func:`select`, :func:`plan`). Nothing here loads a model, a pool or
an embedder; :mod:`.runner` executes the plan.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..config import check_choice
from ..errors import UserError
from .toolqa import CORPUS_HINT, Question, load_questions, select_domains

ADMIT = {"em": "gold-em", "lenient": "gold-lenient", "llm": "llm-judge"}
SEED_POOL = "toolqa-seed"


class RunConfig:
    """What a run's ``config.json`` is made of: a dataclass written whole and read back by field
    name (keys a newer or older seer wrote are ignored), so ``--resume`` continues the same plan."""

    if TYPE_CHECKING:  # every subclass is a dataclass
        __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]):
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


@dataclass
class EvalConfig(RunConfig):
    split: str = "easy"
    domains: list[str] | None = None
    limit: int | None = None  # questions per domain (the first N in file order): smoke tests only
    sample: int | None = None  # test questions per split/domain, stratified by template, seeded
    split_train: float | None = None  # per split/domain, this fraction (by template) trains, the rest tests
    practice_tries: int = 0  # practice on the train questions first, up to T tries each (needs split_train)
    practice_sample: int | None = None  # train questions practised per split/domain (stratified); None = all
    seed: int = 0
    recall: str = "stepwise"
    demos: str = "recall"
    k: int = 4
    online: bool = True
    batches: int = 1
    pool: str | None = None  # starting pool; None = the shipped toolqa-seed pool
    concurrency: int = 1
    admit: str = "lenient"
    model: str | None = None
    llm_url: str | None = None
    max_steps: int | None = None
    toolqa_dir: str | None = None
    judge: bool = True  # compute the LLM judge for every question
    strict: bool = False  # ToolQA tools with the official FilterDB quirks exactly
    demo_order: str | None = None  # None = the settings' (SEER_DEMO_ORDER); recorded once the run starts
    demo_layout: str | None = None  # None = the settings' (SEER_DEMO_LAYOUT); recorded
    thought_max_chars: int | None = None  # None = the settings' (SEER_THOUGHT_MAX_CHARS); recorded
    hint: str | None = None  # intent | plan | none; None = the settings' (SEER_HINT); recorded
    dominant_margin: float | None = None  # None = the settings' (off unless SEER_DOMINANT_MARGIN); recorded
    w_utility: float | None = None  # None = the settings' (0 unless SEER_W_UTILITY); recorded
    judge_model: str | None = None  # the LLM judge's own GGUF/alias, or
    judge_url: str | None = None  # its own OpenAI-compatible server; neither = the agent's backend
    skipped: list[str] = field(default_factory=list)  # filled in: messages for skipped domains
    train_qids: list[str] = field(default_factory=list)  # filled in: the train part (never scored, never paired)
    test_qids: list[str] = field(default_factory=list)  # filled in: the questions scored
    practice_qids: list[str] = field(default_factory=list)  # filled in: the train questions practised

    def validate(self) -> "EvalConfig":
        check_choice("recall", self.recall, "--recall")
        check_choice("demos", self.demos, "--demos")
        if self.admit not in ADMIT:
            raise UserError(f"--admit: must be em, lenient or llm, not {self.admit!r}")
        if self.batches < 1:
            raise UserError("--batches: must be at least 1")
        if self.concurrency < 1:
            raise UserError("--concurrency: must be at least 1")
        if self.concurrency > 1 and not self.llm_url:
            raise UserError("--concurrency: more than 1 needs an HTTP backend (--llm-url); the in-process model runs one episode at a time")
        if self.limit is not None and self.limit < 1:
            raise UserError("--limit: must be at least 1")
        if self.sample is not None and self.sample < 1:
            raise UserError("--sample: must be at least 1")
        if self.limit is not None and self.sample is not None:
            raise UserError("--limit and --sample: choose one (--sample draws across templates; --limit takes the first N)")
        if self.split_train is not None and not 0.0 < self.split_train < 1.0:
            raise UserError(f"--split-train: must be between 0 and 1 (exclusive), not {self.split_train}")
        if self.practice_tries < 0:
            raise UserError("--practice-tries: must be 0 or more")
        if self.practice_tries and self.split_train is None:
            raise UserError("--practice-tries: needs --split-train (practice runs on the train part, scoring on the rest)")
        return self


@dataclass
class Planned:
    question: Question
    batch: int


def _group(q: Question) -> str:
    return f"{q.split}/{q.domain}"


def _text(q: Question) -> str:
    return q.question


def select(config: EvalConfig) -> tuple[list[Question], list[Question], list[str]]:
    """(train questions to practise, test questions to score, domains run), in file order.

    ``--split-train F`` splits every split/domain by template (seeded, disjoint); ``--sample N``
    then draws N test questions per split/domain across templates and ``--practice-sample M``
    M train questions. Without a split every question is a test question. Fills in the config's
    ``train_qids``/``test_qids``/``practice_qids`` so the run records what it scored.
    """
    from .sampling import split_train_test, stratified_sample

    toolqa_dir = Path(config.toolqa_dir) if config.toolqa_dir else None
    domains, skipped = select_domains(config.domains, toolqa_dir)
    config.skipped = skipped
    questions = load_questions(config.split, domains, toolqa_dir)
    train: list[Question] = []
    if config.split_train is not None:
        train, questions = split_train_test(questions, config.split_train, config.seed, group=_group, text=_text)
    if config.sample:
        questions = stratified_sample(questions, config.sample, config.seed, group=_group, text=_text)
    practice = train
    if config.practice_sample and train:
        practice = stratified_sample(train, config.practice_sample, config.seed, group=_group, text=_text, salt="practice")
    config.train_qids = [q.qid for q in train]
    config.practice_qids = [q.qid for q in practice] if config.practice_tries else []
    config.test_qids = [q.qid for q in questions]
    return practice, questions, domains


def plan(config: EvalConfig) -> list[Planned]:
    """The test questions of a run in execution order, each with its batch number."""
    toolqa_dir = Path(config.toolqa_dir) if config.toolqa_dir else None
    _, questions, domains = select(config)
    skipped = config.skipped
    if config.limit:
        per: dict[str, int] = {}
        kept = []
        for q in questions:
            key = f"{q.split}/{q.domain}"
            if per.get(key, 0) < config.limit:
                per[key] = per.get(key, 0) + 1
                kept.append(q)
        questions = kept
    if not questions:
        message = f"no questions to run (split {config.split}, domains {', '.join(domains) or 'none'})"
        if domains == ["gsm8k"] and config.split == "hard":
            message += "; gsm8k has easy questions only"
        if skipped:
            absent = ", ".join(m.split(":", 1)[0] for m in skipped)
            where = f"{toolqa_dir}/data/external_corpus/" if toolqa_dir else "no --toolqa-dir given"
            message += f"; corpora missing for {absent} ({where}): {CORPUS_HINT}"
        raise UserError(message)
    random.Random(config.seed).shuffle(questions)
    b = min(config.batches, len(questions))
    size, extra = divmod(len(questions), b)
    out, start = [], 0
    for i in range(b):
        end = start + size + (1 if i < extra else 0)
        out += [Planned(q, i) for q in questions[start:end]]
        start = end
    return out
