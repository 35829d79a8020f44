"""The bio issue's snippet, verbatim, on a new SQLite instance with the bio module."""

from __future__ import annotations

import pytest

from instance_helpers import drop_instance, make_instance


@pytest.fixture
def bio_sqlite(tmp_path):
    inst, dbname = make_instance("sqlite", tmp_path / "snippet", modules=["bio"])
    yield
    drop_instance(inst.name, dbname)


def test_snippet_runs_verbatim(bio_sqlite):
    import biolake as ln

    from biolake import bio as bt          # also: import biolake.bio as bt
    cell_types = bt.CellType.public()      # PublicOntology  Entity: CellType  Source: cl, <version>  #terms: ...
    cell_types.search("gamma-delta T cell").head(2)   # ranked: CL:0000798 first; columns name, definition, synonyms, parents
    cell_types.df(); cell_types.lookup().t_cell; cell_types.inspect(["T cell", "T-cell", "foo"], field="name")
    bt.CellType.from_source(name="neuron").save()     # creates the record AND its ancestors' records as parents
    state = bt.CellType(name="my neuron cell state", description="explains X").save()
    state.parents.add(bt.CellType.get(name="neuron")); state.view_parents(distance=2)
    bt.Gene.from_source(symbol="CD8A", organism="human"); bt.Gene.public(organism="mouse").search("Cd4")
    bt.CellType.validate(["T cell", "T-cell"]); bt.CellType.standardize(["T-cell"])   # → ["T cell"] via synonyms
    bt.CellType.import_source()            # bulk-load the whole ontology into the registry (fast: bulk inserts)
    var_schema = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()        # used by AnnDataCurator
    ln.Feature(name="cell_type", dtype=bt.CellType).save()                           # cat[bio.CellType]
    genes = bt.Gene.filter(organism__name="human").lookup(); ln.Schema.filter(genes=genes.cd8a)
    feature_sets = ln.FeatureSet.filter(genes=genes.cd8a).all()      # FeatureSet: the older name of Schema, kept as an alias
    ln.Artifact.filter(feature_sets__in=feature_sets).df()            # same as schemas__in

    assert cell_types.search("gamma-delta T cell").index[0] == "CL:0000798"
    assert bt.CellType.standardize(["T-cell"]) == ["T cell"]
    assert var_schema.itype == "bio.Gene.ensembl_gene_id"
    assert genes.cd8a.ensembl_gene_id == "ENSG00000153563"  # not in the registry: from the public source
    assert not bt.Gene.filter(symbol="CD8A").exists()  # looking up wrote no gene
