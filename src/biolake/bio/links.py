"""All link tables of the ``bio`` app: artifacts and collections to bio records, schemas to members.

An artifact (or collection) link carries the feature the record is a value of (nullable:
``artifact.cell_types.add(record)`` links without one), like core's ``ArtifactULabel``:
``ArtifactCellType(artifact, celltype, feature)``. The owner's reverse accessor names follow
LaminDB (``artifact.cell_types``, ``collection.diseases``), set by each registry's
``artifacts``/``collections`` field in :mod:`biolake.bio.models`.
"""

from __future__ import annotations

from django.db import models

def _owner_link(owner: str, entity: str) -> type[models.Model]:
    """The link table ``<owner><entity>``: owner, record, feature (nullable), created_at."""
    owner_column, column = owner.lower(), entity.lower()
    name = f"{owner}{entity}"

    class Meta:
        app_label = "bio"
        constraints = [
            models.UniqueConstraint(
                fields=[owner_column, column, "feature"], name=f"unique_{owner_column}_{column}_feature"
            )
        ]

    attrs = {
        "__module__": __name__,
        "__doc__": f"A {entity} record of a {owner.lower()}, optionally for a feature.",
        owner_column: models.ForeignKey(f"biolake.{owner}", models.CASCADE, related_name=f"links_{column}"),
        column: models.ForeignKey(f"bio.{entity}", models.PROTECT, related_name=f"links_{owner_column}"),
        "feature": models.ForeignKey(
            "biolake.Feature", models.PROTECT, null=True, blank=True, related_name=f"links_{owner_column}{column}"
        ),
        "created_at": models.DateTimeField(auto_now_add=True),
        "Meta": Meta,
    }
    return type(name, (models.Model,), attrs)


ArtifactOrganism = _owner_link("Artifact", "Organism")
ArtifactGene = _owner_link("Artifact", "Gene")
ArtifactProtein = _owner_link("Artifact", "Protein")
ArtifactCellMarker = _owner_link("Artifact", "CellMarker")
ArtifactTissue = _owner_link("Artifact", "Tissue")
ArtifactCellType = _owner_link("Artifact", "CellType")
ArtifactDisease = _owner_link("Artifact", "Disease")
ArtifactCellLine = _owner_link("Artifact", "CellLine")
ArtifactPhenotype = _owner_link("Artifact", "Phenotype")
ArtifactPathway = _owner_link("Artifact", "Pathway")
ArtifactExperimentalFactor = _owner_link("Artifact", "ExperimentalFactor")
ArtifactDevelopmentalStage = _owner_link("Artifact", "DevelopmentalStage")
ArtifactEthnicity = _owner_link("Artifact", "Ethnicity")

CollectionOrganism = _owner_link("Collection", "Organism")
CollectionGene = _owner_link("Collection", "Gene")
CollectionProtein = _owner_link("Collection", "Protein")
CollectionCellMarker = _owner_link("Collection", "CellMarker")
CollectionTissue = _owner_link("Collection", "Tissue")
CollectionCellType = _owner_link("Collection", "CellType")
CollectionDisease = _owner_link("Collection", "Disease")
CollectionCellLine = _owner_link("Collection", "CellLine")
CollectionPhenotype = _owner_link("Collection", "Phenotype")
CollectionPathway = _owner_link("Collection", "Pathway")
CollectionExperimentalFactor = _owner_link("Collection", "ExperimentalFactor")
CollectionDevelopmentalStage = _owner_link("Collection", "DevelopmentalStage")
CollectionEthnicity = _owner_link("Collection", "Ethnicity")


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
