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
