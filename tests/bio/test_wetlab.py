"""The wetlab schema module: biosamples from donors, treated, in experiments and wells, linked to artifacts."""

from __future__ import annotations

import pandas as pd
import pytest

from instance_helpers import BACKENDS, drop_instance, make_instance


@pytest.fixture(scope="module", params=BACKENDS)
def lab(request, tmp_path_factory):
    import biolake as ln

    inst, dbname = make_instance(request.param, tmp_path_factory.mktemp("wetlab"), modules=["bio", "wetlab"])
    yield ln
    drop_instance(inst.name, dbname)


def test_biosamples_link_donors_treatments_bio_entities_and_artifacts(lab):
    ln = lab
    from biolake import bio as bt
    from biolake import wetlab as wl

    donor = wl.Donor(name="D0001", sex="female", age="42", organism=bt.Organism.from_source(name="Homo sapiens").save()).save()
    ifng = wl.Treatment(name="IFNG 10 ng/ml", type="compound", concentration=10, concentration_unit="ng/ml", duration_h=24).save()
    experiment = wl.Experiment(name="Experiment 1", date="2024-12-01").save()
    sample = wl.Biosample(name="sample1", donor=donor, experiment=experiment).save()
    sample.treatments.add(ifng)
    sample.cell_types.add(bt.CellType.from_source(name="T cell").save())
    well = wl.Well(name="A1", plate="P1", row="A", column=1, biosample=sample).save()
    artifact = ln.Artifact.from_df(pd.DataFrame({"x": [1]}), key="wetlab/measurement.parquet").save()
    sample.artifacts.add(artifact)
    well.artifacts.add(artifact)
    assert ln.Artifact.filter(biosamples__donor__name="D0001").get().uid == artifact.uid
    assert ln.Artifact.filter(biosamples__cell_types__name="T cell").count() == 1
    assert ln.Artifact.filter(biosamples__treatments__type="compound", wells__plate="P1").count() == 1
    assert wl.Biosample.filter(experiment__name="Experiment 1").get().donor.organism.name == "Homo sapiens"
    assert list(wl.Donor.validate(["D0001", "D9999"])) == [True, False]


def test_modules_must_be_enabled(ln):
    with pytest.raises(ln.errors.InstanceSetupError, match="--modules"):
        ln.wetlab.Biosample


def test_wetlab_records_link_to_artifacts_with_their_feature(lab):
    ln = lab
    from biolake import wetlab as wl

    sample = wl.Biosample(name="sample-feature").save()
    artifact = ln.Artifact.from_df(pd.DataFrame({"x": [2]}), key="wetlab/featured.parquet").save()
    feature = ln.Feature(name="biosample", dtype=wl.Biosample).save()
    artifact.features.add_values({"biosample": "sample-feature"})
    assert ln.Artifact.filter(biosample="sample-feature").get().uid == artifact.uid
    assert [s.name for s in artifact.labels.get(feature)] == ["sample-feature"]
    link = ln.Artifact._meta.get_field("biosamples").through.objects.get(artifact=artifact)
    assert link.feature == feature and link.biosample == sample
    with pytest.raises(ln.errors.ValidationError, match="not in wetlab.Biosample.name"):
        artifact.features.add_values({"biosample": "unknown sample"})  # no public source: must exist
