"""The seed's biology steps, verbatim, in a fresh bio instance (SQLite and PostgreSQL).

Values a bio registry lacks but its public source knows are validated "via public source" and
saved from it with the artifact; standardize and inspect use the public source's synonyms;
a dataset that does not validate saves nothing; search works on artifacts and collections.
"""

from __future__ import annotations

import pandas as pd
import pytest

from instance_helpers import BACKENDS, drop_instance, make_instance

GENES = ["ENSG00000153563", "ENSG00000010610", "ENSG00000170458"]


@pytest.fixture(params=BACKENDS)
def fresh_bio(request, tmp_path):
    """A new instance with the bio module (``biolake init --storage ./lamin-intro --modules bio``)."""
    inst, dbname = make_instance(request.param, tmp_path / "lamin-intro", modules=["bio"])
    yield inst
    drop_instance(inst.name, dbname)



@pytest.fixture
def printed(monkeypatch, capsys):
    """Print messages (tests run with BIOLAKE_QUIET=1) and return a reader of stdout."""
    from biolake import _logging

    monkeypatch.setenv("BIOLAKE_QUIET", "0")
    _logging.reset_console()
    capsys.readouterr()
    yield lambda: capsys.readouterr().out
    _logging.reset_console()


def test_seed_biology_steps_verbatim(fresh_bio, printed):
    import biolake as ln, anndata as ad
    from biolake import bio as bt
    df = ln.core.datasets.small_dataset1(with_typo=False)
    ln.ULabel(name="DMSO").save(); ln.ULabel(name="IFNG").save()
    var_schema = ln.Schema(name="my_var_schema", itype=bt.Gene.ensembl_gene_id, dtype=int).save()
    obs_schema = ln.Schema(name="my_obs_schema", features=[ln.Feature(name="perturbation", dtype=ln.ULabel).save()]).save()
    anndata_schema = ln.Schema(name="my_anndata_schema", otype="AnnData", components={"obs": obs_schema, "var": var_schema}).save()
    adata = ad.AnnData(df[["ENSG00000153563", "ENSG00000010610", "ENSG00000170458"]], obs=df[["perturbation"]])
    artifact = ln.curators.AnnDataCurator(adata, anndata_schema).save_artifact(description="my RNA-seq")
    genes = bt.Gene.filter(organism__name="human").lookup()
    assert ln.Artifact.filter(feature_sets__in=ln.FeatureSet.filter(genes=genes.cd8a)).count() == 1
    assert len(ln.Artifact.search("RNA-seq").to_dataframe()) >= 1

    out = printed()
    listed = "'ENSG00000153563', 'ENSG00000010610', 'ENSG00000170458'"
    assert f'✓ added 3 records from public with Gene.ensembl_gene_id for "var_index": {listed}' in out
    assert f'3 terms of "var_index" validated via public source gencode (saved with the artifact): {listed}' in out
    assert "not validated" not in out
    assert sorted(bt.Gene.filter(organism__name="human").values_list("symbol", flat=True)) == ["CD14", "CD4", "CD8A"]
    assert sorted(artifact.features.slots["var"].genes.values_list("ensembl_gene_id", flat=True)) == sorted(GENES)


def test_failing_validation_saves_no_genes_and_no_artifact(fresh_bio, printed):
    import anndata as ad

    import biolake as ln
    from biolake import bio as bt

    ln.ULabel(name="DMSO").save()
    var_schema = ln.Schema(itype=bt.Gene.ensembl_gene_id, dtype=int).save()
    obs_schema = ln.Schema(features=[ln.Feature(name="perturbation", dtype=ln.ULabel).save()]).save()
    schema = ln.Schema(otype="AnnData", components={"obs": obs_schema, "var": var_schema}).save()
    unknown = "ENSG99999999999"  # in no gene table
    df = pd.DataFrame([[1, 2, 3]] * 2, columns=[*GENES[:2], unknown])
    adata = ad.AnnData(df, obs=pd.DataFrame({"perturbation": ["DMSO", "DMSO"]}, index=df.index.astype(str)))
    n_schemas = ln.Schema.filter().count()
    curator = ln.curators.AnnDataCurator(adata, schema)
    with pytest.raises(ln.errors.ValidationError) as info:
        curator.save_artifact(description="half")
    assert info.value.non_validated == {"var_index": [unknown]}  # the two known genes validated via public
    assert f"1 term is not validated: '{unknown}'" in str(info.value)
    assert '2 terms of "var_index" validated via public source' in printed()
    assert not bt.Gene.filter().exists() and not bt.Organism.filter().exists() and not bt.Source.filter().exists()
    assert not ln.Artifact.filter().exists()
    assert ln.Schema.filter().count() == n_schemas


