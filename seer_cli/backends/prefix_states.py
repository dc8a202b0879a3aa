"""Saved KV states of recurring prompt prefixes, in RAM and optionally on disk.

Why a module of its own: the llama.cpp backend (:mod:`.llama_cpp`) restores the KV state of a
prefix it has evaluated before (system prompt, a recurring demonstration set) instead of evaluating
it again; keeping those states, bounded and verified, is a concept apart from running the model.
"""

from __future__ import annotations

import hashlib
import os
import struct
from array import array
from collections import OrderedDict
from pathlib import Path


class PrefixStates:
    """Saved KV states keyed by the exact token prefix they hold, least-recently-used out beyond
    ``capacity`` bytes of RAM.

    With ``directory`` every saved state is also written there (``<blake2b of the tokens>.kv``:
    a header with a checksum, the tokens, the state; through a temp file and a rename), so the
    next process on the same model starts warm: ``seer run``'s second question restores the
    system prompt and a recurring demonstration set from disk instead of evaluating them. The
    directory is kept under ``disk_capacity`` bytes (oldest files out); a file that does not
    verify is deleted, never handed to llama.cpp.
    """

    MIN_TOKENS = 64  # shorter prefixes are cheaper to evaluate than to look up and copy
    MAGIC = b"SEERKV1\n"

    def __init__(self, capacity: int, directory: str | Path | None = None, disk_capacity: int = 0):
        self.capacity = capacity
        self._states: OrderedDict[tuple[int, ...], bytes | None] = OrderedDict()  # None: on disk only
        self.bytes = 0
        self.saved = self.restored = self.evicted = self.loaded = 0
        self.directory = Path(directory) if directory else None
        self.disk_capacity = disk_capacity
        self._files: dict[tuple[int, ...], Path] = {}
        if self.directory is not None:
            self._scan()

    def __len__(self) -> int:
        return len(self._states)

    def __contains__(self, key: tuple[int, ...]) -> bool:
        return key in self._states

    # --- disk ---------------------------------------------------------------------------------
    @staticmethod
    def _name(key: tuple[int, ...]) -> str:
        return hashlib.blake2b(array("i", key).tobytes(), digest_size=16).hexdigest() + ".kv"

    def _scan(self) -> None:
        """Learn the keys of the files in the directory (headers and tokens only)."""
        assert self.directory is not None  # called only with a directory
        try:
            paths = sorted(self.directory.glob("*.kv"), key=lambda p: p.stat().st_mtime)
        except OSError:
            return
        for path in paths:
            try:
                with open(path, "rb") as f:
                    head = f.read(len(self.MAGIC) + 8 + 32)
                    if len(head) < len(self.MAGIC) + 40 or not head.startswith(self.MAGIC):
                        raise ValueError
                    (n,) = struct.unpack("<Q", head[len(self.MAGIC):len(self.MAGIC) + 8])
                    tokens = array("i")
                    tokens.frombytes(f.read(4 * n))
                if len(tokens) != n or path.name != self._name(tuple(tokens)):
                    raise ValueError
            except (OSError, ValueError, struct.error):
                path.unlink(missing_ok=True)
                continue
            key = tuple(tokens)
            self._files[key] = path
            self._states.setdefault(key, None)

    def _read(self, key: tuple[int, ...]) -> bytes | None:
        path = self._files.get(key)
        try:
            data = path.read_bytes() if path else b""
        except OSError:
            data = b""
        m = len(self.MAGIC)
        if path is not None and len(data) >= m + 40 and data.startswith(self.MAGIC):  # no path: no data
            (n,) = struct.unpack("<Q", data[m:m + 8])
            digest, body = data[m + 8:m + 40], data[m + 40:]
            if hashlib.blake2b(body, digest_size=32).digest() == digest and len(body) > 4 * n:
                try:
                    os.utime(path)  # recently used: kept longest
                except OSError:
                    pass
                self.loaded += 1
                return body[4 * n:]
        if path is not None:
            path.unlink(missing_ok=True)  # torn or damaged: gone, evaluated again next time
        self._files.pop(key, None)
        return None

    def _write(self, key: tuple[int, ...], state: bytes) -> None:
        from ..fsutil import atomic_write

        assert self.directory is not None  # called only with a directory
        body = array("i", key).tobytes() + state
        data = self.MAGIC + struct.pack("<Q", len(key)) + hashlib.blake2b(body, digest_size=32).digest() + body
        path = self.directory / self._name(key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data, durable=False)  # a cache: a lost file is only evaluated again
        except OSError:
            return
        self._files[key] = path
        total, files = 0, []
        for k, p in self._files.items():
            try:
                st = p.stat()
            except OSError:
                continue
            total += st.st_size
            files.append((st.st_mtime, k, p, st.st_size))
        for _, k, p, size in sorted(files):
            if total <= self.disk_capacity or k == key:
                continue
            p.unlink(missing_ok=True)
            self._files.pop(k, None)
            if self._states.get(k, b"") is None:
                del self._states[k]
            total -= size

    # --- lookup and insert ------------------------------------------------------------------
    def longest(self, tokens: list[int]) -> tuple[tuple[int, ...], bytes] | None:
        """The saved state with the longest key that is a prefix of ``tokens`` (and shorter than it)."""
        for key in sorted((k for k in self._states if len(k) < len(tokens)), key=len, reverse=True):
            if tuple(tokens[:len(key)]) != key:
                continue
            state = self._states[key]
            if state is None:
                state = self._read(key)
                if state is None:
                    del self._states[key]
                    continue
                self._remember(key, state)
            self._states.move_to_end(key)
            return key, state
        return None

    def _remember(self, key: tuple[int, ...], state: bytes) -> None:
        old = self._states.pop(key, None)
        if old:
            self.bytes -= len(old)
        self._states[key] = state
        self.bytes += len(state)
        while self.bytes > self.capacity:
            found = next(((k, v) for k, v in self._states.items() if v is not None and k != key), None)
            if found is None:
                break
            victim, held = found
            self.bytes -= len(held)
            if victim in self._files:
                self._states[victim] = None  # still on disk
                self._states.move_to_end(victim, last=False)
            else:
                del self._states[victim]
            self.evicted += 1

    def put(self, key: tuple[int, ...], state: bytes) -> None:
        if len(state) > self.capacity:
            return
        self._remember(key, state)
        self.saved += 1
        if self.directory is not None and self.disk_capacity > 0:
            self._write(key, state)
