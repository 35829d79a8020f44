"""All link tables (many-to-many with extra columns) in one place."""

from __future__ import annotations

from django.db import models


class RunInputArtifact(models.Model):
    """An artifact read by a run."""

    run = models.ForeignKey("biolake.Run", models.CASCADE, related_name="+")
    artifact = models.ForeignKey("biolake.Artifact", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["run", "artifact"], name="unique_run_input_artifact")]


class RunInputCollection(models.Model):
    """A collection read by a run."""

    run = models.ForeignKey("biolake.Run", models.CASCADE, related_name="+")
    collection = models.ForeignKey("biolake.Collection", models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["run", "collection"], name="unique_run_input_collection")]


class CollectionArtifact(models.Model):
    """An artifact's membership (and position) in a collection."""

    collection = models.ForeignKey("biolake.Collection", models.CASCADE, related_name="links_artifact")
    artifact = models.ForeignKey("biolake.Artifact", models.PROTECT, related_name="links_collection")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "biolake"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["collection", "artifact"], name="unique_collection_artifact")
        ]


class ArtifactULabel(models.Model):
    """A label of an artifact, optionally for a feature (``experiment`` → ``My experiment``)."""

    artifact = models.ForeignKey("biolake.Artifact", models.CASCADE, related_name="links_ulabel")
    ulabel = models.ForeignKey("biolake.ULabel", models.PROTECT, related_name="links_artifact")
    feature = models.ForeignKey("biolake.Feature", models.PROTECT, null=True, blank=True, related_name="links_artifactulabel")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "biolake"
        constraints = [
            models.UniqueConstraint(fields=["artifact", "ulabel", "feature"], name="unique_artifact_ulabel_feature")
        ]


class ArtifactFeatureValue(models.Model):
    """A (non-categorical) feature value of an artifact."""

    artifact = models.ForeignKey("biolake.Artifact", models.CASCADE, related_name="links_featurevalue")
    featurevalue = models.ForeignKey("biolake.FeatureValue", models.PROTECT, related_name="links_artifact")

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["artifact", "featurevalue"], name="unique_artifact_featurevalue")]


class RunFeatureValue(models.Model):
    """A feature value of a run (e.g. a parameter declared as a feature)."""

    run = models.ForeignKey("biolake.Run", models.CASCADE, related_name="links_featurevalue")
    featurevalue = models.ForeignKey("biolake.FeatureValue", models.PROTECT, related_name="links_run")

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["run", "featurevalue"], name="unique_run_featurevalue")]


class SchemaFeature(models.Model):
    """A feature of a schema, at a position."""

    schema = models.ForeignKey("biolake.Schema", models.CASCADE, related_name="links_feature")
    feature = models.ForeignKey("biolake.Feature", models.PROTECT, related_name="links_schema")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["schema", "feature"], name="unique_schema_feature")]


class SchemaComponent(models.Model):
    """A slot of a composite schema (``obs``, ``var``, ...) and the schema that fills it."""

    composite = models.ForeignKey("biolake.Schema", models.CASCADE, related_name="links_component")
    component = models.ForeignKey("biolake.Schema", models.PROTECT, related_name="links_composite")
    slot = models.CharField(max_length=50)

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["composite", "slot"], name="unique_schema_component_slot")]


class ArtifactSchema(models.Model):
    """A schema that describes a slot of an artifact (``columns``, ``obs``, ``var``, ...)."""

    artifact = models.ForeignKey("biolake.Artifact", models.CASCADE, related_name="links_schema")
    schema = models.ForeignKey("biolake.Schema", models.PROTECT, related_name="links_artifact")
    slot = models.CharField(max_length=50, null=True, blank=True)

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["artifact", "slot"], name="unique_artifact_schema_slot")]


