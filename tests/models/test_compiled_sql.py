"""The save path's cached statements (``biolake.models.compiled_sql``): each shape is compiled by
Django once and used from then on; the cached insert writes the row Django's ``save()`` writes,
and steps aside where Django's own path is needed (save signals)."""

from __future__ import annotations

import pandas as pd
import pytest

from instance_helpers import BACKENDS, drop_instance, make_instance


@pytest.fixture(params=BACKENDS)
def ln(request, tmp_path):
    import biolake as ln

    inst, dbname = make_instance(request.param, tmp_path / "storage")
    ln.connect(inst.name)
    yield ln
    drop_instance(inst.name, dbname)


def _cached(model):
    from biolake.models import compiled_sql

    lookups = {key[3][0]: sql for key, sql in compiled_sql._SQL.items() if key[0] is model}
    inserts = [value for key, value in compiled_sql._INSERTS.items() if key[0] is model]
    return lookups, inserts


def test_the_save_path_runs_cached_statements(ln):
    ln.Artifact.from_df(pd.DataFrame({"a": [1]}), key="c/first.parquet").save()
    lookups, inserts = _cached(ln.Artifact)
    # a silent fallback to compiling every time would leave None here
    assert lookups["hash"] and lookups["family"] and inserts and all(inserts)
    assert "RETURNING" in inserts[0][0]


def test_cached_inserts_and_lookups_give_what_django_gives(ln):
    first = ln.Artifact.from_df(pd.DataFrame({"a": [1, 2]}), key="c/v.parquet").save()
    second = ln.Artifact.from_df(pd.DataFrame({"a": [1, 3]}), key="c/v.parquet").save()  # a new version
    again = ln.Artifact.from_df(pd.DataFrame({"a": [1, 2]}), key="c/other.parquet").save()  # the same bytes
    assert again.uid == first.uid
    assert second.uid[:16] == first.uid[:16] and second.uid.endswith("0001") and second.is_latest
    assert not ln.Artifact.get(first.pk).is_latest
    names = [f.attname for f in ln.Artifact._meta.concrete_fields if f.attname != "is_latest"]  # first's changed since
    for record in (first, second):
        assert not record._state.adding and record.pk is not None
        stored = ln.Artifact.get(record.pk)
        assert {n: getattr(stored, n) for n in names} == {n: getattr(record, n) for n in names}
        assert stored.created_at is not None and stored.created_by_id is not None


def test_a_save_signal_receiver_gets_the_save(ln):
    from django.db.models.signals import post_save, pre_save

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append((kwargs.get("created"), instance.key))

    pre_save.connect(receiver, sender=ln.Artifact)
    post_save.connect(receiver, sender=ln.Artifact)
    try:
        artifact = ln.Artifact.from_df(pd.DataFrame({"s": [7]}), key="c/signal.parquet").save()
    finally:
        pre_save.disconnect(receiver, sender=ln.Artifact)
        post_save.disconnect(receiver, sender=ln.Artifact)
    assert seen == [(None, "c/signal.parquet"), (True, "c/signal.parquet")]
    assert ln.Artifact.get(artifact.pk).key == "c/signal.parquet"


def test_a_shape_whose_parameters_come_in_another_order_is_not_cached(ln):
    from biolake.models import compiled_sql

    model = ln.Artifact
    ln.Artifact.from_df(pd.DataFrame({"o": [1]}), key="c/order.parquet").save()

    def build(params):  # params: [key, suffix]; Django orders the conditions by name: key first, then suffix
        return model._plain.filter(suffix=params[0], key=params[1]).values_list("uid")

    sql, params = compiled_sql.statement(model, ("test-order",), build, [".parquet", "c/order.parquet"])
    assert compiled_sql._SQL[(model, "default", _vendor(), ("test-order",))] is None
    assert list(params) == ["c/order.parquet", ".parquet"]  # Django's own order, not the one given
    assert len(compiled_sql.rows(model, ("test-order",), build, [".parquet", "c/order.parquet"])) == 1


def _vendor():
    from django.db import connection

    return connection.vendor


def test_an_insert_prepared_earlier_is_used_only_while_the_record_is_unchanged(ln):
    """A save prepares its INSERT while its bytes travel; a record changed since (e.g. given a
    version's uid in the transaction) is inserted with its values of now."""
    from biolake.models import compiled_sql

    ln.Artifact.from_df(pd.DataFrame({"w": [1]}), key="c/warm.parquet").save()  # registered shapes, storage
    storage = ln.Artifact.get(key="c/warm.parquet").storage
    record = ln.Artifact(key="c/prepared.txt", suffix=".txt", size=1, hash="h-prepared", storage=storage, uid="preparedUid000000000")
    prepared = compiled_sql.prepare_insert(record)
    assert prepared is not None and prepared.current()
    record.description = "changed after it was prepared"
    assert not prepared.current()
    assert compiled_sql.insert(record, prepared)
    assert ln.Artifact.get(uid="preparedUid000000000").description == "changed after it was prepared"
    other = ln.Artifact(key="c/unchanged.txt", suffix=".txt", size=1, hash="h-unchanged", storage=storage, uid="unchangedUid00000000")
    prepared = compiled_sql.prepare_insert(other)
    assert compiled_sql.insert(other, prepared) and not other._state.adding and other.pk is not None
    assert ln.Artifact.get(pk=other.pk).created_at == other.created_at  # the prepared values were inserted
