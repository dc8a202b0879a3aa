"""The ToolQA questions (800 easy + 730 hard) and the corpora they need.

The question files ship with seer, byte-identical to ToolQA's ``data/questions`` (see
``data/toolqa/PROVENANCE.md``); a ToolQA directory that has its own ``data/questions`` is read
instead. The files have quirks that are handled here, in code, and never by editing the files:

* ``hard/genda-hard.jsonl`` is the agenda domain (typo in the file name);
* ``easy-airbnb-0070``/``0077`` have a bare ``NaN`` answer (not strict JSON). The gold is the
  string ``"nan"``, what the official ``EM(answer, key)`` compares against (``str(float('nan'))``);
  the question is flagged ``nan-answer`` and still scored;
* ``hard/airbnb-hard.jsonl`` lines 31-40 reuse the qids ``hard-yelp-0030..0039`` of yelp-hard.
  They are airbnb questions, so they get the ids ``hard-airbnb-dup-0030..0039`` (the original id
  is kept in ``original_qid``) and the flag ``dup-qid``;
* ``hard-dblp-0080`` has an empty answer: it is loaded (so counts match the paper) but flagged
  ``empty-answer`` and skipped from scoring (``Question.scored`` is False).

Every domain except gsm8k needs corpus files under ``<toolqa-dir>/data/external_corpus/``
(:data:`CORPUS_FILES`). :func:`select_domains` skips a domain whose corpus is missing, with a
message saying what is missing and where to get it; naming such a domain explicitly is an error.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import InvalidRecord, UserError
from ..toolkits.toolqa import CORPUS_FILES

DOMAINS = ("flight", "coffee", "yelp", "airbnb", "dblp", "scirex", "agenda", "gsm8k")
SPLITS = ("easy", "hard")
_FILE_DOMAIN = {"genda": "agenda"}  # hard/genda-hard.jsonl

CORPUS_URL = "https://drive.google.com/file/d/1zRbHzPW2x4dDcfmphBWlan8cxUCRNmqk/view"
CORPUS_HINT = (
    f"download ToolQA's external corpus ({CORPUS_URL}, see https://github.com/night-chen/ToolQA#data-download) "
    "and unzip it into <toolqa-dir>/data/external_corpus/"
)


@dataclass(frozen=True)
class Question:
    qid: str
    domain: str
    split: str
    question: str
    answer: str
    where: str  # file:line
    original_qid: str
    flags: tuple[str, ...] = ()

    @property
    def scored(self) -> bool:
        """False for questions without a usable gold answer (``hard-dblp-0080``)."""
        return "empty-answer" not in self.flags


def packaged_questions_dir() -> Path:
    return Path(str(resources.files("seer_cli.evals").joinpath("data/toolqa/questions")))


def default_toolqa_dir() -> Path | None:
    """``$SEER_TOOLQA_DIR``, or None (then only gsm8k, which needs no corpus, can run)."""
    env = os.environ.get("SEER_TOOLQA_DIR")
    return Path(env).expanduser() if env else None


def questions_dir(toolqa_dir: Path | None) -> Path:
    """``<toolqa-dir>/data/questions`` when it exists, else the copy shipped with seer."""
    if toolqa_dir is not None and (Path(toolqa_dir) / "data" / "questions").is_dir():
        return Path(toolqa_dir) / "data" / "questions"
    return packaged_questions_dir()


def _gold(value, where: str) -> tuple[str, tuple[str, ...]]:
    if isinstance(value, float) and value != value:
        return "nan", ("nan-answer",)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidRecord(where, f"answer: must be a string or a number, got {type(value).__name__}")
    text = str(value)
    return text, (() if text.strip() else ("empty-answer",))


def _load_file(path: Path, split: str) -> list[Question]:
    stem = path.stem  # "<domain>-<split>"
    base, _, file_split = stem.rpartition("-")
    domain = _FILE_DOMAIN.get(base, base)
    if file_split != split or domain not in DOMAINS:
        raise UserError(f"{path}: expected a file named <domain>-{split}.jsonl with a domain in {', '.join(DOMAINS)}")
    out: list[Question] = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                d = json.loads(line)  # Python's json accepts the bare NaN of two airbnb lines
            except json.JSONDecodeError as e:
                raise InvalidRecord(where, f"not valid JSON ({e.msg})") from None
            if not isinstance(d, dict):
                raise InvalidRecord(where, "must be a JSON object")
            for name in ("qid", "question"):
                if not isinstance(d.get(name), str) or not d[name].strip():
                    raise InvalidRecord(where, f"{name}: must be a non-empty string")
            if "answer" not in d:
                raise InvalidRecord(where, "answer: missing")
            gold, flags = _gold(d["answer"], where)
            qid = d["qid"]
            parts = qid.split("-")
            if len(parts) >= 3 and parts[1] != domain:
                # airbnb-hard lines 31-40 carry yelp qids: give them their own, stable ids.
                qid = f"{split}-{domain}-dup-{parts[-1]}"
                flags += ("dup-qid",)
            out.append(Question(qid, domain, split, d["question"], gold, where, d["qid"], flags))
    return out


def load_questions(split: str = "all", domains: list[str] | None = None, toolqa_dir: Path | None = None) -> list[Question]:
    """Questions of ``split`` (easy, hard or all), optionally only some domains, in file order."""
    if split not in (*SPLITS, "all"):
        raise UserError(f"--split: must be easy, hard or all, not {split!r}")
    wanted = set(check_domains(domains)) if domains else set(DOMAINS)
    root = questions_dir(toolqa_dir)
    questions: list[Question] = []
    for s in SPLITS if split == "all" else (split,):
        folder = root / s
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.jsonl")):
            questions += [q for q in _load_file(path, s) if q.domain in wanted]
    seen: dict[str, str] = {}
    for q in questions:
        if q.qid in seen:
            raise InvalidRecord(q.where, f"qid: {q.qid!r} already used at {seen[q.qid]}")
        seen[q.qid] = q.where
    return questions


def check_domains(domains: list[str] | None) -> list[str]:
    """Validate domain names from ``--domains``."""
    for d in domains or []:
        if d not in DOMAINS:
            raise UserError(f"--domains: unknown domain {d!r} (choose from {', '.join(DOMAINS)})")
    return list(domains or [])


def missing_corpus(domain: str, toolqa_dir: Path | None) -> list[str]:
    """Corpus files of ``domain`` that are absent (relative to data/external_corpus/)."""
    files = CORPUS_FILES[domain]
    if not files:
        return []
    if toolqa_dir is None:
        return list(files)
    base = Path(toolqa_dir) / "data" / "external_corpus"
    return [f for f in files if not (base / f).is_file()]


def select_domains(requested: list[str] | None, toolqa_dir: Path | None) -> tuple[list[str], list[str]]:
    """(domains to run, one message per skipped domain; show :data:`CORPUS_HINT` once with them).
    A domain named in ``requested`` must be runnable, else :class:`UserError`."""
    requested = check_domains(requested)
    where = f"{toolqa_dir}/data/external_corpus/" if toolqa_dir else "no --toolqa-dir (or SEER_TOOLQA_DIR) given"
    if requested:
        for d in requested:
            missing = missing_corpus(d, toolqa_dir)
            if missing:
                raise UserError(f"--domains {d}: missing {', '.join(missing)} ({where}); {CORPUS_HINT}")
        return requested, []
    run, skipped = [], []
    for d in DOMAINS:
        missing = missing_corpus(d, toolqa_dir)
        if missing:
            skipped.append(f"{d}: skipped, missing {', '.join(missing)} ({where})")
        else:
            run.append(d)
    return run, skipped
