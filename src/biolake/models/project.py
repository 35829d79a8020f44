"""Project registry: projects that label artifacts, transforms, collections and records."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from biolake.models.base import MAIN_BRANCH, TracksCreator
from biolake.models.extensions import CanValidate, HasParents
from biolake.models.space import InSpace


class Project(TracksCreator, InSpace, CanValidate, HasParents):  # type: ignore[misc]  # each abstract base declares its own Meta; Django merges them, mypy cannot
    """A project: annotate artifacts, transforms, collections and records with it.

    A project with ``is_type=True`` is a project type (``Program``, ``Task``) that groups others (``type=``).

    Example:
        >>> project = ln.Project(name="My Project Name", abbr="MPN", url="https://example.com/my_project").save()  # doctest: +SKIP
        >>> artifact.projects.add(project)  # doctest: +SKIP
        >>> ln.Artifact.filter(projects=project).df()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 12
    _name_field: ClassVar[str] = "name"
    _search_fields: ClassVar[tuple[str, ...]] = ("name", "abbr", "description")
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "name", "abbr", "url", "start_date", "end_date", "is_type", "created_at")

    uid = models.CharField(max_length=12, unique=True, editable=False)
    name = models.CharField(max_length=255, db_index=True)
    description = models.TextField(null=True, blank=True)
    is_type = models.BooleanField(default=False, db_index=True)
    type = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="projects")
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    abbr = models.CharField(max_length=32, null=True, blank=True, db_index=True)
    url = models.URLField(max_length=255, null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)
    created_at = models.DateTimeField(auto_now_add=True, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    artifacts = models.ManyToManyField("biolake.Artifact", through="biolake.ArtifactProject", related_name="projects")
    transforms = models.ManyToManyField("biolake.Transform", through="biolake.TransformProject", related_name="projects")
    collections = models.ManyToManyField("biolake.Collection", through="biolake.CollectionProject", related_name="projects")
    records = models.ManyToManyField("biolake.Record", through="biolake.RecordProject", related_name="projects")

    def save(self, *args: Any, **kwargs: Any) -> Project:  # type: ignore[override]
        """Write the project; returns it."""
        super().save(*args, **kwargs)
        return self
