"""Several instances in one process: reading another instance and zero-copy transfer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from instance_helpers import BACKENDS, drop_instance, make_instance


@pytest.fixture(params=BACKENDS)
def origin(request, tmp_path, instance):
    """A second instance ("public atlas") with an annotated artifact made by a run."""
    import biolake as ln

    inst, dbname = make_instance(request.param, tmp_path / "atlas", name=f"atlas{request.param}{id(tmp_path) % 10000}")
    ln.Feature(name="tissue_kind", dtype="cat[ULabel[Tissue]]").save()
    ln.Feature(name="n_donors", dtype=int).save()
    tissue = ln.ULabel(name="Tissue", is_type=True).save()
    ln.ULabel(name="blood", type=tissue).save()
    schema = ln.Schema(name="atlas columns", features=[ln.Feature(name="cell", dtype=str).save()]).save()
    run = ln.track(transform=ln.Transform(key="make-atlas", type="pipeline"))
    try:
        artifact = ln.Artifact.from_df(pd.DataFrame({"cell": ["a", request.param]}), key="atlas/blood.parquet").save()
    finally:
        ln.finish()
    artifact.features.add_values({"tissue_kind": "blood", "n_donors": 12})
    artifact.features.add_schema(schema, slot="columns")
    ln.connect(instance.name)
    yield inst, artifact.uid, run.uid, request.param
    drop_instance(inst.name, dbname)
    ln.connect(instance.name)


def test_read_other_instance_and_transfer_without_copying(ln, origin, instance):
    atlas, uid, run_uid, second_cell = origin
    assert not ln.Artifact.filter(uid=uid).exists()
    a2 = ln.Artifact.using(atlas.name).get(key="atlas/blood.parquet")
    assert a2.uid == uid and a2._state.db == atlas.name
    managed_here = set((Path(instance.storage_root) / ".biolake").iterdir())
    a2.save()
    here = ln.Artifact.get(uid)
    assert here._state.db == "default" and here.storage.root == atlas.storage_root
    assert here.path.exists() and set((Path(instance.storage_root) / ".biolake").iterdir()) == managed_here
    pd.testing.assert_frame_equal(here.load(), pd.DataFrame({"cell": ["a", second_cell]}))
    assert here.features.get_values() == {"tissue_kind": "blood", "n_donors": 12}
    assert ln.ULabel.get(name="blood").type.name == "Tissue"
    assert [f.name for f in here.features.slots["columns"].ordered_features] == ["cell"]
    assert here.run.params["origin_instance"] == atlas.name and here.run.params["origin_run"] == run_uid
    assert here.run.params["origin_transform"] == "make-atlas"
    again = ln.Artifact.using(atlas.name).get(key="atlas/blood.parquet").save()
    assert again.pk == here.pk and ln.Artifact.filter(uid=uid).count() == 1
