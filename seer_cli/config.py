"""Every default in one place.

``Settings`` is a plain dataclass. Values come, lowest priority first, from the defaults below,
the config file ``<home>/config.toml``, then ``SEER_*`` environment variables; the CLI passes
explicit options on top with :meth:`Settings.replace`.

``home`` is ``$SEER_HOME`` when set (tests point it at a temporary directory), otherwise the
platform's user data directory. Per-home caches (saved KV states) live in ``cache_dir``:
``$SEER_CACHE_DIR``, else ``$SEER_HOME/cache``, else the platform's user cache directory.

What is the same for every home on a machine lives once, in ``model_cache``: the assembled model
files (1.1 GB for the default model) and the CPU probe's verdicts. It is ``$SEER_MODEL_CACHE``,
else ``$SEER_CACHE_DIR``, else the platform's user cache directory, and never follows
``$SEER_HOME``: a script that makes a home per run must not make a model copy per run.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from .errors import UserError

APP = "seer"


def _default_home() -> Path:
    env = os.environ.get("SEER_HOME")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir(APP))


def _default_cache() -> Path:
    if os.environ.get("SEER_CACHE_DIR"):
        return Path(os.environ["SEER_CACHE_DIR"]).expanduser()
    env = os.environ.get("SEER_HOME")
    if env:
        return Path(env).expanduser() / "cache"
    return Path(platformdirs.user_cache_dir(APP))


def _default_model_cache() -> Path:
    for env in ("SEER_MODEL_CACHE", "SEER_CACHE_DIR"):
        if os.environ.get(env):
            return Path(os.environ[env]).expanduser()
    return Path(platformdirs.user_cache_dir(APP))


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=_default_home)
    cache_dir: Path = field(default_factory=_default_cache)
    model_cache: Path = field(default_factory=_default_model_cache)

    # --- model / backend -------------------------------------------------------------------
    model: str | None = None  # PATH or alias; None = best bundled model installed
    llm_url: str | None = None  # OpenAI-compatible server; overrides the in-process model
    n_ctx: int = 8192
    n_threads: int | None = None  # None = physical cores. SEER_THREADS=1 helps on a CPU shared with
    # other busy processes, where llama.cpp's spinning worker threads make 2 threads slower than 1
    seed: int = 0
    temperature: float = 0.0
    request_timeout: float = 120.0
    kv_cache_mb: int = 256  # RAM for saved KV states of recurring prompt prefixes (system, system + demos); 0 = off
    kv_disk_mb: int = 1024  # the same states on disk under cache_dir/kv, so the next process starts warm; 0 = off
    extra_bufts: str = "auto"  # llama.cpp's extra buffer types (repacked / AMX weights): auto (a one-time probe decides), on, off

    # --- pool ------------------------------------------------------------------------------
    pool: str = "default"
    pool_seed: str | None = None  # what a new pool opened by run/practice starts from: None = the toolkit's seed (general-seed, toolqa-seed); "" or "none" = empty (SEER_POOL_SEED)
    observation_max_chars: int = 600  # stored observation length
    near_dup_threshold: float = 0.97  # trajectory cosine for near-duplicates (same tool chain)
    lock_timeout: float = 30.0
    redact_patterns: tuple[str, ...] = ()  # extra regexes, on top of the built-in ones

    # --- recall ----------------------------------------------------------------------------
    recall: str = "stepwise"  # stepwise | task | none
    demos: str = "recall"  # recall | static
    k: int = 4
    candidates_m: int = 32
    w_sim: float = 1.0
    w_cov: float = 1.0
    w_intent: float = 1.0
    demo_order: str = "sticky"  # sticky (best first) | best-last | score | canonical; see agent.prompt.DemoOrder
    demo_layout: str = "append"  # rerank (the demo block follows recall every step) | append (step 1's block stays; later newcomers are added after it); see agent.prompt
    w_utility: float = 0.0  # weight of per-experience utility (wins/judged) in the recall score; off until measured
    w_masked: float = 0.0  # weight of masked question similarity (values and names masked) at step 1; off until measured
    dominant_margin: float | None = None  # show the best demo alone when its similarity leads by this much
    hint: str = "intent"  # intent (the toolkit's fixed per-intent hint) | plan (the best demo's tool chain) | none
    practised_demos: str = "fitting"  # fitting (a self-practised experience is shown only to a question asking the same operations, at similarity >= 0.4; pool.asks) | inputs (the same, whatever operations it asks) | any

    # --- agent -----------------------------------------------------------------------------
    max_steps: int = 10
    prompt_observation_chars: int = 1200  # observation length shown in the prompt (Retrieve's 3 snippets, 1,050 characters, fit)
    demo_observation_chars: int = 160  # observation length shown in recalled demonstrations
    thought_max_chars: int = 200
    step_max_tokens: int = 192
    sandbox_timeout: float = 10.0
    sandbox_memory_mb: int = 512
    sandbox_require: bool = False  # refuse to run model-written code where the kernel cannot confine it (Landlock + seccomp; `seer doctor` shows which)
    mcp_timeout: float = 30.0  # seconds an MCP tool call may take
    retrieval: str = "hybrid"  # how Retrieve ranks document passages: hybrid (BM25 and dense fused by reciprocal rank) | dense (MiniLM only) | bm25 (exact words only)

    @property
    def pools_dir(self) -> Path:
        return self.home / "pools"

    @property
    def models_dir(self) -> Path:
        return self.model_cache / "models"

    @property
    def cpu_probe_dir(self) -> Path:
        return self.model_cache / "cpu-probe"

    @property
    def config_file(self) -> Path:
        return self.home / "config.toml"

    def replace(self, **changes) -> "Settings":
        """A copy with the non-None values of ``changes`` applied."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


