"""Ontology links on artifacts and collections (bio registries), on SQLite and PostgreSQL.

``artifact.cell_types`` & co., queries by relation and by feature, ``features.add_values`` and
``labels.add/get`` with bio records, ``describe()``, and curators that link bio columns.
"""

from __future__ import annotations

import pandas as pd
import pytest

from instance_helpers import BACKENDS, drop_instance, make_instance

ACCESSORS = (
    "organisms", "genes", "proteins", "cell_markers", "tissues", "cell_types", "diseases", "cell_lines",
    "phenotypes", "pathways", "experimental_factors", "developmental_stages", "ethnicities",
)


@pytest.fixture(scope="module", params=BACKENDS)
def instance(request, tmp_path_factory):
    """Overrides conftest's ``instance``: this module's instance enables the bio module."""
    inst, dbname = make_instance(request.param, tmp_path_factory.mktemp("links"), modules=["bio"])
    yield inst
    drop_instance(inst.name, dbname)


@pytest.fixture
def bt(ln):
    from biolake import bio

    return bio


def _artifact(ln, key, value=1):
    return ln.Artifact.from_df(pd.DataFrame({"x": [value]}), key=key).save()


def test_every_bio_registry_links_to_artifacts_and_collections(ln, bt):
    for accessor in ACCESSORS:
        assert ln.Artifact._meta.get_field(accessor).through._meta.get_field("feature").null
        assert ln.Collection._meta.get_field(accessor).through._meta.app_label == "bio"
    b_cell = bt.CellType.from_source(name="B cell").save()
    artifact = _artifact(ln, "links/plain.parquet")
    artifact.cell_types.add(b_cell)
    assert [c.name for c in artifact.cell_types.all()] == ["B cell"]
    assert [a.uid for a in b_cell.artifacts.all()] == [artifact.uid]
    assert ln.Artifact.filter(cell_types__name="B cell").get().uid == artifact.uid
    assert ln.Artifact.filter(cell_types__ontology_id="CL:0000236").count() == 1
    collection = ln.Collection([artifact], key="links/collection").save()
    collection.cell_types.add(b_cell)
    assert list(collection.cell_types.values_list("name", flat=True)) == ["B cell"]
    assert ln.Collection.filter(cell_types__name="B cell").get().uid == collection.uid


def test_add_values_links_a_cell_type_from_the_public_source_with_its_feature(ln, bt):
    artifact = _artifact(ln, "links/annotated.parquet", 2)
    assert not bt.CellType.filter(name="T cell").exists()  # add_values fetches it from the public source
    ln.Feature(name="cell_type", dtype=bt.CellType).save()
    artifact.features.add_values({"cell_type": "T cell"})
    assert ln.Artifact.filter(cell_types__name="T cell").count() == 1
    t_cell = bt.CellType.get(name="T cell")
    assert t_cell.ontology_id == "CL:0000084" and t_cell.parents.exists()  # saved with its ancestors
    link = ln.Artifact._meta.get_field("cell_types").through.objects.get(artifact=artifact)
    assert link.feature.name == "cell_type" and link.celltype == t_cell
    assert artifact.features.get_values() == {"cell_type": "T cell"}
    assert ln.Artifact.filter(cell_type="T cell").get().uid == artifact.uid
    assert ln.Artifact.filter(cell_type=t_cell).get().uid == artifact.uid
    assert ln.Artifact.filter(cell_type__in=["T cell", "B cell"]).get().uid == artifact.uid
    assert ln.Artifact.filter(cell_type="B cell").count() == 0  # B cell is linked without the feature
    df = ln.Artifact.filter(key="links/annotated.parquet").df(include="features")
    assert df["cell_type"].tolist() == ["T cell"]
    with pytest.raises(ln.errors.ValidationError, match="not in bio.CellType.name") as info:
        artifact.features.add_values({"cell_type": "no such cell"})
    assert info.value.non_validated == {"cell_type": ["no such cell"]}
    artifact.features.remove_values("cell_type", "T cell")
    assert ln.Artifact.filter(cell_type="T cell").count() == 0 and artifact.features.get_values() == {}


