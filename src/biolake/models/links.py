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
