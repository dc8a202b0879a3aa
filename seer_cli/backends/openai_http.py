"""A model behind an OpenAI-compatible HTTP server (llama-server, llama-cpp-python's server, vLLM).

Standard library only (``urllib``), so the base install stays small. Servers disagree on how to
ask for schema-constrained JSON:

* llama-cpp-python's server accepts only ``{"type": "json_object", "schema": ...}``;
* vLLM and OpenAI use ``{"type": "json_schema", "json_schema": {"name", "schema"}}``;
* llama.cpp's ``llama-server`` accepts both.

So we try ``json_schema`` first and, when the server refuses it (llama-cpp-python answers 500
with a validation error), fall back to ``json_object`` + ``schema`` and
remember what worked for this server. Token accounting: ``prompt_tokens_evaluated`` is the
prompt minus ``usage.prompt_tokens_details.cached_tokens`` (OpenAI, vLLM) or llama-server's
``timings.prompt_n`` when present; otherwise all prompt tokens count as evaluated.

Every failure (unreachable, refused, timeout, HTTP error, non-JSON body, no choices) is a
one-line :class:`BackendError` naming the URL and the cause.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import urllib.error
import urllib.request
from typing import Any, Callable

from ..errors import BackendError, ContextOverflow
from .base import Backend, Completion


_CONTEXT = re.compile(r"context (size|length|window)|maximum context|too many tokens", re.IGNORECASE)


class _HTTPStatus(BackendError):
    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class OpenAIBackend(Backend):
    """Chat completions over HTTP from an OpenAI-compatible server."""

    def __init__(self, base_url: str, *, api_key: str | None = None, model: str | None = None,
                 timeout: float = 120):
        url = base_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise BackendError(f"--llm-url {base_url!r} must start with http:// or https://")
        self.base_url = url[:-3] if url.endswith("/v1") else url
        self.api_key = api_key or os.environ.get("SEER_API_KEY") or os.environ.get("OPENAI_API_KEY")
        self.timeout = timeout
        self._model = model
        self._schema_style: str | None = None  # "json_schema" | "json_object", once known
        self.name = f"openai:{self.base_url}"

    # ---------------------------------------------------------------------------- HTTP ---
    def _request(self, method: str, path: str, body: dict | None = None):
        url = f"{self.base_url}/v1{path}"
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            return urllib.request.urlopen(req, timeout=self.timeout)
        except urllib.error.HTTPError as e:
            detail = _error_detail(e)
            raise _HTTPStatus(f"{url}: HTTP {e.code} {e.reason}{': ' + detail if detail else ''}", e.code) from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, (TimeoutError, socket.timeout)):
                raise BackendError(f"{url}: no answer within {self.timeout:g} s (timeout)") from None
            raise BackendError(f"{url}: cannot connect ({_reason(e.reason)})") from None
        except (TimeoutError, socket.timeout):
            raise BackendError(f"{url}: no answer within {self.timeout:g} s (timeout)") from None
        except (ConnectionError, OSError) as e:
            raise BackendError(f"{url}: connection failed ({_reason(e)})") from None

    def _json(self, method: str, path: str, body: dict | None = None) -> dict:
        url = f"{self.base_url}/v1{path}"
        with self._request(method, path, body) as resp:
            try:
                raw = resp.read()
            except (TimeoutError, socket.timeout):
                raise BackendError(f"{url}: no answer within {self.timeout:g} s (timeout)") from None
            except (ConnectionError, OSError) as e:
                raise BackendError(f"{url}: connection failed ({_reason(e)})") from None
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise BackendError(f"{url}: answer is not JSON ({_snippet(raw)})") from None
        if not isinstance(data, dict):
            raise BackendError(f"{url}: answer is not a JSON object ({_snippet(raw)})")
        return data

    @property
    def model(self) -> str:
        """The model name to request: the one given, else the server's first model."""
        if self._model is None:
            data = self._json("GET", "/models").get("data")
            if not isinstance(data, list) or not data or not isinstance(data[0], dict) or "id" not in data[0]:
                raise BackendError(f"{self.base_url}/v1/models: no models listed")
            self._model = str(data[0]["id"])
        return self._model

    # ------------------------------------------------------------------------ complete ---
    def complete(self, messages, *, json_schema=None, stop=None, max_tokens=256, temperature=0.0,
                 seed=0, on_text: Callable[[str], None] | None = None, prefix_messages: int = 0) -> Completion:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "max_tokens": max_tokens,
                                "temperature": temperature}
        if stop:
            body["stop"] = stop
        if seed is not None:
            body["seed"] = seed
        if on_text is not None:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        styles: list[str | None] = [self._schema_style] if self._schema_style else ["json_schema", "json_object"]
        if not json_schema:
            styles = [None]
        start = time.perf_counter()
        for i, style in enumerate(styles):
            if style == "json_schema":
                body["response_format"] = {"type": "json_schema",
                                           "json_schema": {"name": "answer", "schema": json_schema, "strict": True}}
            elif style == "json_object":
                body["response_format"] = {"type": "json_object", "schema": json_schema}
            try:
                result = self._stream(body, on_text) if on_text else self._once(body)
            except _HTTPStatus as e:
                if e.status == 400 and _CONTEXT.search(str(e)):  # llama-server, vLLM, OpenAI wordings
                    raise ContextOverflow(str(e)) from None
                if e.status not in (401, 403, 404) and i + 1 < len(styles):
                    continue
                raise
            if style:
                self._schema_style = style
            break
        text, usage, timings, finish = result
        prompt_tokens = _int(usage.get("prompt_tokens"))
        completion_tokens = _int(usage.get("completion_tokens"))
        evaluated = prompt_tokens
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
        if isinstance(cached, int):
            evaluated = max(0, prompt_tokens - cached)
        elif isinstance(timings, dict) and isinstance(timings.get("prompt_n"), int):
            evaluated = timings["prompt_n"]
        return Completion(text=text, prompt_tokens=prompt_tokens, prompt_tokens_evaluated=evaluated,
                          completion_tokens=completion_tokens, seconds=time.perf_counter() - start,
                          finish_reason=finish, model=self.model)

    def _once(self, body: dict):
        url = f"{self.base_url}/v1/chat/completions"
        data = self._json("POST", "/chat/completions", body)
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise BackendError(f"{url}: answer has no choices ({_snippet(json.dumps(data).encode())})")
        message = choices[0].get("message") or {}
        text = message.get("content") or ""
        return text, data.get("usage") or {}, data.get("timings"), choices[0].get("finish_reason") or "stop"

    def _stream(self, body: dict, on_text: Callable[[str], None]):
        url = f"{self.base_url}/v1/chat/completions"
        pieces: list[str] = []
        usage: dict[str, Any] = {}
        timings, finish, chunks = None, "stop", 0
        with self._request("POST", "/chat/completions", body) as resp:
            try:
                for raw in resp:
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    try:
                        event = json.loads(payload)
                    except ValueError:
                        raise BackendError(f"{url}: stream event is not JSON ({_snippet(raw)})") from None
                    usage = event.get("usage") or usage
                    timings = event.get("timings") or timings
                    for choice in event.get("choices") or []:
                        piece = (choice.get("delta") or {}).get("content")
                        if piece:
                            pieces.append(piece)
                            chunks += 1
                            on_text(piece)
                        finish = choice.get("finish_reason") or finish
            except (TimeoutError, socket.timeout):
                raise BackendError(f"{url}: stream stalled for {self.timeout:g} s (timeout)") from None
            except (ConnectionError, OSError) as e:
                raise BackendError(f"{url}: stream broken ({_reason(e)})") from None
        if not usage:
            usage = {"completion_tokens": chunks}
        return "".join(pieces), usage, timings, finish


def _int(value) -> int:
    return value if isinstance(value, int) else 0


def _reason(reason) -> str:
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timeout"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return f"unknown host: {reason.strerror or reason}"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return " ".join(str(reason).split()) or type(reason).__name__


def _snippet(raw: bytes, n: int = 80) -> str:
    text = " ".join(raw.decode("utf-8", "replace").split())
    return repr(text[:n] + ("..." if len(text) > n else ""))


def _error_detail(e: urllib.error.HTTPError) -> str:
    try:
        raw = e.read(2000)
    except Exception:
        return ""
    try:
        data = json.loads(raw)
        msg = data.get("error", data.get("detail", "")) if isinstance(data, dict) else ""
        if isinstance(msg, dict):
            msg = msg.get("message", "")
        return " ".join(str(msg).split())[:200]
    except ValueError:
        return _snippet(raw)
