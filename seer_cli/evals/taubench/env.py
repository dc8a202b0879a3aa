"""A τ-bench (v1) environment: the tables of one domain, its tools, its tasks, and the reward.

Why this module exists: τ-bench scores an agent by the *database* it leaves behind, so the tools
must change the tables exactly as the official ones do. The data ships with seer
(``seer_cli/evals/data/taubench/``, MIT, Sierra 2024); the tools are seer's own (:mod:`.retail`,
:mod:`.airline`), and ``tests/test_taubench_conformance.py`` proves them faithful by replaying
every task's gold actions and comparing :func:`db_hash` with ``gold_db_hashes.json``.

* :func:`load_tasks` reads a split; a missing or malformed file, or a gold action naming an
  unknown tool, is a one-line :class:`~seer_cli.errors.UserError` / ``InvalidRecord`` naming the
  file and field.
* :class:`TauEnv` holds a fresh deep copy of the tables per task; :meth:`TauEnv.step` runs one
  tool; ``transfer_to_human_agents`` ends the episode.
* :func:`reward` is the official one: 1.0 when the final hash equals the hash after replaying the
  gold actions *and* every expected output string appears in some agent reply (lower-cased,
  commas removed), else 0.0; it also says which check failed.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from ...errors import InvalidRecord, UserError
from . import airline, retail

ENVS = ("retail", "airline")
SPLITS = {"retail": ("test", "dev", "train"), "airline": ("test",)}
TABLES = {"retail": ("orders", "products", "users"), "airline": ("flights", "reservations", "users")}
TOOLS: dict[str, dict[str, Callable[..., str]]] = {"retail": retail.TOOLS, "airline": airline.TOOLS}
TRANSFER = "transfer_to_human_agents"
RESPOND = "respond"


def data_dir() -> Path:
    return Path(str(resources.files("seer_cli.evals").joinpath("data/taubench")))


def check_env(env: str, split: str | None = None) -> None:
    if env not in ENVS:
        raise UserError(f"--env: must be retail or airline, not {env!r}")
    if split is not None and split not in SPLITS[env]:
        raise UserError(f"--split: {env} has {', '.join(SPLITS[env])}, not {split!r}")


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: missing ({what})") from None
    except OSError as e:
        raise UserError(f"{path}: cannot read ({e.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidRecord(f"{path}:{e.lineno}", f"not valid JSON ({e.msg})") from None


@lru_cache(maxsize=4)
def _tables_text(env: str, root: str) -> str:
    """The tables as one JSON text, so each task gets a fresh, unshared copy cheaply."""
    tables = {}
    for name in TABLES[env]:
        path = Path(root) / env / f"{name}.json"
        d = _read_json(path, f"the {env} {name} table")
        if not isinstance(d, dict):
            raise InvalidRecord(str(path), "must be a JSON object keyed by id")
        tables[name] = d
    return json.dumps(tables)


def load_data(env: str, root: Path | None = None) -> dict[str, dict]:
    """A fresh copy of the domain's database ``{table: {id: record}}``."""
    check_env(env)
    return json.loads(_tables_text(env, str(root or data_dir())))


def policy(env: str, root: Path | None = None) -> str:
    check_env(env)
    path = Path(root or data_dir()) / env / "wiki.md"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: missing (the {env} policy)") from None


def tool_schemas(env: str, root: Path | None = None) -> list[dict]:
    """The OpenAI function schemas of ``tools.json``, in the official order."""
    check_env(env)
    path = Path(root or data_dir()) / env / "tools.json"
    schemas = _read_json(path, f"the {env} tool schemas")
    names = [s.get("function", {}).get("name") for s in schemas] if isinstance(schemas, list) else None
    if names is None or sorted(names) != sorted(TOOLS[env]):
        raise InvalidRecord(str(path), f"must list the {len(TOOLS[env])} {env} tools")
    return schemas


# --- tasks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class Task:
    env: str
    split: str
    index: int  # position in the file: τ-bench's task id
    user_id: str
    instruction: str
    actions: tuple[Action, ...]
    outputs: tuple[str, ...]
    annotator: str = ""

    @property
    def tid(self) -> str:
        return f"{self.env}-{self.split}-{self.index}"


def tasks_path(env: str, split: str, root: Path | None = None) -> Path:
    return Path(root or data_dir()) / env / f"tasks_{split}.json"


