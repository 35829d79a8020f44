"""Collection registry: a versioned, ordered set of artifacts."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from django.db import models, transaction

from biolake import _logging as log
from biolake.models import cell_queries, collection_access, trash, versioning
from biolake.models.collection_access import track_input
from biolake.models.extensions import HasLineage
from biolake.models.base import MAIN_BRANCH, TracksCreator
from biolake.models.features import HasFeatures
from biolake.storage.hashing import hash_bytes
from biolake.models.links import CollectionArtifact
from biolake.models.space import InSpace
from biolake.models.current import visible_branch_ids


def members_hash(hashes: list[str]) -> str:
    """Order-independent hash of member hashes: the same set gives the same collection."""
    return hash_bytes("\n".join(sorted(hashes)).encode())


class Collection(TracksCreator, InSpace, HasLineage, versioning.IsVersioned, HasFeatures):  # type: ignore[misc]  # each abstract base declares its own Meta; Django merges them, mypy cannot
    """A versioned, ordered set of artifacts that loads as one.

    Example:
        >>> ln.Collection([artifact1, artifact2], key="my-collection").save()  # doctest: +SKIP
    """

    _uid_length: ClassVar[int] = 20
    _stem_len: ClassVar[int] = 16
    _name_field: ClassVar[str] = "key"
    _search_fields: ClassVar[tuple[str, ...]] = ("key", "description")
    _trash_by_default: ClassVar[bool] = True  # delete(): to the trash; from the trash: for good (members stay)
    _repr_fields: ClassVar[tuple[str, ...]] = (
        "uid", "key", "description", "hash", "version", "is_latest", "run_id", "created_by_id", "created_at",
    )

    _members: list[Any] = []  # per instance; the class default serves records read from the database
    _revises: Collection | None = None

    uid = models.CharField(max_length=20, unique=True, editable=False)
    key = models.CharField(max_length=1024, null=True, blank=True, db_index=True)
    description = models.TextField(null=True, blank=True)
    hash = models.CharField(max_length=86, null=True, blank=True, db_index=True)
    version = models.CharField(max_length=30, null=True, blank=True)
    is_latest = models.BooleanField(default=True)  # no index: two values mislead SQLite's planner
    branch_id = models.SmallIntegerField(default=MAIN_BRANCH)  # no index, as is_latest
    meta_artifact = models.ForeignKey(
        "biolake.Artifact", models.PROTECT, null=True, blank=True, related_name="_meta_of_collections"
    )
    artifacts = models.ManyToManyField(
        "biolake.Artifact", through="biolake.CollectionArtifact", related_name="collections"
    )
    ulabels = models.ManyToManyField("biolake.ULabel", through="biolake.CollectionULabel", related_name="collections")
    feature_values = models.ManyToManyField(
        "biolake.FeatureValue", through="biolake.CollectionFeatureValue", related_name="collections"
    )
    run = models.ForeignKey(
        "biolake.Run", models.PROTECT, null=True, blank=True,
        related_name="output_collections",
    )
    created_at = models.DateTimeField(auto_now_add=True, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    def __init__(
        self,
        artifacts: Any = None,
        *args: Any,
        key: str | None = None,
        description: str | None = None,
        revises: Collection | None = None,
        version: str | None = None,
        meta_artifact: Any = None,
        version_tag: str | None = None,
        **fields: Any,
    ) -> None:
        version = version if version_tag is None else version_tag  # LaminDB 2.x name of version
        self._members: list[Any] = []
        self._revises = revises
        if artifacts is None:
            super().__init__(*args, key=key, description=description, version=version, meta_artifact=meta_artifact, **fields)
            return
        members = [artifacts] if not isinstance(artifacts, (list, tuple)) else list(artifacts)
        unsaved = [a for a in members if a._state.adding]
        if unsaved:
            raise ValueError("Save the artifacts before adding them to a collection.")
        digest = members_hash([a.hash for a in members])
        existing = Collection.objects.filter(hash=digest, branch_id__in=visible_branch_ids()).order_by("-id").first()
        if existing is not None:
            log.info(f"returning the existing collection with the same artifacts: {existing!r}")
            self._become(existing)
            return
        super().__init__(key=key, description=description, version=version, hash=digest, meta_artifact=meta_artifact)
        self._members = members

    def save(self, *args: Any, **kwargs: Any) -> Collection:  # type: ignore[override]
        """Commit the collection and its ordered members in one transaction."""
        if not self._state.adding:
            super().save(*args, **kwargs)
            return self
        with transaction.atomic():
            versioning.assign(self, self._revises, {"key": self.key} if self.key else None)
            super().save(*args, **kwargs)
            CollectionArtifact.objects.bulk_create(
                [CollectionArtifact(collection=self, artifact=a, position=i) for i, a in enumerate(self._members)]
            )
        return self

    @property
    def ordered_artifacts(self) -> Any:
        """Members in their saved order."""
        return self.artifacts.order_by("links_collection__position")

    def append(self, artifact: Any, run: Any = None) -> Collection:
        """A new version of this collection with ``artifact`` added at the end (unsaved; this one is unchanged).

        Args:
            artifact: a saved artifact.
            run: the run that makes the new version (default: the current run).

        Example:
            >>> collection_v2 = collection.append(artifact).save()  # doctest: +SKIP
        """
        new = Collection(
            [*self.ordered_artifacts, artifact], key=self.key, description=self.description, revises=self
        )
        if run is not None and new._state.adding:
            new.run = run
        return new




    def load(self, join: Literal["inner", "outer"] = "outer", **kwargs: Any) -> Any:
        """All members as one DataFrame or AnnData (``join="inner"|"outer"`` over columns or genes)."""
        return collection_access.load(self, join=join, **kwargs)

    def open(self, **kwargs: Any) -> Any:
        """Lazy access: a pyarrow Dataset over parquet members, backed AnnData objects for h5ad/zarr."""
        return collection_access.open(self, **kwargs)

    def cache(self) -> list[Any]:
        """Local paths of the members, in order."""
        return collection_access.cache(self)

    def mapped(self, **kwargs: Any) -> Any:
        """A map-style dataset (a torch Dataset when torch is installed) over all cells of the members.

        Keyword arguments go to :func:`biolake.formats.mapped.mapped` (``obs_keys``, ``join``, ...).
        """
        return collection_access.mapped(self, **kwargs)

    def cells(self, where: str | None = None, include_children: bool = False, **filters: Any) -> Any:
        """The cells of the members matching obs filters (see ``Artifact.filter(...).cells``).

        Example:
            >>> collection.cells(cell_type="T cell").to_anndata(genes=["CD8A"])  # doctest: +SKIP
        """
        track_input(self)
        return cell_queries.cells(self.artifacts.all(), where=where, include_children=include_children, **filters)

    def restore(self) -> Collection:
        """Bring a trashed collection back."""
        trash.restore(self)
        return self
