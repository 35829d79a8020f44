"""Run registry: one execution of a transform, with its parameters, inputs and outputs."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from biolake._redact import redact_argv, redact_mapping
from biolake.models.base import MAIN_BRANCH, Record
from biolake.models.extensions import HasLineage
from biolake.models.features import FeatureManager
from biolake.models.space import InSpace

RUN_STATUSES = ("scheduled", "started", "completed", "errored", "aborted")


class Run(Record, InSpace, HasLineage):  # type: ignore[misc]  # each abstract base declares its own Meta; Django merges them, mypy cannot
    """An execution of a :class:`Transform`.

    Outputs point back to their run (``artifact.run``); inputs are linked through
    ``run.input_artifacts`` / ``run.input_collections``.

    Example:
        >>> transform = ln.Transform(key="Cell Ranger", type="pipeline", version="7.2.0").save()  # doctest: +SKIP
        >>> run = ln.Run(transform, params={"sample": "s1"}).save()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 16
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("name",)
    _positional: ClassVar[tuple[str, ...]] = ("transform",)  # ``ln.Run(transform)``
    _repr_fields: ClassVar[tuple[str, ...]] = (
        "uid", "name", "transform_id", "status", "params", "started_at", "finished_at",
    )

    uid = models.CharField(max_length=16, unique=True, editable=False)
    transform = models.ForeignKey("biolake.Transform", models.PROTECT, related_name="runs")
    name = models.CharField(max_length=150, null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=20, default="started", db_index=True)
    params = models.JSONField(null=True, blank=True)
    cli_args = models.TextField(null=True, blank=True)
    environment = models.ForeignKey(
        "biolake.Artifact", models.PROTECT, null=True, blank=True, related_name="_environment_of"
    )
    report = models.ForeignKey(
        "biolake.Artifact", models.PROTECT, null=True, blank=True, related_name="_report_of"
    )
    initiated_by_run = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="initiated_runs"
    )
    input_artifacts = models.ManyToManyField(
        "biolake.Artifact", through="biolake.RunInputArtifact", related_name="input_of_runs"
    )
    input_collections = models.ManyToManyField(
        "biolake.Collection", through="biolake.RunInputCollection", related_name="input_of_runs"
    )
    feature_values = models.ManyToManyField(
        "biolake.FeatureValue", through="biolake.RunFeatureValue", related_name="runs"
    )
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)  # no index, as is_latest
    created_by = models.ForeignKey(
        "biolake.User", models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True, editable=False)

    @property
    def features(self) -> Any:
        """Feature values of the run: ``run.features.add_values({...})``."""
        return FeatureManager(self)

    def save(self, *args: Any, **kwargs: Any) -> Run:  # type: ignore[override]
        """Save the run; parameters and command-line arguments that look like secrets
        (``token``, ``password``, ``api_key``, ... see :mod:`biolake._redact`) are stored redacted."""
        if self.params:
            self.params = redact_mapping(self.params)
        if self.cli_args:
            self.cli_args = " ".join(redact_argv(self.cli_args.split(" ")))
        super().save(*args, **kwargs)
        return self
