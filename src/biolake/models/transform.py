"""Transform registry: the scripts, notebooks, pipelines and functions that create data."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction

from biolake.models import versioning
from biolake.models.extensions import HasLineage
from biolake.models.base import MAIN_BRANCH, Record
from biolake.models.space import InSpace
from biolake.errors import ValidationError

TRANSFORM_TYPES = ("notebook", "script", "pipeline", "function", "upload")


class Transform(Record, InSpace, HasLineage, versioning.IsVersioned):  # type: ignore[misc]  # each abstract base declares its own Meta; Django merges them, mypy cannot
    """A piece of code that transforms data; versioned like artifacts (same key, new source = new version).

    Example:
        >>> ln.Transform(key="my-pipeline", type="pipeline", version="1.2.0").save()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 16
    _stem_len: ClassVar[int] = 12
    _name_field: ClassVar[str] = "key"
    _search_fields: ClassVar[tuple[str, ...]] = ("key", "description")
    _repr_fields: ClassVar[tuple[str, ...]] = (
        "uid", "key", "description", "type", "version", "is_latest", "created_at",
    )

    _revises: Transform | None = None

    uid = models.CharField(max_length=16, unique=True, editable=False)
    key = models.CharField(max_length=1024, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    type = models.CharField(max_length=20, default="pipeline", db_index=True)
    source_code = models.TextField(null=True, blank=True)
    hash = models.CharField(max_length=86, null=True, blank=True, db_index=True)
    reference = models.CharField(max_length=1024, null=True, blank=True)
    reference_type = models.CharField(max_length=25, null=True, blank=True)
    version = models.CharField(max_length=30, null=True, blank=True)
    is_latest = models.BooleanField(default=True)  # no index: two values mislead SQLite's planner
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)  # no index, as is_latest
    created_by = models.ForeignKey(
        "biolake.User", models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    _lookup_aliases: ClassVar[dict[str, str]] = {"kind": "type", "version_tag": "version"}

    def __init__(self, *args: Any, revises: Transform | None = None, **kwargs: Any) -> None:
        if "kind" in kwargs:  # LaminDB 2.x name of ``type``
            kind = kwargs.pop("kind")
            if "type" in kwargs and kwargs["type"] != kind:
                raise ValidationError(f"Transform got type={kwargs['type']!r} and kind={kind!r}; pass one of them.")
            kwargs["type"] = kind
        if "version_tag" in kwargs:
            kwargs["version"] = kwargs.pop("version_tag")
        super().__init__(*args, **kwargs)
        self._revises = revises
        if self.type not in TRANSFORM_TYPES:
            raise ValidationError(f"Transform type {self.type!r} is not one of {', '.join(TRANSFORM_TYPES)}.")

    @property
    def kind(self) -> str:
        """LaminDB 2.x name of ``type`` (``"pipeline"``, ``"script"``, ...); both name one field."""
        return self.type

    @kind.setter
    def kind(self, value: str) -> None:
        self.type = value

    def save(self, *args: Any, **kwargs: Any) -> Transform:  # type: ignore[override]
        """Save; a new record with an existing key becomes the family's new version."""
        if not self._state.adding:
            return super().save(*args, **kwargs)
        with transaction.atomic():
            versioning.assign(self, self._revises, {"key": self.key} if self.key else None)
            super().save(*args, **kwargs)
        self._created_here = True  # ln.track() says "created" (not "loaded") for it
        return self


