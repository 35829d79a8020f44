"""Storage registry: the locations (local folders, buckets) that hold artifacts."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from biolake.models.base import TracksCreator
from biolake.models.current import options_of, public_options


class Storage(TracksCreator):
    """A storage location: a local folder or a bucket prefix (``s3://bucket/prefix``).

    Example:
        >>> ln.Storage(root="s3://other-bucket/data").save()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 12
    _name_field: ClassVar[str] = "root"
    _search_fields: ClassVar[tuple[str, ...]] = ("root", "description")
    _repr_fields: ClassVar[tuple[str, ...]] = ("uid", "root", "type", "region", "description", "created_at")

    uid = models.CharField(max_length=12, unique=True, editable=False)
    root = models.CharField(max_length=1000, unique=True)
    description = models.TextField(null=True, blank=True)
    type = models.CharField(max_length=30, db_index=True)
    region = models.CharField(max_length=64, null=True, blank=True)
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    def save(self, *args: Any, **kwargs: Any) -> Storage:  # type: ignore[override]
        """Register the location; the root is normalized (absolute path, no trailing slash)."""
        from biolake.storage.paths import normalize_root, storage_type

        self.root = normalize_root(self.root)
        self.options = public_options(self.options)  # credentials never land in the database
        if not self.type:
            self.type = storage_type(self.root)
        super().save(*args, **kwargs)
        return self

    @property
    def path(self) -> Any:
        """The root as a UPath."""
        from biolake.storage.paths import create_path

        return create_path(self.root, **options_of(self))

    def delete(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Unregister the location; refused while artifacts live in it."""
        from biolake.errors import RecordInUseError

        count = self.artifacts.count()
        if count:
            raise RecordInUseError(
                f"Storage {self.root!r} still holds {count} artifact(s); delete them first."
            )
        return super().delete(*args, **kwargs)