_ENV = {
    "SEER_MODEL": "model",
    "SEER_LLM_URL": "llm_url",
    "SEER_POOL": "pool",
    "SEER_POOL_SEED": "pool_seed",
    "SEER_N_CTX": "n_ctx",
    "SEER_THREADS": "n_threads",
    "SEER_DEMO_ORDER": "demo_order",
    "SEER_DEMO_LAYOUT": "demo_layout",
    "SEER_THOUGHT_MAX_CHARS": "thought_max_chars",
    "SEER_W_UTILITY": "w_utility",
    "SEER_W_MASKED": "w_masked",
    "SEER_DOMINANT_MARGIN": "dominant_margin",
    "SEER_HINT": "hint",
    "SEER_PRACTISED_DEMOS": "practised_demos",
    "SEER_K": "k",
    "SEER_KV_CACHE_MB": "kv_cache_mb",
    "SEER_KV_DISK_MB": "kv_disk_mb",
    "SEER_SANDBOX_REQUIRE": "sandbox_require",
    "SEER_EXTRA_BUFTS": "extra_bufts",
    "SEER_RETRIEVAL": "retrieval",
}


_BOOLS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _coerce(name: str, raw):
    f = {f.name: f for f in dataclasses.fields(Settings)}[name]
    typ = str(f.type)
    try:
        if typ == "bool":
            return raw if isinstance(raw, bool) else _BOOLS[str(raw).strip().lower()]
        if typ.startswith("int"):
            return int(raw)
        if typ.startswith("float"):
            return float(raw)
        if typ.startswith("tuple"):
            return tuple(raw)
    except (KeyError, TypeError, ValueError):
        raise UserError(f"config: {name} must be {typ.split(' ')[0]}, got {raw!r}") from None
    return raw


# Each vocabulary once: the modes a setting, an option and a run config may take.
RECALL_MODES = ("stepwise", "task", "none")
DEMO_MODES = ("recall", "static")
DEMO_ORDERS = ("sticky", "best-last", "score", "canonical")
DEMO_LAYOUTS = ("rerank", "append")
HINT_MODES = ("intent", "plan", "none")
PRACTISED_DEMOS = ("fitting", "inputs", "any")
EXTRA_BUFTS_MODES = ("auto", "on", "off")
RETRIEVAL_MODES = ("hybrid", "dense", "bm25")
VOCABULARY = {"extra_bufts": EXTRA_BUFTS_MODES, "retrieval": RETRIEVAL_MODES, "recall": RECALL_MODES, "demos": DEMO_MODES, "demo_order": DEMO_ORDERS, "demo_layout": DEMO_LAYOUTS, "hint": HINT_MODES, "practised_demos": PRACTISED_DEMOS}


def check_choice(key: str, value, where: str = "config") -> None:
    """A :class:`UserError` naming ``key`` when ``value`` is not one of its vocabulary."""
    allowed = VOCABULARY[key]
    if value not in allowed:
        raise UserError(f"{where}: {key} must be one of {', '.join(allowed)}, not {value!r}")


def load_settings() -> Settings:
    """Defaults < config file < environment."""
    base = Settings()
    values: dict = {}
    if base.config_file.is_file():
        try:
            data = tomllib.loads(base.config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise UserError(f"{base.config_file}: not valid TOML ({e})") from None
        known = {f.name for f in dataclasses.fields(Settings)} - {"home", "cache_dir", "model_cache"}
        for key, raw in data.items():
            if key not in known:
                raise UserError(f"{base.config_file}: unknown setting {key!r}")
            values[key] = _coerce(key, raw)
    for env, name in _ENV.items():
        if os.environ.get(env) or (name == "pool_seed" and env in os.environ):  # SEER_POOL_SEED="" asks for an empty pool
            values[name] = _coerce(name, os.environ[env])
    settings = dataclasses.replace(base, **values)
    for key in VOCABULARY:
        named_by = next((e for e, n in _ENV.items() if n == key and os.environ.get(e)), None)
        check_choice(key, getattr(settings, key), named_by or str(base.config_file))
    return settings
