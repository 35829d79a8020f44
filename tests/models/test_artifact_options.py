"""LaminDB 2.x arguments of ``ln.Artifact(data, ...)``: ``features=``, ``schema=``, ``run=``, ``storage=``."""

from __future__ import annotations

import uuid
from pathlib import Path

import pandas as pd
import pytest

from biolake.errors import ArgumentTypeError, InvalidArgument, ValidationError


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:6]}"


def _csv(tmp_path: Path, text: str = "a,b\n1,2\n") -> Path:
    path = tmp_path / f"{_name('table')}.csv"
    path.write_text(text + uuid.uuid4().hex + ",0\n")
    return path


@pytest.fixture
def features(ln):
    temperature, operator = _name("temperature"), _name("operator")
    ln.Feature(name=temperature, dtype=float).save()
    ln.Feature(name=operator, dtype=str).save()
    return temperature, operator


def test_features_are_set_when_the_artifact_is_saved(ln, tmp_path, features):
    temperature, operator = features
    artifact = ln.Artifact(_csv(tmp_path), key=f"{_name('opts')}/a.csv", features={temperature: 21.5, operator: "Ada"})
    artifact.save()
    assert artifact.features.get_values() == {temperature: 21.5, operator: "Ada"}
    assert ln.Artifact.filter(**{temperature: 21.5}).one() == artifact
    frame = ln.Artifact.from_df(pd.DataFrame({"x": [1]}), key=f"{_name('opts')}/f.parquet", features={temperature: 4.0}).save()
    assert frame.features.get_values() == {temperature: 4.0}


def test_a_wrong_value_is_refused_before_anything_is_written(ln, tmp_path, features):
    temperature, _ = features
    managed = Path(ln.settings.storage) / ".biolake"  # the default storage: a local folder in these tests
    before_files = set(managed.rglob("*.csv"))
    before = ln.Artifact.filter().count()
    key = f"{_name('opts')}/bad.csv"
    with pytest.raises(ValidationError, match=f"Value 'warm' of feature '{temperature}' is not of dtype 'float'"):
        ln.Artifact(_csv(tmp_path), key=key, features={temperature: "warm"}).save()
    with pytest.raises(ValidationError, match="Unknown feature"):
        ln.Artifact(_csv(tmp_path), key=key, features={"no_such_feature": 1}).save()
    assert ln.Artifact.filter().count() == before
    assert set(managed.rglob("*.csv")) == before_files  # no stray bytes


def test_schema_checks_the_features(ln, tmp_path, features):
    temperature, operator = features
    schema = ln.Schema([ln.Feature.get(name=temperature), ln.Feature.get(name=operator)], name=_name("external")).save()
    with pytest.raises(ValidationError, match=f"requires feature\\(s\\) '{operator}': add their values"):
        ln.Artifact(_csv(tmp_path), key=f"{_name('opts')}/s.csv", features={temperature: 1.0}, schema=schema).save()
    strict = ln.Schema([ln.Feature.get(name=temperature)], name=_name("strict"), maximal_set=True).save()
    with pytest.raises(ValidationError, match=f"has no feature\\(s\\) '{operator}'"):
        ln.Artifact(_csv(tmp_path), key=f"{_name('opts')}/t.csv", features={temperature: 1.0, operator: "x"}, schema=strict).save()
    ok = ln.Artifact(_csv(tmp_path), key=f"{_name('opts')}/u.csv", features={temperature: 2.0, operator: "Bo"}, schema=schema).save()
    assert ok.features.get_values() == {temperature: 2.0, operator: "Bo"}
    with pytest.raises(InvalidArgument, match="validates features="):
        ln.Artifact(_csv(tmp_path), key=f"{_name('opts')}/v.csv", schema=schema)


def test_run_false_and_an_explicit_run(ln, tmp_path):
    other = ln.Run(ln.Transform(key=_name("other-pipeline"), type="pipeline").save()).save()
    run = ln.track(transform=ln.Transform(key=_name("opts-pipeline"), type="pipeline"))
    try:
        tracked = ln.Artifact(_csv(tmp_path), key=f"{_name('opts')}/tracked.csv").save()
        untracked = ln.Artifact(_csv(tmp_path), key=f"{_name('opts')}/untracked.csv", run=False).save()
        given = ln.Artifact(_csv(tmp_path), key=f"{_name('opts')}/given.csv", run=other).save()
    finally:
        ln.finish()
    assert tracked.run == run and untracked.run is None and given.run == other
    with pytest.raises(ArgumentTypeError, match="takes a Run or False"):
        ln.Artifact(_csv(tmp_path), key="x.csv", run="abc")


def test_storage_puts_the_bytes_in_another_registered_location(ln, tmp_path):
    other = tmp_path / "second-storage"
    other.mkdir()
    storage = ln.Storage(root=other.as_posix()).save()
    artifact = ln.Artifact(_csv(tmp_path), key=f"{_name('opts')}/elsewhere.csv", storage=storage).save()
    assert artifact.storage == storage
    assert Path(artifact.path).resolve().is_relative_to(other.resolve()) and Path(artifact.path).is_file()
    by_root = ln.Artifact(_csv(tmp_path), key=f"{_name('opts')}/byroot.csv", storage=other.as_posix()).save()
    assert by_root.storage == storage
    with pytest.raises(InvalidArgument, match=r"no such storage location; register it with ln.Storage\(root="):
        ln.Artifact(_csv(tmp_path), key="y.csv", storage=(tmp_path / "unknown").as_posix())