def load_tasks(env: str, split: str, path: Path | None = None) -> list[Task]:
    """The tasks of ``env``/``split`` (or of the file ``path``), validated."""
    check_env(env, split)
    path = Path(path) if path else tasks_path(env, split)
    raw = _read_json(path, f"the {env} {split} tasks")
    if not isinstance(raw, list):
        raise InvalidRecord(str(path), "must be a JSON list of tasks")
    tasks = []
    for i, d in enumerate(raw):
        where = f"{path}: task {i}"
        if not isinstance(d, dict):
            raise InvalidRecord(where, "must be a JSON object")
        for name in ("user_id", "instruction"):
            if not isinstance(d.get(name), str) or not d[name].strip():
                raise InvalidRecord(where, f"{name}: must be a non-empty string")
        if not isinstance(d.get("actions"), list):
            raise InvalidRecord(where, "actions: must be a list")
        actions = []
        for j, a in enumerate(d["actions"]):
            if not isinstance(a, dict) or not isinstance(a.get("name"), str) or not isinstance(a.get("kwargs"), dict):
                raise InvalidRecord(where, f"actions[{j}]: must be {{name: str, kwargs: object}}")
            if a["name"] not in TOOLS[env]:
                raise InvalidRecord(where, f"actions[{j}].name: unknown {env} tool {a['name']!r}")
            actions.append(Action(a["name"], a["kwargs"]))
        outputs = d.get("outputs", [])
        if not isinstance(outputs, list) or not all(isinstance(o, str) for o in outputs):
            raise InvalidRecord(where, "outputs: must be a list of strings")
        tasks.append(Task(env, split, i, d["user_id"], d["instruction"], tuple(actions), tuple(outputs), str(d.get("annotator", ""))))
    return tasks


# --- hashing and reward ------------------------------------------------------------------------


def _tupled(obj: Any) -> Any:
    if isinstance(obj, dict):
        return tuple(sorted((k, _tupled(v)) for k, v in obj.items()))
    if isinstance(obj, (list, tuple)):
        return tuple(_tupled(v) for v in obj)
    if isinstance(obj, set):
        return tuple(sorted(_tupled(v) for v in obj))
    return obj


def db_hash(data: dict) -> str:
    """sha256 of ``str()`` of the database as nested sorted tuples (τ-bench's recipe; type-sensitive)."""
    return hashlib.sha256(str(_tupled(data)).encode("utf-8")).hexdigest()


def _normalise(text: str) -> str:
    return text.lower().replace(",", "")


@dataclass
class Outcome:
    reward: float
    failed: str | None  # None, "hash", "outputs" or "hash+outputs"
    missing_outputs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"reward": self.reward, "failed": self.failed, "missing_outputs": self.missing_outputs}


class TauEnv:
    """One episode's environment: a fresh copy of the tables, the tools, and the task."""

    def __init__(self, env: str, task: Task | None = None):
        check_env(env)
        self.env = env
        self.task = task
        self.data = load_data(env)
        self.tools = TOOLS[env]
        self.done = False
        self.replies: list[str] = []  # what the agent said to the user

    def step(self, name: str, kwargs: dict[str, Any]) -> str:
        """Run one tool on the tables; an unknown tool or bad arguments give an ``Error:`` string."""
        fn = self.tools.get(name)
        if fn is None:
            return f"Error: unknown tool {name!r}; valid tools: {', '.join(self.tools)}"
        try:
            result = fn(self.data, **kwargs)
        except TypeError as e:  # wrong or missing arguments
            return f"Error: {name}: {e}"
        except (KeyError, ValueError, IndexError, AttributeError, StopIteration) as e:
            return f"Error: {name}: {type(e).__name__}: {e}"
        if name == TRANSFER:
            self.done = True
        return result

    def say(self, message: str) -> None:
        self.replies.append(message)

    def reward(self) -> Outcome:
        if self.task is None:
            raise ValueError("reward() needs a task")
        return reward(self.task, self.data, self.replies)


def replay(env: str, actions, data: dict | None = None) -> dict:
    """The database after ``actions`` on a fresh load (transfers change nothing and are skipped)."""
    data = load_data(env) if data is None else data
    for a in actions:
        if a.name == TRANSFER:
            continue
        TOOLS[env][a.name](data, **copy.deepcopy(a.kwargs))
    return data


_GOLD: dict[str, str] = {}


def gold_hash(task: Task) -> str:
    """The hash after replaying the task's gold actions (cached per action list)."""
    key = task.env + json.dumps([[a.name, a.kwargs] for a in task.actions], sort_keys=True)
    if key not in _GOLD:
        _GOLD[key] = db_hash(replay(task.env, task.actions))
    return _GOLD[key]


def reward(task: Task, data: dict, replies: list[str]) -> Outcome:
    hash_ok = db_hash(data) == gold_hash(task)
    said = [_normalise(r) for r in replies]
    missing = [o for o in task.outputs if not any(_normalise(o) in s for s in said)]
    failed = [name for name, bad in (("hash", not hash_ok), ("outputs", bool(missing))) if bad]
    return Outcome(0.0 if failed else 1.0, "+".join(failed) or None, missing)
