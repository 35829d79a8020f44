"""User registry: who created what."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from biolake.models.base import Record
from biolake.models.uids import deterministic_base62


class User(Record):
    """A person (or service account) that creates records; one per handle.

    The uid derives from the handle, so the same handle has the same uid in every instance.
    """

    _uid_length: ClassVar[int] = 8
    _name_field: ClassVar[str] = "handle"
    _search_fields: ClassVar[tuple[str, ...]] = ("handle", "name")
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "handle", "name", "created_at")

    uid = models.CharField(max_length=8, unique=True, editable=False)
    handle = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=150, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    def _new_uid(self) -> str:
        return deterministic_base62(f"user:{self.handle}", self._uid_length)

    def save(self, *args: Any, **kwargs: Any) -> User:  # type: ignore[override]
        super().save(*args, **kwargs)
        return self
