"""Hypothesis: generated records survive to_dict/from_dict and a trip through a real pool on
disk; generated malformed lines are reported as PoolCorrupt naming their line, never dropped.

The pool side uses the hash-based stand-in embedder from ``test_pool_crash`` (the property is
about storage, and MiniLM would make each of the many generated examples slow)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from seer_cli.config import load_settings
from seer_cli.errors import PoolCorrupt
from seer_cli.pool import Pool
from seer_cli.pool.records import SUCCESS_SOURCES, Experience, Step
from seer_cli.pool.redact import redact_experience
from test_pool_crash import HashEmbedder

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
nonblank = text.filter(lambda s: s.strip() != "")
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False) | text
json_values = st.recursive(scalars, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(text, kids, max_size=3), max_leaves=8)
steps = st.builds(Step, thought=text, tool=st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True),
                  args=st.dictionaries(text, json_values, max_size=3), observation=text)
experiences = st.builds(
    Experience,
    question=nonblank,
    steps=st.lists(steps, min_size=1, max_size=4),
    answer=text,
    intent=st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    success_source=st.sampled_from(SUCCESS_SOURCES),
    success_details=st.dictionaries(text, scalars, max_size=2),
    origin=text,
    model=st.none() | text,
    created_at=st.just("2026-01-02T03:04:05+00:00"),
)
SETTINGS = dict(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(experiences)
@hsettings(**SETTINGS)
def test_to_dict_from_dict_round_trip(exp):
    back = Experience.from_dict(orjson.loads(orjson.dumps(exp.to_dict())))
    assert back.to_dict() == exp.to_dict() and back.id == exp.id


@given(st.lists(experiences, min_size=1, max_size=6))
@hsettings(**SETTINGS)
def test_store_round_trip(batch):
    s = load_settings()
    with tempfile.TemporaryDirectory() as d:
        pool = Pool.open(Path(d) / "p", s, embedder=HashEmbedder(), on_warning=pytest.fail)
        res = pool.add(batch, dedup=False)
        want = [redact_experience(e, s.redact_patterns, s.observation_max_chars).to_dict() for e in batch]
        assert res.added == [w["id"] for w in want]
        again = Pool.open(Path(d) / "p", s, embedder=HashEmbedder(), on_warning=pytest.fail)
        assert [e.to_dict() for e in again.experiences()] == want


def _not_a_record(raw: bytes) -> bool:
    if b"\n" in raw or not raw.strip():
        return False
    try:
        return not isinstance(orjson.loads(raw), dict)
    except orjson.JSONDecodeError:
        return True


malformed = (
    st.binary(min_size=1, max_size=30).filter(_not_a_record)
    | st.lists(st.integers(-(2**63), 2**63 - 1), max_size=3).map(orjson.dumps)
    | text.map(orjson.dumps)
    | st.sampled_from([b'{"question": "q", "steps": [], "answer": "a"}', b'{"question": 3}', b'{"steps": "x"}',
                       b'{"question": "q", "steps": [{"tool": ""}]}', b'{"question": "q", "steps": [{"tool": "T"}], "success": "maybe"}'])
)


@pytest.mark.slow  # 40 pools written, damaged and reopened: ~25 s
@given(st.lists(experiences, min_size=0, max_size=4), st.data(), malformed)
@hsettings(**SETTINGS)
def test_malformed_committed_line_is_reported(batch, data, bad):
    lines = [orjson.dumps(e.to_dict()) for e in batch]
    at = data.draw(st.integers(0, len(lines)))
    lines.insert(at, bad)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d)
        blob = b"".join(line + b"\n" for line in lines)
        (path / "experiences.jsonl").write_bytes(blob)
        (path / "COMMITTED").write_text(str(len(blob)))
        with pytest.raises(PoolCorrupt, match=rf"experiences.jsonl:{at + 1}: "):
            Pool.open(path, load_settings(), embedder=HashEmbedder()).experiences()
