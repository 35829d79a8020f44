"""Records created during ``ln.track(project=...)`` are labelled with that project."""

from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps

from biolake import _process

__all__ = ["label"]

# per registry that has projects (Artifact, Collection, Transform, Record): its ``projects`` field
_FIELDS: dict[type, Any] = {}


def label(records: list[Any]) -> None:
    """Link just-created ``records`` (of one registry) to the run's project, in one insert;
    nothing when no project is tracked or the registry has no projects."""
    project = _process.run_project.get()
    field = _fields().get(type(records[0])) if project is not None and records else None
    if field is None:
        return
    through = field.remote_field.through
    owner = next(f.name for f in through._meta.concrete_fields if f.related_model is type(records[0]))
    target = next(f.name for f in through._meta.concrete_fields if f.related_model is type(project))
    rows = [through(**{owner: record, target: project}) for record in records]
    through._default_manager.bulk_create(rows, ignore_conflicts=True)


def _fields() -> dict[type, Any]:
    if not _FIELDS:
        project_model = django_apps.get_model("biolake", "Project")
        for field in project_model._meta.many_to_many:
            if field.related_model is not project_model:
                _FIELDS[field.related_model] = field
    return _FIELDS
