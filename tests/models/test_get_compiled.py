"""``Registry.get`` by plain fields (a key, a name, a full uid, an id) runs a SELECT compiled
once per connection and shape: the record equals what Django's own query gives, and every
other case (no match, several, a uid stem, lookups, hidden branches) keeps its meaning."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest

from instance_helpers import BACKENDS, drop_instance, make_instance


@pytest.fixture(params=BACKENDS)
def ln(request, tmp_path):
    import biolake as ln

    inst, dbname = make_instance(request.param, tmp_path / "storage")
    ln.connect(inst.name)
    yield ln
    if ln.setup.info()["branch"] != "main":
        ln.setup.switch("main")
    drop_instance(inst.name, dbname)


def _selects():
    from django.db import connections

    return connections["default"].__dict__.get("_biolake_selects", {})


def _same(record, other):
    fields = type(record)._meta.concrete_fields
    assert [getattr(record, f.attname) for f in fields] == [getattr(other, f.attname) for f in fields]
    assert record._state.db == other._state.db and record._state.adding is other._state.adding is False


def test_get_by_plain_fields_equals_djangos_record(ln):
    artifact = ln.Artifact.from_df(pd.DataFrame({"a": [1, 2]}), key="g/one.parquet", description="d").save()
    ln.track(params={"alpha": 1, "tags": ["x"]})  # a run with JSON params, a transform
    run = ln.context.run
    feature = ln.Feature(name="score", dtype=float).save()
    records = [
        (ln.Artifact.get(key="g/one.parquet"), ln.Artifact.objects.filter(key="g/one.parquet")[0]),
        (ln.Artifact.get(artifact.uid), ln.Artifact.objects.filter(uid=artifact.uid)[0]),
        (ln.Artifact.get(artifact.id), ln.Artifact.objects.filter(id=artifact.id)[0]),
        (ln.Run.get(run.uid), ln.Run.objects.filter(uid=run.uid)[0]),
        (ln.Feature.get(name="score"), ln.Feature.objects.filter(name="score")[0]),
        (ln.Artifact.get(key="g/one.parquet", suffix=".parquet"), artifact),
    ]
    ln.finish()
    for fast, django in records:
        _same(fast, django)
    assert ln.Run.get(run.uid).params == {"alpha": 1, "tags": ["x"]}
    assert feature.dtype == ln.Feature.get(name="score").dtype
    shapes = {key[1]: select for key, select in _selects().items() if key[0] is ln.Artifact}
    # a silent fallback to Django's compiler every time would leave None (or nothing) here
    assert shapes[("get", ("key",), 1)] is not None and shapes[("get", ("uid",), 0)] is not None


def test_other_gets_keep_their_meaning(ln):
    first = ln.Artifact.from_df(pd.DataFrame({"a": [1]}), key="g/v.parquet").save()
    second = ln.Artifact.from_df(pd.DataFrame({"a": [2]}), key="g/v.parquet").save()
    assert ln.Artifact.get(key="g/v.parquet") == second  # two versions: the latest
    assert ln.Artifact.get(first.uid[:16]) == second  # a uid stem: the latest of the family
    assert ln.Artifact.get(key__startswith="g/v") == second
    with pytest.raises(ln.Artifact.DoesNotExist, match="key='g/none.parquet'"):
        ln.Artifact.get(key="g/none.parquet")
    other = ln.Artifact.from_df(pd.DataFrame({"a": [3]}), key="g/w.parquet", description="same").save()
    ln.Artifact.from_df(pd.DataFrame({"a": [4]}), key="g/x.parquet", description="same").save()
    with pytest.raises(ln.Artifact.MultipleObjectsReturned):
        ln.Artifact.get(description="same")
    other.delete()  # to the trash: hidden from lookups, found by uid
    with pytest.raises(ln.Artifact.DoesNotExist):
        ln.Artifact.get(key="g/w.parquet")
    assert ln.Artifact.get(other.uid) == other and ln.Artifact.get(key="g/w.parquet", branch_id=-1) == other


def test_a_branch_sees_its_records_and_main_does_not(ln):
    name, key = f"b{uuid.uuid4().hex[:6]}", f"g/{uuid.uuid4().hex[:6]}.parquet"
    ln.setup.switch(name, create=True)
    on_branch = ln.Artifact.from_df(pd.DataFrame({"a": [1]}), key=key).save()
    assert ln.Artifact.get(key=key) == on_branch  # main and the current branch are visible
    ln.setup.switch("main")
    with pytest.raises(ln.Artifact.DoesNotExist):
        ln.Artifact.get(key=key)
    assert ln.Artifact.get(on_branch.uid) == on_branch
