"""The bio schema module on SQLite and PostgreSQL: registries, public sources, curation with genes."""

from __future__ import annotations

import pandas as pd
import pytest




def test_module_must_be_enabled(ln):
    with pytest.raises(ln.errors.InstanceSetupError, match="--modules bio"):
        ln.bio.CellType


def test_from_source_brings_ancestors_and_deterministic_uids(bt):
    import biolake as ln

    neuron = bt.CellType.from_source(name="neuron").save()
    assert neuron.ontology_id == "CL:0000540" and neuron.source.name == "cl"
    parents = {p.name for p in neuron.parents.all()}
    assert "neural cell" in parents
    from biolake.models.uids import deterministic_base62

    assert neuron.uid == deterministic_base62("CellType:CL:0000540", 8)
    state = bt.CellType(name="my neuron cell state", description="explains X").save()
    state.parents.add(bt.CellType.get(name="neuron"))
    text = state.view_parents(distance=2)
    assert '"my neuron cell state"' in text and '"neural cell"' in text and text.count(" --> ") >= 4
    assert state.view_parents(distance=1, format="dot").startswith("digraph")
    assert "<svg" in state.view_parents(distance=1, format="svg")
    with pytest.raises(ln.errors.ValidationError, match="Did you mean"):
        bt.CellType.from_source(name="nueron")


def test_genes_organisms_and_schema_genes(bt):
    import biolake as ln

    cd8a = bt.Gene.from_source(symbol="CD8A", organism="human").save()
    assert cd8a.ensembl_gene_id == "ENSG00000153563" and cd8a.organism.name == "human"
    assert cd8a.organism.scientific_name == "Homo sapiens"
    cd4 = bt.Gene.from_source(symbol="CD4", organism="human").save()
    schema = ln.Schema(name="two genes", itype=bt.Gene.ensembl_gene_id, members=["ENSG00000153563", "ENSG00000010610"]).save()
    schema.genes.add(cd8a, cd4)
    genes = bt.Gene.filter(organism__name="human").lookup()
    assert ln.Schema.filter(genes=genes.cd8a).get().uid == schema.uid
    feature_sets = ln.FeatureSet.filter(genes=genes.cd8a).all()
    artifact = ln.Artifact.from_df(pd.DataFrame({"ENSG00000153563": [1]}), key="bio/genes.parquet").save()
    artifact.features.add_schema(schema, slot="var")
    assert ln.Artifact.filter(feature_sets__in=feature_sets).get().uid == artifact.uid
    assert bt.Gene.public(organism="mouse").search("Cd4").iloc[0]["symbol"] == "Cd4"


def test_validate_standardize_and_public_fallback(bt):
    bt.CellType.import_source()
    assert bt.CellType.filter().count() > 3000
    assert list(bt.CellType.validate(["T cell", "T-cell"])) == [True, False]
    assert bt.CellType.standardize(["T-cell"]) == ["T cell"]
    genes = bt.Gene.from_values(["CD8A", "CD14"], field="symbol", organism="human")
    assert {g.symbol for g in genes} == {"CD8A", "CD14"}
    assert bt.Gene.public(organism="human").standardize(["ATPIF1", "IGJ", "SEPT7", "H1FX"], field="symbol") == [
        "ATP5IF1", "JCHAIN", "SEPTIN7", "H1-10"]


def test_anndata_curation_with_genes_and_cell_types(bt):
    import anndata
    import numpy as np

    import biolake as ln

    obs_schema = ln.Schema(features=[ln.Feature(name="cell_type_bio", dtype=bt.CellType).save()]).save()
    var_schema = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()
    schema = ln.Schema(otype="AnnData", components={"obs": obs_schema, "var": var_schema}).save()
    genes = ["ENSG00000153563", "ENSG00000010610", "ENSG00000170458"]
    adata = anndata.AnnData(
        X=np.ones((3, 3), dtype=int),
        obs=pd.DataFrame({"cell_type_bio": pd.Categorical(["T cell", "B cell", "T cell"])}, index=["a", "b", "c"]),
        var=pd.DataFrame(index=genes),
    )
    curator = ln.curators.AnnDataCurator(adata, schema)
    in_registry = set(bt.Gene.filter(ensembl_gene_id__in=genes).values_list("ensembl_gene_id", flat=True))
    curator.validate()  # genes the registry lacks validate via the public gene table; nothing saved yet
    assert curator.slots["var"].from_public["var_index"] == [g for g in genes if g not in in_registry]
    assert bt.Gene.filter(ensembl_gene_id__in=genes).count() == len(in_registry)
    curator.add_new_from("var_index")  # taken from the public gene table
    assert set(bt.Gene.filter(ensembl_gene_id__in=genes).values_list("symbol", flat=True)) >= {"CD8A", "CD4", "CD14"}
    bt.CellType.from_values(["T cell", "B cell"], field="name")  # exist after import_source, or from public
    artifact = curator.save_artifact(key="bio/cells.h5ad")
    assert artifact.n_observations == 3 and set(artifact.features.slots) >= {"obs", "var"}
    var = artifact.features.slots["var"]
    assert sorted(var.genes.values_list("symbol", flat=True)) == ["CD14", "CD4", "CD8A"]
    cd14 = bt.Gene.get(symbol="CD14")
    assert ln.Artifact.filter(schemas__genes=cd14).get().uid == artifact.uid


def test_user_obo_file_import(bt, tmp_path):
    obo = tmp_path / "mini_go.obo"
    obo.write_text(
        "format-version: 1.2\ndata-version: 2024-01-01\nontology: minigo\n\n"
        "[Term]\nid: GO:0000001\nname: biological process\n\n"
        "[Term]\nid: GO:0000002\nname: cell cycle\nsynonym: \"cell-division cycle\" EXACT []\nis_a: GO:0000001\n"
    )
    bt.Pathway.add_source(obo, name="minigo", version="2024-01-01")
    cycle = bt.Pathway.from_source(name="cell cycle", source="minigo").save()
    assert cycle.ontology_id == "GO:0000002" and [p.name for p in cycle.parents.all()] == ["biological process"]
    assert bt.Pathway.public(source="minigo").standardize(["cell-division cycle"]) == ["cell cycle"]


@pytest.mark.parametrize(
    "registry",
    ["CellType", "Tissue", "Disease", "ExperimentalFactor", "Phenotype", "CellLine", "DevelopmentalStage",
     "Ethnicity", "Organism", "Protein", "Gene"],
)
def test_every_registry_takes_records_from_its_public_source(bt, registry):
    model = getattr(bt, registry)
    public = model.public()
    first_id = public.df().index[0]
    id_field = model._id_field
    record = model.from_source(**{id_field: first_id}).save()
    assert getattr(record, id_field) == first_id and record.source is not None
    assert model.get(**{id_field: first_id}).uid == record.uid
    assert record.source.entity == registry and record.source.version == public.source.version
