"""Artifact registry: a file, folder or in-memory object saved to a storage location."""

from __future__ import annotations

import copy
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models

from biolake.errors import ArgumentTypeError
from biolake.models import (
    artifact_access,
    artifact_options,
    artifact_save,
    artifact_source,
    integrity,
    obs_index,
    shared_bytes,
    trash,
    versioning,
)
from biolake.models.extensions import HasLineage
from biolake.models.base import TracksCreator
from biolake.models.constants import MAIN_BRANCH, RUN_ARTIFACT_KIND
from biolake.models.features import HasFeatures
from biolake.models.space import InSpace

if TYPE_CHECKING:
    from biolake.models import artifact_diff



class Artifact(TracksCreator, InSpace, HasLineage, versioning.IsVersioned, HasFeatures):
    """A dataset, model or any file or folder, content-hashed and versioned.

    Args:
        data: a path (local, ``s3://``, ``memory://``, ...), a folder, or an in-memory object
            (pandas DataFrame, AnnData, MuData).
        key: the user-facing name (``"my_datasets/rnaseq1.parquet"``); the same key with new
            content creates a new version.
        description: free text.
        kind: ``"dataset"``, ``"model"`` or any other string.
        revises: an artifact this one is a new version of.
        version: a free version tag (e.g. ``"1.0"``).
        format: file format for in-memory objects (``"zarr"`` for AnnData, ``"csv"`` for DataFrames).
        version_tag: LaminDB 2.x name of ``version``.
        key_is_virtual: ``False`` stores the bytes at ``<storage>/<key>`` instead of under
            ``<storage>/.biolake/<uid><suffix>`` (default ``True``: the key is metadata only).
        skip_hash_lookup: do not return an existing artifact with the same content: register
            the bytes again as a new artifact.
        overwrite_versions: with ``key_is_virtual=False``, a new version may overwrite the
            bytes of the previous one at the same key (default: ``True`` for folders, ``False``
            for files); managed bytes are never overwritten.

    Example:
        >>> artifact = ln.Artifact.from_df(df, key="my_datasets/rnaseq1.parquet").save()  # doctest: +SKIP
        >>> artifact.load()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 20
    _stem_len: ClassVar[int] = 16
    _name_field: ClassVar[str] = "key"
    _search_fields: ClassVar[tuple[str, ...]] = ("key", "description")
    _trash_by_default: ClassVar[bool] = True  # delete(): to the trash; from the trash: for good
    _repr_fields: ClassVar[tuple[str, ...]] = (
        "uid", "key", "description", "suffix", "kind", "otype", "size", "hash", "n_files",
        "n_observations", "version", "is_latest", "storage_id", "run_id", "created_by_id", "created_at",
    )

    # per-object state of unsaved artifacts (records read from the database have the defaults)
    _pending: artifact_source.Pending | None = None  # what an unsaved artifact was made from
    _source: artifact_source.Source | None = None  # its bytes, read during save()
    _revises: Artifact | None = None
    _memory: Any = None
    _target_storage: Any = None  # ``Artifact(storage=...)``: where save() puts the bytes
    _init_features: Any = None  # ``Artifact(features=..., schema=...)``: set when saved
    _returned_existing = False  # save() found the same bytes registered and became that record
    _real_key = False  # key_is_virtual=False: the bytes live at <storage>/<key>
    _skip_hash_lookup = False
    _overwrite_versions: bool | None = None

    uid = models.CharField(max_length=20, unique=True, editable=False)
    key = models.CharField(max_length=1024, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    storage = models.ForeignKey("biolake.Storage", models.PROTECT, related_name="artifacts")
    suffix = models.CharField(max_length=30, blank=True, default="", db_index=True)
    kind = models.CharField(max_length=20, null=True, blank=True, db_index=True)
    otype = models.CharField(max_length=64, null=True, blank=True, db_index=True)
    size = models.BigIntegerField(null=True, blank=True, db_index=True)
    hash = models.CharField(max_length=86, null=True, blank=True, db_index=True)
    hash_type = models.CharField(max_length=30, null=True, blank=True)
    n_files = models.BigIntegerField(null=True, blank=True)
    n_observations = models.BigIntegerField(null=True, blank=True)
    version = models.CharField(max_length=30, null=True, blank=True)
    is_latest = models.BooleanField(default=True)  # no index: two values mislead SQLite's planner
    managed = models.BooleanField(default=True)
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)  # no index, as is_latest
    run = models.ForeignKey(
        "biolake.Run", models.PROTECT, null=True, blank=True,
        related_name="output_artifacts",
    )
    created_at = models.DateTimeField(auto_now_add=True, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    ulabels = models.ManyToManyField("biolake.ULabel", through="biolake.ArtifactULabel", related_name="artifacts")
    feature_values = models.ManyToManyField(
        "biolake.FeatureValue", through="biolake.ArtifactFeatureValue", related_name="artifacts"
    )
    schemas = models.ManyToManyField("biolake.Schema", through="biolake.ArtifactSchema", related_name="artifacts")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["storage", "key"],
                condition=models.Q(is_latest=True, branch_id=MAIN_BRANCH, key__isnull=False),
                name="unique_latest_artifact_key_per_storage",
            )
        ]

    def __init__(
        self,
        data: Any = None,
        *args: Any,
        key: str | None = None,
        description: str | None = None,
        kind: str | None = None,
        revises: Artifact | None = None,
        version: str | None = None,
        format: str | None = None,
        version_tag: str | None = None,
        key_is_virtual: bool | None = None,
        skip_hash_lookup: bool = False,
        overwrite_versions: bool | None = None,
        features: dict[str, Any] | None = None,
        schema: Any = None,
        run: Any = None,
        storage: Any = None,
        **fields: Any,
    ) -> None:
        self._revises = revises
        version = version if version_tag is None else version_tag
        self._real_key = key_is_virtual is False
        self._skip_hash_lookup = skip_hash_lookup
        self._overwrite_versions = overwrite_versions
        options = artifact_options.check(features, schema, run, storage)
        if data is None:
            super().__init__(*args, key=key, description=description, kind=kind, version=version, **fields)
            artifact_options.apply(self, options)
            return
        placement = {name: fields.pop(name) for name in ("space", "branch") if name in fields}  # where it lives
        if args or fields:
            raise ArgumentTypeError(f"Artifact() got unexpected arguments: {sorted(fields) or args}")
        if key is None and revises is not None:
            key = revises.key  # a new version keeps the family's key
        pending = artifact_source.Pending.of(data, key=key, format=format)  # checks only: no I/O, no query
        super().__init__(**pending.initial_fields(description, kind, version), **placement)
        artifact_options.apply(self, options)
        self._pending = pending
        self._memory = pending.memory

    @classmethod
    def _default_conditions(cls, kwargs: dict[str, Any]) -> list[Any]:
        conditions = super()._default_conditions(kwargs)
        # run artifacts have no key: a query by exact key can skip the condition (and its cost)
        if not any(k.startswith("kind") or k == "key" for k in kwargs):
            conditions.append(~models.Q(kind=RUN_ARTIFACT_KIND))
        return conditions

    @classmethod
    def get(cls, idlike: Any = None, *queries: Any, path: Any = None, **expressions: Any) -> Any:
        """One artifact by uid, uid stem, id or lookups, or by ``path=`` (LaminDB 2.x): the path of
        its bytes in a registered storage location (``s3://bucket/raw/a.csv``, a managed path, ...).

        Example:
            >>> ln.Artifact.get(path="s3://my-bucket/raw/sample1.fastq.gz")  # doctest: +SKIP
        """
        if path is None:
            return super().get(idlike, *queries, **expressions)
        return super().get(idlike, *queries, **artifact_access.lookup_by_path(path), **expressions)

    # -- alternate constructors --------------------------------------------------------------
    @classmethod
    def from_df(cls, df: Any, key: str | None = None, description: str | None = None, **kwargs: Any) -> Artifact:
        """An artifact from a pandas DataFrame (stored as parquet)."""
        return cls(df, key=key, description=description, kind=kwargs.pop("kind", "dataset"), **kwargs)

    from_dataframe = from_df

    @classmethod
    def from_anndata(cls, adata: Any, key: str | None = None, description: str | None = None, **kwargs: Any) -> Artifact:
        """An artifact from an AnnData object or an ``.h5ad``/``.zarr`` path (``format="zarr"`` for zarr)."""
        return cls(adata, key=key, description=description, kind=kwargs.pop("kind", "dataset"), **kwargs)

    @classmethod
    def from_mudata(cls, mdata: Any, key: str | None = None, description: str | None = None, **kwargs: Any) -> Artifact:
        """An artifact from a MuData object (stored as ``.h5mu``; needs ``pip install biolake[mudata]``)."""
        return cls(mdata, key=key, description=description, kind=kwargs.pop("kind", "dataset"), **kwargs)

    @classmethod
    def from_dir(cls, path: str | Path, key: str | None = None, **kwargs: Any) -> list[Artifact]:
        """One (unsaved) artifact per file in a folder; keys mirror the folder's layout."""
        return artifact_source.artifacts_from_dir(cls, path, key, **kwargs)

    # -- persistence --------------------------------------------------------------------------
    def save(self, *args: Any, **kwargs: Any) -> Artifact:  # type: ignore[override]
        """Read, hash and store the bytes, then commit the record, all or nothing; returns ``self``.

        Bytes that are already registered are not stored again: the artifact becomes the
        existing one (a message says so), and that is returned.
        """
        features = artifact_options.before_save(self)  # Artifact(features=...): checked before any byte is written
        saved = artifact_save.save(self, super().save, *args, **kwargs)
        artifact_options.after_save(saved, features)
        return saved

    def replace(self, data: Any, format: str | None = None) -> Artifact:
        """Prepare new content as the next version of this artifact; call ``.save()`` to store it."""
        previous = copy.copy(self)  # self is about to become the new version
        new = Artifact(data, key=self.key, description=self.description, kind=self.kind, revises=previous, format=format)
        artifact_source.become(self, new, None, keep_state=True)
        return self

    def delete(self, permanent: bool | None = None, force: bool = False) -> None:  # type: ignore[override]
        """Move to the trash (hidden from queries, ``restore()`` brings it back), or delete for good
        (``permanent=True``, or a second delete of a trashed artifact).

        A permanent delete removes the managed bytes, and is refused with
        :class:`~biolake.errors.BytesInUseError` while other instances use them by zero-copy
        transfer (``force=True`` deletes them anyway). In an instance that got the artifact by
        transfer, only the record goes: the bytes belong to the instance they came from.
        """
        self._delete(permanent, lambda: _after_permanent_delete(self, force))

    @property
    def _key_is_virtual(self) -> bool:
        """LaminDB's flag: whether the key is metadata only (managed bytes under ``.biolake/``)."""
        return bool(self.managed)

    def restore(self) -> Artifact:
        """Bring a trashed artifact back."""
        trash.restore(self)
        return self

    # -- access -------------------------------------------------------------------------------
    @property
    def path(self) -> Any:
        """Where the bytes are (a UPath in the storage location)."""
        return artifact_access.path(self)

    def cache(self) -> Path:
        """A local path to the bytes (downloaded into the cache for remote storage)."""
        return artifact_access.cache(self)

    def load(self, **kwargs: Any) -> Any:
        """The content as an object (DataFrame, AnnData, ...), or the path for plain files."""
        return artifact_access.load(self, **kwargs)

    def open(self, **kwargs: Any) -> Any:
        """Lazy, backed access: a pyarrow Dataset for parquet, a backed AnnData for h5ad/zarr."""
        return artifact_access.open(self, **kwargs)

    def diff(self, other: Artifact, row_limit: int | None = None) -> artifact_diff.ArtifactDiff:
        """What changed from this artifact to ``other`` (DataFrames or AnnData): shape, columns, dtypes,
        categories (added, removed, renamed) and values by index; ``print()`` it or read its fields.

        Example:
            >>> print(old_version.diff(new_version))  # doctest: +SKIP
        """
        from biolake.models import artifact_diff  # comparing frames: loaded when used

        return artifact_diff.diff(self, other, row_limit=row_limit)


    @property
    def transform(self) -> Any:
        """The transform whose run created this artifact, if any."""
        return self.run.transform if self.run_id else None

    # -- integrity -----------------------------------------------------------------------------
    def verify(self) -> Any:
        """Re-hash the stored bytes and compare them with the recorded hash; changes nothing.

        Returns the :class:`~biolake.models.integrity.VerifyReport` (``report.ok``); a hash
        type that cannot be recomputed gives a report with ``status="unverifiable"``.

        Raises:
            HashMismatchError: the bytes are missing or differ (``.expected``, ``.actual``).
        """
        return integrity.verify(self).raise_for_problem()


def _after_permanent_delete(artifact: Artifact, force: bool) -> Callable[[Artifact], None]:
    """Checked before the record goes (shared bytes): what removes its bytes and obs sidecars after."""
    remove_bytes = shared_bytes.permanent_delete_action(artifact, force)

    def after(deleted: Artifact) -> None:
        remove_bytes(deleted)
        obs_index.remove_sidecars(deleted)

    return after