def test_labels_add_records_of_any_registry_and_get_them_by_feature(ln, bt):
    artifact = _artifact(ln, "links/labels.parquet", 3)
    disease = ln.Feature(name="disease", dtype=bt.Disease).save()
    organism = ln.Feature(name="organism", dtype=bt.Organism).save()
    diseases = [bt.Disease.from_source(name=n).save() for n in ("asthma", "influenza")]
    artifact.labels.add(diseases, feature=disease)
    artifact.labels.add("Homo sapiens", feature="organism")  # a name, taken from the public source
    experiment = ln.ULabel(name="Experiment A").save()
    artifact.labels.add(experiment)
    assert sorted(artifact.labels.get(disease).values_list("name", flat=True)) == ["asthma", "influenza"]
    assert artifact.labels.get("disease").model is bt.Disease
    assert [o.name for o in artifact.labels.get(organism)] == ["Homo sapiens"]
    assert [u.name for u in artifact.labels.get()] == ["Experiment A"]
    assert ln.Artifact.filter(disease="asthma", organism="Homo sapiens").get().uid == artifact.uid
    assert ln.Artifact.filter(diseases__name="influenza", ulabels=experiment).get().uid == artifact.uid
    collection = ln.Collection([artifact], key="links/labelled").save()
    collection.labels.add(diseases[0], feature=disease)
    assert [d.name for d in collection.labels.get(disease)] == ["asthma"]
    assert ln.Collection.filter(disease="asthma").get().uid == collection.uid
    with pytest.raises(ln.errors.ValidationError, match="have no labels"):
        ln.Run.filter(disease="asthma")


def test_describe_lists_bio_labels_grouped_by_feature(ln, bt, capsys):
    artifact = _artifact(ln, "links/described.parquet", 4)
    ln.Feature(name="tissue", dtype=bt.Tissue).save()
    artifact.features.add_values({"tissue": ["lung", "liver"]})
    artifact.tissues.add(bt.Tissue.from_source(name="heart").save())  # without a feature
    artifact.labels.add(ln.ULabel(name="described").save())
    capsys.readouterr()
    artifact.describe()
    out = capsys.readouterr().out
    assert "Labels" in out and ".tissues" in out and "bio.Tissue" in out and ".ulabels" in out
    lines = out.splitlines()
    tissues = next(line for line in lines if ".tissues" in line)
    assert "heart" in tissues and "liver" in tissues and "lung" in tissues
    grouped = next(line for line in lines if "tissue: " in line)
    assert "liver, lung" in grouped and "heart" not in grouped


def test_curator_links_the_values_of_categorical_bio_columns(ln, bt):
    cell_type = ln.Feature(name="cell_type_curated", dtype=bt.CellType).save()
    perturbation = ln.Feature(name="perturbation_curated", dtype=ln.ULabel).save()
    schema = ln.Schema(features=[cell_type, perturbation]).save()
    df = pd.DataFrame({
        "cell_type_curated": pd.Categorical(["T cell", "B cell", "T cell"]),
        "perturbation_curated": pd.Categorical(["DMSO", "IFNG", "DMSO"]),
    })
    curator = ln.curators.DataFrameCurator(df, schema)
    bt.CellType.from_values(["T cell", "B cell"], field="name")  # in the registry after the tests above
    for record in bt.CellType.from_values(["T cell", "B cell"], field="name"):
        record.save()
    curator.cat.add_new_from("perturbation_curated")
    artifact = curator.save_artifact(key="links/curated.parquet")
    assert sorted(artifact.cell_types.values_list("name", flat=True)) == ["B cell", "T cell"]
    assert sorted(artifact.labels.get(cell_type).values_list("name", flat=True)) == ["B cell", "T cell"]
    assert sorted(artifact.ulabels.values_list("name", flat=True)) == ["DMSO", "IFNG"]
    assert ln.Artifact.filter(cell_type_curated="B cell").get().uid == artifact.uid


def test_labels_of_a_feature_must_come_from_its_registry(ln, bt):
    artifact = _artifact(ln, "links/wrong.parquet", 5)
    ln.Feature(name="cell_line", dtype=bt.CellLine).save()
    with pytest.raises(ln.errors.ValidationError, match="takes bio.CellLine records, not bio.Tissue"):
        artifact.labels.add(bt.Tissue.from_source(name="lung").save(), feature="cell_line")
    assert not artifact.tissues.exists()