class CollectionULabel(models.Model):
    """A label of a collection, optionally for a feature."""

    collection = models.ForeignKey("biolake.Collection", models.CASCADE, related_name="links_ulabel")
    ulabel = models.ForeignKey("biolake.ULabel", models.PROTECT, related_name="links_collection")
    feature = models.ForeignKey(
        "biolake.Feature", models.PROTECT, null=True, blank=True, related_name="links_collectionulabel"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "biolake"
        constraints = [
            models.UniqueConstraint(fields=["collection", "ulabel", "feature"], name="unique_collection_ulabel_feature")
        ]


class CollectionFeatureValue(models.Model):
    """A (non-categorical) feature value of a collection."""

    collection = models.ForeignKey("biolake.Collection", models.CASCADE, related_name="links_featurevalue")
    featurevalue = models.ForeignKey("biolake.FeatureValue", models.PROTECT, related_name="links_collection")

    class Meta:
        app_label = "biolake"
        constraints = [
            models.UniqueConstraint(fields=["collection", "featurevalue"], name="unique_collection_featurevalue")
        ]


def _labelled(owner: str, label: str, name: str, owner_related: str, label_related: str, doc: str) -> type[models.Model]:
    """A link table ``owner`` ↔ ``label`` with an optional feature (LaminDB 2.x's links of records and projects)."""
    owner_column, column = owner.lower(), label.lower()

    class Meta:
        app_label = "biolake"
        constraints = [
            models.UniqueConstraint(fields=[owner_column, column, "feature"], name=f"unique_{owner_column}_{column}_feature")
        ]

    attrs = {
        "__module__": __name__,
        "__doc__": doc,
        owner_column: models.ForeignKey(f"biolake.{owner}", models.CASCADE, related_name=owner_related),
        column: models.ForeignKey(f"biolake.{label}", models.PROTECT, related_name=label_related),
        "feature": models.ForeignKey(
            "biolake.Feature", models.PROTECT, null=True, blank=True, related_name=f"links_{owner_column}{column}"
        ),
        "created_at": models.DateTimeField(auto_now_add=True),
        "Meta": Meta,
    }
    return type(name, (models.Model,), attrs)


ArtifactRecord = _labelled("Artifact", "Record", "ArtifactRecord", "links_record", "links_artifact",
                           "A record linked to an artifact, optionally as the value of a feature.")
RecordULabel = _labelled("Record", "ULabel", "RecordULabel", "links_ulabel", "links_record",
                         "A label of a record, optionally as the value of a feature.")
ArtifactProject = _labelled("Artifact", "Project", "ArtifactProject", "links_project", "links_artifact",
                            "A project an artifact belongs to, optionally for a feature.")
RecordProject = _labelled("Record", "Project", "RecordProject", "links_project", "links_record",
                          "A project a record belongs to, optionally for a feature.")
ArtifactReference = _labelled("Artifact", "Reference", "ArtifactReference", "links_reference", "links_artifact",
                              "A reference of an artifact, optionally for a feature.")
RecordReference = _labelled("Record", "Reference", "RecordReference", "links_reference", "links_record",
                            "A reference of a record, optionally for a feature.")


class RecordFeatureValue(models.Model):
    """A (non-categorical) feature value of a record."""

    record = models.ForeignKey("biolake.Record", models.CASCADE, related_name="links_featurevalue")
    featurevalue = models.ForeignKey("biolake.FeatureValue", models.PROTECT, related_name="links_record")

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["record", "featurevalue"], name="unique_record_featurevalue")]


class TransformProject(models.Model):
    """A project a transform belongs to."""

    transform = models.ForeignKey("biolake.Transform", models.CASCADE, related_name="links_project")
    project = models.ForeignKey("biolake.Project", models.PROTECT, related_name="links_transform")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["transform", "project"], name="unique_transform_project")]


class CollectionProject(models.Model):
    """A project a collection belongs to."""

    collection = models.ForeignKey("biolake.Collection", models.CASCADE, related_name="links_project")
    project = models.ForeignKey("biolake.Project", models.PROTECT, related_name="links_collection")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "biolake"
        constraints = [models.UniqueConstraint(fields=["collection", "project"], name="unique_collection_project")]
