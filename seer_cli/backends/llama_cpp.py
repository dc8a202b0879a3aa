"""The in-process backend: a GGUF model run by llama-cpp-python.

Why not ``Llama.create_chat_completion``? Recall re-ranks demonstrations before every step, so the
prompt changes, but its stable head (system prompt, tool list) does not. llama.cpp keeps the KV
cache of the previous call and only evaluates the suffix that differs, *if* it is handed the same
token sequence. So we render the chat with the model's own template (the GGUF's
``tokenizer.chat_template``, through llama-cpp-python's ``Jinja2ChatFormatter``), tokenize it
ourselves, measure the common prefix with the tokens already in the cache (that is
``prompt_tokens_evaluated``), and call ``create_completion`` with the token list.

Seeded sampling (temperature > 0) repeats exactly for the same cache state; a fresh evaluation
and a reused KV prefix differ in the last bits of the logits (llama.cpp batches them differently),
so a sampled continuation may change with what was cached. Greedy decoding is unaffected in
practice.

That reuse is one slot deep: the intent classifier's prompt, the next question's demonstrations,
or a stepwise re-rank that drops a demo all evict what came before. So the backend also keeps a
bounded store of **saved KV states of recurring prefixes** (:class:`.prefix_states.PrefixStates`): the caller says
how many leading messages recur (``prefix_messages``: system prompt + demonstrations); the first
time such a prefix is evaluated its state is saved (at the end of the system prompt and at the
end of the demonstrations), and a later prompt that starts with a saved prefix longer than what
the live cache holds restores it instead of evaluating it. States are sequence-0 KV snapshots
(``llama_state_seq_get_data``: KV only, no logits; llama.cpp always evaluates at least the token
after a restored prefix), keyed by their exact token prefix, evicted least-recently-used beyond
``kv_cache_mb`` (``SEER_KV_CACHE_MB``, 0 turns the store off).

JSON schemas become a llama.cpp grammar, so constrained output always parses. Every llama.cpp
failure (prompt longer than the context, a bad schema) is a one-line :class:`BackendError`.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, cast

import orjson

from ..errors import BackendError, ContextOverflow, ModelError
from . import cpu_path
from .base import Backend, Completion
from .prefix_states import PrefixStates
from .weights import check_gguf

if TYPE_CHECKING:
    from llama_cpp.llama_types import ChatCompletionRequestMessage, CreateCompletionResponse, CreateCompletionStreamResponse


def physical_cores() -> int:
    """Physical cores this process may run on (hyper-threads counted once); at least 1."""
    try:
        cpus = os.sched_getaffinity(0)
    except AttributeError:  # not Linux
        return max(1, (os.cpu_count() or 2) // 2)
    cores = set()
    for cpu in cpus:
        topo = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            cores.add(((topo / "physical_package_id").read_text().strip(), (topo / "core_id").read_text().strip()))
        except OSError:
            cores.add(("cpu", str(cpu)))
    return max(1, len(cores))


class LlamaCppBackend(Backend):
    """A GGUF model loaded once, in this process. ``n_threads=None``: the physical cores this
    process may use (``Settings.n_threads``, i.e. ``SEER_THREADS``, is passed in by the registry)."""

    def __init__(self, model_path: str | Path, *, n_ctx: int = 8192, n_threads: int | None = None,
                 seed: int = 0, verbose: bool = False, kv_cache_mb: int = 256,
                 kv_disk_dir: str | Path | None = None, kv_disk_mb: int = 0,
                 extra_bufts: str | None = None, probe_dir: str | Path | None = None):
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.model_path = Path(model_path)
        check_gguf(self.model_path)
        self.n_threads = n_threads or physical_cores()
        if extra_bufts is None or probe_dir is None:  # constructed directly: the settings decide
            from ..config import load_settings

            settings = load_settings()
            extra_bufts = extra_bufts or settings.extra_bufts
            probe_dir = probe_dir or settings.cpu_probe_dir
        # a CPU feature this process cannot use (AMX in some VMs) must not kill it: see cpu_path
        self.cpu_path = cpu_path.choose(self.model_path, Path(probe_dir), extra_bufts)
        try:
            with cpu_path.extra_bufts(self.cpu_path.extra_bufts):
                self.llm = Llama(model_path=str(self.model_path), n_ctx=n_ctx, n_threads=self.n_threads,
                                 n_threads_batch=self.n_threads, seed=seed, verbose=verbose)
        except (ValueError, RuntimeError) as e:
            raise ModelError(f"llama.cpp cannot load {self.model_path}: {_one_line(e)}") from None
        self.n_ctx: int = self.llm.n_ctx()
        self.name = f"llama-cpp:{self.model_path.stem}"
        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelError(f"{self.model_path} has no tokenizer.chat_template in its metadata")
        eos, bos = self.llm.token_eos(), self.llm.token_bos()
        text = self.llm._model.token_get_text
        self._formatter = Jinja2ChatFormatter(
            template=template, eos_token=text(eos) if eos != -1 else "", bos_token=text(bos) if bos != -1 else ""
        )
        self._add_bos = bool(self.llm._model.add_bos_token()) and bos != -1
        self._lock = threading.Lock()
        self._grammars: dict[bytes, Any] = {}
        self.states: PrefixStates | None = None
        if kv_cache_mb > 0:
            directory = None
            if kv_disk_dir and kv_disk_mb > 0:  # one directory per model file, llama.cpp build and context size
                st = self.model_path.stat()
                import llama_cpp

                tag = f"{self.model_path.name}|{st.st_size}|{int(st.st_mtime)}|{llama_cpp.__version__}|{self.n_ctx}"
                directory = Path(kv_disk_dir) / hashlib.blake2b(tag.encode(), digest_size=8).hexdigest()
            self.states = PrefixStates(int(kv_cache_mb) * 1024 * 1024, directory, int(kv_disk_mb) * 1024 * 1024)
        self._bounds: dict[int, int] = {}  # hash of a prefix's messages -> its length in tokens

    # ------------------------------------------------------------------------- helpers ---
    def render(self, messages: list[dict[str, str]]) -> str:
        """The prompt text the model sees for ``messages`` (with the assistant turn opened)."""
        try:
            return self._formatter(messages=cast("list[ChatCompletionRequestMessage]", messages)).prompt
        except Exception as e:  # jinja2 errors, raise_exception() in the template
            raise BackendError(f"cannot render the chat template: {_one_line(e)}") from None

    def tokenize(self, prompt: str) -> list[int]:
        tokens = self.llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        if self._add_bos and tokens[:1] != [self.llm.token_bos()]:
            tokens = [self.llm.token_bos()] + tokens
        return tokens

    def cached_prefix(self, tokens: list[int]) -> int:
        """How many leading ``tokens`` are already in the KV cache."""
        n = 0
        for a, b in zip(self.llm._input_ids[: self.llm.n_tokens].tolist(), tokens):
            if a != b:
                break
            n += 1
        return n

    # ------------------------------------------------------------------ prefix states ---
    def _prefix_tokens(self, messages: list[dict[str, str]], n: int, tokens: list[int]) -> int:
        """How many leading ``tokens`` the first ``n`` messages make (up to the next message's
        start marker): the common prefix with those messages rendered alone."""
        key = hash(tuple((m["role"], m["content"]) for m in messages[:n]))
        if key not in self._bounds:
            alone = self.tokenize(self.render(messages[:n]))
            b = 0
            for a, t in zip(alone, tokens):
                if a != t:
                    break
                b += 1
            if len(self._bounds) > 4096:
                self._bounds.clear()
            self._bounds[key] = b
        return self._bounds[key]

    def _truncate(self, n: int) -> None:
        """Keep the first ``n`` tokens of the live KV cache."""
        llm = self.llm
        llm._ctx.kv_cache_seq_rm(-1, n, -1)
        llm.n_tokens = n  # the ids llama-cpp-python compares with are input_ids[:n_tokens]
        llm._requires_eval = True

    def _save(self, states: PrefixStates, key: tuple[int, ...]) -> None:
        import llama_cpp

        ctx = self.llm._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buf = (ctypes.c_uint8 * size)()
        n = llama_cpp.llama_state_seq_get_data(ctx, buf, size, 0)
        if n:
            states.put(key, bytes(buf)[:n])

    def _restore(self, states: PrefixStates, key: tuple[int, ...], state: bytes) -> bool:
        import llama_cpp

        llm = self.llm
        self._truncate(0)
        buf = (ctypes.c_uint8 * len(state)).from_buffer_copy(state)
        if llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, buf, len(state), 0) != len(state):
            self._truncate(0)
            return False
        n = len(key)
        llm.input_ids[:n] = key
        llm.n_tokens = n
        llm._requires_eval = True
        states.restored += 1
        return True

    def _use_prefix_states(self, states: PrefixStates, messages, tokens: list[int], prefix_messages: int) -> tuple[int, int]:
        """Restore the longest saved prefix of ``tokens`` when it beats the live cache, then make
        sure the states of the system prompt and of ``prefix_messages`` are saved, evaluating up to
        each boundary first (tokens the completion would evaluate anyway). Returns ``(reused,
        live)``: leading tokens served from the live cache or a restored state, and leading tokens
        the live cache holds now."""
        live = self.cached_prefix(tokens)
        hit = states.longest(tokens)
        if hit is not None and len(hit[0]) > live:
            live = len(hit[0]) if self._restore(states, *hit) else 0  # a failed restore has emptied the cache
        reused = live
        bounds = sorted({self._prefix_tokens(messages, n, tokens) for n in {1, prefix_messages} if 0 < n < len(messages)})
        for b in bounds:
            key = tuple(tokens[:b])
            if b < PrefixStates.MIN_TOKENS or b >= len(tokens) or b < live or key in states:
                continue
            if b > live:
                self._truncate(live)
                try:
                    self.llm.eval(tokens[live:b])
                except (ValueError, RuntimeError) as e:
                    raise BackendError(f"llama.cpp: {_one_line(e)}") from None
                live = b
            self._save(states, key)
        return reused, live

    def _grammar(self, schema: dict[str, Any]):
        from llama_cpp import LlamaGrammar

        key = orjson.dumps(schema)  # unsorted: property order is the order the grammar makes the model write
        if key not in self._grammars:
            if _quoted_choice(schema):  # llama.cpp writes it into a grammar it cannot parse, then crashes (SIGSEGV)
                raise BackendError("JSON schema cannot be turned into a grammar: an enum or const value holds a double quote")
            try:
                self._grammars[key] = LlamaGrammar.from_json_schema(key.decode(), verbose=False)
            except Exception as e:
                raise BackendError(f"JSON schema cannot be turned into a grammar: {_one_line(e)}") from None
        return self._grammars[key]

    # ------------------------------------------------------------------------ complete ---
    def complete(self, messages, *, json_schema=None, stop=None, max_tokens=256, temperature=0.0,
                 seed=0, on_text: Callable[[str], None] | None = None, prefix_messages: int = 0) -> Completion:
        tokens = self.tokenize(self.render(messages))
        if len(tokens) + 1 > self.n_ctx:
            raise ContextOverflow(f"prompt is {len(tokens)} tokens, longer than the context window "
                               f"({self.n_ctx}); raise --n-ctx / SEER_N_CTX or shorten the prompt")
        grammar = self._grammar(json_schema) if json_schema else None
        kwargs = dict(max_tokens=max_tokens, temperature=temperature, seed=seed, stop=stop or [],
                      grammar=grammar, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.0)
        with self._lock:
            start = time.perf_counter()
            if self.states is not None:
                reused, prefix = self._use_prefix_states(self.states, messages, tokens, prefix_messages)
            else:
                reused = prefix = self.cached_prefix(tokens)
            if prefix < len(tokens):
                evaluated = len(tokens) - reused
            else:  # llama.cpp replays the last token to refresh logits
                evaluated = 0 if self.llm.n_tokens == len(tokens) and not self.llm._requires_eval else 1
            try:
                if on_text is None:
                    out = cast("CreateCompletionResponse", self.llm.create_completion(tokens, **kwargs))  # not streamed: one response
                    choice = out["choices"][0]
                    text, finish = choice["text"], choice.get("finish_reason") or "stop"
                    n_completion = out["usage"]["completion_tokens"]
                else:
                    pieces, finish = [], "stop"
                    chunks = cast("Iterator[CreateCompletionStreamResponse]", self.llm.create_completion(tokens, stream=True, **kwargs))
                    for chunk in chunks:
                        choice = chunk["choices"][0]
                        if choice["text"]:
                            pieces.append(choice["text"])
                            on_text(choice["text"])
                        finish = choice.get("finish_reason") or finish
                    text = "".join(pieces)
                    n_completion = len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)) if text else 0
            except (ValueError, RuntimeError) as e:
                raise BackendError(f"llama.cpp: {_one_line(e)}") from None
            seconds = time.perf_counter() - start
        return Completion(text=text, prompt_tokens=len(tokens), prompt_tokens_evaluated=evaluated,
                          completion_tokens=n_completion, seconds=seconds, finish_reason=finish,
                          model=self.model_path.stem)

    def close(self) -> None:
        llm = getattr(self, "llm", None)
        if llm is not None:
            llm.close()
            self.llm = None  # type: ignore[assignment]  # closed: the model's memory is freed; a closed backend is not used again


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:300]


def _quoted_choice(schema: Any) -> bool:
    """Whether an ``enum`` or ``const`` string anywhere in ``schema`` holds a double quote.
    llama-cpp-python's converter escapes it wrongly, llama.cpp fails to parse the grammar
    ("expecting newline or end") and the process dies with a segmentation fault, so seer refuses
    such a schema with a BackendError its callers can handle."""
    if isinstance(schema, dict):
        choices = list(schema.get("enum", [])) + ([schema["const"]] if "const" in schema else [])
        if any(isinstance(c, str) and '"' in c for c in choices):
            return True
        return any(_quoted_choice(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_quoted_choice(v) for v in schema)
    return False
