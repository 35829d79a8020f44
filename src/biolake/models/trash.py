"""Trash and permanent deletion of records; version families keep one latest version."""

from __future__ import annotations

from typing import Any, Callable

from django.db import transaction
from django.db.models import ProtectedError

from biolake import _logging as log
from biolake.errors import RecordInUseError
from biolake.models import versioning
from biolake.models.constants import MAIN_BRANCH, TRASH_BRANCH
from biolake.setup import django_boot


def move_to_trash(record: Any) -> None:
    """Hide ``record`` from queries; the previous version becomes the latest."""
    versioned = _is_versioned(record)
    with transaction.atomic():
        record.branch_id = TRASH_BRANCH
        fields: dict[str, Any] = {"branch_id": TRASH_BRANCH}
        if versioned:
            record.is_latest = False
            fields["is_latest"] = False
        type(record).objects.filter(pk=record.pk).update(**fields)
        if versioned:
            versioning.refresh_latest(type(record), record.uid[: record._stem_len])
    log.info(f"moved {type(record).__name__} {_name(record)} to the trash; restore it with .restore()")


def _is_versioned(record: Any) -> bool:
    return isinstance(record, versioning.IsVersioned)


def _name(record: Any) -> str:
    return str(getattr(record, "uid", None) or record.pk)


def restore(record: Any) -> None:
    """Bring a trashed record back; the newest version of its family is the latest again."""
    versioned = _is_versioned(record)
    with transaction.atomic():
        type(record).objects.filter(pk=record.pk).update(branch_id=MAIN_BRANCH)
        if versioned:
            versioning.refresh_latest(type(record), record.uid[: record._stem_len])
    record.refresh_from_db(fields=["branch_id", "is_latest"] if versioned else ["branch_id"])


def delete_permanently(record: Any, on_deleted: Callable[[Any], None] | None = None) -> None:
    """Delete the record for good; refused while other records still reference it.

    ``on_deleted`` runs after the deletion committed (e.g. to remove managed bytes).
    """
    stem = record.uid[: record._stem_len] if _is_versioned(record) else None
    try:
        with transaction.atomic():
            models_delete(record)
            if stem is not None:
                versioning.refresh_latest(type(record), stem)
    except ProtectedError as error:
        users = sorted({f"{type(obj).__name__}({getattr(obj, 'uid', obj.pk)})" for obj in error.protected_objects})
        raise RecordInUseError(
            f"Cannot delete {type(record).__name__} {_name(record)}: still referenced by {', '.join(users[:10])}."
        ) from error
    if on_deleted is not None:
        on_deleted(record)
    log.info(f"permanently deleted {type(record).__name__} {_name(record)}")


def models_delete(record: Any) -> None:
    """The plain Django delete (bypassing the record's trash-aware ``delete``)."""
    from django.db import models

    cascade_everywhere()
    pk = record.pk
    models.Model.delete(record)
    record.pk = pk  # keep it for the caller's messages and clean-up


def cascade_everywhere() -> None:
    """Load every schema module before Django's deletion collects what refers to a record: each
    database has every module's tables, and rows there (an artifact's ``cat[bio.CellType]`` label in
    an instance without ``--modules bio``) must be deleted or protect the record as they do in a
    process that has the module loaded, not fail the commit on a foreign key."""
    django_boot.load_modules()
