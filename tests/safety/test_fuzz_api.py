"""Property-based: random lookups, constructor arguments and corrupted files thrown at the API
give success or a biolake error, never a raw library error, a half record or a stray file."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from biolake import errors

# BIOLAKE_FUZZ_EXAMPLES=500 explores more (and randomly) when hunting bugs; the suite stays fixed and quick
_EXAMPLES = int(os.environ.get("BIOLAKE_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=_EXAMPLES or 40, deadline=None, derandomize=not _EXAMPLES, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = [
    "key", "uid", "size", "hash", "suffix", "created_at", "is_latest", "storage", "ulabels", "run", "n_files",
    "description", "storage__root", "ulabels__name", "created_by__handle", "run__transform__key", "bogus", "id",
]
OPERATORS = ["", "exact", "iexact", "in", "gt", "gte", "lt", "lte", "startswith", "contains", "isnull", "range",
             "year", "date", "regex", "iregex", "foo", "name", "len"]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(), st.text(max_size=12),
    st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=3)), max_size=3), st.dates(), st.binary(max_size=4),
    st.datetimes(min_value=datetime.datetime(1900, 1, 1)), st.sampled_from(["(", "[a-", "*", "2020-01-01", "abc"]),
)
LOOKUPS = st.one_of(
    st.builds(lambda field, op: field + (f"__{op}" if op else ""), st.sampled_from(FIELDS), st.sampled_from(OPERATORS)),
    st.text(min_size=1, max_size=10),
)


def _biolake_or_nothing(call) -> object:
    try:
        return call()
    except errors.BiolakeError as error:
        return error


@FUZZ
@given(lookups=st.dictionaries(LOOKUPS, VALUES, min_size=1, max_size=2))
def test_random_lookups(ln, lookups):
    before = ln.Artifact._plain.count()
    for registry in (ln.Artifact, ln.ULabel):
        _biolake_or_nothing(lambda: list(registry.filter(**lookups)[:3]))
        _biolake_or_nothing(lambda: registry.exclude(**lookups).count())
        _biolake_or_nothing(lambda: registry.get(**lookups))
    assert ln.Artifact._plain.count() == before


ULABEL_FIELDS = st.sampled_from(["name", "description", "is_type", "type", "uid", "bogus", "created_by", "run"])


@FUZZ
@given(fields=st.dictionaries(ULABEL_FIELDS, VALUES, max_size=3), positional=st.lists(VALUES, max_size=2))
def test_random_record_constructors(ln, fields, positional):
    before = ln.ULabel._plain.count()
    outcome = _biolake_or_nothing(lambda: ln.ULabel(*positional, **fields).save())
    if isinstance(outcome, errors.BiolakeError):
        assert ln.ULabel._plain.count() == before  # no half record
    else:
        assert ln.ULabel._plain.filter(pk=outcome.pk).exists()


def _data(tmp: Path):
    small = tmp / "small.csv"
    small.write_text("a,b\n1,2\n")
    return st.one_of(
        st.none(), st.integers(), st.floats(), st.binary(max_size=4), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        st.just(str(small)), st.just(small), st.text(min_size=1, max_size=8).map(lambda t: str(tmp / "absent" / t)),
        st.builds(lambda n: pd.DataFrame({"v": list(range(n))}), st.integers(0, 5)),
        st.builds(lambda n: pd.DataFrame({"mixed": [1, "a"] * n}), st.integers(1, 2)),
    )


KEYS = st.one_of(
    st.none(), st.text(max_size=10),
    st.sampled_from(["a.parquet", "../x.parquet", "/abs.parquet", "x.csv", "", "a//b.parquet", ".biolake/x.csv", "k\x00.csv"]),
)


def test_random_artifacts(ln, instance, tmp_path):
    from biolake.models.storage_audit import scan_orphans

    @FUZZ
    @given(data=_data(tmp_path), key=KEYS, description=st.one_of(st.none(), st.text(max_size=5), st.integers()))
    def check(data, key, description):
        before = ln.Artifact._plain.count()
        outcome = _biolake_or_nothing(lambda: ln.Artifact(data, key=key, description=description).save())
        if isinstance(outcome, errors.BiolakeError):
            assert ln.Artifact._plain.count() == before  # no half record
        else:
            assert ln.Artifact._plain.filter(pk=outcome.pk).exists() and outcome.path.exists()
        saving = ln.settings.cache_dir / "_tmp"
        assert [p for p in (saving.iterdir() if saving.exists() else []) if f"p{os.getpid()}." in p.name] == []
        assert scan_orphans(instance.storage_root, min_age=0).orphans == []  # no stray file

    check()


CORRUPTIONS = st.sampled_from(["truncate", "flip", "append", "delete", "empty", "garbage"])


def test_corrupted_files(ln, tmp_path):
    artifact = ln.Artifact.from_df(pd.DataFrame({"c": range(300), "d": ["x"] * 300}), key="fuzz/corrupt.parquet").save()
    stored = Path(artifact.path.path)
    original = stored.read_bytes()

    @FUZZ
    @given(kind=CORRUPTIONS, where=st.floats(0, 1, exclude_max=True), byte=st.integers(1, 255))
    def check(kind, where, byte):
        offset = int(where * len(original))
        damaged = {
            "truncate": original[:offset], "append": original + bytes([byte]), "empty": b"",
            "flip": original[:offset] + bytes([original[offset] ^ byte]) + original[offset + 1 :],
            "garbage": bytes([byte]) * len(original),
        }
        try:
            if kind == "delete":
                stored.unlink()
            else:
                stored.write_bytes(damaged[kind])
            fresh = ln.Artifact.get(artifact.uid)
            with pytest.raises((errors.CorruptBytesError, errors.MissingBytesError)) as info:
                fresh.load()
            assert info.value.uid == artifact.uid
        finally:
            stored.write_bytes(original)

    check()
    assert ln.Artifact.get(artifact.uid).load()["c"].tolist() == list(range(300))
