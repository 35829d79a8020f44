"""Biological registries (Django app ``bio``): organisms, genes, proteins, and ontology terms.

Ontology records carry ``ontology_id``, ``name``, ``abbr``, ``synonyms`` ("|"-separated),
``description``, ``parents`` (a DAG) and their ``source``; their uids derive from the
ontology id, so the same term has the same uid in every instance.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from biolake.bio import links  # links: the link tables Django loads with this app
from biolake.models import hierarchy
from biolake.models.base import MAIN_BRANCH, TracksCreator
from biolake.models.extensions import CanValidate
from biolake.models.record_list import RecordList
from biolake.models.uids import deterministic_base62
from biolake.setup import django_boot

django_boot.add_module("bio")  # before the classes (links, above, did it already): Django finds a model's app by its module


def _public_records() -> Any:
    """:mod:`biolake.bio.public_records` (public ontology sources), loaded on first use."""
    from biolake.bio import public_records

    return public_records

class Source(TracksCreator):
    """A versioned public source of an entity (``cl`` 2024-08-16 for CellType, ...)."""

    _uid_length: ClassVar[int] = 8
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("entity", "name", "description")

    uid = models.CharField(max_length=8, unique=True, editable=False)
    entity = models.CharField(max_length=64, db_index=True)
    organism = models.CharField(max_length=64, null=True, blank=True)
    name = models.CharField(max_length=64)
    version = models.CharField(max_length=64)
    url = models.TextField(null=True, blank=True)
    license = models.TextField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    currently_used = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "organism", "name", "version"], name="unique_bio_source")
        ]

    def _new_uid(self) -> str:
        return deterministic_base62(f"source:{self.entity}:{self.organism}:{self.name}:{self.version}", 8)


class BioRecord(TracksCreator, CanValidate):
    """Fields and behaviour shared by every bio registry."""

    _uid_length: ClassVar[int] = 8
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("name", "synonyms", "description")
    _id_field: ClassVar[str] = "ontology_id"  # the public identifier the uid derives from

    name = models.CharField(max_length=256, db_index=True)
    synonyms = models.TextField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    source = models.ForeignKey(Source, models.PROTECT, null=True, blank=True, related_name="+")
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True

    def _new_uid(self) -> str:
        public_id = getattr(self, self._id_field, None)
        if public_id:
            return deterministic_base62(f"{type(self).__name__}:{public_id}", self._uid_length)
        return super()._new_uid()

    @classmethod
    def public(cls, organism: str | None = None, source: str | None = None) -> Any:
        """The public ontology behind this registry (offline)."""
        return _public_records().public(cls, organism=organism, source=source)

    @classmethod
    def from_source(cls, organism: str | None = None, source: str | None = None, **field: Any) -> Any:
        """A record from the public source, e.g. ``CellType.from_source(name="neuron")`` (save it)."""
        return _public_records().from_source(cls, organism=organism, source=source, **field)

    @classmethod
    def from_values(
        cls, values: Any, field: Any = None, organism: str | None = None, mute: bool = False, **kwargs: Any
    ) -> RecordList:
        """Records for the values: existing ones, then new (unsaved) ones from the public source."""
        return _public_records().from_values(cls, list(values), field=_field_name(cls, field), organism=organism, mute=mute)

    @classmethod
    def _lookup_fallback(cls, identifier: str, field: str) -> Any:
        """For ``lookup()``: a term of the public source whose name matches, as an unsaved record."""
        return _public_records().lookup_public(cls, identifier, field)

    @classmethod
    def add_source(cls, path: Any, name: str | None = None, version: str | None = None) -> Any:
        """Import a user's OBO/OWL ontology file (with pronto) as a public source of this registry."""
        from biolake.bio.public import sources as public_sources  # the public layer loads on first use

        return public_sources.add_source(path, entity=cls.__name__, name=name, version=version)

    @classmethod
    def import_source(cls, source: str | None = None, organism: str | None = None) -> int:
        """Load the whole public source into the registry (bulk inserts, parents linked)."""
        return _public_records().import_source(cls, source=source, organism=organism)

    @classmethod
    def inspect(cls, values: Any, field: Any = None, organism: str | None = None, **kwargs: Any) -> Any:
        """Like every registry's ``inspect``; synonyms the registry lacks come from the public source,
        and it says which missing values the public source knows."""
        mute = kwargs.pop("mute", False)
        result = super().inspect(values, field=field, mute=True, **kwargs)
        return _public_records().inspect_with_public(cls, result, _field_name(cls, field), organism, mute)

    @classmethod
    def standardize(cls, values: Any, field: Any = None, organism: str | None = None, **kwargs: Any) -> Any:
        """Like every registry's ``standardize``; values the registry cannot map are mapped through
        the public source's synonyms (``bt.CellType.standardize(["T-cell"])`` → ``["T cell"]``)."""
        return _public_records().standardize(cls, values, _field_name(cls, field), organism, **kwargs)

    def save(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Save; a record made by ``from_source`` also brings its ancestors as parents."""
        super().save(*args, **kwargs)
        _public_records().save_with_ancestors(self)
        return self

    def view_parents(self, distance: int = 2, format: str = "mermaid") -> str:
        """Print (and return) the parents up to ``distance`` steps: ``mermaid``, ``dot`` or ``svg`` text."""
        return hierarchy.view_parents(self, distance=distance, format=format)


def _field_name(model: Any, field: Any) -> str:
    """The name of ``field``: a name, a field (``bt.Gene.symbol``) or None (the name field)."""
    return field if isinstance(field, str) else getattr(getattr(field, "field", None), "name", model._name_field)


class OntologyRecord(BioRecord):
    """A term of an ontology, with its parents."""

    uid = models.CharField(max_length=8, unique=True, editable=False)
    ontology_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    abbr = models.CharField(max_length=64, null=True, blank=True)
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)

    class Meta:
        abstract = True


class Organism(OntologyRecord):
    """An organism (NCBITaxon): ``human``, ``mouse``, ..."""

    scientific_name = models.CharField(max_length=256, null=True, blank=True)
    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactOrganism, related_name="organisms")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionOrganism, related_name="organisms")


class CellType(OntologyRecord):
    """A cell type (Cell Ontology, CL)."""

    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactCellType, related_name="cell_types")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionCellType, related_name="cell_types")


class Tissue(OntologyRecord):
    """A tissue or anatomical entity (UBERON)."""

    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactTissue, related_name="tissues")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionTissue, related_name="tissues")


class Disease(OntologyRecord):
    """A disease (MONDO)."""

    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactDisease, related_name="diseases")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionDisease, related_name="diseases")


class ExperimentalFactor(OntologyRecord):
    """An experimental factor: assays, technologies (EFO)."""

    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactExperimentalFactor, related_name="experimental_factors")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionExperimentalFactor, related_name="experimental_factors")


class Phenotype(OntologyRecord):
    """A phenotype or quality (HPO, PATO)."""

    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactPhenotype, related_name="phenotypes")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionPhenotype, related_name="phenotypes")


class Pathway(OntologyRecord):
    """A pathway or biological process (GO; from a user-supplied OBO file)."""

    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactPathway, related_name="pathways")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionPathway, related_name="pathways")


class CellLine(OntologyRecord):
    """A cell line (Cellosaurus)."""

    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactCellLine, related_name="cell_lines")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionCellLine, related_name="cell_lines")


class DevelopmentalStage(OntologyRecord):
    """A developmental stage (HsapDv, MmusDv)."""

    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactDevelopmentalStage, related_name="developmental_stages")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionDevelopmentalStage, related_name="developmental_stages")


class Ethnicity(OntologyRecord):
    """An ancestry category (HANCESTRO)."""

    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactEthnicity, related_name="ethnicities")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionEthnicity, related_name="ethnicities")


class Gene(BioRecord):
    """A gene (GENCODE tables, human and mouse)."""

    _uid_length: ClassVar[int] = 12
    _name_field: ClassVar[str] = "symbol"
    _search_fields: ClassVar[tuple[str, ...]] = ("symbol", "synonyms", "description", "ensembl_gene_id")
    _id_field: ClassVar[str] = "ensembl_gene_id"

    uid = models.CharField(max_length=12, unique=True, editable=False)
    name = models.CharField(max_length=256, null=True, blank=True, db_index=True)
    symbol = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    ensembl_gene_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    stable_id = models.CharField(max_length=64, null=True, blank=True)
    biotype = models.CharField(max_length=64, null=True, blank=True)
    ncbi_gene_ids = models.TextField(null=True, blank=True)
    organism = models.ForeignKey(Organism, models.PROTECT, null=True, blank=True, related_name="genes")
    schemas = models.ManyToManyField("biolake.Schema", through=links.SchemaGene, related_name="genes")
    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactGene, related_name="genes")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionGene, related_name="genes")


class Protein(BioRecord):
    """A protein (UniProt)."""

    _uid_length: ClassVar[int] = 12
    _id_field: ClassVar[str] = "uniprotkb_id"

    uid = models.CharField(max_length=12, unique=True, editable=False)
    uniprotkb_id = models.CharField(max_length=16, unique=True, null=True, blank=True)
    gene_symbol = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    organism = models.ForeignKey(Organism, models.PROTECT, null=True, blank=True, related_name="proteins")
    schemas = models.ManyToManyField("biolake.Schema", through=links.SchemaProtein, related_name="proteins")
    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactProtein, related_name="proteins")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionProtein, related_name="proteins")


class CellMarker(BioRecord):
    """A cell marker (a gene or protein used to identify cells)."""

    _uid_length: ClassVar[int] = 12
    _id_field: ClassVar[str] = "name"

    uid = models.CharField(max_length=12, unique=True, editable=False)
    gene_symbol = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    uniprotkb_id = models.CharField(max_length=16, null=True, blank=True)
    organism = models.ForeignKey(Organism, models.PROTECT, null=True, blank=True, related_name="cell_markers")
    schemas = models.ManyToManyField("biolake.Schema", through=links.SchemaCellMarker, related_name="cell_markers")
    artifacts = models.ManyToManyField("biolake.Artifact", through=links.ArtifactCellMarker, related_name="cell_markers")
    collections = models.ManyToManyField("biolake.Collection", through=links.CollectionCellMarker, related_name="cell_markers")


REGISTRIES: dict[str, Any] = {
    model.__name__: model
    for model in (Organism, Gene, Protein, CellMarker, CellType, Tissue, Disease, ExperimentalFactor,
                  Phenotype, Pathway, CellLine, DevelopmentalStage, Ethnicity)
}
