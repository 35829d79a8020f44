"""Space registry: where a record lives, for access permissions; ``all`` is the built-in space."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from biolake.models.base import Record
from biolake.models.constants import ALL_SPACE


class Space(Record):
    """A space: records of the registries that carry ``space`` live in one (by default ``all``).

    biolake keeps no per-user permissions; a space groups records and is kept with them,
    so an instance can be shared space by space.

    Example:
        >>> space = ln.Space(name="Our space").save()  # doctest: +SKIP
        >>> ln.ULabel(name="confidential", space=space).save()  # doctest: +SKIP
        >>> ln.ULabel.filter(space__name="Our space").df()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 12
    _seeded_pks: ClassVar[tuple[int, ...]] = (ALL_SPACE,)  # the row the migration writes (snapshots skip it)
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "name", "description", "created_at")

    uid = models.CharField(max_length=12, unique=True, editable=False)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(null=True, blank=True)
    created_by = models.ForeignKey("biolake.User", models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, editable=False)

    def save(self, *args: Any, **kwargs: Any) -> Space:  # type: ignore[override]
        """Write the space; returns it."""
        super().save(*args, **kwargs)
        return self


class InSpace(models.Model):
    """Records that live in a :class:`Space` (``space``, default: the built-in space ``all``)."""

    space = models.ForeignKey("biolake.Space", models.PROTECT, default=ALL_SPACE, related_name="+")

    class Meta:
        abstract = True


__all__ = ["InSpace", "Space"]
