"""Registry queries: filter, get, df, search, lookup, one, Q, errors with the query in the message."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def transforms(instance):
    import biolake as ln

    ln.connect(instance.name)
    records = [
        ln.Transform(key="preprocess.py", type="script", description="Normalize counts"),
        ln.Transform(key="cluster.ipynb", type="notebook", description="Leiden clustering of T cells"),
        ln.Transform(key="qc-pipeline", type="pipeline", description="quality control"),
        ln.Transform(key="T cell annotation", type="script"),
    ]
    ln.save(records)
    return records


def test_filter_get_first_one(ln, transforms):
    assert ln.Transform.filter(type="script").count() == 2
    assert ln.Transform.get(key="qc-pipeline").type == "pipeline"
    record = ln.Transform.get(key="cluster.ipynb")
    assert ln.Transform.get(record.uid).pk == record.pk
    assert ln.Transform.get(record.uid[:8]).pk == record.pk
    assert ln.Transform.get(record.pk).uid == record.uid
    assert ln.Transform.filter(type="notebook").one().pk == record.pk
    assert ln.Transform.filter(type="nothing").one_or_none() is None
    assert ln.Transform.filter(ln.Q(type="script") | ln.Q(type="notebook")).count() == 3
    assert ln.Transform.filter(type="script").first() is not None


def test_errors_name_the_query(ln, transforms):
    with pytest.raises(ln.errors.DoesNotExist, match="key='nope'"):
        ln.Transform.get(key="nope")
    with pytest.raises(ln.Transform.DoesNotExist):
        ln.Transform.get(key="nope")
    with pytest.raises(LookupError):
        ln.Transform.get(key="nope")
    with pytest.raises(ln.errors.MultipleResultsFound, match="type='script'"):
        ln.Transform.get(type="script")
    with pytest.raises(ln.errors.MultipleResultsFound):
        ln.Transform.filter(type="script").one()


def test_df_columns_index_and_include(ln, transforms):
    df = ln.Transform.filter(type="script").df(include=["created_by__handle"])
    assert isinstance(df, pd.DataFrame) and df.index.name == "id"
    assert list(df.columns[:2]) == ["uid", "key"]
    assert set(df["created_by__handle"]) == {ln.settings.user_handle}
    assert ln.Transform.to_dataframe().shape[0] >= 4
    runs = ln.Transform.filter(key="qc-pipeline").df(include="runs__uid")
    assert runs["runs__uid"].iloc[0] == []


def test_search_ranks_exact_and_prefix_first(ln, transforms):
    hits = list(ln.Transform.search("T cell"))
    assert hits[0].key == "T cell annotation"
    assert {h.key for h in hits} >= {"T cell annotation", "cluster.ipynb"}
    assert ln.Transform.search("T cell").df().shape[0] == len(hits)
    assert list(ln.Transform.search("zzz-nothing")) == []


def test_search_artifacts(ln):
    artifact = ln.Artifact.from_df(pd.DataFrame({"x": [1]}), key="searchable/rnaseq-counts.parquet").save()
    assert artifact in list(ln.Artifact.search("rnaseq"))  # registries with features search too


def test_lookup_gives_attribute_access(ln, transforms):
    lookup = ln.Transform.lookup()
    assert lookup.qc_pipeline.key == "qc-pipeline"
    assert lookup.t_cell_annotation.type == "script"
    assert "preprocess_py" in dir(lookup)
    with pytest.raises(AttributeError, match="Did you mean"):
        lookup.qc_pipelin


def test_user_and_storage_registries(ln, transforms):
    users = ln.User.df()
    assert ln.settings.user_handle in set(users["handle"])
    user = ln.User.get(handle=ln.settings.user_handle)
    assert len(user.uid) == 8
    storages = ln.Storage.df()
    assert ln.settings.storage in set(storages["root"])
    assert all(len(uid) == 12 for uid in storages["uid"])


def test_transform_versions_by_key(ln):
    first = ln.Transform(key="versioned.py", type="script", source_code="print(1)").save()
    second = ln.Transform(key="versioned.py", type="script", source_code="print(2)").save()
    assert len(first.uid) == 16 and first.uid.endswith("0000")
    assert second.uid[:12] == first.uid[:12] and second.uid.endswith("0001")
    assert [t.uid for t in second.versions] == [first.uid, second.uid]
    assert ln.Transform.get(key="versioned.py").uid == second.uid


def test_bulk_save_of_versioned_records_keeps_families(ln):
    ln.save([ln.Transform(key="bulk-a"), ln.Transform(key="bulk-b")])
    ln.save([ln.Transform(key="bulk-a"), ln.Transform(key="bulk-c")])
    family = ln.Transform.filter(key="bulk-a").order_by("uid")
    assert family.count() == 2
    assert [t.is_latest for t in family] == [False, True]
    assert family[0].uid[:12] == family[1].uid[:12]
