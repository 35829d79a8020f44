"""Features, labels, schemas and feature values on artifacts; queries by metadata."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def annotated(instance):
    import biolake as ln

    ln.connect(instance.name)
    ln.Feature(name="temperature", dtype=float).save()
    ln.Feature(name="experiment", dtype=ln.ULabel).save()
    artifact = ln.Artifact.from_df(pd.DataFrame({"x": [1, 2]}), key="fv/a.parquet").save()
    other = ln.Artifact.from_df(pd.DataFrame({"x": [3]}), key="fv/b.parquet").save()
    artifact.features.add_values({"temperature": 21.6, "experiment": "My experiment"})
    other.features.add_values({"temperature": 18.0, "experiment": "Other experiment"})
    return artifact, other


def test_walkthrough_feature_values_and_queries(ln, annotated):
    artifact, other = annotated
    assert ln.Artifact.filter(temperature=21.6).get().uid == artifact.uid
    assert ln.Artifact.filter(experiment="My experiment").get().uid == artifact.uid
    assert {a.uid for a in ln.Artifact.filter(temperature__gt=20)} == {artifact.uid}
    assert {a.uid for a in ln.Artifact.filter(temperature__lt=30)} == {artifact.uid, other.uid}
    assert ln.Artifact.filter(temperature__gt=20, experiment="My experiment").count() == 1
    assert ln.Artifact.filter(temperature__gt=20, experiment="Other experiment").count() == 0
    assert ln.Artifact.filter(experiment__in=["My experiment", "Other experiment"]).count() == 2
    assert ln.Artifact.filter(experiment__startswith="Other").get().uid == other.uid
    my_experiment = ln.ULabel(name="My experiment").save()  # exists already: returned
    artifact.ulabels.add(my_experiment)
    assert list(ln.Artifact.filter(ulabels=my_experiment).df()["uid"]) == [artifact.uid]
    assert ln.Artifact.get(ulabels__name="My experiment").uid == artifact.uid
    assert artifact.features.get_values() == {"temperature": 21.6, "experiment": "My experiment"}


def test_values_are_deduplicated(ln, annotated):
    artifact, _ = annotated
    third = ln.Artifact.from_df(pd.DataFrame({"x": [9]}), key="fv/c.parquet").save()
    third.features.add_values({"temperature": 21.6})
    from biolake.models import FeatureValue

    assert FeatureValue.objects.filter(feature__name="temperature", value_num=21.6).count() == 1
    assert ln.Artifact.filter(temperature=21.6).count() == 2
    third.features.remove_values("temperature")
    assert ln.Artifact.filter(temperature=21.6).count() == 1


def test_unknown_feature_and_wrong_type_errors(ln, annotated):
    artifact, _ = annotated
    with pytest.raises(ln.errors.ValidationError, match=r"Unknown feature\(s\): 'temprature'.*ln.Feature\(name='temprature'"):
        artifact.features.add_values({"temprature": 20.0})
    with pytest.raises(ln.errors.ValidationError, match=r"'warm' of feature 'temperature' is not of dtype 'float'"):
        artifact.features.add_values({"temperature": "warm"})
    with pytest.raises(ln.errors.ValidationError, match="neither a field of Artifact nor a feature"):
        ln.Artifact.filter(temprature=1)


@pytest.mark.parametrize(
    ("dtype", "good", "bad", "query"),
    [
        (int, 3, 3.5, {"__gte": 3}),
        ("num", 2.5, "x", {"__lt": 3}),
        (str, "abc", 5, {"__startswith": "ab"}),
        (bool, True, 1, {"": True}),
        (datetime.date, datetime.date(2024, 12, 1), "yesterday", {"__gte": datetime.date(2024, 1, 1)}),
        (datetime.datetime, "2024-12-01T10:00:00", "noon", {"__lt": "2025-01-01"}),
        (dict, {"a": 1}, [1], {"": {"a": 1}}),
        ("path", "data/raw.csv", 3, {"__contains": "raw"}),
        (list[int], [1, 2], ["a"], {"": 2}),
    ],
)
def test_every_plain_dtype(ln, dtype, good, bad, query):
    from biolake.models import dtypes

    name = f"dt_{dtypes.normalize(dtype).replace('[', '_').replace(']', '')}"
    ln.Feature(name=name, dtype=dtype).save()
    artifact = ln.Artifact.from_df(pd.DataFrame({name: [0]}), key=f"dtypes/{name}.parquet").save()
    artifact.features.add_values({name: good})
    with pytest.raises(ln.errors.ValidationError, match=name):
        artifact.features.add_values({name: bad})
    (suffix, value), = query.items()
    assert artifact.uid in {a.uid for a in ln.Artifact.filter(**{f"{name}{suffix}": value})}


def test_typed_labels_must_exist(ln):
    ptype = ln.ULabel(name="Perturbation", is_type=True).save()
    ln.ULabel(name="DMSO", type=ptype).save()
    ln.Feature(name="treatment", dtype="cat[ULabel[Perturbation]]").save()
    artifact = ln.Artifact.from_df(pd.DataFrame({"t": [1]}), key="typed/t.parquet").save()
    with pytest.raises(ln.errors.ValidationError, match="'DMSX'") as info:
        artifact.features.add_values({"treatment": "DMSX"})
    assert info.value.non_validated == {"treatment": ["DMSX"]}
    artifact.features.add_values({"treatment": "DMSO"})
    assert [label.name for label in artifact.labels.get("treatment")] == ["DMSO"]


def test_df_include_features_in_constant_queries(ln, annotated):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    extra = []
    for i in range(5):
        a = ln.Artifact.from_df(pd.DataFrame({"q": [i]}), key=f"fvq/{i}.parquet").save()
        a.features.add_values({"temperature": float(i), "experiment": "My experiment"})
        extra.append(a)
    qs = ln.Artifact.filter(key__startswith="fvq/")
    with CaptureQueriesContext(connection) as few:
        ln.Artifact.filter(key__startswith="fvq/").order_by("key").df(include="features")
    for i in range(5, 10):
        a = ln.Artifact.from_df(pd.DataFrame({"q": [i]}), key=f"fvq/{i}.parquet").save()
        a.features.add_values({"temperature": float(i), "experiment": "My experiment"})
    with CaptureQueriesContext(connection) as many:
        df = qs.order_by("key").df(include="features")
    assert len(many.captured_queries) == len(few.captured_queries) <= 4
    assert list(df["temperature"]) == [float(i) for i in range(10)]
    assert set(df["experiment"]) == {"My experiment"}


def test_describe_shows_linked_features_and_labels(ln, annotated, capsys):
    from biolake import _logging

    _logging.reset_console()
    artifact, _ = annotated
    artifact.describe()
    out = capsys.readouterr().out
    assert "Linked features" in out and "temperature" in out and "21.6" in out
    assert "Labels" in out and ".ulabels" in out and "My experiment" in out


def test_schema_dedup_by_hash(ln):
    a = ln.Feature(name="sd_a", dtype=int).save()
    b = ln.Feature(name="sd_b", dtype=str).save()
    first = ln.Schema(name="s", features=[a, b]).save()
    again = ln.Schema(name="s", features=[a, b])
    assert not again._state.adding and again.uid == first.uid
    assert ln.Schema(name="s", features=[b, a]).uid == first.uid  # a set: order does not matter
    different = ln.Schema(name="s", features=[b, a], ordered_set=True).save()
    assert different.uid != first.uid
    assert [f.name for f in first.ordered_features] == ["sd_a", "sd_b"]
    assert first.n == 2


def test_feature_set_is_the_older_name_of_schema(ln):
    f = ln.Feature(name="fs_a", dtype=int).save()
    schema = ln.FeatureSet(name="old name", features=[f]).save()
    assert isinstance(schema, ln.Schema)
    artifact = ln.Artifact.from_df(pd.DataFrame({"fs_a": [1]}), key="fs/a.parquet").save()
    artifact.features.add_schema(schema)
    feature_sets = ln.FeatureSet.filter(name="old name").all()
    assert list(ln.Artifact.filter(feature_sets__in=feature_sets).df()["uid"]) == [artifact.uid]
    assert ln.Artifact.filter(schemas__in=feature_sets).count() == 1
