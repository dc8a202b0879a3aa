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

JSON schemas become a llama.cpp grammar, so constrained output always parses. Every llama.cpp
failure (prompt longer than the context, a bad schema) is a one-line :class:`BackendError`.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Callable

import orjson

from ..errors import BackendError, ModelError
from .base import Backend, Completion
from .weights import check_gguf


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
                 seed: int = 0, verbose: bool = False):
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.model_path = Path(model_path)
        check_gguf(self.model_path)
        self.n_threads = n_threads or physical_cores()
        try:
            self.llm = Llama(model_path=str(self.model_path), n_ctx=n_ctx, n_threads=self.n_threads,
                             n_threads_batch=self.n_threads, seed=seed, verbose=verbose)
        except (ValueError, RuntimeError) as e:
            raise ModelError(f"llama.cpp cannot load {self.model_path}: {_one_line(e)}") from None
        self.n_ctx = self.llm.n_ctx()
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

    # ------------------------------------------------------------------------- helpers ---
    def render(self, messages: list[dict[str, str]]) -> str:
        """The prompt text the model sees for ``messages`` (with the assistant turn opened)."""
        try:
            return self._formatter(messages=messages).prompt
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

    def _grammar(self, schema: dict[str, Any]):
        from llama_cpp import LlamaGrammar

        key = orjson.dumps(schema)  # unsorted: property order is the order the grammar makes the model write
        if key not in self._grammars:
            try:
                self._grammars[key] = LlamaGrammar.from_json_schema(key.decode(), verbose=False)
            except Exception as e:
                raise BackendError(f"JSON schema cannot be turned into a grammar: {_one_line(e)}") from None
        return self._grammars[key]

    # ------------------------------------------------------------------------ complete ---
    def complete(self, messages, *, json_schema=None, stop=None, max_tokens=256, temperature=0.0,
                 seed=0, on_text: Callable[[str], None] | None = None) -> Completion:
        tokens = self.tokenize(self.render(messages))
        if len(tokens) + 1 > self.n_ctx:
            raise BackendError(f"prompt is {len(tokens)} tokens, longer than the context window "
                               f"({self.n_ctx}); raise --n-ctx / SEER_N_CTX or shorten the prompt")
        grammar = self._grammar(json_schema) if json_schema else None
        kwargs = dict(max_tokens=max_tokens, temperature=temperature, seed=seed, stop=stop or [],
                      grammar=grammar, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.0)
        with self._lock:
            prefix = self.cached_prefix(tokens)
            if prefix < len(tokens):
                evaluated = len(tokens) - prefix
            else:  # llama.cpp replays the last token to refresh logits
                evaluated = 0 if self.llm.n_tokens == len(tokens) and not self.llm._requires_eval else 1
            start = time.perf_counter()
            try:
                if on_text is None:
                    out = self.llm.create_completion(tokens, **kwargs)
                    choice = out["choices"][0]
                    text, finish = choice["text"], choice.get("finish_reason") or "stop"
                    n_completion = out["usage"]["completion_tokens"]
                else:
                    pieces, finish = [], "stop"
                    for chunk in self.llm.create_completion(tokens, stream=True, **kwargs):
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
            self.llm = None


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:300]
