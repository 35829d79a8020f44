"""Reproduction 6: missing or damaged stored bytes, a damaged database, wrong lookups and
constructor arguments give biolake's own errors (one line on the command line)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from _safety_helpers import cli
from biolake import errors


def _saved(ln, key: str, rows: int = 500):
    df = pd.DataFrame({"a": range(rows), "b": [key] * rows})
    return ln.Artifact.from_df(df, key=key).save()


def test_truncated_parquet_names_size_path_and_uid(ln):
    artifact = _saved(ln, "corrupt/truncated.parquet")
    path = Path(artifact.path.path)
    path.write_bytes(path.read_bytes()[: artifact.size // 2])
    with pytest.raises(errors.CorruptBytesError, match="size") as info:
        ln.Artifact.get(key="corrupt/truncated.parquet").load()
    assert info.value.uid == artifact.uid and info.value.path == str(path)
    assert artifact.uid in str(info.value) and "biolake verify" in str(info.value)
    assert isinstance(info.value, ValueError)  # except ValueError keeps working


def test_bit_flip_is_found_by_its_hash(ln):
    artifact = _saved(ln, "corrupt/flipped.parquet")
    path = Path(artifact.path.path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(errors.CorruptBytesError, match="hash") as info:
        ln.Artifact.get(key="corrupt/flipped.parquet").load()
    assert info.value.uid == artifact.uid and info.value.expected == artifact.hash and info.value.actual != artifact.hash


def test_deleted_bytes_raise_missing_bytes_from_load_cache_and_the_cli(ln):
    artifact = _saved(ln, "corrupt/deleted.parquet")
    os.remove(artifact.path.path)
    fresh = ln.Artifact.get(key="corrupt/deleted.parquet")
    for access in (fresh.load, fresh.cache):
        with pytest.raises(errors.MissingBytesError) as info:
            access()
        assert isinstance(info.value, FileNotFoundError) and info.value.uid == artifact.uid
        assert info.value.path == str(artifact.path)
    result = cli("artifact", "get", "corrupt/deleted.parquet")
    assert result.exit_code == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and artifact.uid in result.stderr and "missing" in result.stderr


def test_bytes_saved_unreadable_are_a_biolake_error(ln, tmp_path):
    fake = tmp_path / "not.parquet"
    fake.write_text("this is not parquet")
    artifact = ln.Artifact(fake, key="corrupt/not.parquet").save()
    with pytest.raises(errors.CorruptBytesError, match="match the recorded hash"):
        ln.Artifact.get(artifact.uid).load()


@pytest.mark.parametrize(
    "lookup",
    [{"key__foo": 1}, {"size__gt": "abc"}, {"created_at__lt": "yesterday"}, {"ulabels__name__bar": 1}, {"key__in": 5}],
    ids=["unknown-operator", "wrong-type", "bad-date", "relation-operator", "not-iterable"],
)
def test_wrong_lookups_raise_invalid_lookup(ln, lookup):
    with pytest.raises(errors.InvalidLookupError) as info:
        list(ln.Artifact.filter(**lookup))
    assert info.value.lookup == next(iter(lookup)) and next(iter(lookup)) in str(info.value)


@pytest.mark.parametrize("lookup", [{"size__gt": 10**30}, {"key": "nul\x00byte"}, {"n_files": -(2**70)}], ids=["huge", "nul", "tiny"])
def test_a_value_the_database_cannot_take_is_an_invalid_lookup(ln, lookup):
    try:
        assert list(ln.Artifact.filter(**lookup)) == []
    except errors.InvalidLookupError as error:  # refused by the database or its driver
        assert "Check the types and ranges" in str(error) or next(iter(lookup)) in str(error)


def test_get_with_a_wrong_type_is_an_invalid_lookup(ln):
    with pytest.raises(errors.InvalidLookupError):
        ln.Artifact.get(3.5)


def test_artifact_without_data_and_missing_required_values(ln):
    with pytest.raises(errors.InvalidArgument, match="no data"):
        ln.Artifact(None).save()
    with pytest.raises(errors.RecordConstraintError, match="name") as info:
        ln.ULabel(name=None).save()
    assert info.value.model == "ULabel" and not ln.ULabel.filter(name__isnull=True).exists()
    import django.db

    assert isinstance(info.value, django.db.IntegrityError)  # except IntegrityError keeps working
    with pytest.raises(errors.ArgumentTypeError):
        ln.Artifact(42, key="x.parquet")


def test_open_of_damaged_bytes_is_a_biolake_error(ln):
    artifact = _saved(ln, "corrupt/open.parquet")
    path = Path(artifact.path.path)
    path.write_bytes(b"\0" * artifact.size)  # same size, not parquet
    with pytest.raises(errors.CorruptBytesError, match="hash") as info:
        ln.Artifact.get(artifact.uid).open()
    assert info.value.uid == artifact.uid