def test_standardize_and_inspect_use_public_synonyms(bt, printed):
    n_cell_types = bt.CellType.filter().count()
    assert bt.CellType.standardize(["T-cell"]) == ["T cell"]
    assert bt.CellType.standardize("T-cell") == "T cell"
    assert bt.CellType.standardize(["T-cell", "foo", "neuron"], return_mapper=True) == {"T-cell": "T cell"}
    assert bt.Gene.standardize(["IGJ", "CD8A"]) == ["JCHAIN", "CD8A"]  # an outdated symbol, from the public table
    assert bt.Gene.standardize(["IGJ"], field=bt.Gene.symbol, mute=True) == ["JCHAIN"]
    result = bt.CellType.inspect(["T-cell", "T cell", "foo"])
    assert result.validated == [] and result.non_validated == ["T-cell", "T cell", "foo"]
    assert result.synonyms_mapper == {"T-cell": "T cell"}
    out = printed()
    assert 'standardized 1 term: "T-cell" → "T cell"' in out
    assert '1 synonym found: "T-cell" → "T cell"' in out
    assert "found in the public ontology: create them with CellType.from_values(['T cell'], field='name')" in out
    assert bt.CellType.filter().count() == n_cell_types  # looking up wrote nothing


def test_registry_synonyms_win_over_public_ones(bt):
    bt.CellType(name="my T cell", synonyms="T-lymphocyte").save()
    assert bt.CellType.standardize(["T-lymphocyte", "T-cell"]) == ["my T cell", "T cell"]
    assert bt.CellType.inspect(["T-lymphocyte"], mute=True).synonyms_mapper == {"T-lymphocyte": "my T cell"}


def test_curator_standardizes_public_synonyms_and_saves_terms_with_parents(bt, printed):
    import biolake as ln

    schema = ln.Schema(features=[ln.Feature(name="cell_type", dtype=bt.CellType).save()]).save()
    df = pd.DataFrame({"cell_type": pd.Categorical(["T-cell", "B cell", "T-cell"])})
    curator = ln.curators.DataFrameCurator(df, schema)
    with pytest.raises(ln.errors.ValidationError, match=r'1 synonym found: "T-cell" → "T cell"'):
        curator.validate()
    curator.standardize("cell_type")
    assert list(df["cell_type"]) == ["T cell", "B cell", "T cell"]
    artifact = curator.save_artifact(key="seed/cell_types.parquet")
    assert artifact.uid
    out = printed()
    assert '✓ added 2 records from public with CellType.name for "cell_type": ' in out
    t_cell = bt.CellType.get(name="T cell")
    assert t_cell.ontology_id == "CL:0000084" and t_cell.parents.exists()  # ancestors came along


def test_search_artifacts_and_collections(bt):
    import biolake as ln

    artifact = ln.Artifact.from_df(pd.DataFrame({"a": [1]}), description="bulk RNA-seq counts").save()
    ln.Collection([artifact], key="RNA-seq collection").save()
    assert artifact.uid in set(ln.Artifact.search("RNA-seq").to_dataframe()["uid"])
    assert list(ln.Collection.search("RNA-seq").to_dataframe()["key"]) == ["RNA-seq collection"]
    assert ln.Collection.search("nothing like this").to_dataframe().empty
