"""Trash and permanent deletion for versioned records (artifacts, collections, transforms)."""

from __future__ import annotations

from typing import Any, Callable

from django.db import transaction
from django.db.models import ProtectedError

from biolake import _logging as log
from biolake.errors import RecordInUseError
from biolake.models import versioning
from biolake.models.base import MAIN_BRANCH, TRASH_BRANCH


def move_to_trash(record: Any) -> None:
    """Hide ``record`` from queries; the previous version becomes the latest."""
    with transaction.atomic():
        record.branch_id = TRASH_BRANCH
        record.is_latest = False
        type(record).objects.filter(pk=record.pk).update(branch_id=TRASH_BRANCH, is_latest=False)
        versioning.refresh_latest(type(record), record.uid[: record._stem_len])
    log.info(f"moved {type(record).__name__} {record.uid} to the trash; restore it with .restore()")


def restore(record: Any) -> None:
    """Bring a trashed record back; the newest version of its family is the latest again."""
    with transaction.atomic():
        type(record).objects.filter(pk=record.pk).update(branch_id=MAIN_BRANCH)
        versioning.refresh_latest(type(record), record.uid[: record._stem_len])
    record.refresh_from_db(fields=["branch_id", "is_latest"])


def delete_permanently(record: Any, on_deleted: Callable[[Any], None] | None = None) -> None:
    """Delete the record for good; refused while other records still reference it.

    ``on_deleted`` runs after the deletion committed (e.g. to remove managed bytes).
    """
    stem = record.uid[: record._stem_len]
    try:
        with transaction.atomic():
            models_delete(record)
            versioning.refresh_latest(type(record), stem)
    except ProtectedError as error:
        users = sorted({f"{type(obj).__name__}({getattr(obj, 'uid', obj.pk)})" for obj in error.protected_objects})
        raise RecordInUseError(
            f"Cannot delete {type(record).__name__} {record.uid}: still referenced by {', '.join(users[:10])}."
        ) from error
    if on_deleted is not None:
        on_deleted(record)
    log.info(f"permanently deleted {type(record).__name__} {record.uid}")


def models_delete(record: Any) -> None:
    """The plain Django delete (bypassing the record's trash-aware ``delete``)."""
    from django.db import models

    pk = record.pk
    models.Model.delete(record)
    record.pk = pk  # keep it for the caller's messages and clean-up
