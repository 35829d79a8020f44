"""All link tables of the ``bio`` app: artifacts and collections to bio records, schemas to members.

An artifact (or collection) link carries the feature the record is a value of (nullable:
``artifact.cell_types.add(record)`` links without one), like core's ``ArtifactULabel``:
``ArtifactCellType(artifact, celltype, feature)``. The owner's reverse accessor names follow
LaminDB (``artifact.cell_types``, ``collection.diseases``), set by each registry's
``artifacts``/``collections`` field in :mod:`biolake.bio.models`.
"""

from __future__ import annotations

from django.db import models

from biolake.models.label_links import label_link_model
from biolake.setup import django_boot

django_boot.add_module("bio")  # before the classes: Django finds a model's app by its module

ArtifactOrganism = label_link_model("Artifact", "bio.Organism", __name__)
ArtifactGene = label_link_model("Artifact", "bio.Gene", __name__)
ArtifactProtein = label_link_model("Artifact", "bio.Protein", __name__)
ArtifactCellMarker = label_link_model("Artifact", "bio.CellMarker", __name__)
ArtifactTissue = label_link_model("Artifact", "bio.Tissue", __name__)
ArtifactCellType = label_link_model("Artifact", "bio.CellType", __name__)
ArtifactDisease = label_link_model("Artifact", "bio.Disease", __name__)
ArtifactCellLine = label_link_model("Artifact", "bio.CellLine", __name__)
ArtifactPhenotype = label_link_model("Artifact", "bio.Phenotype", __name__)
ArtifactPathway = label_link_model("Artifact", "bio.Pathway", __name__)
ArtifactExperimentalFactor = label_link_model("Artifact", "bio.ExperimentalFactor", __name__)
ArtifactDevelopmentalStage = label_link_model("Artifact", "bio.DevelopmentalStage", __name__)
ArtifactEthnicity = label_link_model("Artifact", "bio.Ethnicity", __name__)

CollectionOrganism = label_link_model("Collection", "bio.Organism", __name__)
CollectionGene = label_link_model("Collection", "bio.Gene", __name__)
CollectionProtein = label_link_model("Collection", "bio.Protein", __name__)
CollectionCellMarker = label_link_model("Collection", "bio.CellMarker", __name__)
CollectionTissue = label_link_model("Collection", "bio.Tissue", __name__)
CollectionCellType = label_link_model("Collection", "bio.CellType", __name__)
CollectionDisease = label_link_model("Collection", "bio.Disease", __name__)
CollectionCellLine = label_link_model("Collection", "bio.CellLine", __name__)
CollectionPhenotype = label_link_model("Collection", "bio.Phenotype", __name__)
CollectionPathway = label_link_model("Collection", "bio.Pathway", __name__)
CollectionExperimentalFactor = label_link_model("Collection", "bio.ExperimentalFactor", __name__)
CollectionDevelopmentalStage = label_link_model("Collection", "bio.DevelopmentalStage", __name__)
CollectionEthnicity = label_link_model("Collection", "bio.Ethnicity", __name__)


class SchemaGene(models.Model):
    """A gene a schema (feature set) holds."""

    schema = models.ForeignKey("biolake.Schema", models.CASCADE, related_name="links_gene")
    gene = models.ForeignKey("bio.Gene", models.PROTECT, related_name="links_schema")

    class Meta:
        app_label = "bio"
        constraints = [models.UniqueConstraint(fields=["schema", "gene"], name="unique_schema_gene")]


class SchemaProtein(models.Model):
    """A protein a schema holds."""

    schema = models.ForeignKey("biolake.Schema", models.CASCADE, related_name="links_protein")
    protein = models.ForeignKey("bio.Protein", models.PROTECT, related_name="links_schema")

    class Meta:
        app_label = "bio"
        constraints = [models.UniqueConstraint(fields=["schema", "protein"], name="unique_schema_protein")]


class SchemaCellMarker(models.Model):
    """A cell marker a schema holds."""

    schema = models.ForeignKey("biolake.Schema", models.CASCADE, related_name="links_cellmarker")
    cellmarker = models.ForeignKey("bio.CellMarker", models.PROTECT, related_name="links_schema")

    class Meta:
        app_label = "bio"
        constraints = [models.UniqueConstraint(fields=["schema", "cellmarker"], name="unique_schema_cellmarker")]
