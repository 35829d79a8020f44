"""Storage registry: the locations (local folders, buckets) that hold artifacts."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models

from biolake import _logging as log
from biolake import _process
from biolake.errors import RecordInUseError
from biolake.models.base import TracksCreator
from biolake.models.current import instance_options, public_options
from biolake.setup import ensure_ready
from biolake.setup.settings import settings
from biolake.storage.credentials import WHERE_CREDENTIALS_GO, refuse_credentials
from biolake.storage.location import Location
from biolake.storage.paths import find_root, normalize_root, storage_type


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
        """Register the location; the root is normalized (absolute path, no trailing slash) and
        options in its URL (``s3://bucket/x?endpoint_url=...``) are kept with the record.

        Raises:
            CredentialsInURLError: the URL holds credentials (user-info, ``?secret=``); the
                message says where they belong.
        """
        split = refuse_credentials(str(self.root), "the storage root")
        options = {**split.public, **(self.options or {})}
        self.root = normalize_root(split.url)
        self.options = public_options(options)  # credentials never land in the database
        dropped = sorted(set(options) - set(self.options))
        if dropped and self._state.adding and self.root != ensure_ready().storage_root:
            log.warning(f"storage options {dropped} of {self.root} are credentials and are not stored; {WHERE_CREDENTIALS_GO}")
        if not self.type:
            self.type = storage_type(self.root)
        super().save(*args, **kwargs)
        known = _process.caches.storage_roots.get((ensure_ready().db, ""))
        if known is not None:
            known[self.root] = self
        return self

    @property
    def location(self) -> Location:
        """The root with all options needed to reach it: the public ones stored with the
        record, plus the instance's own (which may hold credentials) for its default root.
        The same ``Location`` is returned while root and options stay the same (its file system is
        resolved once)."""
        location = Location(self.root, {**(self.options or {}), **instance_options(self.root)})
        known = self.__dict__.get("_location")
        if known == location:
            return known  # type: ignore[no-any-return]
        self.__dict__["_location"] = location
        return location

    @property
    def path(self) -> Any:
        """The root as a UPath."""
        return self.location.path

    def delete(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Unregister the location; refused while artifacts live in it."""
        count = self.artifacts.count()
        if count:
            raise RecordInUseError(
                f"Storage {self.root!r} still holds {count} artifact(s); delete them first."
            )
        try:
            return super().delete(*args, **kwargs)
        finally:
            _process.caches.storage_roots.clear()  # this process forgets the registered roots


def storage_for_root(root: str, options: dict[str, Any] | None = None) -> Storage:
    """The ``Storage`` record for ``root``, registering it if it is new."""
    record = _all_storages().get(root) or Storage.objects.filter(root=root).first()  # registered elsewhere meanwhile?
    if record is None:
        record = Storage(root=root, type=storage_type(root), options=public_options(options))
        record.save()
    return record


def default_storage() -> Storage:
    """The ``Storage`` record of the default storage location (registered on first use)."""
    instance = ensure_ready()
    root = settings.storage
    key = (instance.db, root)
    cache = _process.caches.storages
    if key not in cache:
        known = _all_storages().get(root)
        options = instance.storage_options if root == instance.storage_root else settings.storage_options
        cache[key] = known if known is not None else storage_for_root(root, options)
    return cache[key]


def _all_storages() -> dict[str, Storage]:
    """Every registered storage by root: read once per process and database (a handful of rows;
    registering or deleting a storage in this process reads them again)."""
    key = (ensure_ready().db, "")
    cache = _process.caches.storage_roots
    if key not in cache:
        cache[key] = {record.root: record for record in Storage.objects.all()}
    return cache[key]


def options_for(url: str) -> dict[str, Any]:
    """Storage options for a remote URL: those of the registered storage holding it, else the
    instance's own when the protocol matches (e.g. the same S3 endpoint for another bucket)."""
    roots = dict(Storage.objects.values_list("root", "options"))
    root = find_root(url, list(roots))
    if root is not None and roots[root]:
        return dict(roots[root])
    instance = ensure_ready()
    protocol = url.split("://", 1)[0]
    if instance.storage_root.startswith(f"{protocol}://"):
        return dict(instance.storage_options)
    return {}


def registered_roots() -> list[str]:
    """Roots of every registered storage location (read once per process and database;
    registering or deleting a storage here forgets them)."""
    return list(_all_storages())
